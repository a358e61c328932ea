/**
 * The native peer of `npm run bench`: upstream llama.cpp's CPU build (as node-llama-cpp ships it prebuilt) on the same
 * weights, converted once per model and head (convert.ts), measured in its own process (run.ts) in the same run as Trit.
 * bitnet.cpp itself cannot be built here (no network beyond the npm registry); llama.cpp's TQ2_0 is the ternary kernel
 * of the same ggml lineage. node-llama-cpp is installed on first use into bench/out (never a project dependency).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { convertForLlamaCpp } from './convert';
import type { PeerReport } from './run';

export const NODE_LLAMA_CPP_VERSION = '3.22.1';
export type PeerHead = 'f16' | 'q8_0';
export interface NativePeerReport extends PeerReport { head: PeerHead }

/** Installs node-llama-cpp and this platform's prebuilt CPU binaries (no GPU builds) under `dir`, once. */
function ensureInstalled(dir: string, log: (m: string) => void): void {
  if (existsSync(join(dir, 'node_modules/node-llama-cpp/package.json'))) return;
  log(`installing node-llama-cpp ${NODE_LLAMA_CPP_VERSION} (llama.cpp's prebuilt CPU build) into ${dir} (once)…`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'trit-bench-native-peer', private: true }));
  const platformPackage = `@node-llama-cpp/${process.platform}-${process.arch}@${NODE_LLAMA_CPP_VERSION}`;
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts', `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, platformPackage], {
    cwd: dir, stdio: ['ignore', process.stderr, 'inherit'],
  });
}

/**
 * Converts `model` for llama.cpp (cached beside it in `outDir`) and runs the peer at each thread count.
 * Returns undefined, with the reason logged, where the peer cannot run (no build for this platform, or a layout
 * llama.cpp has no counterpart for); a run that fails is logged and left out.
 */
export async function nativePeer(
  root: string, model: string, heads: PeerHead[], threads: number[], bench: { promptTokens: number; generateTokens: number; nCtx: number; rounds: number },
  log: (m: string) => void,
): Promise<NativePeerReport[] | undefined> {
  const outDir = join(root, 'bench/out');
  const installDir = join(outDir, 'llama-cpp');
  try {
    ensureInstalled(installDir, log);
  } catch (e) {
    log(`native peer skipped: node-llama-cpp could not be installed (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const reports: NativePeerReport[] = [];
  for (const head of heads) {
    const converted = join(outDir, `${basename(model, '.gguf')}.llama-cpp-${head}.gguf`);
    if (!existsSync(converted)) {
      log(`converting ${basename(model)} for llama.cpp (TQ2_0 matrices, ${head} embedding and head, once)…`);
      try {
        await convertForLlamaCpp(model, `${converted}.tmp`, head);
      } catch (e) {
        // A layout llama.cpp has no counterpart for: the rest of the benchmark still runs.
        log(`native peer skipped: ${(e as Error).message}`);
        return undefined;
      }
      renameSync(`${converted}.tmp`, converted);
    }
    log(`native peer: llama.cpp, ${head} head, ${threads.join(' and ')} thread(s)…`);
    const out = spawnSync('npx', ['tsx', 'bench/llama-cpp/run.ts', installDir, converted, threads.join(','),
      String(bench.promptTokens), String(bench.generateTokens), String(bench.nCtx), String(bench.rounds)], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20 });
    if (out.status !== 0) {
      log(`native peer failed (${head} head), left out of the report: ${out.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      continue;
    }
    reports.push({ head, ...(JSON.parse(out.stdout.trim().split('\n').pop()!) as PeerReport) });
  }
  return reports.length ? reports : undefined;
}
