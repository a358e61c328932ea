/**
 * Engine speed in Node for one model file and thread count (see src/lib/engine/benchmark.ts for what is measured).
 * bench/run.ts runs it in a separate process per run, so peak memory is per run.
 */
import type { BenchmarkResult, SimdLevel } from '../src/lib/engine/protocol';
import { benchmarkEngine } from '../src/lib/engine/benchmark';
import { createNodeEngine, loadModelFile } from '../src/lib/engine/node';

export interface NodeBenchOptions {
  model: string;
  threads: number;
  promptTokens?: number;
  generateTokens?: number;
  nCtx?: number;
  rounds?: number;
  /** The build to run; by default the best this Node has. */
  simd?: SimdLevel;
  /** Default: TRIT_BENCH_KV (bench/run.ts --kv-cache), else f16. */
  kvCache?: 'f16' | 'int8';
}

/** bench/run.ts --kv-cache passes its choice to every run through the environment. */
export function benchKvCache(): 'f16' | 'int8' | undefined {
  const v = process.env.TRIT_BENCH_KV;
  return v === 'int8' || v === 'f16' ? v : undefined;
}

/** TRIT_BENCH_HEAD=int6|int4 runs with the 6- or 4-bit lm_head (default: the engine's, int8). */
export function benchHead(): 'int8' | 'int6' | 'int4' | undefined {
  const v = process.env.TRIT_BENCH_HEAD;
  return v === 'int8' || v === 'int6' || v === 'int4' ? v : undefined;
}

/** A Node run's numbers, with the time from the file to a ready engine. */
export type NodeBenchResult = BenchmarkResult & { loadMs: number };

/** TRIT_BENCH_I2S=relaxed-dot|relaxed-dot-add runs that form of the relaxed dot kernel (default: the one timed fastest). */
export function benchI2sKernel(): 'relaxed-dot' | 'relaxed-dot-add' | undefined {
  const v = process.env.TRIT_BENCH_I2S;
  return v === 'relaxed-dot' || v === 'relaxed-dot-add' ? v : undefined;
}

export async function benchEngineNode(opts: NodeBenchOptions): Promise<NodeBenchResult> {
  const engine = await createNodeEngine({ threads: opts.threads, simd: opts.simd });
  const form = benchI2sKernel();
  if (form && engine.i2sKernel() !== 'table') engine.useI2sKernelForm(form === 'relaxed-dot-add' ? 1 : 0);
  // TRIT_BENCH_ROWS=memory keeps the whole embedding table in memory, as every load did before issue 17.
  const inputRowsFromFile = process.env.TRIT_BENCH_ROWS !== 'memory';
  const t0 = performance.now();
  await loadModelFile(engine, opts.model, opts.nCtx ?? 512, { memory: { kvCache: opts.kvCache ?? benchKvCache(), head: benchHead(), inputRowsFromFile } });
  const loadMs = performance.now() - t0;
  const result = benchmarkEngine(engine, { threads: opts.threads, promptTokens: opts.promptTokens ?? 128, generateTokens: opts.generateTokens ?? 64, rounds: opts.rounds });
  engine.unload();
  return { ...result, loadMs };
}
