// One Chromium benchmark run: prints the result as JSON. Arguments after `--` go to Chromium, e.g. to dump the
// machine code V8 makes (see cpp/README.md): `-- --js-flags=--perf-prof --single-process`.
// [TRIT_BENCH_KV=int8] [TRIT_BENCH_HEAD=int6|int4] [TRIT_BENCH_I2S=relaxed-dot|relaxed-dot-add] [TRIT_BENCH_STORED=1]
// Usage: tsx bench/chromium-run.ts <model.gguf> <threads> <promptTokens> <generateTokens> <nCtx> [rounds] [-- args…]
import { benchEngineChromium } from './engine-chromium';
import { benchHead, benchI2sKernel, benchKvCache } from './engine-node';

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const [model, threads, promptTokens, generateTokens, nCtx, rounds] = dashes < 0 ? argv : argv.slice(0, dashes);
const chromiumArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
const [result] = await benchEngineChromium([{
  model, threads: Number(threads), promptTokens: Number(promptTokens), generateTokens: Number(generateTokens),
  nCtx: Number(nCtx), rounds: Number(rounds ?? 1), kvCache: benchKvCache(), head: benchHead(), stored: process.env.TRIT_BENCH_STORED === '1',
  i2sKernel: benchI2sKernel(),
}], chromiumArgs, 5298);
console.log(JSON.stringify(result));
process.exit(0);
