/**
 * npm run bench [-- --json] [--kv-cache int8] [--head int6|int4] [--model path.gguf | --dims 2b4t|falcon3-1b|llama3-8b|falcon3-7b|falcon3-10b|bitnet-large | --all-models] [--rounds N] [--i2s-kernel relaxed-dot|relaxed-dot-add] [--quick]
 * Prompt processing (128 tokens) and generation (64 tokens) on a model file of any BitNet family (by default a
 * full-size BitNet-b1.58-2B-4T synthetic model; --dims writes the full-size synthetic model of another family once),
 * at 1 and 2 threads, in Node and in headless Chromium (the engine in its worker, as the app runs it), with the
 * memory bandwidth each runtime reaches on a plain streaming read, and generation speed as a fraction of that roofline.
 * Each runtime runs its best build (relaxed SIMD where it has it); as a peer measured in the same run, Node also runs
 * the plain SIMD128 build (the table kernel, what browsers without relaxed SIMD get), unless --no-peer.
 * Each run is a separate process / browser so its peak memory is its own; its speeds are the best of 3 rounds.
 * WebKit (WebKitGTK's MiniBrowser under Xvfb, the closest engine to Safari here) runs the same model as shipped (one
 * thread) and with JSC_useSharedArrayBuffer=1 (the Safari-like threaded case), unless --no-webkit or it is missing.
 * The long-chat case (Node, 2 threads, 50 turns at a 2,048-token context) reports tokens evaluated and seconds per
 * turn before and after the conversation first overflows, unless --no-long-chat.
 * --kv-cache int8 runs everything with the int8 KV cache (default f16, exact), --head int6|int4 with the 6- or
 * 4-bit lm_head (default int8); the quality these options cost
 * (bench/quality.ts: logit error on the reference models, top-1 agreement and KL on the demo model's text) is
 * reported unless --no-quality. Peak memory is the wasm heap's size after the run (it never shrinks); Chromium rows
 * add the renderer's resident memory after the run (Linux). Unless --no-stored, the model is also imported into IndexedDB in
 * Chromium and loaded from there as the app does: import time, "Use this model" to ready, and the first reply token.
 * Every Node and Chromium row also reports its load to ready from the file. --all-models measures the 2B-4T, Falcon3-1B,
 * Llama3-8B and Falcon3-10B shapes in turn (about an hour here): all four get the Node and Chromium rows, the first also
 * the stored load, the peer, WebKit and the long chat. The JSON has one entry per model under "models".
 * The native peer (bench/llama-cpp/): upstream llama.cpp's prebuilt CPU build on the same weights (TQ2_0), with the F16
 * and a Q8_0 embedding/head, at 1 and 2 threads, for every model, unless --no-native-peer; node-llama-cpp is installed
 * into bench/out on first use.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchmarkResult, SimdLevel } from '../src/lib/engine/protocol';
import { benchEngineChromium } from './engine-chromium';
import type { StoredLoadTiming } from './chromium-page';
import type { LongChatReport } from './long-chat';
import { benchEngineWebKit } from './webkit-engine';
import { NODE_LLAMA_CPP_VERSION, nativePeer, type NativePeerReport } from './llama-cpp/peer';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

const json = flag('--json');
const quick = flag('--quick'); // a small model, to check the harness itself
// The KV cache of every run (default f16); child processes read it from the environment (bench/engine-node.ts).
const kvCache: 'f16' | 'int8' = option('--kv-cache') === 'int8' ? 'int8' : 'f16';
process.env.TRIT_BENCH_KV = kvCache;
// --head int6|int4: the 6- or 4-bit lm_head in every run (default int8); passed the same way (TRIT_BENCH_HEAD).
const head: 'int8' | 'int6' | 'int4' = option('--head') === 'int4' ? 'int4' : option('--head') === 'int6' ? 'int6' : 'int8';
process.env.TRIT_BENCH_HEAD = head;
// --i2s-kernel relaxed-dot|relaxed-dot-add: that form of the relaxed dot kernel in the Node and Chromium runs instead of
// the one each engine times fastest when it starts (TRIT_BENCH_I2S; cpp/src/i2s_dot.cpp).
const i2sKernelOption = option('--i2s-kernel');
const i2sKernel = i2sKernelOption === 'relaxed-dot' || i2sKernelOption === 'relaxed-dot-add' ? i2sKernelOption : undefined;
if (i2sKernel) process.env.TRIT_BENCH_I2S = i2sKernel;
const PROMPT_TOKENS = 128;
const GENERATE_TOKENS = 64;
// The app's default: peak memory includes a full-length KV cache (the engine clamps it to a shorter trained context).
const N_CTX = 4096;
// Each speed is the best of this many rounds in one process: the VM's neighbours slow single rounds by 10-30%.
const ROUNDS = quick ? 1 : Number(option('--rounds') ?? 3);
const PEER_ROUNDS = quick ? 1 : 2;
// Progress goes to stderr, also with --json (stdout carries the one JSON object).
const log = (...m: unknown[]) => console.error(...m);

// The shapes --all-models measures: the demo's 2B-4T, then the family's smallest and largest.
const FAMILY = ['2b4t', 'falcon3-1b', 'llama3-8b', 'falcon3-10b'] as const;

function ensureModel(family?: string): string {
  const given = option('--model');
  if (given && !family) return given;
  const dims = family ?? (quick ? 'medium' : option('--dims') ?? '2b4t');
  const path = join(root, 'bench/out', `synthetic-${dims}.gguf`);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    log(`writing a synthetic ${dims} model to ${relative(root, path)} (once)…`);
    // The writer's "wrote ..." line goes to stderr: with --json, stdout carries the one JSON object only.
    // The 7B-10B shapes' F16 tables repeat one random block (--fast): minutes to write instead of an hour.
    const fast = ['llama3-8b', 'falcon3-7b', 'falcon3-10b'].includes(dims) ? ['--fast'] : [];
    execFileSync('npx', ['tsx', 'scripts/make-fixture.ts', '--dims', dims, '--out', path, ...fast], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  }
  return path;
}

interface Run extends BenchmarkResult { runtime: 'node' | 'chromium' | 'webkit' | 'webkit-sab'; rendererRssBytes?: number; loadMs?: number }

function nodeRun(model: string, threads: number, simd: SimdLevel | 'best', rounds: number): Run {
  const out = spawnSync('npx', ['tsx', 'bench/node-run.ts', model, String(threads), String(PROMPT_TOKENS), String(GENERATE_TOKENS), String(N_CTX), simd, String(rounds)], {
    cwd: root, encoding: 'utf8', maxBuffer: 16 << 20,
  });
  if (out.status !== 0) throw new Error(`node bench failed: ${out.stderr}`);
  return { runtime: 'node', ...JSON.parse(out.stdout.trim().split('\n').pop()!) };
}

async function chromiumRuns(model: string, threadCounts: number[]): Promise<Run[]> {
  const results = await benchEngineChromium(threadCounts.map((threads) => ({
    model, threads, promptTokens: PROMPT_TOKENS, generateTokens: GENERATE_TOKENS, nCtx: N_CTX, rounds: ROUNDS, kvCache, head, i2sKernel,
  })));
  return results.map((r) => ({ runtime: 'chromium', ...r }));
}

// npm run bench -- --share: thirty tablets downloading the model from the classroom share at once (bench/share.ts).
if (flag('--share')) {
  const { shareBench, printShareReport } = await import('./share');
  const r = await shareBench(ensureModel(), Number(option('--tablets') ?? 30), log);
  if (json) console.log(JSON.stringify(r));
  else printShareReport(r);
  process.exit(r.verified === r.tablets ? 0 : 1);
}

interface ModelReport {
  model: string; runs: Run[]; peerRuns: Run[]; storedLoad?: StoredLoadTiming; longChat?: LongChatReport; native?: NativePeerReport[];
}

// Everything measured on one model file. `extras` adds what only the first model needs: the stored load, the plain
// SIMD128 peer, WebKit and the long chat (each as its flag allows).
async function measureModel(model: string, extras: boolean): Promise<ModelReport> {
  const runs: Run[] = [];
  for (const t of threadCounts) { log(`node, ${t} thread(s)…`); runs.push(nodeRun(model, t, 'best', ROUNDS)); }
  log('chromium…');
  runs.push(...(await chromiumRuns(model, threadCounts)));
  // The native peer, on the same weights in the same run: with the F16 embedding and head the 2B-4T file ships with,
  // and with a Q8_0 one (closest to Trit's int8 head).
  const native = flag('--no-native-peer') || quick ? undefined : await nativePeer(root, model, ['f16', 'q8_0'], threadCounts, {
    promptTokens: PROMPT_TOKENS, generateTokens: GENERATE_TOKENS, nCtx: N_CTX, rounds: ROUNDS,
  }, log);
  // From IndexedDB, as "Use this model" loads it: the file imported into the store, then a stored load in the worker
  // (2 threads, a 32-token prompt and one generated token for the first reply token).
  let storedLoad: StoredLoadTiming | undefined;
  if (extras && !flag('--no-stored') && !quick) {
    log('chromium, the model stored in IndexedDB: import, load to ready, first token…');
    [{ stored: storedLoad }] = await benchEngineChromium([{
      model, threads: 2, promptTokens: 32, generateTokens: 1, nCtx: N_CTX, rounds: 1, kvCache, head, stored: true,
    }]);
  }
  const peerRuns: Run[] = [];
  if (extras && !flag('--no-peer')) {
    for (const t of threadCounts) { log(`node, plain SIMD128 build, ${t} thread(s)…`); peerRuns.push(nodeRun(model, t, 'simd128', PEER_ROUNDS)); }
  }
  const hasWebKit = spawnSync('sh', ['-c', 'command -v WebKitWebDriver && command -v Xvfb']).status === 0;
  if (extras && !flag('--no-webkit') && hasWebKit) {
    log('webkit, as shipped (one thread) and with SharedArrayBuffer (threaded)…');
    const base = { model, promptTokens: PROMPT_TOKENS, generateTokens: GENERATE_TOKENS, nCtx: N_CTX, rounds: ROUNDS, kvCache, head };
    const wk = await benchEngineWebKit([
      { ...base, threads: 1, sharedArrayBuffer: false },
      ...threadCounts.map((threads) => ({ ...base, threads, sharedArrayBuffer: true })),
    ]);
    runs.push(...wk.map((r): Run => ({ ...r, runtime: r.build === 'threaded' ? 'webkit-sab' : 'webkit' })));
  } else if (extras && !flag('--no-webkit')) {
    log('webkit skipped: WebKitWebDriver or Xvfb is missing (apt-get install webkit2gtk-driver xvfb)');
  }
  let longChat: LongChatReport | undefined;
  if (extras && !flag('--no-long-chat') && !quick) {
    log('long chat: 50 turns at a 2,048-token context, node, 2 threads…');
    const out = spawnSync('npx', ['tsx', 'bench/long-chat.ts', model, '50', '2048', '2', '48'], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (out.status !== 0) throw new Error(`long-chat bench failed: ${out.stderr}`);
    longChat = JSON.parse(out.stdout.trim().split('\n').pop()!) as LongChatReport;
  }
  return { model, runs, peerRuns, storedLoad, longChat, native };
}

const threadCounts = [1, 2];
// --all-models: the four shapes the issue names, each with its core rows; the first also with the extras.
const models = flag('--all-models') && !quick ? FAMILY.map((dims) => ensureModel(dims)) : [ensureModel()];
const measured: ModelReport[] = [];
for (const [i, m] of models.entries()) {
  log(`== ${relative(root, m)}`);
  measured.push(await measureModel(m, i === 0));
}

// What the lossy options (int8 KV cache, 6- and 4-bit heads) cost, on the reference models and the demo model's own text.
interface QualityRow { model: string; kv_cache: string; head: string; max_abs_diff: number; min_correlation: number }
interface DemoText { kv_cache: string; head: string; positions: number; top1_agreement: number; mean_kl: number; max_kl: number }
type QualityGroup = { reference: QualityRow[]; demo_text: DemoText[] };
interface QualityReport { int8_kv: QualityGroup; int6_head: QualityGroup; int4_head: QualityGroup }
let quality: QualityReport | undefined;
if (!flag('--no-quality')) {
  log('quality of the int8 KV cache and the 6- and 4-bit heads (reference models, demo model text)…');
  const out = spawnSync('npx', ['tsx', 'bench/quality.ts'], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (out.status !== 0) throw new Error(`quality bench failed: ${out.stderr}`);
  quality = JSON.parse(out.stdout.trim().split('\n').pop()!) as QualityReport;
}

// One model's part of the report.
function modelJson({ model, runs, peerRuns, storedLoad, longChat, native }: ModelReport) {
  const bandwidth = (rt: Run['runtime']) => Math.max(...runs.filter((r) => r.runtime === rt).map((r) => r.bandwidthGBps));
  return {
    model: relative(root, model),
    bytes_per_token: runs[0].bytesPerToken,
    bandwidth_gbps: Object.fromEntries([...new Set(runs.map((r) => r.runtime))].map((rt) => [rt, bandwidth(rt)])),
    runs: runs.map((r) => ({
      runtime: r.runtime, threads: r.threads, pp_tps: r.promptTokensPerSecond, tg_tps: r.generationTokensPerSecond,
      peak_memory_bytes: r.peakMemoryBytes,
      ...(r.rendererRssBytes ? { renderer_rss_bytes: r.rendererRssBytes } : {}),
      ...(r.loadMs !== undefined ? { load_ms: Math.round(r.loadMs) } : {}),
      roofline_fraction: (r.bytesPerToken * r.generationTokensPerSecond) / (bandwidth(r.runtime) * 1e9),
      i2s_kernel: r.i2sKernel,
    })),
    // The same Node runs with the plain SIMD128 build, and how much faster the best build was.
    simd128_peer: peerRuns.map((p) => {
      const best = runs.find((r) => r.runtime === 'node' && r.threads === p.threads)!;
      return {
        runtime: p.runtime, threads: p.threads, pp_tps: p.promptTokensPerSecond, tg_tps: p.generationTokensPerSecond, i2s_kernel: p.i2sKernel,
        pp_speedup: best.promptTokensPerSecond / p.promptTokensPerSecond, tg_speedup: best.generationTokensPerSecond / p.generationTokensPerSecond,
      };
    }),
    // Upstream llama.cpp (TQ2_0) on the same weights, and Trit in Chromium at the same thread count as a multiple of it.
    native_peer: native && {
      engine: `llama.cpp, prebuilt CPU build of node-llama-cpp ${NODE_LLAMA_CPP_VERSION}`,
      cpu_features: native[0]?.cpuFeatures,
      runs: native.flatMap((p) => p.runs.map((r) => {
        const trit = runs.find((t) => t.runtime === 'chromium' && t.threads === r.threads)!;
        return {
          head: p.head, threads: r.threads, pp_tps: r.promptTokensPerSecond, tg_tps: r.generationTokensPerSecond,
          peak_rss_bytes: p.peakRssBytes, load_ms: Math.round(p.loadMs),
          chromium_pp_ratio: trit.promptTokensPerSecond / r.promptTokensPerSecond, chromium_tg_ratio: trit.generationTokensPerSecond / r.generationTokensPerSecond,
        };
      })),
    },
    stored_load: storedLoad && {
      import_ms: Math.round(storedLoad.importMs), ready_ms: Math.round(storedLoad.readyMs), first_token_ms: Math.round(storedLoad.firstTokenMs),
      ready_phases_ms: Object.fromEntries(Object.entries(storedLoad.phases).map(([k, v]) => [k.replace(/Ms$/, ''), Math.round(v)])),
    },
    long_chat: longChat && {
      n_ctx: longChat.nCtx, threads: longChat.threads, first_overflow_turn: longChat.firstOverflowTurn,
      before_overflow: longChat.beforeOverflow, after_overflow: longChat.afterOverflow,
      evaluated_per_turn: longChat.turns.map((t) => t.evaluatedPromptTokens),
      seconds_per_turn: longChat.turns.map((t) => Number(t.seconds.toFixed(2))),
    },
  };
}

const report = { kv_cache: kvCache, head, rounds: ROUNDS, n_ctx: N_CTX, models: measured.map(modelJson), quality };

function printModel(m: ReturnType<typeof modelJson>) {
  console.log(`model ${m.model}: ${(m.bytes_per_token / 1e9).toFixed(3)} GB of weights read per token`);
  console.log(`streaming-read bandwidth: ${Object.entries(m.bandwidth_gbps).map(([rt, g]) => `${rt} ${g.toFixed(2)} GB/s`).join(', ')}`);
  console.log('runtime   threads  prompt tok/s  gen tok/s  of roofline  peak memory  renderer RSS  load to ready  I2_S kernel');
  for (const r of m.runs) {
    const rss = r.renderer_rss_bytes ? `${(r.renderer_rss_bytes / 2 ** 20).toFixed(0)} MiB` : '';
    const load = r.load_ms !== undefined ? `${(r.load_ms / 1000).toFixed(1)} s` : '';
    console.log(`${r.runtime.padEnd(10)} ${String(r.threads).padStart(6)}  ${r.pp_tps.toFixed(2).padStart(12)}  ${r.tg_tps.toFixed(2).padStart(9)}  ${(100 * r.roofline_fraction).toFixed(1).padStart(10)}%  ${(r.peak_memory_bytes / 2 ** 20).toFixed(0).padStart(7)} MiB  ${rss.padStart(12)}  ${load.padStart(13)}  ${r.i2s_kernel}`);
  }
  if (m.native_peer) {
    console.log(`native peer: ${m.native_peer.engine}, TQ2_0 matrices (${m.native_peer.cpu_features})`);
    for (const r of m.native_peer.runs) {
      console.log(`  ${r.head.padEnd(4)} head, ${r.threads} thread(s): prompt ${r.pp_tps.toFixed(2)} tok/s, gen ${r.tg_tps.toFixed(2)} tok/s, peak RSS ${(r.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB; Trit in Chromium is ${r.chromium_pp_ratio.toFixed(2)}x / ${r.chromium_tg_ratio.toFixed(2)}x that`);
    }
  }
  const sl = m.stored_load;
  if (sl) console.log(`stored in IndexedDB (chromium, 2 threads): import ${(sl.import_ms / 1000).toFixed(1)} s; "Use this model" to ready ${(sl.ready_ms / 1000).toFixed(1)} s; first reply token ${(sl.first_token_ms / 1000).toFixed(1)} s after that (ready: ${Object.entries(sl.ready_phases_ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ')})`);
  for (const p of m.simd128_peer) {
    console.log(`peer: node, ${p.threads} thread(s), ${p.i2s_kernel} kernel: prompt ${p.pp_tps.toFixed(2)} tok/s, gen ${p.tg_tps.toFixed(2)} tok/s; the best build is ${p.pp_speedup.toFixed(2)}x / ${p.tg_speedup.toFixed(2)}x that`);
  }
  const lc = m.long_chat;
  if (lc) {
    const phase = (p: LongChatReport['beforeOverflow']) =>
      `${p.turns} turns, ${p.meanEvaluatedTokens.toFixed(0)} tokens evaluated and ${p.meanSecondsPerTurn.toFixed(2)} s per turn (${(100 * p.evaluatedFraction).toFixed(0)}% of the prompt)`;
    console.log(`long chat at ${lc.n_ctx} tokens, ${lc.threads} threads: first overflow at turn ${lc.first_overflow_turn}`);
    console.log(`  before: ${phase(lc.before_overflow)}`);
    console.log(`  after:  ${phase(lc.after_overflow)}`);
  }
}

if (json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`KV cache ${kvCache}, head ${head}, n_ctx ${N_CTX}, best of ${ROUNDS} rounds`);
  for (const m of report.models) { printModel(m); console.log(''); }
  if (quality) {
    const worst = (kv: string) => quality!.int8_kv.reference.filter((r) => r.kv_cache === kv);
    const span = (kv: string) => `max |diff| ${Math.max(...worst(kv).map((r) => r.max_abs_diff)).toFixed(3)}, min corr ${Math.min(...worst(kv).map((r) => r.min_correlation)).toFixed(5)}`;
    const [d] = quality.int8_kv.demo_text;
    console.log(`int8 KV cache: reference models ${span('int8')} (exact f16: ${span('f16')}); demo text ${d.positions} positions: top-1 agreement ${(100 * d.top1_agreement).toFixed(1)}%, KL mean ${d.mean_kl.toExponential(2)}, max ${d.max_kl.toFixed(3)}`);
    for (const [bits, group] of [['6', quality.int6_head], ['4', quality.int4_head]] as const) {
      for (const h of group.demo_text) {
        const rows = group.reference.filter((r) => r.kv_cache === h.kv_cache);
        console.log(`${bits}-bit head, ${h.kv_cache} KV: reference models max |diff| ${Math.max(...rows.map((r) => r.max_abs_diff)).toFixed(3)}, min corr ${Math.min(...rows.map((r) => r.min_correlation)).toFixed(5)}; demo text top-1 agreement ${(100 * h.top1_agreement).toFixed(1)}%, KL mean ${h.mean_kl.toExponential(2)}, max ${h.max_kl.toFixed(3)}`);
      }
    }
  }
}
