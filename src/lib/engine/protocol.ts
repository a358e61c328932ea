import type { ChatMessage, ChatStats, SamplingSettings, TokenDelta } from '../chat/types';
import type { EngineModelInfo, SelfTestReport } from './native-results.generated';
import type { ThreadProbe } from './thread-probe';
import type { HeadFormat } from './memory-budget';

export type { ThreadProbe } from './thread-probe';

export type { ChatMessage, ChatStats, SamplingSettings, StopReason, TokenDelta } from '../chat/types';

/**
 * The contract between the page and the engine worker: the only types both sides share.
 * The page calls these through a Comlink proxy (src/lib/engine/client.ts); the worker implements them
 * (src/lib/engine/engine-worker.ts). Callbacks cross as Comlink.proxy; errors cross as TritError (code + hint).
 */

/** 'relaxed': the runtime has relaxed SIMD and the engine uses its I2_S dot kernel; 'simd128': the table kernel. */
export type SimdLevel = 'relaxed' | 'simd128';

/** Which WebAssembly build the worker runs. Threads need cross-origin isolation (SharedArrayBuffer). */
export type EngineBuild = 'threaded' | 'single-thread';

export interface EngineStatus {
  build: EngineBuild;
  /** 'relaxed' when the browser has relaxed SIMD and the engine runs its faster I2_S kernel on it. */
  simd: SimdLevel;
  /** The I2_S kernel running: 'table' (SIMD128), or the relaxed dot kernel's form this device ran fastest when the
   * engine started, 'relaxed-dot' (i16 lanes) or 'relaxed-dot-add' (the i32 dot-add: one SDOT on ARM). */
  i2sKernel: string;
  /** `crossOriginIsolated` as seen inside the worker. */
  crossOriginIsolated: boolean;
  /** Threads the engine computes with now (the worker thread plus pool threads). */
  threads: number;
  /** Size of the persistent thread pool, fixed when the engine starts. */
  maxThreads: number;
  /** Set when the engine runs on one thread although the device has more cores, saying why. */
  singleThreadReason?: string;
}

/** The most threads the engine uses, whatever the device has (the settings' upper bound too). */
export const MAX_ENGINE_THREADS = 8;

export interface EngineInitOptions {
  /** Threads to use; defaults to the device's cores (at most MAX_ENGINE_THREADS). */
  threads?: number;
  /** Test hook (?trit-memory-mib=N): the memory probe reports this many bytes, as if the browser refused more, and
   * every load is fitted to it, so a small device can be tried on any machine. */
  simulateMemoryBytes?: number;
  /** Tests and the benchmark: run this form of the relaxed dot kernel instead of the one timed fastest (rejects when
   * the build lacks it or this browser computes it wrongly). */
  i2sKernel?: 'relaxed-dot' | 'relaxed-dot-add';
}

export interface SelfTestOptions {
  /** Bytes of packed ternary weights to run over (default 64 MiB). */
  bytes?: number;
  threads?: number;
}

export interface SelfTestProgress {
  done: number;
  total: number;
}

/** The engine's report (ok: the SIMD kernel agreed with the scalar reference on every output; threadsUsed: distinct
 * threads that really did part of the work; fields in cpp/src/results.h) and the time it took in all. */
export interface SelfTestResult extends SelfTestReport {
  ms: number;
}

/** Where the worker reads a model from: a stored model (IndexedDB shards, read by the worker itself) or a URL
 * (the bundled demo model, precached by the service worker). Bytes never cross the page/worker boundary. */
/** 'file': a File or Blob handed to the worker (structured clone passes a reference, not the bytes); the benchmark
 * and the embedding example use it. Stored and file sources keep the input embedding in the file (read as needed);
 * a URL is read once, so its model keeps the table in memory. */
export type { MemoryProbeResult } from './memory-probe';
import type { MemoryProbeResult } from './memory-probe';

export type ModelSource = { kind: 'stored'; modelId: string } | { kind: 'url'; url: string } | { kind: 'file'; file: Blob; name?: string };

export interface LoadOptions {
  /** Context length in tokens; defaults to the model's maximum (4096 for 2B-4T). */
  nCtx?: number;
  /** 'int8' halves the KV cache's memory at a small cost in accuracy (cpp/README.md has the figures). Unset: f16
   * (exact) where the model fits this tab's measured memory with it, else int8. */
  kvCache?: 'f16' | 'int8';
  /** 'int6' makes the lm_head 21% smaller, 'int4' 39%, at a small cost in accuracy (cpp/README.md). Unset: int8
   * unless the model fits this tab's measured memory only with a smaller one (fitToBudget's order). */
  head?: HeadFormat;
}

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
}

