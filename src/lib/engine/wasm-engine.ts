/**
 * A thin typed wrapper over one instance of the Emscripten engine module (cpp/src/api.cpp). Works with the browser
 * builds (trit-mt / trit-st, each also -relaxed) and the Node builds alike: it only uses the module's exports and its
 * memory.
 */
import { EngineError } from './errors';

/** What WasmEngine needs from an instantiated module. */
interface TritModule {
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
  _trit_heap_bytes(): number;
  _trit_i2s_kernel(): number;
  _trit_inspect(ptr: number, len: number, fileSize: number, nCtx: number): number;
  _trit_unload(): void;
  _trit_load_begin(totalBytes: number, nCtx: number): number;
  _trit_load_chunk(ptr: number, len: number): number;
  _trit_load_plan(): number;
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
  _trit_quantize_row(xPtr: number, n: number, qPtr: number, sumPtr: number): number;
  _trit_round_f16(xPtr: number, n: number, outPtr: number): void;
  _trit_kernel_attention(q: number, group: number, headDim: number, k: number, v: number, nKeys: number, chunk: number, out: number): number;
  _trit_kernel_i2s(kernel: number, w: number, ne0: number, ne1: number, q: number, s: number, sums: number, nTokens: number, y: number, threads: number): number;
  _trit_kernel_q8(kernel: number, w: number, ne0: number, ne1: number, x: number, y: number): number;
  _trit_bandwidth(bytes: number, repeats: number, threads: number): number;
}

/** An Emscripten MODULARIZE factory (the default export of cpp/build/trit-*.js). */
export type TritModuleFactory = (moduleArg?: Record<string, unknown>) => Promise<unknown>;

export type MetadataValue = string | number | bigint | boolean | null | MetadataValue[];

export interface TensorInfo {
  name: string;
  type: number;
  typeName: string;
  /** ggml order: shape[0] is the row length. */
  shape: number[];
  /** Offset in the data section. */
  offset: number;
  bytes: number;
}

export interface MemoryPlan {
  weights: number;
  kvCache: number;
  scratch: number;
  /** Bytes the engine allocates for this model at this context length. */
  total: number;
  nCtx: number;
  weightBytesPerToken: number;
  parameters: number;
}

export type GgufInspection =
  | { complete: false; needBytes: number }
  | {
      complete: true;
      version: number;
      alignment: number;
      /** Where the data section starts. */
      headerBytes: number;
      metadata: Record<string, MetadataValue>;
      tensors: TensorInfo[];
      /** Set when the engine can run this model. */
      plan?: MemoryPlan;
      /** Why the engine cannot run it. */
      planError?: EngineError;
    };

export interface EngineModelInfo {
  architecture: string;
  nVocab: number;
  nCtx: number;
  nCtxTrain: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  ropeFreqBase: number;
  rmsEps: number;
  /** Tokens evaluated per internal batch. */
  maxBatch: number;
  parameters: number;
  plan: MemoryPlan;
}

export interface MemoryStats {
  /** Size of the WebAssembly heap (it never shrinks, so this is also its peak). */
  heapBytes: number;
  /** Bytes held for the loaded model, or 0. */
  modelBytes: number;
  weights: number;
  kvCache: number;
  scratch: number;
}

export interface EngineSelfTestOptions {
  /** Bytes of packed ternary weights to run over (default 64 MiB). */
  bytes?: number;
  threads?: number;
  onProgress?: (p: { done: number; total: number }) => void;
  signal?: AbortSignal;
  seed?: number;
}

export interface EngineSelfTestResult {
  ok: boolean;
  threadsUsed: number;
  ms: number;
  bytes: number;
  simdMs: number;
  scalarMs: number;
}

const LOAD_STAGING_BYTES = 8 << 20;
const DEFAULT_SELF_TEST_BYTES = 64 << 20;

interface NativePlan {
  weights: number; kv_cache: number; scratch: number; total: number; n_ctx: number; weight_bytes_per_token: number; parameters: number;
}

