/**
 * Writes a synthetic BitNet-family GGUF of any size with seeded random weights. `bitnet-b1.58` files are laid out like
 * the official BitNet-b1.58-2B-4T i2_s file (same metadata keys and order, tensor names, types and order); `llama`
 * (Falcon3, Falcon-E, Llama3-8B-1.58: no sub-norms, F16 output.weight) and `bitnet` (1bitLLM: sub-norms, tied head,
 * no rope.dimension_count) as bitnet.cpp's converter writes them (../shared/docs/bitnet-family.md section 4).
 * Streams tensor by tensor, so full sizes (2B-4T ~1.2 GB, Llama3-8B ~3.5 GB) need little memory.
 *
 *   npx tsx scripts/make-fixture.ts --dims small|medium|2b4t|falcon3-1b|llama3-8b|falcon3-7b|falcon3-10b|bitnet-large [--arch A]
 *       [--embd N --layers N --heads N --heads-kv N --ff N --vocab N --ctx N] [--seed N] [--vocab-llama3] [--name S] [--fast]
 *       --out FILE
 */
import { open } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { GgufToolError as TritError } from '../tools/gguf/format';
import { GgmlType, tensorByteSize } from '../tools/gguf/format';
import { GgufWriter, f16Bytes, f32Bytes, gguf, type ByteSink } from '../tools/gguf/writer';

export const BITNET_ARCH = 'bitnet-b1.58';
/** general.file_type the official i2_s file declares. */
const FILE_TYPE_I2_S = 40;
/** Chat template string stored in the official 2B-4T file (kept verbatim so headers match). */
export const BITNET_2B4T_CHAT_TEMPLATE =
  "{% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}{% if message['role'] == 'user' %}{{ 'Human: ' + message['content'] + '\\n\\nBITNETAssistant: ' + eos_token }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

/** general.architecture of the files Trit runs. */
export type FamilyArch = 'bitnet-b1.58' | 'llama' | 'bitnet';

export interface BitnetDims {
  /** bitnet-b1.58 when absent. */
  arch?: FamilyArch;
  embd: number;
  layers: number;
  heads: number;
  headsKv: number;
  ff: number;
  vocab: number;
  ctx: number;
  ropeFreqBase?: number;
  rmsEps?: number;
}

export const DIM_PRESETS: Record<'small' | 'medium' | '2b4t' | 'falcon3-1b' | 'llama3-8b' | 'falcon3-7b' | 'falcon3-10b' | 'bitnet-large', BitnetDims> = {
  small: { embd: 256, layers: 2, heads: 4, headsKv: 2, ff: 512, vocab: 1024, ctx: 4096 },
  medium: { embd: 512, layers: 4, heads: 8, headsKv: 2, ff: 1536, vocab: 4096, ctx: 4096 },
  '2b4t': { embd: 2560, layers: 30, heads: 20, headsKv: 5, ff: 6912, vocab: 128256, ctx: 4096 },
  // The published models' config.json values (bitnet-family.md section 3); context as in their repos.
  'falcon3-1b': { arch: 'llama', embd: 2048, layers: 18, heads: 8, headsKv: 4, ff: 8192, vocab: 131072, ctx: 8192, ropeFreqBase: 1000042, rmsEps: 1e-6 },
  'llama3-8b': { arch: 'llama', embd: 4096, layers: 32, heads: 32, headsKv: 8, ff: 14336, vocab: 128256, ctx: 8192, ropeFreqBase: 500000, rmsEps: 1e-5 },
  // Falcon3-7B / 10B-Instruct-1.58bit: the 10B is the 7B's 28 layers grown to 40 (same widths, head_dim 256).
  'falcon3-7b': { arch: 'llama', embd: 3072, layers: 28, heads: 12, headsKv: 4, ff: 23040, vocab: 131072, ctx: 32768, ropeFreqBase: 1000042, rmsEps: 1e-6 },
  'falcon3-10b': { arch: 'llama', embd: 3072, layers: 40, heads: 12, headsKv: 4, ff: 23040, vocab: 131072, ctx: 32768, ropeFreqBase: 1000042, rmsEps: 1e-6 },
  'bitnet-large': { arch: 'bitnet', embd: 1536, layers: 24, heads: 16, headsKv: 16, ff: 4096, vocab: 32002, ctx: 2048, ropeFreqBase: 10000, rmsEps: 1e-5 },
};

