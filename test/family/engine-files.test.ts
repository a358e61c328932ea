// Family files from their headers, written by the fixture writer at test time: the full-size shapes are planned
// honestly (separate output head, head_dim 256, MHA caches), and files no build of Trit can run are refused with what
// to do instead: TL1/TL2 weights, I2_S rows that are not whole 128-blocks (bitnet_b1_58-3B), unknown architectures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { MemoryOptions, WasmEngine } from '../../src/lib/engine/wasm-engine';
import { GgufWriter, MemorySink } from '../../tools/gguf/writer';
import { DIM_PRESETS, bitnetTensorSpecs, byteLevelFixtureVocab, declareBitnetModel, type BitnetDims, type FamilyArch } from '../../scripts/make-fixture';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 1 }); });
afterAll(() => engine?.unload());

function header(d: BitnetDims, checkDims = true): Uint8Array {
  const writer = new GgufWriter(new MemorySink());
  declareBitnetModel(writer, d, byteLevelFixtureVocab(d.vocab), 'synthetic', undefined, checkDims);
  return writer.headerBytes();
}

/** The engine's plan (or its refusal) for a header, as for the whole file it describes; by default as a stored model
 * loads (input rows read from the file). */
function plan(bytes: Uint8Array, nCtx: number, memory?: MemoryOptions) {
  const first = engine.inspect(bytes, { nCtx, memory });
  if (!first.complete) throw new Error('header incomplete');
  const last = first.tensors[first.tensors.length - 1]!;
  const planned = engine.inspect(bytes, { fileSize: first.headerBytes + last.offset + last.bytes, nCtx, memory });
  if (!planned.complete) throw new Error('header incomplete');
  return planned;
}

/** Byte offset of a tensor's ggml type in a header: after its name, n_dims and the dims. */
function typeOffset(bytes: Uint8Array, name: string, nDims: number): number {
  const at = Buffer.from(bytes).indexOf(Buffer.from(name, 'latin1'));
  expect(at).toBeGreaterThan(0);
  return at + name.length + 4 + 8 * nDims;
}

const parameters = (d: BitnetDims) => bitnetTensorSpecs(d).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);

describe('full-size family shapes are planned from their headers', () => {
  it('Falcon3-1B at 4096 tokens: head_dim 256, GQA 8/4, the separate output head counted', () => {
    const d = DIM_PRESETS['falcon3-1b'];
    const p = plan(header(d), 4096, { inputRowsFromFile: false });
    expect(p.planError).toBeUndefined();
    expect(p.plan!.parameters).toBe(parameters(d));
    expect(p.plan!.kvCache).toBe(2 * 18 * 4096 * (4 * 256) * 2);
    // Both F16 matrices become Q8 rows (1 byte per weight + a scale per 128), the embedding with a residual byte.
    const q8 = d.embd * d.vocab * (1 + 4 / 128);
    expect(p.plan!.weights).toBeGreaterThan(2 * q8 + d.embd * d.vocab);
    // Read from the file, the input embedding takes no memory at all: the output head is the lm_head.
    const fromFile = plan(header(d), 4096);
    expect(fromFile.plan!.weights).toBe(p.plan!.weights - q8 - d.embd * d.vocab);
    // Generating a token reads the output head, not the whole embedding.
    expect(p.plan!.weightBytesPerToken).toBeLessThan(p.plan!.weights - d.embd * d.vocab * 1.5);
  });

  it('bitnet_b1_58-large at 2048 tokens: MHA cache, head_dim 96, tied head', () => {
    const d = DIM_PRESETS['bitnet-large'];
    const p = plan(header(d), 2048);
    expect(p.planError).toBeUndefined();
    expect(p.plan!.parameters).toBe(parameters(d));
    expect(p.plan!.kvCache).toBe(2 * 24 * 2048 * 1536 * 2);
  });

  it('Llama3-8B with its embedding in memory: too big for one WebAssembly memory at 4096 tokens, refused with the number before any download', () => {
    const p = plan(header(DIM_PRESETS['llama3-8b']), 4096, { inputRowsFromFile: false });
    expect(p.planError?.code).toBe('out_of_memory');
    expect(p.planError?.message).toMatch(/needs \d+ MiB at a context of 4096 tokens/);
  });

  for (const preset of ['llama3-8b', 'falcon3-7b', 'falcon3-10b'] as const) {
    it(`${preset} with its input rows read from the file fits one tab at 4096 tokens (int8 KV) and 2048 (f16 KV)`, () => {
      for (const [nCtx, kvCache] of [[4096, 'int8'], [2048, 'f16']] as const) {
        const p = plan(header(DIM_PRESETS[preset]), nCtx, { kvCache });
        expect(p.planError).toBeUndefined();
        expect(p.plan!.total).toBeLessThan(3.5 * 2 ** 30);
      }
    });
  }
});

describe('files that cannot run are refused with what to do', () => {
  const small: BitnetDims = { arch: 'llama', embd: 512, layers: 1, heads: 2, headsKv: 1, ff: 512, vocab: 1024, ctx: 256 };

  for (const [type, label] of [[38, 'TL1'], [39, 'TL2']] as const) {
    it(`a ${label} file names the build it was made for and asks for the i2_s file`, () => {
      const bytes = header(small);
      new DataView(bytes.buffer).setUint32(typeOffset(bytes, 'blk.0.ffn_up.weight', 2), type, true);
      expect(() => engine.inspect(bytes)).toThrow(expect.objectContaining({
        code: 'unsupported_tensor_type',
        message: expect.stringMatching(new RegExp(`is ${label}: TL1/TL2 files are made for one bitnet.cpp build.*use the i2_s file`)),
      }));
    });
  }

  it("bitnet_b1_58-3B's shape (a feed-forward not a multiple of 128) is refused, saying the reference gets it wrong too", () => {
    // 3B's n_ff is 8640 = 67.5 * 128; 320 = 2.5 * 128 is the same case at test size (the flattened tensors still fill
    // whole 128-blocks, as bitnet.cpp's quantizer writes them).
    const p = plan(header({ ...small, arch: 'bitnet', ff: 320 }, false), 256);
    expect(p.planError?.code).toBe('unsupported_model');
    expect(p.planError?.message).toMatch(/unsupported I2_S shape: tensor 'blk\.0\.ffn_down\.weight' has rows of 320 values/);
    expect(p.planError?.message).toMatch(/even bitnet\.cpp computes such a file wrongly/);
  });

  it('an unknown architecture is named', () => {
    const p = plan(header({ ...small, arch: 'qwen2' as FamilyArch }), 256);
    expect(p.planError?.code).toBe('unsupported_architecture');
    expect(p.planError?.message).toMatch(/architecture 'qwen2' is not supported/);
  });

  it('the same small shapes as llama and bitnet files do plan (the refusals above are about what they change)', () => {
    expect(plan(header(small), 256).planError).toBeUndefined();
    expect(plan(header({ ...small, arch: 'bitnet' }), 256).planError).toBeUndefined();
  });
});
