import * as Comlink from 'comlink';
import { deserializeError, serializeError, type SerializedError } from '../errors';

/**
 * Comlink's default throw handler keeps only name/message/stack; ours also keeps the error's `code` and `hint`,
 * so the UI can show what to do next. Both sides of every Comlink link install it (once per realm).
 */
let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const fallback = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: fallback.canHandle,
    serialize(thrown: unknown) {
      const value = (thrown as { value: unknown }).value;
      return [{ tritError: serializeError(value) }, []];
    },
    deserialize(serialized: unknown) {
      const s = serialized as { tritError?: SerializedError };
      if (s && s.tritError) throw deserializeError(s.tritError);
      return fallback.deserialize(serialized);
    },
  });
}
