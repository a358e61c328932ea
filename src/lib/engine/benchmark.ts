/**
 * Raw engine speed on the loaded model: prompt processing (one batch), generation (one token at a time, greedy),
 * each the best of `rounds`,
 * the wasm heap's peak, and the streaming-read bandwidth of the same runtime, the roofline generation is
 * measured against. Shared by the Node benchmark and the engine worker, so both measure the same thing.
 */
import type { BenchmarkOptions, BenchmarkResult } from './protocol';
import type { WasmEngine } from './wasm-engine';
import { argmax } from '../chat/sampler';

/** The benchmark's prompt: token ids spread over the vocabulary, below the control tokens at its top. The native peer
 * (bench/llama-cpp/run.ts) evaluates the same ids. */
export function benchmarkPrompt(nVocab: number, length: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7919 + 13) % Math.max(1, nVocab - 256));
}

export function benchmarkEngine(engine: WasmEngine, opts: BenchmarkOptions): BenchmarkResult {
  const info = engine.info;
  if (!info) throw new Error('benchmarkEngine needs a loaded model');
  const threads = opts.threads ?? engine.threads;
  engine.setThreads(threads);

  const prompt = benchmarkPrompt(info.nVocab, opts.promptTokens);
  engine.clear();
  engine.eval(prompt.slice(0, 8)); // warm-up: first-touch page faults and thread wake-up
  engine.clear();

  let promptMs = Infinity, generateMs = Infinity;
  for (let round = 0; round < Math.max(1, opts.rounds ?? 1); round++) {
    let t0 = performance.now();
    let logits = engine.eval(prompt);
    promptMs = Math.min(promptMs, performance.now() - t0);

    t0 = performance.now();
    for (let i = 0; i < opts.generateTokens; i++) logits = engine.eval([argmax(logits)]);
    generateMs = Math.min(generateMs, performance.now() - t0);
    engine.clear();
  }

  return {
    threads,
    promptTokensPerSecond: opts.promptTokens / (promptMs / 1000),
    generationTokensPerSecond: opts.generateTokens / (generateMs / 1000),
    peakMemoryBytes: engine.memoryStats().heapBytes,
    bandwidthGBps: opts.bandwidth === false ? NaN : engine.bandwidth({ bytes: 256 << 20, repeats: 5, threads }),
    bytesPerToken: info.plan.weightBytesPerToken,
    i2sKernel: engine.i2sKernel(),
  };
}
