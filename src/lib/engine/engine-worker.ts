/**
 * The engine as it runs inside its dedicated worker: picks the threaded or single-thread WebAssembly build,
 * owns the one WasmEngine, and serves EngineWorkerApi over Comlink. It never touches the DOM.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './comlink-errors';
import { WasmEngine, type TritModuleFactory } from './wasm-engine';
import { yieldToEventLoop } from './yield';
import { withinMs } from './within-ms';
import { hasRelaxedSimd } from './simd-support';
import { TritError } from '../errors';
import type { ChatSession } from '../chat';
import type { Tokenizer } from '../tokenizer';
import { createChat } from './chat-factory';
import { openModelSource } from './model-source';
import { benchmarkEngine } from './benchmark';
import { checkModelFile } from './model-file-check';
import { singleThreadReason } from './thread-notice';
import { probeThreads } from './thread-probe';
import { probeMemory, reportedDeviceMemoryGB, type MemoryProbeResult } from './memory-probe';
import { headFormat } from './memory-budget';
import type {
  BenchmarkOptions,
  BenchmarkResult,
  ContinueRequest,
  TokenizeOptions,
  EngineInitOptions,
  EngineStartStage,
  EngineStatus,
  EngineWorkerApi,
  GenerateRequest,
  GenerateResult,
  LoadOptions,
  LoadProgress,
  ModelFileCheck,
  ModelInfo,
  ModelSource,
  SelfTestOptions,
  SelfTestProgress,
  SelfTestResult,
  SimdLevel,
  ThreadProbe,
  PromptCheck,
  ReplyDelta,
} from './protocol';
import { MAX_ENGINE_THREADS } from './protocol';

/** The thread probe's matrices: larger than the caches, as a model's weights are (less than the self-test's 64 MiB,
 * so the heap grows no further for it). */
const PROBE_BYTES = 32 << 20;
/** Passes over them per timing: about 20 ms on one thread here, long enough that a thread's wake-up is noise. */
const PROBE_PASSES = 3;
/** Timings per thread count, interleaved; the best counts. */
const PROBE_ROUNDS = 3;

/** The threaded build starts in well under a second; past this it is not coming (see start()). */
const THREADED_START_MS = 10_000;

interface LoadedModel {
  info: ModelInfo;
  session: ChatSession;
  tokenizer: Tokenizer;
  release: () => void;
}

function deviceCores(): number {
  return Math.max(1, Math.min(MAX_ENGINE_THREADS, (globalThis.navigator?.hardwareConcurrency as number | undefined) || 1));
}

/** The Emscripten factory of one of the four browser builds; each is its own chunk, fetched only when chosen. */
async function engineFactory(threaded: boolean, simd: SimdLevel): Promise<TritModuleFactory> {
  if (threaded) {
    return simd === 'relaxed'
      ? (await import('../../../cpp/build/trit-mt-relaxed.js')).default
      : (await import('../../../cpp/build/trit-mt.js')).default;
  }
  return simd === 'relaxed'
    ? (await import('../../../cpp/build/trit-st-relaxed.js')).default
    : (await import('../../../cpp/build/trit-st.js')).default;
}

export class EngineWorker implements EngineWorkerApi {
  private engine?: WasmEngine;
  private current?: EngineStatus;
  private starting?: Promise<EngineStatus>;
  private running?: AbortController;
  private model?: LoadedModel;
  private memoryProbe?: MemoryProbeResult;

