// I2_S and Q8 kernels: SIMD (matrix-vector and matrix-matrix) equal the scalar reference bit for bit, the scalar reference
// equals the integer formula of docs/bitnet-gguf.md, and the threaded self-test really uses the threads asked for.
// The I2_S SIMD kernel differs between the two builds (table kernel on SIMD128, dot kernel on relaxed SIMD): every
// I2_S test runs on both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, nodeSimdLevel } from '../../src/lib/engine/node';
import type { SimdLevel } from '../../src/lib/engine/protocol';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { rng } from './helpers';
import { f16BitsToF32 as fromF16, f32ToF16Bits as toF16 } from '../../tools/gguf/writer';

// The relaxed build starts with the form of its dot kernel it timed fastest on this CPU.
const builds: [SimdLevel, string[]][] = [['simd128', ['table']], ['relaxed', ['relaxed-dot', 'relaxed-dot-add']]];
const engines = new Map<SimdLevel, WasmEngine>();
let engine: WasmEngine;  // the build Node picks by default, for the kernels both builds share
beforeAll(async () => {
  for (const [simd] of builds) engines.set(simd, await createNodeEngine({ threads: 2, simd }));
  engine = engines.get(nodeSimdLevel())!;
});
afterAll(() => engines.forEach((e) => e.unload()));

function randomCase(seed: number, ne0: number, ne1: number, nTokens: number) {
  const next = rng(seed);
  const w = new Uint8Array((ne0 * ne1) / 4);
  for (let i = 0; i < w.length; i++) w[i] = next() & 0xff;
  const q = new Int8Array(ne0 * nTokens);
  for (let i = 0; i < q.length; i++) q[i] = (next() & 0xff) - 128;
  // Extremes the kernels must handle without i16 overflow.
  q.fill(-128, 0, Math.min(q.length, 256));
  const scales = Float32Array.from({ length: nTokens }, () => 0.5 + (next() % 1000) / 100);
  const sums = Int32Array.from({ length: nTokens }, (_, t) => q.subarray(t * ne0, (t + 1) * ne0).reduce((a, b) => a + b, 0));
  return { w, q, scales, sums };
}

/** The doc's formula, independently: code of element f, acc = sum code*q, y = ((acc - Q) / s) * 1. */
function formula(w: Uint8Array, ne0: number, ne1: number, q: Int8Array, scales: Float32Array, sums: Int32Array): Float32Array {
  const nTokens = scales.length;
  const y = new Float32Array(nTokens * ne1);
  for (let t = 0; t < nTokens; t++) {
    for (let m = 0; m < ne1; m++) {
      let acc = 0;
      for (let k = 0; k < ne0; k++) {
        const f = m * ne0 + k, block = Math.floor(f / 128), j = f % 128;
        const code = (w[block * 32 + (j % 32)] >> (6 - 2 * Math.floor(j / 32))) & 3;
        acc += code * q[t * ne0 + k];
      }
      y[t * ne1 + m] = Math.fround(Math.fround(Math.fround(acc) - Math.fround(sums[t])) / scales[t]);
    }
  }
  return y;
}

/** Every form of the build's I2_S kernel: the relaxed build's dot kernel in i16 lanes (0) and as the i32 dot-add (1),
 * whichever this CPU would pick; the table build's one. */
