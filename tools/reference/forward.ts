/**
 * A plain, unoptimised TypeScript forward pass of a bitnet-b1.58 GGUF, following docs/bitnet-gguf.md step by step.
 * Used to check the committed demo model (the export, its packing, its metadata) against the training framework's
 * logits without depending on the wasm engine. Not for production: it recomputes every position on every call.
 */
import { GgmlType } from '../gguf/format';
import { f16BitsToF32, i2sUnpack } from '../gguf/writer';
import { readGguf, type GgufTensorEntry } from '../gguf/reader';

type TensorInfo = GgufTensorEntry;

export interface ParsedModel {
  kv: Map<string, unknown>;
  tensors: Map<string, TensorInfo>;
  dataStart: number;
  bytes: Uint8Array;
}

/** The header (tensor data is sliced on demand), keyed for lookups. */
export function parseModel(bytes: Uint8Array): ParsedModel {
  const file = readGguf(bytes);
  return {
    kv: new Map(file.kv.map(([k, , v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    tensors: new Map(file.tensors.map((t) => [t.name, t])),
    dataStart: file.dataStart,
    bytes,
  };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Ternary { codes: Int8Array; scale: number; nIn: number; nOut: number }

export class ReferenceModel {
  private readonly m: ParsedModel;
  readonly embd: number;
  readonly vocab: number;
  private readonly layers: number;
  private readonly heads: number;
  private readonly headsKv: number;
  private readonly ff: number;
  private readonly eps: number;
  private readonly ropeBase: number;
  private readonly embedding: Float32Array;
  private readonly cache = new Map<string, Ternary | Float32Array>();

  constructor(bytes: Uint8Array) {
    this.m = parseModel(bytes);
    const a = String(this.m.kv.get('general.architecture'));
    const num = (k: string) => this.m.kv.get(`${a}.${k}`) as number;
    this.embd = num('embedding_length');
    this.layers = num('block_count');
    this.heads = num('attention.head_count');
    this.headsKv = num('attention.head_count_kv');
    this.ff = num('feed_forward_length');
    this.eps = num('attention.layer_norm_rms_epsilon');
    this.ropeBase = num('rope.freq_base');
    this.vocab = num('vocab_size');
    const t = this.tensor('token_embd.weight');
    if (t.info.type !== GgmlType.F16) throw new Error('expected an F16 embedding');
    const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    this.embedding = Float32Array.from({ length: this.embd * this.vocab }, (_, i) => f16BitsToF32(dv.getUint16(i * 2, true)));
  }

  get metadata(): Map<string, unknown> { return this.m.kv; }

  private tensor(name: string): { info: TensorInfo; data: Uint8Array } {
    const info = this.m.tensors.get(name);
    if (!info) throw new Error(`missing tensor ${name}`);
    const start = this.m.dataStart + info.offset;
    return { info, data: this.m.bytes.subarray(start, this.m.bytes.length) };
  }

  private f32(name: string): Float32Array {
    let v = this.cache.get(name);
    if (!v) {
      const { info, data } = this.tensor(name);
      v = new Float32Array(data.slice(0, info.shape[0]! * 4).buffer);
      this.cache.set(name, v);
    }
    return v as Float32Array;
  }

  private ternary(name: string): Ternary {
    let v = this.cache.get(name);
    if (!v) {
      const { info, data } = this.tensor(name);
      const [nIn, nOut] = info.shape as [number, number];
      const { codes, scale } = i2sUnpack(data, nIn * nOut);
      v = { codes, scale, nIn, nOut };
      this.cache.set(name, v);
    }
    return v as Ternary;
  }

  /** I2_S matrix-vector product exactly as the doc's integer formula. */
  private bitLinear(name: string, x: Float32Array): Float32Array {
    const w = this.ternary(name);
    let amax = 0;
    for (const v of x) amax = Math.max(amax, Math.abs(v));
    amax = Math.max(amax, 1e-5);
    const s = Math.fround(127 / amax);
    const q = new Int32Array(w.nIn);
    for (let i = 0; i < w.nIn; i++) q[i] = Math.min(127, Math.max(-128, roundHalfEven(Math.fround(x[i]! * s))));
    const y = new Float32Array(w.nOut);
    for (let r = 0; r < w.nOut; r++) {
      let dot = 0; // = acc - Q of the doc, exact in integers
      const base = r * w.nIn;
      for (let k = 0; k < w.nIn; k++) dot += w.codes[base + k]! * q[k]!;
      y[r] = Math.fround(Math.fround(dot / s) * w.scale);
    }
    return y;
  }

  private rmsNorm(x: Float32Array, weight: Float32Array): Float32Array {
    let ss = 0;
    for (const v of x) ss += v * v;
    const scale = Math.fround(1 / Math.sqrt(Math.fround(ss / x.length + this.eps)));
    return x.map((v, i) => v * scale * weight[i]!);
  }

  private rope(v: Float32Array, pos: number, nHeads: number): void {
    const hd = this.embd / this.heads;
    const half = hd / 2;
    for (let h = 0; h < nHeads; h++) {
      for (let i = 0; i < half; i++) {
        const theta = pos * Math.pow(this.ropeBase, (-2 * i) / hd);
        const c = Math.cos(theta), s = Math.sin(theta);
        const a = v[h * hd + i]!, b = v[h * hd + i + half]!;
        v[h * hd + i] = a * c - b * s;
        v[h * hd + i + half] = b * c + a * s;
      }
    }
  }

  /** Logits for every position of ids ([ids.length][vocab], row-major). */
  logits(ids: readonly number[]): Float32Array {
    const E = this.embd, H = this.heads, KV = this.headsKv, hd = E / H, T = ids.length;
    let xs = ids.map((id) => this.embedding.slice(id * E, (id + 1) * E));
    for (let l = 0; l < this.layers; l++) {
      const p = `blk.${l}.`;
      const qs: Float32Array[] = [], ks: Float32Array[] = [], vs: Float32Array[] = [];
      for (let t = 0; t < T; t++) {
        const h = this.rmsNorm(xs[t]!, this.f32(`${p}attn_norm.weight`));
        const q = this.bitLinear(`${p}attn_q.weight`, h);
        const k = this.bitLinear(`${p}attn_k.weight`, h);
        this.rope(q, t, H);
        this.rope(k, t, KV);
        qs.push(q); ks.push(k); vs.push(this.bitLinear(`${p}attn_v.weight`, h));
      }
      xs = xs.map((x, t) => {
        const att = new Float32Array(E);
        for (let h = 0; h < H; h++) {
          const kvh = Math.floor(h / (H / KV));
          const scores = Array.from({ length: t + 1 }, (_, j) => {
            let d = 0;
            for (let i = 0; i < hd; i++) d += qs[t]![h * hd + i]! * ks[j]![kvh * hd + i]!;
            return d / Math.sqrt(hd);
          });
          const mx = Math.max(...scores);
          const ex = scores.map((s) => Math.exp(s - mx));
          const sum = ex.reduce((a, b) => a + b, 0);
          for (let j = 0; j <= t; j++) for (let i = 0; i < hd; i++) att[h * hd + i]! += (ex[j]! / sum) * vs[j]![kvh * hd + i]!;
        }
        const o = this.bitLinear(`${p}attn_output.weight`, this.rmsNorm(att, this.f32(`${p}attn_sub_norm.weight`)));
        const x1 = x.map((v, i) => v + o[i]!);
        const hn = this.rmsNorm(x1, this.f32(`${p}ffn_norm.weight`));
        const g = this.bitLinear(`${p}ffn_gate.weight`, hn);
        const u = this.bitLinear(`${p}ffn_up.weight`, hn);
        const f = g.map((gv, i) => Math.max(gv, 0) ** 2 * u[i]!);
        const d = this.bitLinear(`${p}ffn_down.weight`, this.rmsNorm(f, this.f32(`${p}ffn_sub_norm.weight`)));
        return x1.map((v, i) => v + d[i]!);
      });
    }
    const out = new Float32Array(T * this.vocab);
    xs.forEach((x, t) => {
      const h = this.rmsNorm(x, this.f32('output_norm.weight'));
      for (let v = 0; v < this.vocab; v++) {
        let d = 0;
        for (let i = 0; i < E; i++) d += h[i]! * this.embedding[v * E + i]!;
        out[t * this.vocab + v] = d;
      }
    });
    return out;
  }

  /** Greedy continuation until the stop token (or maxNew tokens). */
  greedy(prompt: readonly number[], stopId: number, maxNew: number): number[] {
    const ids = [...prompt];
    const out: number[] = [];
    for (let n = 0; n < maxNew; n++) {
      const logits = this.logits(ids).subarray((ids.length - 1) * this.vocab);
      let best = 0;
      for (let v = 1; v < this.vocab; v++) if (logits[v]! > logits[best]!) best = v;
      if (best === stopId) break;
      out.push(best);
      ids.push(best);
    }
    return out;
  }
}
