/**
 * A failure in the person's language. The errors the engine and store raise are written in English, precise and
 * with numbers (src/lib/errors.ts); in English the UI shows those words. In another language it shows what kind of
 * failure it was and what to do, in plain words, and keeps the English detail one tap away with the code.
 */
import type { TritErrorCode } from '../../errors';
import { t, type StringKey } from '../strings';
import { locale } from './locale';

type Kind = 'errStorage' | 'errNetwork' | 'errBadFile' | 'errUnsupported' | 'errMemory' | 'errTooLong' | 'errBusy'
  | 'errCancelled' | 'errInUse' | 'errNotFound' | 'errGeneric';

const KIND: Readonly<Partial<Record<TritErrorCode, Kind>>> = {
  insufficient_storage: 'errStorage', quota_exceeded: 'errStorage', storage_unavailable: 'errStorage',
  network: 'errNetwork', offline: 'errNetwork', host_unreachable: 'errNetwork', http: 'errNetwork', size_unknown: 'errNetwork',
  truncated: 'errBadFile', bad_magic: 'errBadFile', bad_version: 'errBadFile', bad_header: 'errBadFile',
  unknown_tensor_type: 'errBadFile', offset_out_of_range: 'errBadFile', missing_tensor: 'errBadFile',
  bad_tensor_shape: 'errBadFile', not_gguf: 'errBadFile', not_runnable: 'errBadFile', checksum_mismatch: 'errBadFile',
  range_mismatch: 'errBadFile', incomplete: 'errBadFile',
  unsupported_architecture: 'errUnsupported', unsupported_tensor_type: 'errUnsupported', unsupported_model: 'errUnsupported',
  template_unsupported: 'errUnsupported', tokenizer_unsupported: 'errUnsupported', tokenizer_invalid: 'errUnsupported',
  out_of_memory: 'errMemory',
  context_overflow: 'errTooLong', prompt_too_long: 'errTooLong',
  busy: 'errBusy', not_ready: 'errBusy', no_model: 'errBusy', bad_state: 'errBusy',
  cancelled: 'errCancelled',
  in_use: 'errInUse',
  not_found: 'errNotFound',
};

export interface ShownError {
  /** Absent on replies saved before errors kept their code: they read as the generic kind. */
  code?: string;
  message: string;
  hint: string;
}

/** What happened and what to do next, in the UI's language. */
export function errorWords(e: ShownError): string {
  if (locale.code === 'en') return `${e.message} ${e.hint}`.trim();
  const key: StringKey = KIND[e.code as TritErrorCode] ?? 'errGeneric';
  return t[key];
}

/** Only what to do next (where the sentence before already says what failed), in the UI's language. */
export function errorHint(e: ShownError): string {
  return locale.code === 'en' ? e.hint : t[KIND[e.code as TritErrorCode] ?? 'errGeneric'];
}

/** The English original, for "Details", when the words shown are a translation of its kind; empty in English. */
export function errorOriginal(e: ShownError): string {
  return locale.code === 'en' ? '' : `${e.message} ${e.hint}`.trim();
}