const kernelForms = (simd: SimdLevel): (0 | 1 | undefined)[] => (simd === 'relaxed' ? [0, 1] : [undefined]);

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe.each(builds)('I2_S kernels, %s build', (simd, kernelNames) => {
  let engine: WasmEngine;
  beforeAll(() => { engine = engines.get(simd)!; });

  it(`has the ${kernelNames.join(' or ')} kernel`, () => {
    expect(kernelNames).toContain(engine.i2sKernel());
  });

  it('times the forms of its kernel and keeps the fastest exact one: the i16 one unless the dot-add is clearly faster', () => {
    const { kernel, forms } = engine.chooseI2sKernel();
    expect(engine.i2sKernel()).toBe(kernel);
    if (simd === 'simd128') {
      expect({ kernel, forms }).toEqual({ kernel: 'table', forms: [] });
      expect(() => engine.useI2sKernelForm(1)).toThrow(/no I2_S kernel form 1/);
      return;
    }
    expect(forms).toHaveLength(2);
    for (const f of forms) expect(f.gmacs).toBeGreaterThan(0.05);
    // Both forms agreed with each other bit for bit (an engine that computed one wrongly would never run it).
    expect(forms.map((f) => f.exact)).toEqual([true, true]);
    expect(kernel).toBe(forms[1].gmacs * 0.9 > forms[0].gmacs ? 'relaxed-dot-add' : 'relaxed-dot');
    engine.useI2sKernelForm(1);
    expect(engine.i2sKernel()).toBe('relaxed-dot-add');
    engine.useI2sKernelForm(0);
    expect(engine.i2sKernel()).toBe('relaxed-dot');
  });

  it('scalar reference matches the integer formula of the format doc', () => {
    const { w, q, scales, sums } = randomCase(7, 256, 6, 3);
    const scalar = engine.kernelI2s('scalar', w, 256, 6, q, scales, sums);
    expect(bytesOf(scalar).equals(bytesOf(formula(w, 256, 6, q, scales, sums)))).toBe(true);
  });

  const shapes: [number, number, number][] = [[128, 1, 1], [256, 7, 1], [896, 33, 1], [2560, 64, 1], [6912, 16, 1],
    [128, 5, 3], [384, 17, 4], [1024, 9, 5], [2560, 12, 9], [6912, 6, 64],
    // Several 16-row tiles: odd tile counts, a partial last tile, odd token counts, more than one 256-row block.
    [256, 48, 3], [512, 80, 7], [6912, 32, 4], [128, 16 * 17 + 5, 2], [2560, 640, 1]];
  for (const [ne0, ne1, nTokens] of shapes) {
    it(`SIMD matvec and matmul equal scalar bit for bit: ${ne0}x${ne1}, ${nTokens} token(s)`, () => {
      const { w, q, scales, sums } = randomCase(ne0 * 31 + ne1 * 7 + nTokens, ne0, ne1, nTokens);
      const scalar = bytesOf(engine.kernelI2s('scalar', w, ne0, ne1, q, scales, sums));
      // Both forms of the relaxed build's dot kernel (i16 lanes, i32 dot-add), whichever this CPU would pick.
      for (const form of kernelForms(simd)) {
        if (form !== undefined) engine.useI2sKernelForm(form);
        for (const threads of [1, 2]) {
          expect(bytesOf(engine.kernelI2s('simd-matvec', w, ne0, ne1, q, scales, sums, threads)).equals(scalar)).toBe(true);
          expect(bytesOf(engine.kernelI2s('simd-matmul', w, ne0, ne1, q, scales, sums, threads)).equals(scalar)).toBe(true);
        }
      }
      if (simd === 'relaxed') engine.useI2sKernelForm(0);
    });
  }

  it('SIMD kernels stay exact at the largest products over rows longer than one accumulation run', () => {
    // All codes 3 (the largest code) against all activations -128: every i16 step is at its extreme (a table lookup
    // of -512, so a run of 64 pairs reaches exactly the i16 minimum; a relaxed dot of -768, 32 per run), over rows of
    // many runs; 37 rows = two full tiles and a partial one.
    const ne0 = 258 * 128, ne1 = 37, nTokens = 5;
    const w = new Uint8Array((ne0 * ne1) / 4).fill(0xff);
    const q = new Int8Array(ne0 * nTokens).fill(-128);
    const scales = new Float32Array(nTokens).fill(1);
    const sums = new Int32Array(nTokens).fill(-128 * ne0);
    // acc = 3 * -128 * ne0, so y = acc - Q = 2 * -128 * ne0 exactly.
    const expected = new Float32Array(nTokens * ne1).fill(2 * -128 * ne0);
    const r = randomCase(4242, ne0, 35, 5);
    const scalar = bytesOf(engine.kernelI2s('scalar', r.w, ne0, 35, r.q, r.scales, r.sums));
    for (const form of kernelForms(simd)) {
      if (form !== undefined) engine.useI2sKernelForm(form);
      for (const kernel of ['scalar', 'simd-matvec', 'simd-matmul'] as const) {
        expect(Array.from(engine.kernelI2s(kernel, w, ne0, ne1, q, scales, sums, 2))).toEqual(Array.from(expected));
      }
      // And random data over the same long rows, bit for bit.
      expect(bytesOf(engine.kernelI2s('simd-matvec', r.w, ne0, 35, r.q, r.scales, r.sums, 2)).equals(scalar)).toBe(true);
      expect(bytesOf(engine.kernelI2s('simd-matmul', r.w, ne0, 35, r.q, r.scales, r.sums, 2)).equals(scalar)).toBe(true);
    }
    if (simd === 'relaxed') engine.useI2sKernelForm(0);
  });

  it('activation quantization agrees with the reference arithmetic on long random rows (SIMD body and tail)', () => {
    const next = rng(321);
    for (const n of [2560, 6912, 1001]) {
      const x = Float32Array.from({ length: n }, () => ((next() % 200001) - 100000) / 7919);
      const { q, scale, sum } = engine.quantizeRow(x);
      const amax = Math.max(1e-5, ...Array.from(x, Math.abs));
      const s = Math.fround(127 / amax);
      expect(scale).toBe(s);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = Math.fround(x[i] * s);
        const r = Math.abs(p - Math.trunc(p)) === 0.5 ? 2 * Math.round(p / 2) : Math.round(p);
        const expected = Math.max(-128, Math.min(127, r));
        if (q[i] !== expected) expect({ i, got: q[i] }).toEqual({ i, got: expected });
        total += expected;
      }
      expect(sum).toBe(total);
    }
  });

  it('activation quantization follows the reference: absmax, round half to even, clamp, sum', () => {
    const x = new Float32Array([0.5, -1, 0.25, 0.0039370079, -0.0039370079 * 3, 1e-9, 0.75]);
    const { q, scale, sum } = engine.quantizeRow(x);
    expect(scale).toBe(Math.fround(127 / 1));
    const expected = Array.from(x, (v) => {
      const p = Math.fround(v * scale);
      const r = Math.abs(p - Math.trunc(p)) === 0.5 ? 2 * Math.round(p / 2) : Math.round(p);
      return Math.max(-128, Math.min(127, r));
    });
    expect(Array.from(q)).toEqual(expected);
    expect(sum).toBe(expected.reduce((a, b) => a + b, 0));
    // 63.5 rounds to 64 and 0.5 to 0 (ties to even).
    const ties = engine.quantizeRow(new Float32Array([1, 0.5, 0.5 / 127]));
    expect(Array.from(ties.q)).toEqual([127, 64, 0]);
    // All-zero input: the amax floor keeps the scale finite.
    expect(engine.quantizeRow(new Float32Array(8)).scale).toBe(Math.fround(127 / 1e-5));
  });

  it('chunked attention over the f16 cache equals softmax attention, whatever the chunking', () => {
    const next = rng(2024);
    const uniform = () => ((next() % 20001) - 10000) / 10000;
    // Head blocks of 4, 4 + 3 and 1 (register kernels) and a head_dim that is not a multiple of 8 (plain loops).
    for (const [group, headDim, nKeys] of [[4, 128, 700], [7, 16, 90], [2, 22, 300], [1, 8, 1]] as const) {
      const q = Float32Array.from({ length: group * headDim }, () => uniform() * 3);
      const k = Uint16Array.from({ length: nKeys * headDim }, () => toF16(uniform() * 2));
      const v = Uint16Array.from({ length: nKeys * headDim }, () => toF16(uniform()));
      // Float64 reference.
      const expected = new Float64Array(group * headDim);
      for (let g = 0; g < group; g++) {
        const scores = Array.from({ length: nKeys }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[g * headDim + d] * fromF16(k[j * headDim + d]);
          return dot / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const weights = scores.map((s) => Math.exp(s - max));
        const total = weights.reduce((a, b) => a + b, 0);
        for (let j = 0; j < nKeys; j++)
          for (let d = 0; d < headDim; d++) expected[g * headDim + d] += (weights[j] / total) * fromF16(v[j * headDim + d]);
      }
      const results = [256, 7, 1].map((chunk) => engine.kernelAttention(q, group, headDim, k, v, chunk));
      for (const got of results)
        for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(2e-5);
    }
  });

  it('KV cache f16 rounding: nearest even, subnormals, overflow to infinity (against the fixture writer)', () => {
    const next = rng(77);
    const special = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e6, 2 ** -14, 2 ** -24, 2 ** -25, 2 ** -25 * 1.0001,
      3 * 2 ** -26, 5.960464477539063e-8, 6.097555160522461e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity];
    const random = Array.from({ length: 20000 }, () => {
      const u = new Uint32Array([next() >>> 0]);
      return new Float32Array(u.buffer)[0];
    }).filter((v) => !Number.isNaN(v));
    const x = Float32Array.from([...special, ...random]);
    const got = engine.roundF16(x);
    for (let i = 0; i < x.length; i++) {
      const want = toF16(x[i]);
      if (got[i] !== want) expect({ x: x[i], got: got[i] }).toEqual({ x: x[i], got: want });
    }
    expect(got[x.length - random.length - 1] & 0x7fff).toBe(0x7c00);
  });

  it('Q8 lm_head: SIMD equals scalar bit for bit (subnormals, negatives, 4-row blocks and tails)', () => {
    const next = rng(99);
    const ne0 = 2560, ne1 = 11;
    const w = Uint16Array.from({ length: ne0 * ne1 }, (_, i) => (i % 97 === 0 ? next() & 0x83ff : next() & 0xbfff));
    const x = Float32Array.from({ length: ne0 }, () => ((next() % 2001) - 1000) / 100);
    const simd = engine.kernelQ8('simd', w, ne0, ne1, x);
    const scalar = engine.kernelQ8('scalar', w, ne0, ne1, x);
    expect(bytesOf(simd).equals(bytesOf(scalar))).toBe(true);
    expect(scalar.some((v) => v !== 0)).toBe(true);
  });

  it('Q8 lm_head stays within its quantization bound of the exact F16 product', () => {
    // Embedding-like weights N(0, 0.25) and a normalized hidden state: the error is at most half a step of each
    // block's weights (amax / 254) and of x (amax / 65534) per product; measured far below that bound.
    const next = rng(5);
    const gauss = () => { let s = 0; for (let i = 0; i < 12; i++) s += (next() % 10000) / 10000; return s - 6; };
    const ne0 = 2560, ne1 = 37;
    const f32 = Float32Array.from({ length: ne0 * ne1 }, () => gauss() * 0.25);
    const w = Uint16Array.from(f32, (v) => toF16(v));
    const x = Float32Array.from({ length: ne0 }, () => gauss() * 2);
    const y = engine.kernelQ8('simd', w, ne0, ne1, x);
    let worst = 0, sumSquares = 0;
    for (let m = 0; m < ne1; m++) {
      let exact = 0, bound = 0;
      for (let b = 0; b < ne0 / 128; b++) {
        let amax = 0;
        for (let k = b * 128; k < (b + 1) * 128; k++) amax = Math.max(amax, Math.abs(fromF16(w[m * ne0 + k])));
        for (let k = b * 128; k < (b + 1) * 128; k++) bound += (amax / 254) * Math.abs(x[k]);
      }
      for (let k = 0; k < ne0; k++) exact += fromF16(w[m * ne0 + k]) * x[k];
      expect(Math.abs(y[m] - exact)).toBeLessThanOrEqual(bound * 1.01 + 1e-3);
      worst = Math.max(worst, Math.abs(y[m] - exact));
      sumSquares += exact * exact;
    }
    // Random rounding errors add up like a random walk: about 1% of the logits' spread, not the worst-case bound.
    expect(worst).toBeLessThan(0.03 * Math.sqrt(sumSquares / ne1));
  });

  it('Q8 conversion turns blocks with an infinity or NaN into zeros instead of trapping', () => {
    const ne0 = 256, ne1 = 2;
    const w = new Uint16Array(ne0 * ne1).fill(0x3c00); // 1.0
    w[5] = 0x7e00; // NaN in block 0 of row 0
    w[ne0 + 200] = 0x7c00; // +inf in block 1 of row 1
    const x = new Float32Array(ne0).fill(1);
    const y = engine.kernelQ8('simd', w, ne0, ne1, x);
    expect(Array.from(y)).toEqual([128, 128]);
  });
});

