/**
 * From a loaded model to a chat: the tokenizer and chat template read from the file's metadata, and a ChatSession
 * over the engine. Shared by the engine worker, the CLI and the integration tests; it uses no browser or Node API.
 */
import { ChatSession, ChatTemplate, type ChatSessionOptions, type LanguageModel } from '../chat';
import { TritError } from '../errors';
import { Tokenizer, type GGUFMetadata } from '../tokenizer';
import type { WasmEngine } from './wasm-engine';

export interface LoadedChat {
  tokenizer: Tokenizer;
  template: ChatTemplate;
  session: ChatSession;
  /** Set when the file's chat template was not usable and the BitNet format is used instead (show it to the user). */
  templateNotice?: string;
}

export interface EngineModelOptions {
  /** Awaited before every engine call so queued events (a stop request) can run between tokens. */
  beforeEval?: () => Promise<void>;
}

/** The engine as a LanguageModel: the chat logic only needs eval/truncate and the loaded model's sizes. */
export function engineLanguageModel(engine: WasmEngine, opts: EngineModelOptions = {}): LanguageModel {
  const info = () => {
    const i = engine.info;
    if (!i) throw new TritError('no_model', 'No model is loaded.', 'Load a model first.');
    return i;
  };
  const beforeEval = opts.beforeEval;
  return {
    get nCtx() { return info().nCtx; },
    get nVocab() { return info().nVocab; },
    get nPast() { return engine.nPast; },
    eval: beforeEval
      ? async (tokens, evalOpts) => {
          await beforeEval();
          return engine.eval(tokens, evalOpts);
        }
      : (tokens, evalOpts) => engine.eval(tokens, evalOpts),
    truncate: (n) => engine.truncate(n),
  };
}

/**
 * Builds the chat for the model loaded in `engine`, whose GGUF metadata is `metadata` (from engine.inspect).
 * Throws TritError ('tokenizer_unsupported', 'tokenizer_invalid', 'template_unsupported') for files Trit cannot chat with,
 * among them a tokenizer with more tokens than the loaded model has embedding rows.
 */
export function createChat(
  engine: WasmEngine,
  metadata: GGUFMetadata,
  opts: EngineModelOptions & { session?: ChatSessionOptions } = {},
): LoadedChat {
  const tokenizer = Tokenizer.fromGGUFMetadata(metadata);
  // The engine refuses such files at load (cpp/src/model_plan.cpp); a tokenizer built from other metadata than the
  // loaded model's must not get that far either: its first out-of-range id would fail a message, not the load.
  const nVocab = engine.info?.nVocab;
  if (nVocab !== undefined && tokenizer.vocabSize > nVocab) {
    throw new TritError('tokenizer_invalid', `The tokenizer has ${tokenizer.vocabSize} tokens but the model's embedding only ${nVocab} rows.`,
      'The model file is inconsistent. Delete it and download it again.');
  }
  const template = ChatTemplate.forModel(metadata, tokenizer);
  const session = new ChatSession(engineLanguageModel(engine, opts), tokenizer, template, opts.session);
  return { tokenizer, template, session, templateNotice: template.notice };
}