/** Token types as llama.cpp numbers them. */
export const TOKEN_TYPE_NORMAL = 1;
export const TOKEN_TYPE_CONTROL = 3;

export interface GgufTokenizerData {
  tokens: readonly string[];
  tokenTypes: Int32Array;
  merges: readonly string[];
  bosId: number;
  eosId: number;
}

function badDims(message: string): TritError {
  return new TritError('fixture-bad-dims', message, 'Choose dimensions where embd and ff are multiples of 128 and heads divide embd.');
}

export function validateDims(d: BitnetDims): void {
  for (const [k, v] of Object.entries(d)) {
    if (k !== 'ropeFreqBase' && k !== 'rmsEps' && k !== 'arch' && (!Number.isInteger(v) || v <= 0)) throw badDims(`${k} must be a positive integer, got ${v}.`);
  }
  if (d.embd % 128 !== 0 || d.ff % 128 !== 0) throw badDims(`embd (${d.embd}) and ff (${d.ff}) must be multiples of 128 for I2_S.`);
  if (d.embd % d.heads !== 0) throw badDims(`heads (${d.heads}) must divide embd (${d.embd}).`);
  if (d.heads % d.headsKv !== 0) throw badDims(`heads-kv (${d.headsKv}) must divide heads (${d.heads}).`);
}

/**
 * Names of Llama-3's 256 special tokens in the original Llama-3 numbering: index 0 begin_of_text, 1 end_of_text,
 * 6/7 start/end_header_id, 9 eot_id, every other index i is reserved_special_token_i.
 */
export function llama3StyleSpecialTokens(count: number): string[] {
  const named: Record<number, string> = { 0: 'begin_of_text', 1: 'end_of_text', 6: 'start_header_id', 7: 'end_header_id', 9: 'eot_id' };
  return Array.from({ length: count }, (_, i) => `<|${named[i] ?? `reserved_special_token_${i}`}|>`);
}

/** GPT-2's byte -> printable character mapping, in the order Llama-3 numbers its 256 byte tokens. */
export function gpt2ByteTokens(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const tokens = printable.map((b) => String.fromCodePoint(b));
  let next = 256;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) tokens.push(String.fromCodePoint(next++));
  return tokens;
}

const FIXTURE_MERGES = ['Ġ t', 'Ġ a', 'i n', 'h e', 't h', 'e r', 'o n', 'Ġ s'];

/** The synthetic fixtures' vocabulary: 256 byte tokens, 8 merges, filler tokens, and control tokens at the top. */
export function byteLevelFixtureVocab(vocabSize: number): GgufTokenizerData {
  const specialCount = Math.min(256, Math.max(16, Math.floor(vocabSize / 64)));
  const fillerCount = vocabSize - 256 - FIXTURE_MERGES.length - specialCount;
  if (fillerCount < 0) throw badDims(`vocab must be at least ${256 + FIXTURE_MERGES.length + specialCount}, got ${vocabSize}.`);
  const tokens = [
    ...gpt2ByteTokens(),
    ...FIXTURE_MERGES.map((m) => m.replace(' ', '')),
    ...Array.from({ length: fillerCount }, (_, i) => `<|syn_${i}|>`),
    ...llama3StyleSpecialTokens(specialCount),
  ];
  const tokenTypes = new Int32Array(vocabSize).fill(TOKEN_TYPE_NORMAL);
  tokenTypes.fill(TOKEN_TYPE_CONTROL, vocabSize - specialCount);
  const bosId = vocabSize - specialCount;
  return { tokens, tokenTypes, merges: FIXTURE_MERGES, bosId, eosId: bosId + 1 };
}

/** The real Llama-3 vocabulary (128,256 tokens, ~280k merges) as carried by the llama3-tokenizer-js package. */
export async function llama3Vocab(): Promise<GgufTokenizerData> {
  const { default: tokenizer } = await import('llama3-tokenizer-js');
  const tokens = tokenizer.vocabById;
  // The package's merge map is keyed "left right" and was filled in priority order, which is GGUF's merge order.
  const merges = [...tokenizer.merges.keys()];
  const bosId = tokenizer.getSpecialTokenId('<|begin_of_text|>');
  const tokenTypes = new Int32Array(tokens.length).fill(TOKEN_TYPE_NORMAL);
  tokenTypes.fill(TOKEN_TYPE_CONTROL, bosId);
  return { tokens, tokenTypes, merges, bosId, eosId: tokenizer.getSpecialTokenId('<|end_of_text|>') };
}

