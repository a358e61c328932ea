/**
 * The engine as it runs inside its dedicated worker: picks the threaded or single-thread WebAssembly build,
 * owns the one WasmEngine, and serves EngineWorkerApi over Comlink. It never touches the DOM.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './comlink-errors';
import { WasmEngine } from './wasm-engine';
import { TritError } from '../errors';
import type {
  EngineInitOptions,
  EngineStatus,
  EngineWorkerApi,
  SelfTestOptions,
  SelfTestProgress,
  SelfTestResult,
} from './api';

const MAX_THREADS = 8;

function deviceCores(): number {
  return Math.max(1, Math.min(MAX_THREADS, (globalThis.navigator?.hardwareConcurrency as number | undefined) || 1));
}

export class EngineWorker implements EngineWorkerApi {
  private engine?: WasmEngine;
  private current?: EngineStatus;
  private starting?: Promise<EngineStatus>;
  private running?: AbortController;

  init(opts: EngineInitOptions = {}): Promise<EngineStatus> {
    this.starting ??= this.start(opts).catch((e) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async start(opts: EngineInitOptions): Promise<EngineStatus> {
    const isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
    const cores = deviceCores();
    // The pool is sized once, to the threads we may use: emscripten's pthread pool deadlocks if it is too small.
    const poolSize = isolated ? cores : 1;
    const factory = isolated
      ? (await import('../../../cpp/build/trit-mt.js')).default
      : (await import('../../../cpp/build/trit-st.js')).default;
    this.engine = await WasmEngine.create(factory, { threads: poolSize });
    const threads = Math.max(1, Math.min(poolSize, opts.threads ?? poolSize));
    this.engine.setThreads(threads);
    this.current = {
      build: isolated ? 'threaded' : 'single-thread',
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      threads,
      maxThreads: poolSize,
      singleThreadReason: isolated
        ? undefined
        : 'This page is not cross-origin isolated, so the browser withholds SharedArrayBuffer and the engine runs on one thread.',
    };
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

  cancel(): void {
    this.running?.abort();
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
