/** The engine's verdict on a model file's first bytes, for the store (see ModelFileCheck). Runs wherever a
 * WasmEngine does: the worker answers the page with it, and the store's unit tests call it in Node. */
import type { ModelFileCheck } from './protocol';
import type { WasmEngine } from './wasm-engine';

export function checkModelFile(engine: WasmEngine, headerBytes: Uint8Array, fileSize: number): ModelFileCheck {
  const r = engine.inspect(headerBytes, { fileSize });
  if (!r.complete) return { complete: false, needBytes: r.needBytes };
  if (r.planError) return { complete: true, runnable: false, code: r.planError.code, reason: r.planError.message, hint: r.planError.hint };
  // The engine's own counts: its tensor list is left empty for files listing absurdly many tensors.
  return { complete: true, runnable: true, architecture: String(r.metadata['general.architecture'] ?? ''), tensorCount: r.tensorCount, dataEnd: r.dataEnd };
}
