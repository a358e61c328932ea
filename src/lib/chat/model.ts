/**
 * What the chat logic needs from an engine. The WasmEngine wrapper satisfies it directly inside the engine
 * worker (no Comlink hop per token); tests use small deterministic implementations.
 */
export interface LanguageModel {
  /** Context length: the most tokens the KV cache holds. */
  readonly nCtx: number;
  readonly nVocab: number;
  /** Tokens currently in the KV cache (positions 0 .. nPast-1). */
  readonly nPast: number;
  /**
   * Appends `tokens` at positions nPast.. and returns the logits of the last one (nVocab floats);
   * with `allLogits`, those of every token, row after row. The returned array may be reused by the next call.
   */
  eval(tokens: readonly number[], opts?: { allLogits?: boolean }): Promise<Float32Array> | Float32Array;
  /** Forgets every position from `nPast` on (0 clears the cache). */
  truncate(nPast: number): void | Promise<void>;
}