/** Tensor names, types and shapes of a model of d.arch: bitnet-b1.58 in the official file's order; llama with a
 * separate F16 output.weight and no sub-norms; bitnet with sub-norms and the head tied to token_embd. */
export function bitnetTensorSpecs(d: BitnetDims): { name: string; type: number; shape: number[] }[] {
  const kvDim = (d.embd / d.heads) * d.headsKv;
  const subNorms = d.arch !== 'llama';
  const specs: { name: string; type: number; shape: number[] }[] = [{ name: 'token_embd.weight', type: GgmlType.F16, shape: [d.embd, d.vocab] }];
  for (let l = 0; l < d.layers; l++) {
    const p = `blk.${l}.`;
    const f32 = (name: string, n: number) => ({ name: p + name, type: GgmlType.F32, shape: [n] });
    const i2s = (name: string, ne0: number, ne1: number) => ({ name: p + name, type: GgmlType.I2_S, shape: [ne0, ne1] });
    specs.push(f32('attn_norm.weight', d.embd), i2s('attn_q.weight', d.embd, d.embd), i2s('attn_k.weight', d.embd, kvDim),
      i2s('attn_v.weight', d.embd, kvDim), i2s('attn_output.weight', d.embd, d.embd));
    if (subNorms) specs.push(f32('attn_sub_norm.weight', d.embd));
    specs.push(f32('ffn_norm.weight', d.embd), i2s('ffn_gate.weight', d.embd, d.ff), i2s('ffn_up.weight', d.embd, d.ff),
      i2s('ffn_down.weight', d.ff, d.embd));
    if (subNorms) specs.push(f32('ffn_sub_norm.weight', d.ff));
  }
  specs.push({ name: 'output_norm.weight', type: GgmlType.F32, shape: [d.embd] });
  if (d.arch === 'llama') specs.push({ name: 'output.weight', type: GgmlType.F16, shape: [d.embd, d.vocab] });
  return specs;
}

/** Declares metadata and tensors of a model of d.arch on the writer (bitnet-b1.58: in the official file's order). A
 * chat template only where given (2B-4T's by default); `checkDims` false lets tests write shapes no engine can run. */
export function declareBitnetModel(writer: GgufWriter, d: BitnetDims, vocab: GgufTokenizerData, name: string,
  chatTemplate: string | undefined = d.arch && d.arch !== BITNET_ARCH ? undefined : BITNET_2B4T_CHAT_TEMPLATE, checkDims = true): void {
  if (checkDims) validateDims(d);
  if (vocab.tokens.length !== d.vocab) throw badDims(`vocab is ${d.vocab} but the tokenizer has ${vocab.tokens.length} tokens.`);
  const a = d.arch ?? BITNET_ARCH;
  writer
    .setMetadata('general.architecture', gguf.str(a))
    .setMetadata('general.name', gguf.str(name))
    .setMetadata(`${a}.vocab_size`, gguf.u32(d.vocab))
    .setMetadata(`${a}.context_length`, gguf.u32(d.ctx))
    .setMetadata(`${a}.embedding_length`, gguf.u32(d.embd))
    .setMetadata(`${a}.block_count`, gguf.u32(d.layers))
    .setMetadata(`${a}.feed_forward_length`, gguf.u32(d.ff));
  // 1bitLLM's converter writes no rope.dimension_count (n_rot defaults to head_dim).
  if (a !== 'bitnet') writer.setMetadata(`${a}.rope.dimension_count`, gguf.u32(d.embd / d.heads));
  writer
    .setMetadata(`${a}.attention.head_count`, gguf.u32(d.heads))
    .setMetadata(`${a}.attention.head_count_kv`, gguf.u32(d.headsKv))
    .setMetadata('tokenizer.ggml.add_bos_token', gguf.bool(true))
    .setMetadata(`${a}.attention.layer_norm_rms_epsilon`, gguf.f32(d.rmsEps ?? 1e-5))
    .setMetadata(`${a}.rope.freq_base`, gguf.f32(d.ropeFreqBase ?? 500000))
    .setMetadata('general.file_type', gguf.u32(FILE_TYPE_I2_S))
    .setMetadata('tokenizer.ggml.model', gguf.str('gpt2'))
    .setMetadata('tokenizer.ggml.tokens', gguf.strings(vocab.tokens))
    .setMetadata('tokenizer.ggml.scores', gguf.f32s(new Float32Array(d.vocab)))
    .setMetadata('tokenizer.ggml.token_type', gguf.i32s(vocab.tokenTypes))
    .setMetadata('tokenizer.ggml.merges', gguf.strings(vocab.merges))
    .setMetadata('tokenizer.ggml.bos_token_id', gguf.u32(vocab.bosId))
    .setMetadata('tokenizer.ggml.eos_token_id', gguf.u32(vocab.eosId));
  if (chatTemplate !== undefined) writer.setMetadata('tokenizer.chat_template', gguf.str(chatTemplate));
  writer.setMetadata('general.quantization_version', gguf.u32(2));
  for (const spec of bitnetTensorSpecs(d)) writer.addTensor(spec);
}

