import { TritError } from '../errors';

/** What the UI shows for a failure: what happened and what to do next. */
export interface UiError {
  code: string;
  message: string;
  hint: string;
}

export function toUiError(e: unknown): UiError {
  if (e instanceof TritError) return { code: e.code, message: e.message, hint: e.hint };
  // Errors that crossed the worker boundary without our transfer handler still carry code/hint as fields.
  if (typeof e === 'object' && e !== null) {
    const o = e as { code?: unknown; message?: unknown; hint?: unknown };
    if (typeof o.hint === 'string') {
      return { code: typeof o.code === 'string' ? o.code : 'internal', message: String(o.message ?? ''), hint: o.hint };
    }
  }
  return {
    code: 'internal',
    message: e instanceof Error ? e.message : String(e),
    hint: 'Reload the page. If it keeps happening, restart the device.',
  };
}

export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}
