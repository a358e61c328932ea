/**
 * Errors the user can act on. Every error that reaches the UI is a TritError: a stable `code` from the one union
 * below (for logic and tests) and a `hint`, one sentence telling the person what to do next. The engine and the
 * store narrow it (EngineError, StoreError) but never add codes outside this union.
 */

/** The engine's codes; the C side names them (cpp/src/status.h, trit_status_name) and TypeScript maps by name. */
export type EngineErrorCode =
  | 'truncated'
  | 'bad_magic'
  | 'bad_version'
  | 'bad_header'
  | 'unknown_tensor_type'
  | 'offset_out_of_range'
  | 'missing_tensor'
  | 'bad_tensor_shape'
  | 'unsupported_architecture'
  | 'unsupported_tensor_type'
  | 'unsupported_model'
  | 'out_of_memory'
  | 'context_overflow'
  | 'no_model'
  | 'bad_state'
  | 'bad_argument'
  | 'non_finite'
  | 'timeout';

/** The model store's codes. */
export type StoreErrorCode =
  | 'insufficient_storage'
  | 'quota_exceeded'
  | 'network'
  | 'offline'
  | 'host_unreachable'
  | 'http'
  | 'range_mismatch'
  | 'checksum_mismatch'
  | 'not_gguf'
  | 'not_runnable'
  | 'in_use'
  | 'incomplete'
  | 'not_found'
  | 'size_unknown'
  | 'storage_unavailable';

/** The chat's and tokenizer's codes. */
export type ChatErrorCode =
  | 'bad_request'
  | 'invalid_sampling'
  | 'prompt_too_long'
  | 'template_unsupported'
  | 'tokenizer_unsupported'
  | 'tokenizer_invalid'
  | 'token_out_of_range';

/** Codes any layer may use. */
export type CommonErrorCode = 'busy' | 'cancelled' | 'not_ready' | 'worker_crashed' | 'internal';

export type TritErrorCode = EngineErrorCode | StoreErrorCode | ChatErrorCode | CommonErrorCode;

/** The hint when nothing better is known. */
export const DEFAULT_HINT = 'Reload the page. If it keeps happening, report it with this message.';

export class TritError extends Error {
  readonly code: TritErrorCode;
  readonly hint: string;

  constructor(code: TritErrorCode, message: string, hint: string = DEFAULT_HINT) {
    super(message);
    this.name = 'TritError';
    this.code = code;
    this.hint = hint;
  }
}

/** The one cancellation error: whatever was stopped (a load, a self-test, a download) says so with this. */
export function cancelled(what: string): TritError {
  return new TritError('cancelled', `${what} was stopped.`, 'Start it again when you are ready.');
}

export function isCancelled(e: unknown): boolean {
  return e instanceof TritError && e.code === 'cancelled';
}

/** The plain shape an error takes when it crosses a worker boundary. */
export interface SerializedError {
  name: string;
  code: TritErrorCode;
  message: string;
  hint: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const any = e as Error & { code?: unknown; hint?: unknown };
    return {
      name: e.name,
      code: typeof any.code === 'string' ? (any.code as TritErrorCode) : 'internal',
      message: e.message,
      hint: typeof any.hint === 'string' ? any.hint : DEFAULT_HINT,
    };
  }
  return { name: 'Error', code: 'internal', message: String(e), hint: DEFAULT_HINT };
}

export function deserializeError(s: SerializedError): TritError {
  const e = new TritError(s.code, s.message, s.hint);
  e.name = s.name;
  return e;
}