describe.each(builds)('thread probe, %s build', (simd) => {
  it('times generation\'s kernel on each thread count, refuses bad use, and a second probe takes no more memory', () => {
    const engine = engines.get(simd)!;
    expect(() => engine.openThreadProbe(1 << 30, 1)).toThrow(expect.objectContaining({ code: 'bad_argument' }));
    const probe = engine.openThreadProbe(8 << 20, 1);
    for (const threads of [1, 2, 2, 1]) {
      const ms = probe.time(threads);
      expect(ms).toBeGreaterThan(0);
      expect(Number.isFinite(ms)).toBe(true);
    }
    probe.close();
    expect(() => probe.time(1)).toThrow(expect.objectContaining({ code: 'bad_state' }));
    // The matrices are freed: the next probe reuses their memory instead of growing the heap.
    const heap = engine.memoryStats().heapBytes;
    const again = engine.openThreadProbe(8 << 20, 1);
    again.time(2);
    again.close();
    expect(engine.memoryStats().heapBytes).toBe(heap);
  });
});

describe.each(builds)('self-test, %s build', (simd) => {
  let engine: WasmEngine;
  beforeAll(() => { engine = engines.get(simd)!; });

  for (const threads of [1, 2]) {
    it(`runs SIMD vs scalar over 16 MiB on ${threads} thread(s) and reports the threads really used`, async () => {
      const progress: number[] = [];
      const r = await engine.selfTest({ bytes: 16 << 20, threads, onProgress: (p) => progress.push(p.done) });
      expect(r.ok).toBe(true);
      expect(r.threadsUsed).toBe(threads);
      expect(r.bytes).toBe(16 << 20);
      expect(progress).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    });
  }

  it('stops between pieces when cancelled', async () => {
    const controller = new AbortController();
    const run = engine.selfTest({ bytes: 16 << 20, threads: 2, signal: controller.signal, onProgress: (p) => { if (p.done === 3) controller.abort(); } });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    // Still usable afterwards.
    expect((await engine.selfTest({ bytes: 4 << 20, threads: 2 })).ok).toBe(true);
  });
});
