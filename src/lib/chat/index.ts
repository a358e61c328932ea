export type { LanguageModel } from './model';
export { ChatTemplate, type TemplateFamily } from './chat-template';
export { Sampler, argmax, DEFAULT_SAMPLER_SETTINGS, type SamplerSettings } from './sampler';
export { Prng, randomSeed } from './prng';
export { StopStringFilter } from './stop-strings';
export {
  ChatSession,
  type ChatResult,
  type ChatStats,
  type ChatSessionOptions,
  type ChatMessage,
  type SamplingSettings,
  type StopReason,
  type TokenDelta,
  type GenerateOptions,
  type StreamedToken,
} from './chat-session';
