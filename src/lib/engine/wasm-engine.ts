/**
 * A typed face over one instance of the Emscripten engine module (cpp/src/api.cpp). Works with the browser builds
 * (trit-mt / trit-st, each also -relaxed) and the Node builds alike: it only uses the module's exports and memory.
 * loadModel is the one way a model file becomes a loaded model, for the worker, the CLI, the benchmark and the tests.
 */
import { cancelled } from '../errors';
import { EngineError } from './errors';
import * as hooks from './kernel-hooks';
import {
  parseEngineModelInfo, parseErrorReport, parseHeaderSummary, parseMemoryPlan, parseSelfTestReport, parseTensorInfo,
  type EngineModelInfo, type HeaderSummary, type MemoryPlan, type TensorInfo,
} from './native-results.generated';
import type { LoadPhases, SelfTestOptions, SelfTestResult } from './protocol';
import { WasmHeap, type TritModule, type TritModuleFactory } from './wasm-module';
import { fitToBudget, loadFlags, type MemoryOptions, type PlanFor } from './memory-budget';

export { loadFlags, type MemoryOptions } from './memory-budget';
import { yieldToEventLoop } from './yield';

export type { EngineModelInfo, MemoryPlan, TensorInfo, TritModuleFactory };

export type MetadataValue = string | number | bigint | boolean | null | MetadataValue[];

export type GgufInspection =
  | { complete: false; needBytes: number }
  | (HeaderSummary & {
      complete: true;
      metadata: Record<string, MetadataValue>;
      /** Keys whose value was too large to hand over (their metadata value is null); see cpp/src/gguf_json.cpp. */
      omitted: string[];
      /** Empty when the file lists more tensors than any model has (tensorCount says how many). */
      tensors: TensorInfo[];
      /** Set when the engine can run this model. */
      plan?: MemoryPlan;
      /** Why the engine cannot run it. */
      planError?: EngineError;
    });

export interface MemoryStats {
  /** Size of the WebAssembly heap (it never shrinks, so this is also its peak). */
  heapBytes: number;
  /** Bytes malloc has handed out and not freed (the model, its scratch and the engine's own small state). */
  heapUsedBytes: number;
  /** Bytes held for the loaded model, or 0. */
  modelBytes: number;
  weights: number;
  kvCache: number;
  scratch: number;
}

export interface EngineSelfTestOptions extends SelfTestOptions {
  onProgress?: (p: { done: number; total: number }) => void;
  signal?: AbortSignal;
  seed?: number;
}

/** A model file as a stream: its chunks, of any size, and its size when known (else the header tells). */
export interface ModelStream {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  size?: number;
  /**
   * Synchronous reads of the same file at any offset (a worker's FileReaderSync on the stored file, Node's readSync).
   * With it the input embedding stays in the file: each token's exact F16 row is read when it is evaluated, and the
   * model takes n_vocab x n_embd bytes less (all of token_embd for files with a separate output head). It must keep
   * working until the model is unloaded; it may throw (the error is what eval then throws).
   */
  readRange?: (offset: number, length: number) => Uint8Array;
  /** Called once the engine no longer reads the file (unload, or a failed load). */
  close?: () => void;
}

export interface LoadModelOptions {
  /** Context in tokens; clamped to the model's trained length. Unset: the engine's default (cpp/src/model.h). */
  nCtx?: number;
  /** inputRowsFromFile applies only when the stream has readRange. */
  memory?: MemoryOptions;
  /** Bytes the model may take here (the worker's memory probe). With memory.kvCache unset, a model whose plan with
   * the f16 KV cache is larger gets the int8 one (and with memory.head unset, if still larger, the 4-bit head too);
   * a model too large even so is still tried (and refused by the
   * engine if it cannot be allocated). */
  memoryBudget?: number;
  signal?: AbortSignal;
  /** At most every 100 ms, and once at the end. */
  onProgress?: (p: { loadedBytes: number; totalBytes: number }) => void;
}

export interface LoadedModel {
  info: EngineModelInfo;
  /** The file's GGUF metadata, for the tokenizer and chat template. */
  metadata: Record<string, MetadataValue>;
  fileBytes: number;
  phases: LoadPhases;
}

/** The one buffer a load passes file chunks through (freed when the load ends). Small: it is allocated before the
 * model, so it stays below it in the heap, which never shrinks. */
