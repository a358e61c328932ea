/**
 * Engine speed in Node for one model file and thread count: prompt processing, generation, peak memory, and the
 * streaming-read bandwidth of the same wasm runtime (the roofline generation is measured against).
 * Used by bench/run.ts (through a separate process per run, so peak memory is per run).
 */
import type { BenchmarkResult } from '../src/lib/engine/api';
import { createNodeEngine, loadModelFile } from '../src/lib/engine/node';

export interface NodeBenchOptions {
  model: string;
  threads: number;
  promptTokens?: number;
  generateTokens?: number;
  nCtx?: number;
}

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

export async function benchEngineNode(opts: NodeBenchOptions): Promise<BenchmarkResult> {
  const promptTokens = opts.promptTokens ?? 128;
  const generateTokens = opts.generateTokens ?? 64;
  const engine = await createNodeEngine({ threads: opts.threads });
  const info = await loadModelFile(engine, opts.model, opts.nCtx ?? 512);

  // Token ids spread over the vocabulary, below the control tokens at its top.
  const prompt = Array.from({ length: promptTokens }, (_, i) => (i * 7919 + 13) % Math.max(1, info.nVocab - 256));
  engine.eval(prompt.slice(0, 8)); // warm-up: first-touch page faults and thread wake-up
  engine.clear();

  let t0 = performance.now();
  let logits = engine.eval(prompt);
  const promptMs = performance.now() - t0;

  t0 = performance.now();
  for (let i = 0; i < generateTokens; i++) logits = engine.eval([argmax(logits)]);
  const generateMs = performance.now() - t0;

  const bandwidthGBps = engine.bandwidth({ bytes: 256 << 20, repeats: 5, threads: opts.threads });
  const result: BenchmarkResult = {
    threads: opts.threads,
    promptTokensPerSecond: promptTokens / (promptMs / 1000),
    generationTokensPerSecond: generateTokens / (generateMs / 1000),
    peakMemoryBytes: engine.memoryStats().heapBytes,
    bandwidthGBps,
    bytesPerToken: info.plan.weightBytesPerToken,
  };
  engine.unload();
  return result;
}
