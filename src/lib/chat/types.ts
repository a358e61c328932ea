/**
 * The types of a conversation: messages, sampling settings, the streamed text and what a reply cost. The chat logic,
 * the engine worker's protocol and the UI all speak them; this file depends on nothing.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingSettings {
  /** 0 means greedy. */
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repeatPenalty: number;
  repeatLastN: number;
  /** Same seed + same settings + same conversation = the same reply. */
  seed?: number;
  maxTokens: number;
  stop?: string[];
}


export type StopReason = 'eos' | 'stop_string' | 'max_tokens' | 'aborted' | 'context_full';

export interface TokenDelta {
  /** New text; may be empty while a multi-byte character is incomplete. */
  text: string;
  /** Milliseconds this token took. */
  ms: number;
}

/** What the chat logic measures of one reply. */
export interface ChatStats {
  promptTokens: number;
  /** Tokens of the prompt that had to be evaluated (the rest came from the KV cache). */
  evaluatedPromptTokens: number;
  generatedTokens: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
  timeToFirstTokenMs: number;
  stopReason: StopReason;
  /** Oldest turns left out so the conversation fits the context (the system prompt is always kept). */
  droppedMessages: number;
  /** Text continuation only: tokens left out at the start of the text so it fits the context. */
  droppedTokens?: number;
  /** Seed the sampler used: pass it back to get the same reply again. */
  seed: number;
}
