/**
 * Trit as a library: BitNet b1.58 ternary models on the CPU, in a Web Worker, with OpenAI-shaped chat and text
 * completions. Start with {@link createTrit}.
 *
 * @packageDocumentation
 */
export { createTrit } from './create-trit';
export type {
  ChatCompletions,
  Completions,
  DownloadModelOptions,
  ImportModelOptions,
  LoadModelOptions,
  RequestExtras,
  Trit,
  TritModels,
  TritOptions,
  TritProgress,
} from './types';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatMessage,
  ChatMessageParam,
  Completion,
  CompletionChunk,
  CompletionCreateParams,
  CompletionUsage,
  FinishReason,
  SamplingParams,
} from './openai-types';
export type { EngineStatus, LoadProgress, ModelInfo, TokenizeOptions } from '../engine/protocol';
export type { ModelView, StoreProgress } from '../store/types';
export type { CatalogueEntry } from '../store/catalogue';
export { TritError, type TritErrorCode } from '../errors';
export { isolatePage, type IsolationOutcome } from './isolate-page';
