/**
 * Compares the engine's (token by token, or with --batch all at once) logits for the demo model (via `npm run cli -- logits`) with the training framework's logits
 * saved in test/demo-model/expected-logits.*. Prints per-sequence max |diff|, minimum Pearson correlation, top-1 agreement.
 *
 *   npx tsx scripts/demo-model/compare-engine.ts [--model public/models/trit-demo.gguf]
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const modelArg = process.argv.indexOf('--model');
const model = modelArg >= 0 ? process.argv[modelArg + 1]! : 'public/models/trit-demo.gguf';
const meta = JSON.parse(readFileSync('test/demo-model/expected-logits.json', 'utf8')) as { vocab_size: number; sequences: { ids: number[] }[] };
const expected = new Float32Array(new Uint8Array(readFileSync('test/demo-model/expected-logits.f32')).buffer);
const V = meta.vocab_size;
const batchMode = process.argv.includes('--batch'); // prompt-processing mode instead of token by token

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) { ma += a[i]!; mb += b[i]!; }
  ma /= a.length; mb /= a.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) { const x = a[i]! - ma, y = b[i]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return sab / Math.sqrt(saa * sbb);
}
const argmax = (a: ArrayLike<number>) => { let b = 0; for (let i = 1; i < a.length; i++) if (a[i]! > a[b]!) b = i; return b; };

let row = 0;
for (const [s, seq] of meta.sequences.entries()) {
  // stdout goes to a file: through a pipe the CLI's large JSON line can be cut off when it exits.
  const outPath = join(mkdtempSync(join(tmpdir(), 'trit-compare-')), 'logits.json');
  const fd = openSync(outPath, 'w');
  execFileSync('npm', ['run', '-s', 'cli', '--', 'logits', '--model', model, '--tokens', seq.ids.join(','), ...(batchMode ? ['--batch'] : [])], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  const out = readFileSync(outPath, 'utf8');
  const got = JSON.parse(out.slice(out.indexOf('{'))) as { logits: number[][] };
  if (got.logits.length !== seq.ids.length) throw new Error(`engine returned ${got.logits.length} rows for ${seq.ids.length} tokens`);
  let maxDiff = 0, minCorr = 1, top1 = 0;
  for (let t = 0; t < seq.ids.length; t++, row++) {
    const ref = expected.subarray(row * V, (row + 1) * V);
    const eng = got.logits[t]!;
    for (let v = 0; v < V; v++) maxDiff = Math.max(maxDiff, Math.abs(ref[v]! - eng[v]!));
    minCorr = Math.min(minCorr, pearson(ref, eng));
    top1 += argmax(ref) === argmax(eng) ? 1 : 0;
  }
  console.log(`sequence ${s} (${seq.ids.length} tokens): max |diff| ${maxDiff.toFixed(5)}, min Pearson ${minCorr.toFixed(6)}, top-1 agree ${top1}/${seq.ids.length}`);
}
