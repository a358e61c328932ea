/**
 * Errors the user can act on. Every error that reaches the UI carries a stable `code` (for logic and tests)
 * and a `hint`: one sentence telling the person what to do next.
 */
export class TritError extends Error {
  readonly code: string;
  readonly hint: string;

  constructor(code: string, message: string, hint: string) {
    super(message);
    this.name = 'TritError';
    this.code = code;
    this.hint = hint;
  }
}

/** The plain shape an error takes when it crosses a worker boundary. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  hint: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const any = e as Error & { code?: unknown; hint?: unknown };
    return {
      name: e.name,
      code: typeof any.code === 'string' ? any.code : 'internal',
      message: e.message,
      hint: typeof any.hint === 'string' ? any.hint : 'Reload the page. If it keeps happening, report it with this message.',
    };
  }
  return { name: 'Error', code: 'internal', message: String(e), hint: 'Reload the page. If it keeps happening, report it with this message.' };
}

export function deserializeError(s: SerializedError): TritError {
  const e = new TritError(s.code, s.message, s.hint);
  e.name = s.name;
  return e;
}