/** A load's time by step, in milliseconds: the rest of ModelInfo.loadMs is opening the source and building the chat. */
export interface LoadPhases {
  /** Reading the header and planning the memory. */
  headerMs: number;
  /** Waiting for the file's next bytes (the network, IndexedDB). */
  waitMs: number;
  /** Copying the bytes into wasm memory and converting the lm_head as they arrive. */
  copyMs: number;
  /** Preparing the weights for the kernels once every byte is in. */
  finishMs: number;
}

/** What the UI shows about the loaded model: the engine's figures (cpp/src/results.h) and the worker's. */
export interface ModelInfo extends Pick<EngineModelInfo, 'architecture' | 'parameters' | 'nCtx' | 'nCtxTrain' | 'nVocab'> {
  name: string;
  fileBytes: number;
  /** Bytes of memory the engine holds for this model (weights + KV cache + scratch). */
  memoryBytes: number;
  /** The KV cache as loaded: 'int8' when the model needed the smaller one to fit (LoadOptions.kvCache). */
  kvCache?: 'f16' | 'int8';
  /** The lm_head as loaded: 'int6' or 'int4' when the model needed it to fit (LoadOptions.head). */
  head?: HeadFormat;
  /** Time from the load request to ready. */
  loadMs: number;
  /** Where the load's time went (see LoadPhases). */
  loadPhases: LoadPhases;
  /** Set when the file's chat template is not one we support and the default was used instead. */
  templateNotice?: string;
  /** The chat format in use, in words (e.g. "Falcon 3"; a base model's is text continuation). */
  templateLabel: string;
  /** A base model: no chat format, so the app continues the person's text (continueText) instead of answering. */
  isBaseModel: boolean;
}

export interface GenerateRequest {
  /** The whole conversation so far, ending with the user's message. The worker reuses the KV cache for the
   * longest prefix it has already evaluated, so a new turn evaluates only its new tokens. */
  messages: ChatMessage[];
  sampling: SamplingSettings;
}

/** Text for a base model to carry on (no chat format around it); see ChatSession.continueText. */
export interface ContinueRequest {
  text: string;
  sampling: SamplingSettings;
}

export interface TokenizeOptions {
  /** Prepend the BOS token; defaults to the model file's own setting. */
  addBos?: boolean;
  /** Turn control-token text such as `<|eot_id|>` into those tokens (off by default). */
  parseSpecial?: boolean;
}

/** What a reply cost, as the worker reports it: the chat's own figures plus what only the engine knows. */
export interface GenerateStats extends ChatStats {
  threads: number;
  memoryBytes: number;
}

export interface GenerateResult {
  /** The whole reply: authoritative over the streamed deltas, which travel on another channel and may arrive later. */
  text: string;
  stats: GenerateStats;
}

/** A streamed piece of the reply. `seq` counts from 0 per reply, so the page can drop a repeated or late piece. */
export interface ReplyDelta extends TokenDelta {
  seq: number;
}

/** What a conversation needs at the least (system prompt and last message) against the loaded model's context. */
export interface PromptCheck {
  tokens: number;
  nCtx: number;
}

export interface BenchmarkOptions {
  promptTokens: number;
  generateTokens: number;
  threads?: number;
  /** Times to repeat prompt + generation; each speed is the best round's (default 1). On a shared machine the
   * fastest round is the one least disturbed by other work. */
  rounds?: number;
  /** false: skip the streaming-read bandwidth (its 256 MiB buffer grows the heap for good; bandwidthGBps is NaN). */
  bandwidth?: boolean;
}

/** Raw engine speed on the loaded model, measured where the app runs it. */
export interface BenchmarkResult {
  threads: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
  /** Largest wasm memory the engine reached (the wasm heap never shrinks, so its size now is the peak). */
  peakMemoryBytes: number;
  /** Plain streaming read of a large buffer in the same wasm runtime: the roofline for generation. */
  bandwidthGBps: number;
  /** Bytes of weights read to generate one token. */
  bytesPerToken: number;
  /** The I2_S kernel that ran: 'relaxed-dot' or 'table' (see SimdLevel). */
  i2sKernel: string;
}