// ---------------------------------------------------------------------------------------------------------------------
// Deterministic random weights

/** xoshiro128** seeded through splitmix32: fast, 32-bit, identical on every platform. */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in (0, 1), never exactly 0 (Box-Muller takes its log). */
  uniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  normal(mean: number, std: number): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Byte for each of the 81 combinations of four codes 0..2 (codes are i.i.d., so their slot order does not matter). */
const FOUR_CODES_BYTE = Uint8Array.from({ length: 81 }, (_, d) => {
  const c = [Math.floor(d / 27), Math.floor(d / 9) % 3, Math.floor(d / 3) % 3, d % 3];
  return (c[0]! << 6) | (c[1]! << 4) | (c[2]! << 2) | c[3]!;
});
const POW81_5 = 81 ** 5;

const CHUNK_ELEMS = 1 << 20;

/** Uniform ternary codes packed directly as I2_S bytes, then the scale. */
function* randomI2s(rng: Rng, n: number, scale: number): Generator<Uint8Array> {
  let left = n / 4;
  while (left > 0) {
    const len = Math.min(left, CHUNK_ELEMS);
    const out = new Uint8Array(len);
    let i = 0;
    while (i < len) {
      let r = rng.nextU32();
      if (r >= POW81_5) continue; // rejection keeps the five base-81 digits exactly uniform
      for (let k = 0; k < 5 && i < len; k++) {
        out[i++] = FOUR_CODES_BYTE[r % 81]!;
        r = Math.floor(r / 81);
      }
    }
    left -= len;
    yield out;
  }
  const trailer = new Uint8Array(32);
  new DataView(trailer.buffer).setFloat32(0, scale, true);
  yield trailer;
}

/** `repeat`: one random block of CHUNK_ELEMS values written again and again (the --fast files). */
function* randomF16(rng: Rng, n: number, mean: number, std: number, repeat = false): Generator<Uint8Array> {
  let block: Uint8Array | undefined;
  for (let done = 0; done < n; done += CHUNK_ELEMS) {
    const len = Math.min(CHUNK_ELEMS, n - done);
    if (repeat && block) {
      yield block.subarray(0, len * 2);
      continue;
    }
    const vals = new Float32Array(len);
    for (let i = 0; i < vals.length; i++) vals[i] = rng.normal(mean, std);
    block = f16Bytes(vals);
    yield block;
  }
}

function randomF32(rng: Rng, n: number, mean: number, std: number): Uint8Array {
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) vals[i] = rng.normal(mean, std);
  return f32Bytes(vals);
}

export type SyntheticVocab = 'bytes' | 'llama3';

export interface SyntheticOptions {
  seed?: number;
  vocab?: SyntheticVocab;
  name?: string;
  /** F16 tensors repeat one random block of 2^20 values (embedding rows repeat every 2^20 / n_embd rows): minutes
   * instead of an hour for the 8B and 10B shapes, for memory and speed measurements, not for reference logits. */
  fast?: boolean;
}

