/**
 * What the TypeScript side needs from an instantiated engine module (cpp/src/api.cpp and the files that export
 * beside it), and WasmHeap: copying into and out of its memory and turning a failed call into an EngineError.
 */
import { EngineError } from './errors';

export interface TritModule {
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _trit_init(threads: number): number;
  _trit_pool_size(): number;
  _trit_set_threads(threads: number): void;
  _trit_get_threads(): number;
  _trit_last_error_code(): number;
  _trit_last_error_message(): number;
  _trit_status_name(code: number): number;
  _trit_heap_bytes(): number;
  _trit_heap_used(): number;
  _trit_i2s_kernel(): number;
  _trit_i2s_use_form(form: number): number;
  _trit_i2s_choose(): number;
  _trit_i2s_form_gmacs(form: number): number;
  _trit_i2s_form_exact(form: number): number;
  _trit_inspect(ptr: number, len: number, fileSize: number, nCtx: number, loadFlags: number): number;
  _trit_plan(ptr: number, len: number, fileSize: number, nCtx: number, loadFlags: number): number;
  _trit_unload(): void;
  _trit_load_begin(totalBytes: number, nCtx: number, loadFlags: number): number;
  _trit_load_chunk(ptr: number, len: number): number;
  _trit_load_end(): number;
  _trit_model_info(): number;
  _trit_eval(tokensPtr: number, n: number, allLogits: number): number;
  _trit_logits(): number;
  _trit_logits_rows(): number;
  _trit_n_past(): number;
  _trit_truncate(n: number): number;
  _trit_clear(): number;
  _trit_selftest_begin(bytes: number, seed: number): number;
  _trit_selftest_step(piece: number, threads: number): number;
  _trit_selftest_end(): number;
  _trit_bandwidth(bytes: number, repeats: number, threads: number): number;
  _trit_thread_probe_begin(bytes: number): number;
  _trit_thread_probe_run(threads: number, passes: number): number;
  _trit_thread_probe_end(): void;
  /** Installed by WasmEngine for a model whose input rows stay in the file (cpp/src/input_rows.h): copies file bytes
   * [offset, offset + bytes) to dest in wasm memory; 0, or -1 when they cannot be read. */
  tritReadFile?: (offset: number, bytes: number, dest: number) => number;
  // Test hooks (cpp/src/test_hooks.cpp): in the Node builds only.
  _trit_quantize_row?(xPtr: number, n: number, qPtr: number, sumPtr: number): number;
  _trit_round_f16?(xPtr: number, n: number, outPtr: number): void;
  _trit_kernel_attention?(q: number, group: number, headDim: number, k: number, v: number, nKeys: number, chunk: number, out: number): number;
  _trit_kernel_i2s?(kernel: number, w: number, ne0: number, ne1: number, q: number, s: number, sums: number, nTokens: number, y: number, threads: number): number;
  _trit_kernel_attention_q8?(q: number, group: number, headDim: number, k: number, kScales: number, v: number, vScales: number, nKeys: number, chunk: number, out: number): number;
  _trit_kv_quantize_row?(x: number, n: number, q: number): number;
  _trit_kernel_low_bit?(bits: number, kernel: number, sourceType: number, w: number, ne0: number, ne1: number, piece: number, x: number, y: number, dequantized: number): number;
  _trit_kernel_q8_0?(w: number, ne0: number, ne1: number, piece: number, x: number, y: number): number;
  _trit_kernel_q8?(kernel: number, w: number, ne0: number, ne1: number, x: number, y: number): number;
}

/** An Emscripten MODULARIZE factory (the default export of cpp/build/trit-*.js). */
export type TritModuleFactory = (moduleArg?: Record<string, unknown>) => Promise<unknown>;

export class WasmHeap {
  private view?: Uint8Array;

  constructor(readonly mod: TritModule) {}

  private heap(): Uint8Array {
    // Growth replaces the buffer; a view on the old one would be detached (or too short when shared).
    const buffer = this.mod.wasmMemory?.buffer ?? this.mod.HEAPU8.buffer;
    if (!this.view || this.view.buffer !== buffer) this.view = new Uint8Array(buffer);
    return this.view;
  }

  // Pointers come back from wasm as signed i32: past 2 GiB (the 8B and 10B models' heaps) they are negative, so every
  // pointer is read as the unsigned number it is (>>> 0) before it indexes memory.
  alloc(bytes: number): number {
    const ptr = this.mod._malloc(Math.max(1, bytes)) >>> 0;
    if (!ptr) throw new EngineError('out_of_memory', `Could not allocate ${bytes} bytes in the engine.`);
    return ptr;
  }

  free(...ptrs: number[]): void {
    for (const p of ptrs) this.mod._free(p);
  }

  write(ptr: number, bytes: ArrayBufferView): void {
    this.heap().set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ptr >>> 0);
  }

  /** A copy of bytes [ptr, ptr + bytes): views on wasm memory go stale when it grows. */
  read(ptr: number, bytes: number): Uint8Array {
    const at = ptr >>> 0;
    return this.heap().slice(at, at + bytes);
  }

  string(ptr: number): string {
    return this.mod.UTF8ToString(ptr >>> 0);
  }

  lastError(): EngineError {
    const name = this.string(this.mod._trit_status_name(this.mod._trit_last_error_code()));
    return EngineError.fromNative(name, this.string(this.mod._trit_last_error_message()));
  }

  /** Throws the recorded error when a call returned a negative status. */
  check(status: number): void {
    if (status < 0) throw this.lastError();
  }
}