/** The engine's GGUF reader's verdict on the first bytes of a model file (the store asks it before a model is
 * "ready"). A malformed header is not a verdict: checkModelFile rejects with the engine's typed error. */
export type ModelFileCheck =
  | { complete: false; needBytes: number }
  /** Header and tensor table parse, every tensor lies inside the file, and the engine runs this architecture. */
  | { complete: true; runnable: true; architecture: string; tensorCount: number; dataEnd: number }
  /** A well-formed GGUF the engine cannot run (another architecture or tensor type); `reason` says which. */
  | { complete: true; runnable: false; code: string; reason: string; hint: string };

/**
 * How far the engine's start has come, told to init's onStage as it goes: a start that never answers is reported with
 * the last stage reached (Firefox now and then leaves a first visit's worker silent; this says where).
 * `instantiate` is fetching and compiling the wasm and, threaded, loading the pool's thread workers; `threads` is
 * starting the pool's threads in the loaded module.
 */
export type EngineStartStage =
  | 'worker-running'
  // Its synchronous checks before any build loads: the SIMD level, and the memory probe (a throwaway memory grown
  // to 4 GiB). Firefox once stalled after 'worker-running' and before 'threaded-import' (CI, an offline reload).
  | 'measuring-memory'
  | 'threaded-import'
  | 'threaded-instantiate'
  | 'threaded-threads'
  | 'single-import'
  | 'single-instantiate'
  | 'single-threads'
  | 'started';

export interface EngineWorkerApi {
  /** Starts the engine (once; later calls get the same start); onStage hears each EngineStartStage reached. */
  init(opts?: EngineInitOptions, onStage?: (stage: EngineStartStage) => void): Promise<EngineStatus>;
  status(): Promise<EngineStatus>;
  /** Times the kernel on 1, 2, 4 ... of the pool's threads and says which count is fastest (the page remembers it
   * per device and passes it to setThreads; see thread-probe.ts). Takes about a tenth of a second here; changes nothing. */
  probeThreads(): Promise<ThreadProbe>;
  /** Changes the threads used, up to the pool size. */
  setThreads(threads: number): Promise<EngineStatus>;
  /** How much WebAssembly memory this tab can get (a throwaway memory grown in steps, bounded by
   * navigator.deviceMemory; memory-probe.ts). Milliseconds; changes nothing. simulateBytes is the test hook. */
  probeMemory(opts?: { simulateBytes?: number }): Promise<MemoryProbeResult>;
  selfTest(opts: SelfTestOptions, onProgress?: (p: SelfTestProgress) => void): Promise<SelfTestResult>;
  loadModel(source: ModelSource, opts: LoadOptions, onProgress?: (p: LoadProgress) => void): Promise<ModelInfo>;
  unloadModel(): Promise<void>;
  /** Streams the reply to the last user message; rejects with code 'no_model' when nothing is loaded. */
  generate(request: GenerateRequest, onDelta: (d: ReplyDelta) => void): Promise<GenerateResult>;
  /** Streams what the model writes after `request.text`, with no chat format (base models); like generate. */
  continueText(request: ContinueRequest, onDelta: (d: ReplyDelta) => void): Promise<GenerateResult>;
  /** The loaded model's token ids for `text`; rejects 'no_model' when nothing is loaded. */
  tokenize(text: string, opts?: TokenizeOptions): Promise<number[]>;
  /** Counts the tokens `request` needs at the least, without evaluating anything; rejects 'no_model' like generate. */
  checkPrompt(request: GenerateRequest): Promise<PromptCheck>;
  benchmark(opts: BenchmarkOptions): Promise<BenchmarkResult>;
  /** Logits at every position of `ids` from an empty cache, token by token ('sequential', as bitnet.cpp's -b 1) or
   * as one batch: what reference data is compared with (e2e/family). The chat's cached conversation is gone after. */
  logits(ids: number[], mode: 'sequential' | 'batch'): Promise<Float32Array>;
  /** Reads a model file's header with the engine's GGUF reader (nothing is loaded); see ModelFileCheck. */
  checkModelFile(headerBytes: Uint8Array, fileSize: number): Promise<ModelFileCheck>;
  /** Stops the running long call (self-test, load, generation) at its next checkpoint. A stopped generation
   * resolves with stopReason 'aborted' and what it had; a stopped load or self-test rejects with code 'cancelled'. */
  cancel(): void;
}
