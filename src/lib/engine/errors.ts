/**
 * Typed errors of the inference engine. Each carries a stable `code` and a `hint` (what the person can do next), and
 * stays a plain {name, code, message, hint} when it crosses the worker boundary (see ../errors.ts serializeError).
 */
import { DEFAULT_HINT, TritError, type EngineErrorCode } from '../errors';

export type { EngineErrorCode };

/** The engine's own codes plus the two any layer may raise through it. */
type EngineCode = EngineErrorCode | 'cancelled' | 'internal';

const HINTS: Record<EngineCode, string> = {
  truncated: 'The model file is incomplete. Delete it and download it again.',
  bad_magic: 'This is not a GGUF model file. Choose the BitNet ggml-model-i2_s.gguf file.',
  bad_version: 'This GGUF version is not supported. Use a GGUF v2 or v3 file such as the official BitNet i2_s file.',
  bad_header: 'The model file is corrupt. Delete it and download it again.',
  unknown_tensor_type: 'The file uses a tensor format Trit cannot read. Use the official BitNet ggml-model-i2_s.gguf file.',
  offset_out_of_range: 'The model file is incomplete or corrupt. Delete it and download it again.',
  missing_tensor: 'The file is not a complete BitNet b1.58 model. Use the official BitNet ggml-model-i2_s.gguf file.',
  bad_tensor_shape: 'The file is not a BitNet b1.58 model Trit can run. Use the official BitNet ggml-model-i2_s.gguf file.',
  unsupported_architecture: 'Trit runs the BitNet b1.58 family only (BitNet-b1.58-2B-4T, Falcon3 and Falcon-E 1.58-bit, Llama3-8B-1.58, bitnet_b1_58-large) as i2_s GGUF files.',
  unsupported_tensor_type: 'Trit needs the i2_s GGUF file of the model (TL1/TL2 files only work in the bitnet.cpp build that made them).',
  unsupported_model: 'This model variant is not supported. Use BitNet-b1.58-2B-4T (ggml-model-i2_s.gguf).',
  out_of_memory: 'This device does not have enough free memory for the model. Close other tabs or apps, choose a shorter context, or use a smaller model.',
  context_overflow: 'The conversation is longer than the context. Start a new chat or choose a longer context.',
  no_model: 'Load a model first.',
  bad_state: 'The engine was used out of order. Reload the page and try again.',
  bad_argument: 'The engine was given an invalid request. Reload the page; if it keeps happening, report it.',
  cancelled: 'Stopped as you asked. Start it again when you are ready.',
  non_finite: 'The model computed numbers that are not finite: the model file is probably damaged. Delete it and download it again.',
  timeout: 'The engine did not answer in time. Tap Try again; if it keeps happening, reload the page.',
  internal: DEFAULT_HINT,
};

/** Every code the engine may raise: the C side's status names (cpp/src/status.h) and the two any layer may use. */
export const ENGINE_ERROR_CODES = Object.keys(HINTS) as EngineCode[];

/** A status name from trit_status_name (cpp/src/status.h) as an error code; 'internal' for a name TypeScript does
 * not know, so a newer engine can never raise a code outside the app's union. */
export function engineErrorCodeOf(statusName: string): EngineCode {
  return Object.hasOwn(HINTS, statusName) ? (statusName as EngineCode) : 'internal';
}

export class EngineError extends TritError {
  declare readonly code: EngineCode;

  constructor(code: EngineCode, message: string, hint: string = HINTS[code]) {
    super(code, message, hint);
    this.name = 'EngineError';
  }

  /** From the C side's status name (trit_status_name) and message. */
  static fromNative(statusName: string, message: string): EngineError {
    return new EngineError(engineErrorCodeOf(statusName), message || `engine error ${statusName}`);
  }

  toJSON(): { name: string; code: EngineCode; message: string; hint: string } {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint };
  }
}

export function isEngineError(e: unknown, code?: EngineCode): e is EngineError {
  return e instanceof EngineError && (code === undefined || e.code === code);
}
