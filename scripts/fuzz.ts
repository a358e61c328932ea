/**
 * Structure-aware fuzzing of the engine with mutants of a valid GGUF file (run: npm run fuzz -- --cases N --seed S
 * [--model file.gguf] [--out dir]). Each mutant changes one field the header reader or the model checks look at
 * (a length, a count, a value type, a tensor's dims, type or offset, a hyperparameter, a tokenizer array, the file's
 * end) to a value chosen to hurt: 0, 1, all ones, powers of two, NaN, infinities, off-by-one. Every case must end in
 * a model that computes finite logits or in a typed engine error; a trap, an untyped error, a case slower than 20 s
 * or non-finite logits are failures, and their files go to --out (to become fixtures). After the run the engine must
 * still compute the valid model bit for bit. test/engine/fuzz.test.ts runs a few hundred cases of the same.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeEngine } from '../src/lib/engine/node';
import { ENGINE_ERROR_CODES } from '../src/lib/engine/errors';
import type { WasmEngine } from '../src/lib/engine/wasm-engine';

/** A place in the header a mutant can change: `bytes` bytes at `at`, holding a `kind` of value. */
interface Field {
  at: number;
  bytes: 1 | 4 | 8;
  kind: 'count' | 'length' | 'type' | 'dim' | 'offset' | 'value-int' | 'value-f32' | 'value-f64';
  what: string;
}

const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Every field of a valid header, with where it is. */
export function headerFields(file: Uint8Array): Field[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const fields: Field[] = [];
  let at = 8;
  const u64 = () => { const v = Number(dv.getBigUint64(at, true)); at += 8; return v; };
  const u32 = () => { const v = dv.getUint32(at, true); at += 4; return v; };
  const str = (what: string) => {
    fields.push({ at, bytes: 8, kind: 'length', what });
    const n = u64();
    const s = new TextDecoder().decode(file.subarray(at, at + n));
    at += n;
    return s;
  };
  fields.push({ at, bytes: 8, kind: 'count', what: 'tensor count' });
  const nTensors = u64();
  fields.push({ at, bytes: 8, kind: 'count', what: 'metadata count' });
  const nKv = u64();
  const value = (type: number, key: string, depth: number) => {
    if (type === 8) { str(`${key} string`); return; }
    if (type === 9) {
      fields.push({ at, bytes: 4, kind: 'type', what: `${key} item type` });
      const itemType = u32();
      fields.push({ at, bytes: 8, kind: 'count', what: `${key} item count` });
      const count = u64();
      if (SCALAR_BYTES[itemType]) {
        // A few items of each array, not all of a 100k-token vocabulary.
        for (let i = 0; i < count; i++) {
          if (i < 4 || i === count - 1) fields.push({ at, bytes: SCALAR_BYTES[itemType] as 1 | 4 | 8, kind: itemType === 6 ? 'value-f32' : 'value-int', what: `${key}[${i}]` });
          at += SCALAR_BYTES[itemType];
        }
      } else {
        for (let i = 0; i < count; i++) {
          if (i < 4 || i === count - 1) value(itemType, `${key}[${i}]`, depth + 1);
          else if (itemType === 8) at += 8 + Number(dv.getBigUint64(at, true));
          else value(itemType, key, depth + 1);
        }
      }
      return;
    }
    const size = SCALAR_BYTES[type];
    if (size === 1 || size === 4 || size === 8) fields.push({ at, bytes: size, kind: type === 6 ? 'value-f32' : type === 12 ? 'value-f64' : 'value-int', what: key });
    at += size ?? 0;
  };
  for (let i = 0; i < nKv; i++) {
    const key = str(`key ${i}`);
    fields.push({ at, bytes: 4, kind: 'type', what: `${key} type` });
    value(u32(), key, 0);
  }
  for (let i = 0; i < nTensors; i++) {
    const name = str(`tensor ${i} name`);
    fields.push({ at, bytes: 4, kind: 'count', what: `${name} n_dims` });
    const nDims = u32();
    for (let d = 0; d < nDims; d++) { fields.push({ at, bytes: 8, kind: 'dim', what: `${name} ne[${d}]` }); at += 8; }
    fields.push({ at, bytes: 4, kind: 'type', what: `${name} type` });
    at += 4;
    fields.push({ at, bytes: 8, kind: 'offset', what: `${name} offset` });
    at += 8;
  }
  return fields;
}

