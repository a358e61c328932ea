/** The library's own shapes: the options of createTrit and the object it returns. */
import type { EngineStatus, LoadProgress, ModelInfo, TokenizeOptions } from '../engine/protocol';
import type { ModelView, StoreProgress } from '../store/types';
import type { CatalogueEntry } from '../store/catalogue';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  Completion,
  CompletionChunk,
  CompletionCreateParams,
} from './openai-types';

/** Progress of any long task the library runs: a download or import into the store, or a model load. */
export type TritProgress =
  | ({ kind: 'store' } & StoreProgress)
  | ({ kind: 'load'; modelId: string } & LoadProgress);

export interface TritOptions {
  /** Threads the engine computes with (default: the device's cores, at most 8). More than one needs a
   * cross-origin isolated page; without it the engine runs its single-thread build and `status.singleThreadReason`
   * says why. */
  threads?: number;
  /** Called with the progress of every download, import and load (each call can take its own as well). */
  onProgress?: (p: TritProgress) => void;
  /** Models offered before anything is stored (the store's catalogue); none by default. */
  catalogue?: CatalogueEntry[];
}

export interface DownloadModelOptions {
  /** The file's expected sha256 (hex). A mismatch deletes what was downloaded and rejects with 'checksum_mismatch'. */
  sha256?: string;
  /** The name `list()` shows (default: the file name). */
  name?: string;
  onProgress?: (p: StoreProgress) => void;
  /** Aborting pauses the download (what arrived is kept; downloading again resumes) and rejects with 'cancelled'. */
  signal?: AbortSignal;
}

export interface ImportModelOptions {
  name?: string;
  onProgress?: (p: StoreProgress) => void;
  signal?: AbortSignal;
}

/** Models kept in the browser (IndexedDB, in shards), shared with every page of the same origin. */
export interface TritModels {
  /** Downloads a .gguf file (resumably, in shards) and resolves with the stored model once it is ready. */
  download(url: string, opts?: DownloadModelOptions): Promise<ModelView>;
  /** Stores a .gguf file the person picked (an `<input type="file">` File, or any Blob). */
  import(file: Blob & { name?: string }, opts?: ImportModelOptions): Promise<ModelView>;
  /** Every model the store knows: stored, partly stored, or offered by the catalogue. */
  list(): Promise<ModelView[]>;
  delete(modelId: string): Promise<void>;
}

export interface LoadModelOptions {
  /** Context length in tokens (default: the model's own, e.g. 4096). Memory grows with it. */
  nCtx?: number;
  onProgress?: (p: LoadProgress) => void;
}

/** A create() call's own extras beside OpenAI's fields. */
export interface RequestExtras {
  /** Stops the reply: a stream ends early (as OpenAI's client ends it), a whole reply rejects with 'cancelled'. */
  signal?: AbortSignal;
}

export interface ChatCompletions {
  create(params: ChatCompletionCreateParams & RequestExtras & { stream: true }): Promise<AsyncIterable<ChatCompletionChunk>>;
  create(params: ChatCompletionCreateParams & RequestExtras & { stream?: false }): Promise<ChatCompletion>;
}

export interface Completions {
  create(params: CompletionCreateParams & RequestExtras & { stream: true }): Promise<AsyncIterable<CompletionChunk>>;
  create(params: CompletionCreateParams & RequestExtras & { stream?: false }): Promise<Completion>;
}

export interface Trit {
  /** The engine as it started: the build (threaded or single-thread), SIMD level, threads, and why it runs on one
   * thread if it does. */
  readonly status: EngineStatus;
  readonly models: TritModels;
  /** Loads a stored model into the engine (the one loaded before is let go). */
  load(modelId: string, opts?: LoadModelOptions): Promise<ModelInfo>;
  unload(): Promise<void>;
  /** The loaded model, if any. */
  readonly model: ModelInfo | undefined;
  /** Chat replies, OpenAI-shaped. Requests run one at a time, in the order they were made. */
  readonly chat: { readonly completions: ChatCompletions };
  /** Text continuation for base models (no chat format), OpenAI-shaped. */
  readonly completions: Completions;
  /** The loaded model's token ids for `text`. */
  tokenize(text: string, opts?: TokenizeOptions): Promise<number[]>;
  /** Ends the engine's worker and frees its memory; the object cannot be used afterwards. */
  dispose(): void;
}