export const LOAD_STAGING_BYTES = 1 << 20;
const DEFAULT_SELF_TEST_BYTES = 64 << 20;
const PROGRESS_MS = 100;
/** Longest stretch of loading without letting queued events (a cancel) run. */
const YIELD_MS = 8;

/** 64-bit integers beyond 2^53 arrive as {"bigint": "digits"}. */
function reviveBigints(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'bigint') return BigInt((value as { bigint: string }).bigint);
  }
  return value;
}

/** The engine's JSON: a reviver costs ten times the parse over a large vocabulary, so it runs only when the text holds
 * such an integer (the marker cannot occur unescaped inside a string). */
function parseEngineJson(text: string): any {
  return text.includes('{"bigint":"') ? JSON.parse(text, reviveBigints) : JSON.parse(text);
}

/** What a header read is asked: the file's size, and the context and memory options to plan for. */
interface HeaderReadOptions { fileSize?: number; nCtx?: number; memory?: MemoryOptions }

/** The plan, or why the engine cannot run the model, from trit_inspect's or trit_plan's JSON. */
function planOf(raw: { plan?: unknown; plan_error?: unknown }): { plan?: MemoryPlan; planError?: EngineError } {
  const planError = raw.plan_error ? parseErrorReport(raw.plan_error) : undefined;
  return {
    plan: raw.plan ? parseMemoryPlan(raw.plan) : undefined,
    planError: planError ? EngineError.fromNative(planError.status, planError.message) : undefined,
  };
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export class WasmEngine {
  private readonly heap: WasmHeap;
  private staging = 0;
  private loadedInfo?: EngineModelInfo;
  private closeFile?: () => void;
  private readError: unknown;

  private constructor(private readonly mod: TritModule, readonly poolSize: number) {
    this.heap = new WasmHeap(mod);
  }

  /** Instantiates the module with a thread pool of `threads` (the calling thread included); moduleArgs go to the
   * Emscripten factory (e.g. wasmBinary, locateFile). */
  static async create(factory: TritModuleFactory, opts: { threads?: number; moduleArgs?: Record<string, unknown>; onInstantiated?: () => void } = {}): Promise<WasmEngine> {
    const threads = Math.max(1, Math.floor(opts.threads ?? 1));
    const mod = (await factory({ ...opts.moduleArgs, tritThreads: threads })) as TritModule;
    opts.onInstantiated?.();
    if (typeof mod?._trit_init !== 'function' || typeof mod._trit_status_name !== 'function') {
      throw new EngineError('internal', 'The engine module lacks trit_init or trit_status_name: the WebAssembly build is out of date.');
    }
    return new WasmEngine(mod, mod._trit_init(threads));
  }

  /** The I2_S SIMD kernel running: 'table' (SIMD128), or on relaxed SIMD the form the engine timed fastest when it
   * started, 'relaxed-dot' (i16 lanes) or 'relaxed-dot-add' (the i32 dot-add); see cpp/src/i2s.h. */
  i2sKernel(): string {
    return this.heap.string(this.mod._trit_i2s_kernel());
  }

  /** Times the kernel's forms again and keeps the fastest exact one: its name, and per form what the timing found (G
   * multiply-adds/s on one thread; exact: the same outputs as form 0 bit for bit). None in the table build, which has
   * one form and times nothing. */
  chooseI2sKernel(): { kernel: string; forms: { gmacs: number; exact: boolean }[] } {
    const kernel = this.heap.string(this.mod._trit_i2s_choose());
    const forms = [0, 1].map((form) => ({ gmacs: this.mod._trit_i2s_form_gmacs(form), exact: this.mod._trit_i2s_form_exact(form) === 1 }));
    return { kernel, forms: forms.filter((f) => f.gmacs > 0) };
  }

  /** Runs form 0 ('relaxed-dot') or 1 ('relaxed-dot-add') of the kernel from now on; tests and the benchmark compare
   * them. Throws when the build lacks the form, or this runtime computed it wrongly when the engine timed it. */
  useI2sKernelForm(form: 0 | 1): void {
    this.heap.check(this.mod._trit_i2s_use_form(form));
  }

  get threads(): number {
    return this.mod._trit_get_threads();
  }

  /** Threads used from now on, clamped to 1..poolSize. */
  setThreads(threads: number): void {
    this.mod._trit_set_threads(Math.max(1, Math.min(this.poolSize, Math.floor(threads))));
  }

  /** SIMD int8 x ternary dot products over a large buffer on `threads` threads, checked against the scalar kernel,
   * in 16 pieces; between pieces it reports progress and honours `signal` (then rejects with 'cancelled'). */
  async selfTest(opts: EngineSelfTestOptions = {}): Promise<SelfTestResult> {
    const threads = Math.max(1, Math.min(this.poolSize, Math.floor(opts.threads ?? this.threads)));
    const started = performance.now();
    const pieces = this.mod._trit_selftest_begin(opts.bytes ?? DEFAULT_SELF_TEST_BYTES, opts.seed ?? 0x2545f491);
    this.heap.check(pieces);
    try {
      for (let piece = 0; piece < pieces; piece++) {
        if (opts.signal?.aborted) throw cancelled('The self-test');
        this.heap.check(this.mod._trit_selftest_step(piece, threads));
        opts.onProgress?.({ done: piece + 1, total: pieces });
        await yieldToEventLoop();
      }
    } catch (e) {
      this.mod._trit_selftest_end();
      throw e;
    }
    const report = parseSelfTestReport(JSON.parse(this.heap.string(this.mod._trit_selftest_end())));
    return { ...report, ms: performance.now() - started };
  }

  /** Reads a GGUF header from the first bytes of a file. When the header goes on past `headerBytes`, returns
   * {complete: false, needBytes}; call again with at least that many bytes. Malformed headers throw EngineError.
   * The plan is for a load with `memory` (by default as the app loads a stored model: input rows from the file). */
  inspect(headerBytes: Uint8Array, opts: HeaderReadOptions = {}): GgufInspection {
    const raw = this.readHeader('_trit_inspect', headerBytes, opts);
    if ('need_bytes' in raw) return { complete: false, needBytes: raw.need_bytes };
    return {
      complete: true,
      ...parseHeaderSummary(raw),
      metadata: raw.metadata,
      omitted: raw.omitted,
      tensors: (raw.tensors as unknown[]).map(parseTensorInfo),
      ...planOf(raw),
    };
  }

  /** The memory plan alone, for other contexts or options once inspect() found the header whole: it skips the
   * metadata, most of an inspection's time on a large vocabulary. */
  plan(headerBytes: Uint8Array, opts: HeaderReadOptions = {}): { plan?: MemoryPlan; planError?: EngineError } {
    const raw = this.readHeader('_trit_plan', headerBytes, opts);
    if ('need_bytes' in raw) throw new EngineError('internal', 'The model header could not be read twice.');
    return planOf(raw);
  }

  /** Header bytes through trit_inspect or trit_plan (same arguments), their JSON parsed. */
  private readHeader(entry: '_trit_inspect' | '_trit_plan', headerBytes: Uint8Array, opts: HeaderReadOptions) {
    const ptr = this.heap.alloc(headerBytes.byteLength);
    try {
      this.heap.write(ptr, headerBytes);
      const json = this.mod[entry](ptr, headerBytes.byteLength, opts.fileSize ?? 0, opts.nCtx ?? 0, loadFlags(opts.memory));
      if (!json) throw this.heap.lastError();
      return parseEngineJson(this.heap.string(json));
    } finally {
      this.heap.free(ptr);
    }
  }

  /** inspect() over a file read by prefix: reads more until the whole header is there. */
  async inspectFile(readPrefix: (bytes: number) => Promise<Uint8Array>, fileSize: number, opts: { nCtx?: number; memory?: MemoryOptions } = {}) {
    let want = Math.min(fileSize, 1 << 20);
    for (;;) {
      const result = this.inspect(await readPrefix(want), { fileSize, nCtx: opts.nCtx, memory: opts.memory });
      if (result.complete) return result;
      want = Math.min(fileSize, result.needBytes);
    }
  }

  // ---- loading ----

  /**
   * Loads a model from a stream of chunks: reads the header as it arrives (its metadata, whether the engine can run
   * the model, the file's size when the stream did not say), clamps the context to the model's trained length, then
   * streams every byte into the engine. Any loaded model is released first; on failure nothing stays loaded.
   */
  async loadModel(stream: ModelStream, opts: LoadModelOptions = {}): Promise<LoadedModel> {
    this.unload();
    let memory: MemoryOptions = { ...opts.memory, inputRowsFromFile: (opts.memory?.inputRowsFromFile ?? true) && !!stream.readRange };
    let head: Uint8Array[] = [];
    let headBytes = 0;
    let want = 0; // bytes the header reader asked for
    let metadata: Record<string, MetadataValue> | undefined; // set once the header is whole and the load began
    let total = 0;
    let loaded = 0;
    let lastReport = -Infinity;
    let lastYield = performance.now();
    const phases: LoadPhases = { headerMs: 0, waitMs: 0, copyMs: 0, finishMs: 0 };
    const feed = (chunk: Uint8Array) => {
      const started = performance.now();
      // Past the last tensor there is at most alignment padding, which carries nothing.
      const piece = chunk.subarray(0, Math.max(0, Math.min(chunk.byteLength, total - loaded)));
      if (piece.byteLength) this.loadChunk(piece);
      loaded += piece.byteLength;
      const now = performance.now();
      phases.copyMs += now - started;
      if (opts.onProgress && (now - lastReport >= PROGRESS_MS || loaded === total)) {
        lastReport = now;
        opts.onProgress({ loadedBytes: loaded, totalBytes: total });
      }
    };
    // Reads the header from what arrived so far; once it is whole, plans and starts the engine's load.
    const sniff = (final: boolean) => {
      const started = performance.now();
      const arrived = readHeader(final);
      phases.headerMs += performance.now() - started;
      if (arrived) feed(arrived);
    };
    // The bytes so far once the header is whole and the engine's load began (they are then fed), else undefined.
    const readHeader = (final: boolean): Uint8Array | undefined => {
      const bytes = concat(head, headBytes);
      head = [bytes];
      const fileSize = stream.size ?? (final ? headBytes : undefined);
      const first = this.inspect(bytes, { fileSize, memory });
      if (!first.complete) {
        if (final) throw new EngineError('truncated', 'The model file ended inside its header.');
        want = first.needBytes;
        return undefined;
      }
      // A context longer than the model was trained for is clamped to its maximum, not refused: the setting is the
      // person's upper bound, and models differ (the demo model has 256, 2B-4T 4096).
      const trained = Number(first.metadata[`${String(first.metadata['general.architecture'])}.context_length`]) || 0;
      let nCtx = opts.nCtx && trained ? Math.min(opts.nCtx, trained) : opts.nCtx;
      // Other contexts and options need the plan again, not the metadata.
      let planned = nCtx ? this.plan(bytes, { fileSize, nCtx, memory }) : first;
      if (opts.memoryBudget && planned.plan) {
        const planFor: PlanFor = (n, m) => this.plan(bytes, { fileSize, nCtx: n, memory: m }).plan;
        const fitted = fitToBudget(planFor, { nCtx, memory, plan: planned.plan }, opts.memoryBudget, opts.memory);
        if (fitted.plan !== planned.plan) {
          [nCtx, memory] = [fitted.nCtx, fitted.memory];
          planned = this.plan(bytes, { fileSize, nCtx, memory });
        }
      }
      if (planned.planError) throw planned.planError;
      metadata = first.metadata;
      total = stream.size ?? first.dataEnd;
      this.releaseInspection();
      this.loadBegin(total, { nCtx, memory });
      head = [];
      return bytes;
    };
    try {
      let waitFrom = performance.now();
      for await (const chunk of stream.chunks) {
        phases.waitMs += performance.now() - waitFrom;
        if (opts.signal?.aborted) throw cancelled('Loading the model');
        if (metadata) {
          feed(chunk);
        } else {
          head.push(chunk.slice()); // the stream may reuse its buffer for the next chunk
          headBytes += chunk.byteLength;
          if (headBytes >= want) sniff(false);
        }
        waitFrom = performance.now(); // a yield below is waiting too: the next bytes may arrive during it
        if (waitFrom - lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      if (opts.signal?.aborted) throw cancelled('Loading the model');
      if (!metadata) {
        if (!headBytes) throw new EngineError('truncated', 'The model file is empty.');
        sniff(true);
      }
      const finishFrom = performance.now();
      const info = this.loadEnd();
      phases.finishMs = performance.now() - finishFrom;
      if (info.plan.inputRowsFromFile) this.attachFile(stream);
      else stream.close?.();
      return { info, metadata: metadata!, fileBytes: total, phases };
    } catch (e) {
      this.unload();
      stream.close?.();
      throw e;
    }
  }

  /** Frees the engine's copy of the last inspection's JSON (the whole metadata: megabytes for a real vocabulary)
   * before a load allocates, so the model starts as low in the heap as it can: trit_inspect drops its last text
   * first, and 8 zero bytes are no header, so nothing new is kept. */
  releaseInspection(): void {
    const ptr = this.heap.alloc(8);
    try {
      this.heap.write(ptr, new Uint8Array(8));
      this.mod._trit_inspect(ptr, 8, 0, 0, 0);
    } finally {
      this.heap.free(ptr);
    }
  }

  /** The loaded model reads its input rows through this stream's readRange from now on (cpp/src/input_rows.h). */
  private attachFile(stream: ModelStream): void {
    const read = stream.readRange!;
    this.readError = undefined;
    this.mod.tritReadFile = (offset, bytes, dest) => {
      try {
        const row = read(offset, bytes);
        if (row.byteLength !== bytes) throw new EngineError('truncated', `The model file ended before byte ${offset + bytes}.`);
        this.heap.write(dest, row);
        return 0;
      } catch (e) {
        this.readError = e;
        return -1;
      }
    };
    this.closeFile = stream.close;
  }

  /** loadModel with the stream's size given apart; resolves with the model's info. */
  async load(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, totalBytes?: number,
    opts: LoadModelOptions = {}): Promise<EngineModelInfo> {
    return (await this.loadModel({ chunks, size: totalBytes }, opts)).info;
  }

  /** The engine's own load steps, which loadModel drives: begin with the file's size (any loaded model is released;
   * nCtx unset = the engine's default), then the file's bytes in chunks of any size, then end. */
  loadBegin(totalBytes: number, opts: { nCtx?: number; memory?: MemoryOptions } = {}): void {
    this.loadedInfo = undefined;
    this.heap.check(this.mod._trit_load_begin(totalBytes, opts.nCtx ?? 0, loadFlags({ inputRowsFromFile: false, ...opts.memory })));
  }

  /** Copied into the tensors' final memory through one staging buffer, so the file is never held twice. */
  loadChunk(bytes: Uint8Array): void {
    if (!this.staging) this.staging = this.heap.alloc(LOAD_STAGING_BYTES);
    try {
      for (let offset = 0; offset < bytes.byteLength; offset += LOAD_STAGING_BYTES) {
        const piece = bytes.subarray(offset, Math.min(bytes.byteLength, offset + LOAD_STAGING_BYTES));
        this.heap.write(this.staging, piece);
        this.heap.check(this.mod._trit_load_chunk(this.staging, piece.byteLength));
      }
    } catch (e) {
      this.releaseStaging();
      throw e;
    }
  }

  loadEnd(): EngineModelInfo {
    this.releaseStaging();
    this.heap.check(this.mod._trit_load_end());
    // Read once here: eval asks for the vocabulary size on every call.
    this.loadedInfo = parseEngineModelInfo(JSON.parse(this.heap.string(this.mod._trit_model_info())));
    return this.loadedInfo;
  }

  private releaseStaging(): void {
    if (this.staging) this.heap.free(this.staging);
    this.staging = 0;
  }

  unload(): void {
    this.releaseStaging();
    this.loadedInfo = undefined;
    this.mod._trit_unload();
    this.mod.tritReadFile = undefined;
    const close = this.closeFile;
    this.closeFile = undefined;
    close?.();
  }

  get info(): EngineModelInfo | undefined {
    return this.loadedInfo;
  }

  // ---- inference ----

  /** Evaluates `tokens` at positions nPast..; returns the last position's logits, or every position's
   * (row-major, tokens.length rows of nVocab) with allLogits. Logits that are not finite throw 'non_finite'. */
  eval(tokens: readonly number[] | Int32Array, opts: { allLogits?: boolean } = {}): Float32Array {
    const ids = Int32Array.from(tokens);
    const ptr = this.heap.alloc(ids.byteLength);
    try {
      this.heap.write(ptr, ids);
      this.readError = undefined;
      const status = this.mod._trit_eval(ptr, ids.length, opts.allLogits ? 1 : 0);
      // A failed row read: the reader's own error (e.g. the store's "a piece was cleared") says more than the engine's.
      if (status < 0 && this.readError) throw this.readError;
      this.heap.check(status);
    } finally {
      this.heap.free(ptr);
    }
    const floats = this.mod._trit_logits_rows() * this.loadedInfo!.nVocab;
    const bytes = this.heap.read(this.mod._trit_logits(), floats * 4);
    return new Float32Array(bytes.buffer, bytes.byteOffset, floats);
  }

  /** Tokens in the KV cache. */
  get nPast(): number {
    return this.mod._trit_n_past();
  }

  /** Keeps the first n cached tokens (for reusing a conversation's prefix). */
  truncate(n: number): void {
    this.heap.check(this.mod._trit_truncate(n));
  }

  clear(): void {
    this.heap.check(this.mod._trit_clear());
  }

  memoryStats(): MemoryStats {
    const plan = this.loadedInfo?.plan;
    return {
      heapBytes: this.mod._trit_heap_bytes(),
      heapUsedBytes: this.mod._trit_heap_used(),
      modelBytes: plan?.total ?? 0,
      weights: plan?.weights ?? 0,
      kvCache: plan?.kvCache ?? 0,
      scratch: plan?.scratch ?? 0,
    };
  }

  /** Plain streaming-read bandwidth of this runtime in GB/s (best of `repeats` passes over `bytes`). */
  bandwidth(opts: { bytes?: number; repeats?: number; threads?: number } = {}): number {
    const gbps = this.mod._trit_bandwidth(opts.bytes ?? 256 << 20, opts.repeats ?? 5, opts.threads ?? this.threads);
    this.heap.check(gbps);
    return gbps;
  }

  /**
   * Generation's kernel over about `bytes` of ternary matrices (cpp/src/thread_probe.cpp), for the thread probe:
   * `time(threads)` is the milliseconds of `passes` passes on that many threads. Close it to free the matrices.
   */
  openThreadProbe(bytes: number, passes: number): { time(threads: number): number; close(): void } {
    this.heap.check(this.mod._trit_thread_probe_begin(bytes));
    return {
      time: (threads) => {
        const ms = this.mod._trit_thread_probe_run(Math.max(1, Math.min(this.poolSize, Math.floor(threads))), passes);
        this.heap.check(ms);
        return ms;
      },
      close: () => this.mod._trit_thread_probe_end(),
    };
  }

  // ---- kernels, for tests (Node builds only; see kernel-hooks.ts) ----

  quantizeRow(x: Float32Array) {
    return hooks.quantizeRow(this.heap, x);
  }

  kernelAttention(q: Float32Array, group: number, headDim: number, k: Uint16Array, v: Uint16Array, chunk: number) {
    return hooks.kernelAttention(this.heap, q, group, headDim, k, v, chunk);
  }

  kernelAttentionQ8(q: Float32Array, group: number, headDim: number, k: { q: Int8Array; scales: Float32Array },
    v: { q: Int8Array; scales: Float32Array }, chunk: number) {
    return hooks.kernelAttentionQ8(this.heap, q, group, headDim, k, v, chunk);
  }

  kernelQ8_0(w: Uint8Array, ne0: number, ne1: number, piece: number, x: Float32Array) {
    return hooks.kernelQ8_0(this.heap, w, ne0, ne1, piece, x);
  }

  kernelLowBit(bits: 4 | 6, kernel: 0 | 1, sourceType: 1 | 8, w: Uint8Array, ne0: number, ne1: number, piece: number,
    x: Float32Array) {
    return hooks.kernelLowBit(this.heap, bits, kernel, sourceType, w, ne0, ne1, piece, x);
  }

  kvQuantizeRow(x: Float32Array) {
    return hooks.kvQuantizeRow(this.heap, x);
  }

  roundF16(x: Float32Array) {
    return hooks.roundF16(this.heap, x);
  }

  kernelI2s(kernel: 'scalar' | 'simd-matvec' | 'simd-matmul', w: Uint8Array, ne0: number, ne1: number,
    q: Int8Array, scales: Float32Array, sums: Int32Array, threads = 1) {
    return hooks.kernelI2s(this.heap, kernel, w, ne0, ne1, q, scales, sums, threads);
  }

  kernelQ8(kernel: 'scalar' | 'simd', w: Uint16Array, ne0: number, ne1: number, x: Float32Array) {
    return hooks.kernelQ8(this.heap, kernel, w, ne0, ne1, x);
  }
}