function toPlan(p: NativePlan): MemoryPlan {
  return { weights: p.weights, kvCache: p.kv_cache, scratch: p.scratch, total: p.total, nCtx: p.n_ctx, weightBytesPerToken: p.weight_bytes_per_token, parameters: p.parameters };
}

/** 64-bit integers beyond 2^53 arrive as {"bigint": "digits"}. */
function reviveBigints(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'bigint') return BigInt((value as { bigint: string }).bigint);
  }
  return value;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class WasmEngine {
  private heapView?: Uint8Array;
  private staging = 0;
  private stagingBytes = 0;

  private constructor(private readonly mod: TritModule, readonly poolSize: number) {}

  /** Instantiates the module with a thread pool of `threads` (the calling thread included); moduleArgs go to the
   * Emscripten factory (e.g. wasmBinary, locateFile). */
  static async create(factory: TritModuleFactory, opts: { threads?: number; moduleArgs?: Record<string, unknown> } = {}): Promise<WasmEngine> {
    const threads = Math.max(1, Math.floor(opts.threads ?? 1));
    const mod = (await factory({ ...opts.moduleArgs, tritThreads: threads })) as TritModule;
    if (typeof mod?._trit_init !== 'function') {
      throw new EngineError('internal', 'The engine module does not export trit_init: the WebAssembly build is out of date.');
    }
    return new WasmEngine(mod, mod._trit_init(threads));
  }

  /** The build's I2_S SIMD kernel: 'table' (SIMD128) or 'relaxed-dot' (relaxed SIMD); see cpp/src/i2s.h. */
  i2sKernel(): string {
    return this.string(this.mod._trit_i2s_kernel());
  }

  // ---- memory helpers ----

  private heap(): Uint8Array {
    // Growth replaces the buffer; a view on the old one would be detached (or too short when shared).
    const buffer = this.mod.wasmMemory?.buffer ?? this.mod.HEAPU8.buffer;
    if (!this.heapView || this.heapView.buffer !== buffer) this.heapView = new Uint8Array(buffer);
    return this.heapView;
  }

  private alloc(bytes: number): number {
    const ptr = this.mod._malloc(Math.max(1, bytes));
    if (!ptr) throw new EngineError('out_of_memory', `Could not allocate ${bytes} bytes in the engine.`);
    return ptr;
  }

  private write(ptr: number, bytes: ArrayBufferView): void {
    this.heap().set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), ptr);
  }

  private read(ptr: number, bytes: number): Uint8Array {
    return this.heap().slice(ptr, ptr + bytes);
  }

  private string(ptr: number): string {
    return this.mod.UTF8ToString(ptr);
  }

  private lastError(): EngineError {
    return EngineError.fromNative(this.mod._trit_last_error_code(), this.string(this.mod._trit_last_error_message()));
  }

  private check(status: number): void {
    if (status < 0) throw this.lastError();
  }

  // ---- threads ----

  get threads(): number {
    return this.mod._trit_get_threads();
  }

  /** Threads used from now on, clamped to 1..poolSize. */
  setThreads(threads: number): void {
    this.mod._trit_set_threads(Math.max(1, Math.min(this.poolSize, Math.floor(threads))));
  }

  // ---- self-test ----

  /** SIMD int8 x ternary dot products over a large buffer on `threads` threads, checked against the scalar kernel,
   * in 16 pieces; between pieces it reports progress and honours `signal` (then rejects with 'cancelled'). */
  async selfTest(opts: EngineSelfTestOptions = {}): Promise<EngineSelfTestResult> {
    const threads = Math.max(1, Math.min(this.poolSize, Math.floor(opts.threads ?? this.threads)));
    const started = performance.now();
    const pieces = this.mod._trit_selftest_begin(opts.bytes ?? DEFAULT_SELF_TEST_BYTES, opts.seed ?? 0x2545f491);
    this.check(pieces);
    try {
      for (let piece = 0; piece < pieces; piece++) {
        if (opts.signal?.aborted) throw new EngineError('cancelled', 'The self-test was stopped.');
        this.check(this.mod._trit_selftest_step(piece, threads));
        opts.onProgress?.({ done: piece + 1, total: pieces });
        await yieldToEventLoop();
      }
    } catch (e) {
      this.mod._trit_selftest_end();
      throw e;
    }
    const r = JSON.parse(this.string(this.mod._trit_selftest_end())) as { ok: boolean; threads_used: number; simd_ms: number; scalar_ms: number; bytes: number };
    return { ok: r.ok, threadsUsed: r.threads_used, ms: performance.now() - started, bytes: r.bytes, simdMs: r.simd_ms, scalarMs: r.scalar_ms };
  }

  // ---- metadata ----

  /** Reads a GGUF header from the first bytes of a file. When the header goes on past `headerBytes`, returns
   * {complete: false, needBytes}; call again with at least that many bytes. Malformed headers throw EngineError. */
  inspect(headerBytes: Uint8Array, opts: { fileSize?: number; nCtx?: number } = {}): GgufInspection {
    const ptr = this.alloc(headerBytes.byteLength);
    try {
      this.write(ptr, headerBytes);
      const json = this.mod._trit_inspect(ptr, headerBytes.byteLength, opts.fileSize ?? 0, opts.nCtx ?? 0);
      if (!json) throw this.lastError();
      const raw = JSON.parse(this.string(json), reviveBigints);
      if ('need_bytes' in raw) return { complete: false, needBytes: raw.need_bytes };
      return {
        complete: true,
        version: raw.version,
        alignment: raw.alignment,
        headerBytes: raw.header_bytes,
        metadata: raw.metadata,
        tensors: (raw.tensors as { name: string; type: number; type_name: string; shape: number[]; offset: number; bytes: number }[]).map((t) => ({
          name: t.name, type: t.type, typeName: t.type_name, shape: t.shape, offset: t.offset, bytes: t.bytes,
        })),
        plan: raw.plan ? toPlan(raw.plan) : undefined,
        planError: raw.plan_error ? EngineError.fromNative(raw.plan_error.code, raw.plan_error.message) : undefined,
      };
    } finally {
      this.mod._free(ptr);
    }
  }

  /** inspect() over a file read by prefix: reads more until the whole header is there. */
  async inspectFile(readPrefix: (bytes: number) => Promise<Uint8Array>, fileSize: number, opts: { nCtx?: number } = {}) {
    let want = Math.min(fileSize, 1 << 20);
    for (;;) {
      const result = this.inspect(await readPrefix(want), { fileSize, nCtx: opts.nCtx });
      if (result.complete) return result;
      want = Math.min(fileSize, result.needBytes);
    }
  }

  // ---- loading ----

  /** Starts loading a model file of `totalBytes`; any loaded model is released first. nCtx 0 = the model's maximum. */
  loadBegin(totalBytes: number, opts: { nCtx?: number } = {}): void {
    this.check(this.mod._trit_load_begin(totalBytes, opts.nCtx ?? 0));
  }

  /** The next bytes of the file, any size. Copied into the tensors' final memory as they arrive. */
  loadChunk(bytes: Uint8Array): void {
    if (!this.staging) {
      this.stagingBytes = LOAD_STAGING_BYTES;
      this.staging = this.alloc(this.stagingBytes);
    }
    try {
      for (let offset = 0; offset < bytes.byteLength; offset += this.stagingBytes) {
        const piece = bytes.subarray(offset, Math.min(bytes.byteLength, offset + this.stagingBytes));
        this.write(this.staging, piece);
        this.check(this.mod._trit_load_chunk(this.staging, piece.byteLength));
      }
    } catch (e) {
      this.releaseStaging();
      throw e;
    }
  }

  /** The memory the model needs, once loadChunk has seen the whole header (undefined before). */
  get loadPlan(): MemoryPlan | undefined {
    const json = this.mod._trit_load_plan();
    return json ? toPlan(JSON.parse(this.string(json))) : undefined;
  }

  loadEnd(): EngineModelInfo {
    this.releaseStaging();
    this.check(this.mod._trit_load_end());
    return this.info!;
  }

  /** Loads a whole model from a stream of chunks. */
  async load(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, totalBytes: number,
    opts: { nCtx?: number; signal?: AbortSignal; onProgress?: (p: { loadedBytes: number; totalBytes: number }) => void } = {}): Promise<EngineModelInfo> {
    this.loadBegin(totalBytes, opts);
    let loaded = 0;
    try {
      for await (const chunk of chunks) {
        if (opts.signal?.aborted) throw new EngineError('cancelled', 'Loading the model was stopped.');
        this.loadChunk(chunk);
        loaded += chunk.byteLength;
        opts.onProgress?.({ loadedBytes: loaded, totalBytes });
      }
      return this.loadEnd();
    } catch (e) {
      this.unload();
      throw e;
    }
  }

  private releaseStaging(): void {
    if (this.staging) this.mod._free(this.staging);
    this.staging = 0;
  }

  unload(): void {
    this.releaseStaging();
    this.mod._trit_unload();
  }

  get info(): EngineModelInfo | undefined {
    const json = this.mod._trit_model_info();
    if (!json) return undefined;
    const r = JSON.parse(this.string(json));
    return {
      architecture: r.architecture, nVocab: r.n_vocab, nCtx: r.n_ctx, nCtxTrain: r.n_ctx_train, nEmbd: r.n_embd,
      nLayer: r.n_layer, nHead: r.n_head, nHeadKv: r.n_head_kv, headDim: r.head_dim, nFf: r.n_ff,
      ropeFreqBase: r.rope_freq_base, rmsEps: r.rms_eps, maxBatch: r.max_batch, parameters: r.plan.parameters, plan: toPlan(r.plan),
    };
  }

  // ---- inference ----

  /** Evaluates `tokens` at positions nPast..; returns the last position's logits, or every position's
   * (row-major, tokens.length rows of nVocab) with allLogits. */
  eval(tokens: readonly number[] | Int32Array, opts: { allLogits?: boolean } = {}): Float32Array {
    const ids = Int32Array.from(tokens);
    const ptr = this.alloc(ids.byteLength);
    try {
      this.write(ptr, ids);
      this.check(this.mod._trit_eval(ptr, ids.length, opts.allLogits ? 1 : 0));
    } finally {
      this.mod._free(ptr);
    }
    const floats = this.mod._trit_logits_rows() * this.info!.nVocab;
    const bytes = this.read(this.mod._trit_logits(), floats * 4);
    return new Float32Array(bytes.buffer, bytes.byteOffset, floats);
  }

  /** Tokens in the KV cache. */
  get nPast(): number {
    return this.mod._trit_n_past();
  }

  /** Keeps the first n cached tokens (for reusing a conversation's prefix). */
  truncate(n: number): void {
    this.check(this.mod._trit_truncate(n));
  }

  clear(): void {
    this.check(this.mod._trit_clear());
  }

  memoryStats(): MemoryStats {
    const plan = this.info?.plan;
    return {
      heapBytes: this.mod._trit_heap_bytes(),
      modelBytes: plan?.total ?? 0,
      weights: plan?.weights ?? 0,
      kvCache: plan?.kvCache ?? 0,
      scratch: plan?.scratch ?? 0,
    };
  }

  /** Plain streaming-read bandwidth of this runtime in GB/s (best of `repeats` passes over `bytes`). */
  bandwidth(opts: { bytes?: number; repeats?: number; threads?: number } = {}): number {
    const gbps = this.mod._trit_bandwidth(opts.bytes ?? 256 << 20, opts.repeats ?? 5, opts.threads ?? this.threads);
    this.check(gbps);
    return gbps;
  }

  // ---- kernels, for tests ----

  /** Activation quantization of one row, as the I2_S kernels use it. */
  quantizeRow(x: Float32Array): { q: Int8Array; scale: number; sum: number } {
    const xp = this.alloc(x.byteLength), qp = this.alloc(x.length), sp = this.alloc(4);
    try {
      this.write(xp, x);
      const scale = this.mod._trit_quantize_row(xp, x.length, qp, sp);
      const q = new Int8Array(this.read(qp, x.length).buffer);
      const sum = new Int32Array(this.read(sp, 4).buffer)[0];
      return { q, scale, sum };
    } finally {
      [xp, qp, sp].forEach((p) => this.mod._free(p));
    }
  }

  /** Attention of `group` query heads over f16 keys/values (nKeys rows of headDim), in chunks of `chunk` positions. */
  kernelAttention(q: Float32Array, group: number, headDim: number, k: Uint16Array, v: Uint16Array, chunk: number): Float32Array {
    const nKeys = k.length / headDim;
    const ptrs = [q.byteLength, k.byteLength, v.byteLength, group * headDim * 4].map((n) => this.alloc(n));
    const [qp, kp, vp, op] = ptrs;
    try {
      this.write(qp, q);
      this.write(kp, k);
      this.write(vp, v);
      this.check(this.mod._trit_kernel_attention(qp, group, headDim, kp, vp, nKeys, chunk, op));
      return new Float32Array(this.read(op, group * headDim * 4).buffer);
    } finally {
      ptrs.forEach((p) => this.mod._free(p));
    }
  }

  /** f32 to f16 bits as the KV cache stores them. */
  roundF16(x: Float32Array): Uint16Array {
    const xp = this.alloc(x.byteLength), op = this.alloc(x.length * 2);
    try {
      this.write(xp, x);
      this.mod._trit_round_f16(xp, x.length, op);
      return new Uint16Array(this.read(op, x.length * 2).buffer);
    } finally {
      [xp, op].forEach((p) => this.mod._free(p));
    }
  }

  /** I2_S product (weight scale 1): kernel 'scalar', 'simd-matvec' (token by token) or 'simd-matmul'. */
  kernelI2s(kernel: 'scalar' | 'simd-matvec' | 'simd-matmul', w: Uint8Array, ne0: number, ne1: number,
    q: Int8Array, scales: Float32Array, sums: Int32Array, threads = 1): Float32Array {
    const nTokens = scales.length;
    const ptrs = [w.byteLength, q.byteLength, scales.byteLength, sums.byteLength, nTokens * ne1 * 4].map((n) => this.alloc(n));
    const [wp, qp, sp, up, yp] = ptrs;
    try {
      this.write(wp, w);
      this.write(qp, q);
      this.write(sp, scales);
      this.write(up, sums);
      const id = { scalar: 0, 'simd-matvec': 1, 'simd-matmul': 2 }[kernel];
      this.check(this.mod._trit_kernel_i2s(id, wp, ne0, ne1, qp, sp, up, nTokens, yp, threads));
      return new Float32Array(this.read(yp, nTokens * ne1 * 4).buffer);
    } finally {
      ptrs.forEach((p) => this.mod._free(p));
    }
  }

  /** The lm_head path: F16 rows converted to Q8 as at load, times x quantized to i16; 'scalar' or 'simd'. */
  kernelQ8(kernel: 'scalar' | 'simd', w: Uint16Array, ne0: number, ne1: number, x: Float32Array): Float32Array {
    const ptrs = [w.byteLength, x.byteLength, ne1 * 4].map((n) => this.alloc(n));
    const [wp, xp, yp] = ptrs;
    try {
      this.write(wp, w);
      this.write(xp, x);
      this.check(this.mod._trit_kernel_q8(kernel === 'simd' ? 1 : 0, wp, ne0, ne1, xp, yp));
      return new Float32Array(this.read(yp, ne1 * 4).buffer);
    } finally {
      ptrs.forEach((p) => this.mod._free(p));
    }
  }
}
