/**
 * `npm run bench -- --share [--tablets 30] [--model file.gguf] [--json]`: thirty tablets downloading one full-size
 * synthetic 2B-4T model from the classroom share at once, each as the app does (16 MiB shards by HTTP Range, three at
 * a time), each shard's sha256 checked against the file's. Reports the total time, the share server's peak memory
 * (its own process) and the throughput.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Agent, get } from 'node:http';
import pLimit from 'p-limit';

const SHARD = 16 << 20;
const PER_TABLET = 3;

export interface ShareBenchReport {
  model: string;
  size_bytes: number;
  tablets: number;
  completed: number;
  verified: number;
  total_seconds: number;
  throughput_mb_per_s: number;
  server_peak_rss_bytes: number;
  server_peak_streams: number;
  refused_503: number;
  /** Ranges a tablet asked for again after its connection dropped. */
  retried_ranges: number;
}

/** Each shard's sha256 and the whole file's, read once from disk. */
async function referenceHashes(path: string): Promise<{ shards: string[]; whole: string }> {
  const shards: string[] = [];
  const whole = createHash('sha256');
  let shard = createHash('sha256');
  let inShard = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    for (let pos = 0; pos < chunk.length; ) {
      const take = Math.min(chunk.length - pos, SHARD - inShard);
      shard.update(chunk.subarray(pos, pos + take));
      pos += take;
      inShard += take;
      if (inShard === SHARD) {
        shards.push(shard.digest('hex'));
        shard = createHash('sha256');
        inShard = 0;
      }
    }
  }
  if (inShard) shards.push(shard.digest('hex'));
  return { shards, whole: whole.digest('hex') };
}

/** One shard by Range, hashed as it streams (nothing buffered). Retries a 503 after its Retry-After, as the app does. */
function fetchShard(agent: Agent, url: string, start: number, end: number): Promise<string> {
  return new Promise((done, fail) => {
    get(url, { agent, headers: { Range: `bytes=${start}-${end - 1}` } }, (res) => {
      if (res.statusCode === 503) {
        res.resume();
        setTimeout(() => fetchShard(agent, url, start, end).then(done, fail), 1000 * Number(res.headers['retry-after'] ?? 1));
        return;
      }
      if (res.statusCode !== 206 || res.headers['content-range'] !== `bytes ${start}-${end - 1}/${res.headers['content-range']?.split('/')[1]}`) {
        res.resume();
        return fail(new Error(`shard ${start}: HTTP ${res.statusCode} ${res.headers['content-range']}`));
      }
      const hash = createHash('sha256');
      let n = 0;
      res.on('data', (b: Buffer) => { hash.update(b); n += b.length; });
      res.on('end', () => (n === end - start ? done(hash.digest('hex')) : fail(new Error(`shard ${start}: ${n} of ${end - start} bytes`))));
      res.on('error', fail);
    }).on('error', fail);
  });
}

/** A shard retried as the app retries (p-retry in the store): a dropped connection is tried again up to three times. */
async function fetchShardRetried(agent: Agent, url: string, start: number, end: number, retried: () => void): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchShard(agent, url, start, end);
    } catch (e) {
      if (attempt > 3) throw e;
      retried();
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

export async function shareBench(model: string, tablets: number, log: (...m: unknown[]) => void): Promise<ShareBenchReport> {
  log(`reading ${model} once for its reference hashes…`);
  const ref = await referenceHashes(model);
  const server = spawn('npx', ['tsx', 'bench/share-server-run.ts', model], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const lines: string[] = [];
  let buffered = '';
  const nextLine = () => new Promise<string>((done, fail) => {
    const check = () => {
      if (lines.length) return done(lines.shift()!);
      server.stdout!.once('data', (b: Buffer) => {
        buffered += b.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts.filter(Boolean));
        check();
      });
    };
    server.once('exit', (c) => fail(new Error(`the share server exited (${c})`)));
    check();
  });
  try {
    const started = JSON.parse(await nextLine()) as { port: number; sha256: string; size: number };
    if (started.sha256 !== ref.whole) throw new Error(`the share's sha256 ${started.sha256} is not the file's ${ref.whole}`);
    const url = `http://127.0.0.1:${started.port}/1/${encodeURIComponent(model.split('/').pop()!)}`;
    log(`${tablets} tablets downloading ${(started.size / 1e9).toFixed(2)} GB each, ${PER_TABLET} shards at a time…`);
    let retries = 0;
    const t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: tablets }, async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: PER_TABLET });
        const limit = pLimit(PER_TABLET);
        const got = await Promise.all(ref.shards.map((_, i) => limit(() => fetchShardRetried(agent, url, i * SHARD, Math.min(started.size, (i + 1) * SHARD), () => retries++))));
        agent.destroy();
        return got.every((h, i) => h === ref.shards[i]);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    process.kill(-server.pid!, 'SIGTERM');
    const end = JSON.parse(await nextLine()) as { peakRss: number; streams: { peak: number; refused: number } };
    for (const r of results) if (r.status === 'rejected') log(`a tablet failed: ${r.reason}`);
    return {
      model,
      size_bytes: started.size,
      tablets,
      completed: results.filter((r) => r.status === 'fulfilled').length,
      verified: results.filter((r) => r.status === 'fulfilled' && r.value).length,
      total_seconds: Number(seconds.toFixed(2)),
      throughput_mb_per_s: Number(((tablets * started.size) / seconds / 1e6).toFixed(1)),
      server_peak_rss_bytes: end.peakRss,
      server_peak_streams: end.streams.peak,
      refused_503: end.streams.refused,
      retried_ranges: retries,
    };
  } finally {
    try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }
}

export function printShareReport(r: ShareBenchReport): void {
  console.log(`classroom share: ${r.tablets} tablets, ${(r.size_bytes / 1e9).toFixed(2)} GB each (${r.model})`);
  console.log(`  completed ${r.completed}/${r.tablets}, verified ${r.verified}/${r.tablets} (every 16 MiB shard's sha256)`);
  console.log(`  total ${r.total_seconds} s, ${r.throughput_mb_per_s} MB/s over loopback`);
  console.log(`  share server peak memory ${(r.server_peak_rss_bytes / 2 ** 20).toFixed(0)} MiB, at most ${r.server_peak_streams} files sent at once, ${r.refused_503} requests asked to retry, ${r.retried_ranges} ranges fetched again after a dropped connection`);
}