  init(opts: EngineInitOptions = {}, onStage?: (stage: EngineStartStage) => void): Promise<EngineStatus> {
    // Taken even when something asked for the status first (and so started the engine without options).
    if (opts.simulateMemoryBytes) this.memoryProbe = probeMemory({ simulateBytes: opts.simulateMemoryBytes, deviceMemoryGB: reportedDeviceMemoryGB() });
    // Told to the page without waiting: a page that is gone must not hold the start.
    const stage = (s: EngineStartStage) => void Promise.resolve(onStage?.(s)).catch(() => undefined);
    stage('worker-running');
    this.starting ??= this.start(opts, stage).catch((e) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async start(opts: EngineInitOptions, stage: (s: EngineStartStage) => void): Promise<EngineStatus> {
    const isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
    const cores = deviceCores();
    // The pool is sized once, to the threads we may use: emscripten's pthread pool deadlocks if it is too small.
    const poolSize = isolated ? cores : 1;
    const simd: SimdLevel = hasRelaxedSimd() ? 'relaxed' : 'simd128';
    stage('measuring-memory');
    this.measuredMemory();
    let threadedStalled = false;
    if (isolated) {
      // WebKit with SharedArrayBuffer, offline, never finishes loading the pthread workers (no error either):
      // rather than no engine, the single-thread build.
      // The timer covers the build's import too: armed only after it (as it was), a start stuck there or in the
      // module's synchronous start was never ended, and Firefox now and then left a first visit so (issue 21).
      stage('threaded-import');
      this.engine = await withinMs(THREADED_START_MS, engineFactory(true, simd).then((factory) => {
        stage('threaded-instantiate');
        return WasmEngine.create(factory, { threads: poolSize, onInstantiated: () => stage('threaded-threads') });
      }));
      threadedStalled = !this.engine;
    }
    if (!this.engine) {
      stage('single-import');
      const factory = await engineFactory(false, simd);
      stage('single-instantiate');
      this.engine = await WasmEngine.create(factory, { threads: 1, onInstantiated: () => stage('single-threads') });
    }
    const threaded = isolated && !threadedStalled;
    const maxThreads = threaded ? poolSize : 1;
    const threads = Math.max(1, Math.min(maxThreads, opts.threads ?? maxThreads));
    this.engine.setThreads(threads);
    if (opts.i2sKernel) this.engine.useI2sKernelForm(opts.i2sKernel === 'relaxed-dot-add' ? 1 : 0);
    this.current = {
      build: threaded ? 'threaded' : 'single-thread',
      simd,
      i2sKernel: this.engine.i2sKernel(),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      threads,
      maxThreads,
      singleThreadReason: threadedStalled
        ? `The threaded engine did not start within ${THREADED_START_MS / 1000} s in this browser, so the engine runs on one thread.`
        : singleThreadReason(globalThis.crossOriginIsolated === true, typeof SharedArrayBuffer !== 'undefined'),
    };
    stage('started');
    return this.current;
  }

  async status(): Promise<EngineStatus> {
    return this.current ?? this.init();
  }

  async selfTest(opts: SelfTestOptions, onProgress?: (p: SelfTestProgress) => void): Promise<SelfTestResult> {
    await this.init();
    const engine = this.requireEngine();
    return this.exclusive((signal) =>
      engine.selfTest({ bytes: opts.bytes, threads: opts.threads ?? this.current!.threads, onProgress, signal }),
    );
  }

  /** Times generation's kernel on 1, 2, 4 ... of the pool's threads (thread-probe.ts); the threads in use stay as
   * they are. One-token products over matrices larger than the caches, one pool run per matrix, as generation. */
  async probeThreads(): Promise<ThreadProbe> {
    const status = await this.init();
    const engine = this.requireEngine();
    if (status.maxThreads === 1) return { threads: 1, msByThreads: { 1: 0 } };
    return this.exclusive(async () => {
      const probe = engine.openThreadProbe(PROBE_BYTES, PROBE_PASSES);
      try {
        return await probeThreads(status.maxThreads, async (threads) => probe.time(threads), { rounds: PROBE_ROUNDS });
      } finally {
        probe.close();
      }
    });
  }

  async probeMemory(opts: { simulateBytes?: number } = {}): Promise<MemoryProbeResult> {
    if (opts.simulateBytes) return probeMemory({ simulateBytes: opts.simulateBytes, deviceMemoryGB: reportedDeviceMemoryGB() });
    return this.measuredMemory();
  }

  /** Measured once, before the engine's own memory exists (start) or at the latest when asked: never while a model
   * loads, where the throwaway memory would compete with the engine's for the tab's address space. */
  private measuredMemory(): MemoryProbeResult {
    this.memoryProbe ??= probeMemory({ deviceMemoryGB: reportedDeviceMemoryGB() });
    return this.memoryProbe;
  }

  async setThreads(threads: number): Promise<EngineStatus> {
    const status = await this.init();
    const n = Math.max(1, Math.min(status.maxThreads, Math.floor(threads)));
    this.requireEngine().setThreads(n);
    this.current = { ...status, threads: n };
    return this.current;
  }

  async loadModel(source: ModelSource, opts: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo> {
    await this.init();
    const engine = this.requireEngine();
    return this.exclusive(async (signal) => {
      const started = performance.now();
      this.releaseModel();
      const bytes = await openModelSource(source);
      try {
        const loaded = await engine.loadModel(
          { chunks: bytes.chunks(), size: bytes.size, readRange: bytes.readRange },
          // Without a choice, the KV cache is exact (f16) where the model fits this tab with it, else int8.
          { nCtx: opts.nCtx, memory: { kvCache: opts.kvCache, head: opts.head }, memoryBudget: this.measuredMemory().usableBytes, signal, onProgress },
        );
        const meta = loaded.metadata;
        const { session, tokenizer, template, templateNotice } = createChat(engine, meta, { beforeEval: yieldToEventLoop });
        const { architecture, parameters, nCtx, nCtxTrain, nVocab } = loaded.info;
        const info: ModelInfo = {
          name: String(meta['general.name'] ?? bytes.name),
          architecture,
          parameters,
          fileBytes: loaded.fileBytes,
          nCtx,
          nCtxTrain,
          nVocab,
          memoryBytes: loaded.info.plan.total,
          kvCache: loaded.info.plan.kvInt8 ? 'int8' : 'f16',
          head: headFormat(loaded.info.plan.headBits),
          loadMs: performance.now() - started,
          loadPhases: loaded.phases,
          templateNotice,
          templateLabel: template.label,
          isBaseModel: template.isBaseModel,
        };
        this.model = { info, session, tokenizer, release: bytes.release };
        return info;
      } catch (e) {
        engine.unload();
        bytes.release();
        throw e;
      }
    });
  }

  async unloadModel(): Promise<void> {
    if (this.running) throw new TritError('busy', 'The model is in use.', 'Stop the reply first, then unload the model.');
    this.releaseModel();
  }

  async checkPrompt(request: GenerateRequest): Promise<PromptCheck> {
    if (!this.model) throw new TritError('no_model', 'No model is loaded.', 'Pick a model and wait for it to load.');
    return this.model.session.minimumPrompt(request.messages);
  }

  async generate(request: GenerateRequest, onDelta: (d: ReplyDelta) => void): Promise<GenerateResult> {
    const model = this.model;
    if (!model) throw new TritError('no_model', 'No model is loaded.', 'Pick a model and wait for it to load.');
    const engine = this.requireEngine();
    return this.exclusive(async (signal) => {
      let seq = 0;
      const result = await model.session.generate(request.messages, request.sampling, {
        signal,
        onToken: (t) => onDelta({ seq: seq++, text: t.text, ms: t.ms }),
      });
      return {
        text: result.text,
        stats: { ...result.stats, threads: engine.threads, memoryBytes: engine.memoryStats().heapBytes },
      };
    });
  }

  async continueText(request: ContinueRequest, onDelta: (d: ReplyDelta) => void): Promise<GenerateResult> {
    const model = this.model;
    if (!model) throw new TritError('no_model', 'No model is loaded.', 'Pick a model and wait for it to load.');
    const engine = this.requireEngine();
    return this.exclusive(async (signal) => {
      let seq = 0;
      const result = await model.session.continueText(request.text, request.sampling, {
        signal,
        onToken: (t) => onDelta({ seq: seq++, text: t.text, ms: t.ms }),
      });
      return { text: result.text, stats: { ...result.stats, threads: engine.threads, memoryBytes: engine.memoryStats().heapBytes } };
    });
  }

  async tokenize(text: string, opts: TokenizeOptions = {}): Promise<number[]> {
    if (!this.model) throw new TritError('no_model', 'No model is loaded.', 'Load a model first.');
    return this.model.tokenizer.encode(text, opts);
  }

  async benchmark(opts: BenchmarkOptions): Promise<BenchmarkResult> {
    const engine = this.requireEngine();
    if (!this.model) throw new TritError('no_model', 'No model is loaded.', 'Load a model before measuring its speed.');
    return this.exclusive(async () => {
      // The benchmark evaluates its own tokens: the chat's cached conversation is gone afterwards.
      await this.model!.session.reset();
      const result = benchmarkEngine(engine, opts);
      engine.setThreads(this.current!.threads);
      return result;
    });
  }

  async logits(ids: number[], mode: 'sequential' | 'batch'): Promise<Float32Array> {
    const engine = this.requireEngine();
    if (!this.model) throw new TritError('no_model', 'No model is loaded.', 'Load a model first.');
    return this.exclusive(async () => {
      await this.model!.session.reset();
      engine.clear();
      const vocab = engine.info!.nVocab;
      let out: Float32Array;
      if (mode === 'batch') out = engine.eval(ids, { allLogits: true }).slice();
      else {
        out = new Float32Array(ids.length * vocab);
        ids.forEach((id, i) => out.set(engine.eval([id]), i * vocab));
      }
      engine.clear();
      return Comlink.transfer(out, [out.buffer]);
    });
  }

  async checkModelFile(headerBytes: Uint8Array, fileSize: number): Promise<ModelFileCheck> {
    await this.init();
    // A pure read of the bytes given: it touches no loaded model, so it runs beside a load or a reply.
    return checkModelFile(this.requireEngine(), headerBytes, fileSize);
  }

  cancel(): void {
    this.running?.abort();
  }

  private releaseModel(): void {
    if (!this.model) return;
    this.model.release();
    this.model = undefined;
    this.engine?.unload();
  }

  private requireEngine(): WasmEngine {
    if (!this.engine) throw new TritError('not_ready', 'The engine has not started.', 'Wait for the engine to start, then try again.');
    return this.engine;
  }

  /** One long call at a time: the engine's memory and thread pool are not shared between calls. */
  private async exclusive<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.running) {
      throw new TritError('busy', 'The engine is busy with another task.', 'Wait for it to finish or stop it first.');
    }
    const controller = new AbortController();
    this.running = controller;
    try {
      return await run(controller.signal);
    } finally {
      this.running = undefined;
    }
  }
}

export function startEngineWorker(): void {
  installErrorTransfer();
  Comlink.expose(new EngineWorker());
}
