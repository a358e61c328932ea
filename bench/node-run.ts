// One Node benchmark run in its own process (so its peak memory is its own): prints the result as JSON.
// Usage: tsx bench/node-run.ts <model.gguf> <threads> <promptTokens> <generateTokens> <nCtx> [relaxed|simd128|best] [rounds]
import type { SimdLevel } from '../src/lib/engine/protocol';
import { benchEngineNode } from './engine-node';

const [model, threads, promptTokens, generateTokens, nCtx, simd, rounds] = process.argv.slice(2);
const result = await benchEngineNode({
  model, threads: Number(threads), promptTokens: Number(promptTokens), generateTokens: Number(generateTokens), nCtx: Number(nCtx),
  simd: simd === 'best' ? undefined : (simd as SimdLevel | undefined), rounds: Number(rounds ?? 1),
});
console.log(JSON.stringify(result));
process.exit(0);
