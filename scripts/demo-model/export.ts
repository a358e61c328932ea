/**
 * Packs the trained demo model (train.py's tokenizer.json, manifest.json, weights.bin) into a bitnet-b1.58 GGUF with
 * I2_S ternary weights, an F16 tied embedding and F32 norms, through the project's GGUF writer.
 *
 *   npx tsx scripts/demo-model/export.ts [--build scripts/demo-model/build] [--out public/models/trit-demo.gguf]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GgufToolError as TritError } from '../../tools/gguf/format';
import { GgmlType } from '../../tools/gguf/format';
import { GgufWriter, f16Bytes, f32Bytes, i2sPack } from '../../tools/gguf/writer';
import { TOKEN_TYPE_CONTROL, TOKEN_TYPE_NORMAL, declareBitnetModel, openFileSink, type BitnetDims } from '../make-fixture';

/** Renders exactly the format the model was trained on (see data.py). */
export const DEMO_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}{{ 'System: ' + message['content'] }}" +
  "{% elif message['role'] == 'user' %}{{ 'User: ' + message['content'] + '<|eot_id|>' }}" +
  "{% else %}{{ 'Assistant: ' + message['content'] + '<|eot_id|>' }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'Assistant: ' }}{% endif %}";

interface ManifestTensor { name: string; kind: 'f16-from-f32' | 'f32' | 'ternary-i8'; shape: number[]; offset: number; bytes: number; scale?: number }
interface Manifest {
  config: { embd: number; layers: number; heads: number; heads_kv: number; ff: number; vocab: number; eps: number; rope_base: number; ctx: number };
  tensors: ManifestTensor[];
}
interface TokenizerDump { tokens: string[]; merges: string[]; special_base: number; bos: number; eos: number }

export async function exportDemoModel(buildDir: string, outPath: string): Promise<number> {
  const manifest = JSON.parse(readFileSync(join(buildDir, 'manifest.json'), 'utf8')) as Manifest;
  const tok = JSON.parse(readFileSync(join(buildDir, 'tokenizer.json'), 'utf8')) as TokenizerDump;
  const weights = readFileSync(join(buildDir, 'weights.bin'));
  const c = manifest.config;
  const dims: BitnetDims = { embd: c.embd, layers: c.layers, heads: c.heads, headsKv: c.heads_kv, ff: c.ff, vocab: c.vocab, ctx: c.ctx, ropeFreqBase: c.rope_base, rmsEps: c.eps };
  const tokenTypes = new Int32Array(tok.tokens.length).fill(TOKEN_TYPE_NORMAL);
  tokenTypes.fill(TOKEN_TYPE_CONTROL, tok.special_base);

  const sink = await openFileSink(outPath);
  try {
    const writer = new GgufWriter(sink);
    declareBitnetModel(writer, dims, { tokens: tok.tokens, tokenTypes, merges: tok.merges, bosId: tok.bos, eosId: tok.eos }, 'trit-demo', DEMO_CHAT_TEMPLATE);
    await writer.writeHeader();
    const byName = new Map(manifest.tensors.map((t) => [t.name, t]));
    for (const plan of writer.plannedTensors) {
      const t = byName.get(plan.name);
      if (!t || t.shape.join() !== plan.shape.join()) {
        throw new TritError('demo-export-mismatch', `Tensor ${plan.name} is missing from the manifest or has another shape.`, 'Re-run train.py, then export again.');
      }
      // Copy out of the file buffer so typed-array views are aligned.
      const raw = new Uint8Array(weights.subarray(t.offset, t.offset + t.bytes));
      if (plan.type === GgmlType.I2_S) {
        await writer.writeTensorData(plan.name, i2sPack(new Int8Array(raw.buffer), t.scale!));
      } else if (plan.type === GgmlType.F16) {
        await writer.writeTensorData(plan.name, f16Bytes(new Float32Array(raw.buffer)));
      } else {
        await writer.writeTensorData(plan.name, f32Bytes(new Float32Array(raw.buffer)));
      }
    }
    return await writer.finish();
  } finally {
    await sink.close();
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const build = arg('build', 'scripts/demo-model/build');
const out = arg('out', 'public/models/trit-demo.gguf');
exportDemoModel(build, out).then(
  (bytes) => console.log(`wrote ${out}: ${bytes} bytes`),
  (e: unknown) => {
    const err = e as { message?: string; hint?: string };
    console.error(`error: ${err.message ?? String(e)}${err.hint ? `\n${err.hint}` : ''}`);
    process.exit(1);
  },
);