/** Writes a synthetic model to any sink. Each tensor has its own random stream (seed, tensor index). */
export async function writeSyntheticModelTo(sink: ByteSink, dims: BitnetDims, options: SyntheticOptions = {}): Promise<number> {
  const seed = options.seed ?? 1;
  const vocab = options.vocab === 'llama3' ? await llama3Vocab() : byteLevelFixtureVocab(dims.vocab);
  if (options.vocab === 'llama3' && dims.vocab !== vocab.tokens.length) {
    throw badDims(`--vocab-llama3 needs vocab ${vocab.tokens.length}, got ${dims.vocab}.`);
  }
  const writer = new GgufWriter(sink);
  declareBitnetModel(writer, dims, vocab, options.name ?? `trit-synthetic-${dims.embd}x${dims.layers}`);
  await writer.writeHeader();
  const plans = writer.plannedTensors;
  for (let t = 0; t < plans.length; t++) {
    const plan = plans[t]!;
    const rng = new Rng((Math.imul(seed, 0x9e3779b1) + t * 0x632be5ab) >>> 0);
    const n = plan.shape.reduce((a, b) => a * b, 1);
    if (plan.type === GgmlType.I2_S) {
      // Uniform codes: 2/3 of the ne0 inputs are non-zero, so this scale keeps outputs at unit variance.
      await writer.writeTensorData(plan.name, randomI2s(rng, n, 1 / Math.sqrt((plan.shape[0]! * 2) / 3)));
    } else if (plan.type === GgmlType.F16) {
      await writer.writeTensorData(plan.name, randomF16(rng, n, 0, 0.0625, options.fast));
    } else {
      await writer.writeTensorData(plan.name, randomF32(rng, n, 1, 0.05));
    }
  }
  return writer.finish();
}

/** Node file sink: writes each chunk fully before resolving. */
export async function openFileSink(path: string): Promise<ByteSink & { close(): Promise<void> }> {
  const handle = await open(path, 'w');
  return {
    async write(bytes: Uint8Array) {
      let at = 0;
      while (at < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}

export async function writeSyntheticModel(path: string, dims: BitnetDims, options: SyntheticOptions = {}): Promise<number> {
  const sink = await openFileSink(path);
  try {
    return await writeSyntheticModelTo(sink, dims, options);
  } finally {
    await sink.close();
  }
}

/** Expected file size without writing anything (for progress and checks). */
export function syntheticModelTensorBytes(dims: BitnetDims): number {
  return bitnetTensorSpecs(dims).reduce((sum, s) => sum + tensorByteSize(s.type, s.shape), 0);
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv: string[]): { dims: BitnetDims; out: string; options: SyntheticOptions } {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new TritError('cli-bad-args', `Unexpected argument "${a}".`, 'Run with --dims small --out FILE.');
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { flags.set(a.slice(2), next); i++; } else flags.set(a.slice(2), true);
  }
  const preset = String(flags.get('dims') ?? 'small');
  if (!(preset in DIM_PRESETS)) throw new TritError('cli-bad-args', `Unknown --dims ${preset}.`, `Use one of ${Object.keys(DIM_PRESETS).join(', ')}.`);
  const dims = { ...DIM_PRESETS[preset as keyof typeof DIM_PRESETS] };
  const arch = flags.get('arch');
  if (arch !== undefined) {
    if (arch !== 'bitnet-b1.58' && arch !== 'llama' && arch !== 'bitnet') throw new TritError('cli-bad-args', `Unknown --arch ${String(arch)}.`, 'Use bitnet-b1.58, llama or bitnet.');
    dims.arch = arch;
  }
  const int = (flag: string): number | undefined => {
    const v = flags.get(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new TritError('cli-bad-args', `--${flag} needs an integer, got ${String(v)}.`, `Pass --${flag} N.`);
    return n;
  };
  dims.embd = int('embd') ?? dims.embd;
  dims.layers = int('layers') ?? dims.layers;
  dims.heads = int('heads') ?? dims.heads;
  dims.headsKv = int('heads-kv') ?? dims.headsKv;
  dims.ff = int('ff') ?? dims.ff;
  dims.ctx = int('ctx') ?? dims.ctx;
  const llama3 = flags.get('vocab-llama3') === true;
  dims.vocab = int('vocab') ?? (llama3 ? 128256 : dims.vocab);
  const out = flags.get('out');
  if (typeof out !== 'string') throw new TritError('cli-bad-args', 'Missing --out FILE.', 'Pass --out path/to/model.gguf.');
  const name = flags.get('name');
  return {
    dims,
    out,
    options: { seed: int('seed') ?? 1, vocab: llama3 ? 'llama3' : 'bytes', name: typeof name === 'string' ? name : `bitnet-${preset}-synthetic`, fast: flags.get('fast') === true },
  };
}

async function main(): Promise<void> {
  const { dims, out, options } = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const bytes = await writeSyntheticModel(out, dims, options);
  console.log(`wrote ${out}: ${bytes} bytes, ${JSON.stringify(dims)}, vocab ${options.vocab}, seed ${options.seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    const err = e as { message?: string; hint?: string };
    console.error(`error: ${err.message ?? String(e)}${err.hint ? `\n${err.hint}` : ''}`);
    process.exit(1);
  });
}
