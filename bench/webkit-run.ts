// One WebKit benchmark run per thread count: prints each result as JSON (see bench/webkit-engine.ts).
// Usage: [TRIT_BENCH_KV=int8] [TRIT_BENCH_HEAD=int6|int4] tsx bench/webkit-run.ts <model.gguf> <threads,...> <promptTokens> <generateTokens> <nCtx> [rounds] [--sab] [JSC option=value ...]
// e.g. `tsx bench/webkit-run.ts bench/out/synthetic-2b4t.gguf 1 128 64 4096 3` (as shipped: one thread) and
// `... 1,2 128 64 4096 3 --sab` (Safari-like, threaded); `useOMGJIT=0` runs JSC without its optimising wasm tier.
import { benchEngineWebKit } from './webkit-engine';
import { benchHead, benchKvCache } from './engine-node';

const argv = process.argv.slice(2);
const positional = argv.filter((a) => !a.startsWith('--') && !a.includes('='));
const [model, threads, promptTokens, generateTokens, nCtx, rounds] = positional;
const jscOptions = Object.fromEntries(argv.filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]));
// One browser per thread count, each result printed as soon as it is in: a 2B run takes minutes.
for (const t of threads.split(',')) {
  const [r] = await benchEngineWebKit([{
    model, threads: Number(t), promptTokens: Number(promptTokens), generateTokens: Number(generateTokens), nCtx: Number(nCtx),
    rounds: Number(rounds ?? 1), sharedArrayBuffer: argv.includes('--sab'), jscOptions, kvCache: benchKvCache(), head: benchHead(),
  }]);
  console.log(JSON.stringify(r));
}
process.exit(0);
