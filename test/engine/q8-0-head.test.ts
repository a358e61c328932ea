// A Q8_0 output.weight (some Falcon files ship one): converted while streaming into the lm_head's int8 rows. The
// kernel against the exact product of the Q8_0 values (scalar, in JS), and a whole family file whose head is Q8_0
// against bitnet.cpp's logits for the same file with an F16 head.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { f16BitsToF32, f32ToF16Bits } from '../../tools/gguf/writer';
import { readGguf } from '../../tools/gguf/reader';
import { FAMILY_MODELS, compareWithReference, evalSequentialAndBatch, fixtureBytes } from './helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

/** ggml's quantize_row_q8_0 (reference): per 32 values d = amax / 127 (stored as f16), q = round(x / d). */
function toQ8_0(values: Float32Array): Uint8Array {
  const out = new Uint8Array((values.length / 32) * 34);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < values.length / 32; b++) {
    const block = values.subarray(b * 32, b * 32 + 32);
    const amax = block.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const d = amax / 127, id = d ? 1 / d : 0;
    dv.setUint16(b * 34, f32ToF16Bits(d), true);
    block.forEach((v, i) => dv.setInt8(b * 34 + 2 + i, Math.round(v * id)));
  }
  return out;
}

function fromQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: n }, (_, k) => f16BitsToF32(dv.getUint16(Math.floor(k / 32) * 34, true)) * dv.getInt8(Math.floor(k / 32) * 34 + 2 + (k % 32)));
}

describe('Q8_0 lm_head', () => {
  it('streams in any pieces and stays within the int8 rows\' bound of the exact Q8_0 product', () => {
    let seed = 3;
    const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff - 0.5; };
    const ne0 = 2560, ne1 = 29;
    const w = toQ8_0(Float32Array.from({ length: ne0 * ne1 }, () => rand() * 0.5));
    const values = fromQ8_0(w, ne0 * ne1);
    const x = Float32Array.from({ length: ne0 }, () => rand() * 4);
    const whole = engine.kernelQ8_0(w, ne0, ne1, w.length, x);
    for (const piece of [1, 33, 4099]) expect(Array.from(engine.kernelQ8_0(w, ne0, ne1, piece, x))).toEqual(Array.from(whole));
    const xmax = x.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    for (let m = 0; m < ne1; m++) {
      let exact = 0, bound = 0;
      for (let b = 0; b < ne0 / 128; b++) {
        let amax = 0;
        for (let k = b * 128; k < (b + 1) * 128; k++) amax = Math.max(amax, Math.abs(values[m * ne0 + k]));
        // Half a step of the 128-block's int8 rows, and half a step of x's i16 quantization, per product.
        for (let k = b * 128; k < (b + 1) * 128; k++) bound += (amax / 254) * Math.abs(x[k]) + amax * (xmax / 65534);
      }
      for (let k = 0; k < ne0; k++) exact += values[m * ne0 + k] * x[k];
      expect(Math.abs(whole[m] - exact)).toBeLessThanOrEqual(bound);
      expect(whole[m]).not.toBe(0);
    }
  });

  it('a Falcon3 file whose output.weight is Q8_0 loads and passes the reference criterion', async () => {
    const model = FAMILY_MODELS.falcon3;
    const bytes = fixtureBytes(`family/${model.file}`);
    const file = readGguf(bytes);
    const output = file.tensors.find((t) => t.name === 'output.weight')!;
    const n = output.shape[0] * output.shape[1];
    const at = file.dataStart + output.offset;
    const f16 = new Uint16Array(bytes.slice(at, at + n * 2).buffer);
    const q8 = toQ8_0(Float32Array.from(f16, f16BitsToF32));
    // Same offsets: the Q8_0 bytes take the front of the F16 tensor's place, the rest is a gap the loader skips; the
    // tensor info's type field (after name, n_dims and two dims) says Q8_0.
    const patched = bytes.slice();
    patched.set(q8, at);
    const nameAt = Buffer.from(patched).indexOf(Buffer.from('output.weight', 'latin1'));
    new DataView(patched.buffer).setUint32(nameAt + 'output.weight'.length + 4 + 16, 8, true);
    const { info } = await engine.loadModel({ chunks: [patched], size: patched.length }, { nCtx: 256 });
    expect(info.plan.weights).toBeGreaterThan(0);
    for (const c of compareWithReference(evalSequentialAndBatch(engine, model.input_ids, model.vocab_size), model, 'family/')) {
      console.log(`falcon3 with a Q8_0 head: corr>=${c.minCorrelation.toFixed(5)} maxdiff=${c.maxAbsDiff.toFixed(4)}`);
      expect(c.minCorrelation).toBeGreaterThanOrEqual(0.998);
      expect(c.maxAbsDiff).toBeLessThanOrEqual(0.35);
      expect(c.top1Mismatches).toEqual([]);
    }
    engine.unload();
  });
});