/** xorshift32. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

const INTERESTING_INTS = [0n, 1n, 2n, 3n, 7n, 8n, 31n, 32n, 33n, 127n, 128n, 255n, 256n, 1023n, 1024n, 4096n, 65535n, 65536n,
  (1n << 20n), (1n << 24n), (1n << 28n), (1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, 1n << 40n, 1n << 53n,
  (1n << 62n), (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n];
const INTERESTING_FLOATS = [0, -0, 1, -1, 1e-30, 1e-45, 1e30, 3.4e38, -3.4e38, 1e300, Infinity, -Infinity, NaN];

export interface Mutant {
  bytes: Uint8Array;
  description: string;
}

/** One mutant of `file`: one field set to a hostile value, or a truncation, or a few random header bytes. */
export function mutate(file: Uint8Array, fields: Field[], next: () => number): Mutant {
  const out = file.slice();
  const dv = new DataView(out.buffer);
  const pick = <T>(xs: readonly T[]) => xs[next() % xs.length];
  const roll = next() % 20;
  if (roll === 0) {
    const end = next() % file.length;
    return { bytes: out.subarray(0, end), description: `truncated to ${end} bytes` };
  }
  const headerEnd = fields[fields.length - 1].at + 8;
  if (roll === 1) {
    const flips = 1 + (next() % 4);
    for (let i = 0; i < flips; i++) out[next() % headerEnd] ^= 1 << (next() % 8);
    return { bytes: out, description: `${flips} random bit flips in the header` };
  }
  const f = pick(fields);
  if (f.kind === 'value-f32' || f.kind === 'value-f64') {
    const v = roll < 10 ? pick(INTERESTING_FLOATS) : (f.kind === 'value-f32' ? dv.getFloat32(f.at, true) : dv.getFloat64(f.at, true)) * pick([-1, 0.5, 2, 1e6, 1e30]);
    if (f.kind === 'value-f32') dv.setFloat32(f.at, v, true);
    else dv.setFloat64(f.at, v, true);
    return { bytes: out, description: `${f.what} = ${v}` };
  }
  const width = BigInt(f.bytes * 8);
  const mask = (1n << width) - 1n;
  const old = f.bytes === 8 ? dv.getBigUint64(f.at, true) : BigInt(f.bytes === 4 ? dv.getUint32(f.at, true) : dv.getUint8(f.at));
  let v: bigint;
  if (roll < 12) v = pick(INTERESTING_INTS);
  else if (roll < 16) v = old + BigInt(pick([-1, 1, -2, 2, 32, -32, 128]));
  else if (f.kind === 'type') v = BigInt(next() % 40);
  else v = BigInt(next()) * BigInt(1 + (next() % 4096));
  v &= mask;
  if (f.bytes === 8) dv.setBigUint64(f.at, v, true);
  else if (f.bytes === 4) dv.setUint32(f.at, Number(v), true);
  else dv.setUint8(f.at, Number(v));
  return { bytes: out, description: `${f.what} = ${v} (was ${old})` };
}

export type Outcome = 'finite' | 'typed-error' | 'untyped-error' | 'non-finite' | 'hang';

/** Inspects and loads the mutant (context 64) and evaluates three tokens; what happened. */
export async function runCase(engine: WasmEngine, bytes: Uint8Array): Promise<{ outcome: Outcome; detail: string; ms: number }> {
  const started = performance.now();
  const done = (outcome: Outcome, detail: string) => {
    const ms = performance.now() - started;
    return { outcome: outcome !== 'untyped-error' && ms > 20_000 ? 'hang' as const : outcome, detail, ms };
  };
  try {
    engine.inspect(bytes, { fileSize: bytes.length, nCtx: 64 });
    const info = await engine.load([bytes], bytes.length, { nCtx: 64 });
    const logits = engine.eval([1 % info.nVocab, 2 % info.nVocab, 3 % info.nVocab], { allLogits: true });
    engine.unload();
    return done(logits.every(Number.isFinite) ? 'finite' : 'non-finite', '');
  } catch (e) {
    engine.unload();
    const code = (e as { code?: unknown }).code;
    const typed = e instanceof Error && e.name === 'EngineError' && ENGINE_ERROR_CODES.includes(code as never) && code !== 'internal';
    return done(typed ? 'typed-error' : 'untyped-error', `${(e as Error).name}: ${(e as Error).message}`);
  }
}

export interface FuzzReport {
  counts: Record<Outcome, number>;
  failures: { index: number; description: string; outcome: Outcome; detail: string; bytes: Uint8Array }[];
  /** The valid model's logits after the run equal those before it, bit for bit. */
  unchangedAfter: boolean;
}

export async function fuzz(file: Uint8Array, cases: number, seed: number, onCase?: (i: number) => void): Promise<FuzzReport> {
  const fields = headerFields(file);
  const next = rng(seed);
  let engine = await createNodeEngine({ threads: 2 });
  const reference = async () => {
    await engine.load([file], file.length, { nCtx: 64 });
    const logits = engine.eval([1, 2, 3], { allLogits: true });
    engine.unload();
    return Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength);
  };
  const before = await reference();
  const counts: Record<Outcome, number> = { finite: 0, 'typed-error': 0, 'untyped-error': 0, 'non-finite': 0, hang: 0 };
  const failures: FuzzReport['failures'] = [];
  for (let i = 0; i < cases; i++) {
    const m = mutate(file, fields, next);
    const r = await runCase(engine, m.bytes);
    counts[r.outcome]++;
    if (r.outcome !== 'finite' && r.outcome !== 'typed-error') {
      failures.push({ index: i, description: m.description, outcome: r.outcome, detail: r.detail, bytes: m.bytes });
      // A trap leaves the module unusable: carry on with a new one.
      if (/RuntimeError|Aborted/.test(r.detail)) engine = await createNodeEngine({ threads: 2 });
    }
    onCase?.(i);
  }
  return { counts, failures, unchangedAfter: before.equals(await reference()) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const cases = Number(option('--cases', '1000'));
  const seed = Number(option('--seed', '1'));
  const model = option('--model', join(fileURLToPath(new URL('.', import.meta.url)), '../test/fixtures/small.gguf'));
  const out = option('--out', 'fuzz-crashers');
  const started = performance.now();
  const report = await fuzz(new Uint8Array(readFileSync(model)), cases, seed, (i) => {
    if ((i + 1) % 500 === 0) console.error(`${i + 1} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
  for (const f of report.failures) {
    mkdirSync(out, { recursive: true });
    const path = join(out, `seed${seed}-case${f.index}.gguf`);
    writeFileSync(path, f.bytes);
    console.log(`${f.outcome}: ${f.description}: ${f.detail} -> ${path}`);
  }
  console.log(JSON.stringify({ cases, seed, ...report.counts, unchangedAfter: report.unchangedAfter, seconds: Math.round((performance.now() - started) / 1000) }));
  process.exit(report.failures.length || !report.unchangedAfter ? 1 : 0);
}
