/**
 * A streaming GGUF v3 writer: the header is built in memory (metadata can be a few MB for a Llama-3 vocabulary), tensor
 * data goes to the sink one tensor (or one chunk) at a time, so files larger than memory can be written.
 * Also the ternary I2_S packing and f32 -> f16 conversion that the writer's callers need.
 * Platform-neutral: a sink is anything with write(bytes); Node's file sink lives in scripts/make-fixture.ts.
 */
import {
  GGUF_ALIGNMENT_KEY,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC_BYTES,
  GGUF_VERSION_V3,
  GgmlType,
  GgufToolError,
  GgufValueType,
  I2S_BLOCK_BYTES,
  I2S_BLOCK_ELEMS,
  I2S_TRAILER_BYTES,
  alignUp,
  elementCount,
  tensorByteSize,
} from './format';

// ---------------------------------------------------------------------------------------------------------------------
// Metadata values

type NumericValueType =
  | typeof GgufValueType.UINT8
  | typeof GgufValueType.INT8
  | typeof GgufValueType.UINT16
  | typeof GgufValueType.INT16
  | typeof GgufValueType.UINT32
  | typeof GgufValueType.INT32
  | typeof GgufValueType.FLOAT32
  | typeof GgufValueType.FLOAT64;
type BigValueType = typeof GgufValueType.UINT64 | typeof GgufValueType.INT64;

type NumericArrayLike = readonly number[] | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export type GgufScalarValue =
  | { type: NumericValueType; value: number }
  | { type: BigValueType; value: bigint | number }
  | { type: typeof GgufValueType.BOOL; value: boolean }
  | { type: typeof GgufValueType.STRING; value: string };

export type GgufArrayValue =
  | { type: typeof GgufValueType.ARRAY; itemType: NumericValueType; value: NumericArrayLike }
  | { type: typeof GgufValueType.ARRAY; itemType: BigValueType; value: readonly (bigint | number)[] }
  | { type: typeof GgufValueType.ARRAY; itemType: typeof GgufValueType.BOOL; value: readonly boolean[] }
  | { type: typeof GgufValueType.ARRAY; itemType: typeof GgufValueType.STRING; value: readonly string[] }
  | { type: typeof GgufValueType.ARRAY; itemType: typeof GgufValueType.ARRAY; value: readonly GgufArrayValue[] };

export type GgufValue = GgufScalarValue | GgufArrayValue;

/** Constructors that make call sites read like the metadata they describe. */
export const gguf = {
  u8: (value: number): GgufValue => ({ type: GgufValueType.UINT8, value }),
  i8: (value: number): GgufValue => ({ type: GgufValueType.INT8, value }),
  u16: (value: number): GgufValue => ({ type: GgufValueType.UINT16, value }),
  i16: (value: number): GgufValue => ({ type: GgufValueType.INT16, value }),
  u32: (value: number): GgufValue => ({ type: GgufValueType.UINT32, value }),
  i32: (value: number): GgufValue => ({ type: GgufValueType.INT32, value }),
  f32: (value: number): GgufValue => ({ type: GgufValueType.FLOAT32, value }),
  f64: (value: number): GgufValue => ({ type: GgufValueType.FLOAT64, value }),
  u64: (value: bigint | number): GgufValue => ({ type: GgufValueType.UINT64, value }),
  i64: (value: bigint | number): GgufValue => ({ type: GgufValueType.INT64, value }),
  bool: (value: boolean): GgufValue => ({ type: GgufValueType.BOOL, value }),
  str: (value: string): GgufValue => ({ type: GgufValueType.STRING, value }),
  strings: (value: readonly string[]): GgufValue => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.STRING, value }),
  f32s: (value: NumericArrayLike): GgufValue => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.FLOAT32, value }),
  i32s: (value: NumericArrayLike): GgufValue => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.INT32, value }),
  u32s: (value: NumericArrayLike): GgufValue => ({ type: GgufValueType.ARRAY, itemType: GgufValueType.UINT32, value }),
};

const utf8 = new TextEncoder();

/** Growable little-endian byte buffer for the header. */
class ByteBuilder {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.reserve(1); this.view.setUint8(this.length, v); this.length += 1; }
  i8(v: number): void { this.reserve(1); this.view.setInt8(this.length, v); this.length += 1; }
  u16(v: number): void { this.reserve(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  i16(v: number): void { this.reserve(2); this.view.setInt16(this.length, v, true); this.length += 2; }
  u32(v: number): void { this.reserve(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number): void { this.reserve(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f32(v: number): void { this.reserve(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  f64(v: number): void { this.reserve(8); this.view.setFloat64(this.length, v, true); this.length += 8; }
  u64(v: bigint | number): void { this.reserve(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8; }
  i64(v: bigint | number): void { this.reserve(8); this.view.setBigInt64(this.length, BigInt(v), true); this.length += 8; }
  bytes(b: Uint8Array): void { this.reserve(b.length); this.buf.set(b, this.length); this.length += b.length; }
  string(s: string): void { const b = utf8.encode(s); this.u64(b.length); this.bytes(b); }
  zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

function checkRange(key: string, v: number, lo: number, hi: number, integer: boolean): void {
  if (typeof v !== 'number' || Number.isNaN(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new GgufToolError('gguf-bad-metadata', `Metadata "${key}": ${v} does not fit its type.`, 'Fix the value passed to the GGUF writer.');
  }
}

function writeScalar(out: ByteBuilder, key: string, type: GgufValueType, v: unknown): void {
  switch (type) {
    case GgufValueType.UINT8: checkRange(key, v as number, 0, 0xff, true); out.u8(v as number); return;
    case GgufValueType.INT8: checkRange(key, v as number, -0x80, 0x7f, true); out.i8(v as number); return;
    case GgufValueType.UINT16: checkRange(key, v as number, 0, 0xffff, true); out.u16(v as number); return;
    case GgufValueType.INT16: checkRange(key, v as number, -0x8000, 0x7fff, true); out.i16(v as number); return;
    case GgufValueType.UINT32: checkRange(key, v as number, 0, 0xffffffff, true); out.u32(v as number); return;
    case GgufValueType.INT32: checkRange(key, v as number, -0x80000000, 0x7fffffff, true); out.i32(v as number); return;
    case GgufValueType.FLOAT32: out.f32(v as number); return;
    case GgufValueType.FLOAT64: out.f64(v as number); return;
    case GgufValueType.UINT64: out.u64(v as bigint | number); return;
    case GgufValueType.INT64: out.i64(v as bigint | number); return;
    case GgufValueType.BOOL: out.u8(v ? 1 : 0); return;
    case GgufValueType.STRING: out.string(v as string); return;
    default:
      throw new GgufToolError('gguf-bad-metadata', `Metadata "${key}" has unknown value type ${type}.`, 'Use one of the GgufValueType ids.');
  }
}

function writeValueBody(out: ByteBuilder, key: string, value: GgufValue): void {
  if (value.type !== GgufValueType.ARRAY) {
    writeScalar(out, key, value.type, value.value);
    return;
  }
  out.u32(value.itemType);
  out.u64(value.value.length);
  if (value.itemType === GgufValueType.ARRAY) {
    // Nested arrays carry their own item type and length, with no outer type tag per element.
    for (const inner of value.value as readonly GgufArrayValue[]) writeValueBody(out, key, inner);
    return;
  }
  const items = value.value as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) writeScalar(out, key, value.itemType, items[i]);
}

// ---------------------------------------------------------------------------------------------------------------------
// The writer

/** Where the bytes go. write() may keep a reference to the chunk only until its promise resolves. */
export interface ByteSink {
  write(bytes: Uint8Array): void | Promise<void>;
}

/** Collects everything in memory: for tests and small files. */
export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = [];
  length = 0;
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.length += bytes.length;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

export interface GgufTensorSpec {
  name: string;
  type: number;
  /** ggml order: shape[0] (ne0) is the row length. */
  shape: readonly number[];
}

export interface GgufTensorPlan extends GgufTensorSpec {
  /** Offset from the start of the data section. */
  offset: number;
  byteSize: number;
}

export type TensorBytes = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Coalesces small writes so a file sink sees few, large writes. */
const STAGING_BYTES = 4 << 20;

export class GgufWriter {
  private readonly metadata = new Map<string, GgufValue>();
  private readonly tensors: GgufTensorPlan[] = [];
  private readonly alignment: number;
  private state: 'declaring' | 'writing-data' | 'finished' = 'declaring';
  private nextTensor = 0;
  private position = 0;
  private dataStart = 0;
  private staging = new Uint8Array(STAGING_BYTES);
  private staged = 0;

  constructor(private readonly sink: ByteSink, options: { alignment?: number } = {}) {
    this.alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
    if (!Number.isInteger(this.alignment) || this.alignment <= 0 || this.alignment % 8 !== 0) {
      throw new GgufToolError('gguf-bad-alignment', `Alignment ${this.alignment} is not a positive multiple of 8.`, 'Use the default alignment of 32.');
    }
    if (this.alignment !== GGUF_DEFAULT_ALIGNMENT) this.metadata.set(GGUF_ALIGNMENT_KEY, gguf.u32(this.alignment));
  }

  /** Keys are written in the order they are first set. */
  setMetadata(key: string, value: GgufValue): this {
    this.assertState('declaring', 'set metadata');
    if (key === GGUF_ALIGNMENT_KEY) {
      throw new GgufToolError('gguf-bad-metadata', 'general.alignment is set from the writer option.', 'Pass { alignment } to the GgufWriter constructor.');
    }
    this.metadata.set(key, value);
    return this;
  }

  /** Declares a tensor; data must later be written in declaration order. Returns its planned offset and size. */
  addTensor(spec: GgufTensorSpec): GgufTensorPlan {
    this.assertState('declaring', 'add a tensor');
    if (this.tensors.some((t) => t.name === spec.name)) {
      throw new GgufToolError('gguf-duplicate-tensor', `Tensor "${spec.name}" was declared twice.`, 'Give every tensor a unique name.');
    }
    if (spec.shape.length < 1 || spec.shape.length > 4) {
      throw new GgufToolError('gguf-bad-shape', `Tensor "${spec.name}" has ${spec.shape.length} dimensions; ggml allows 1 to 4.`, 'Check the tensor shape.');
    }
    const byteSize = tensorByteSize(spec.type, spec.shape);
    const last = this.tensors[this.tensors.length - 1];
    const offset = last ? alignUp(last.offset + last.byteSize, this.alignment) : 0;
    const plan: GgufTensorPlan = { name: spec.name, type: spec.type, shape: [...spec.shape], offset, byteSize };
    this.tensors.push(plan);
    return plan;
  }

  /** The serialized header (magic through tensor infos), without the padding before the data section. */
  headerBytes(): Uint8Array {
    const out = new ByteBuilder();
    out.bytes(GGUF_MAGIC_BYTES);
    out.u32(GGUF_VERSION_V3);
    out.u64(this.tensors.length);
    out.u64(this.metadata.size);
    for (const [key, value] of this.metadata) {
      out.string(key);
      out.u32(value.type);
      writeValueBody(out, key, value);
    }
    for (const t of this.tensors) {
      out.string(t.name);
      out.u32(t.shape.length);
      for (const d of t.shape) out.u64(d);
      out.u32(t.type);
      out.u64(t.offset);
    }
    return out.result();
  }

  /** Writes the header and the padding up to the data section. After this, write tensor data in declaration order. */
  async writeHeader(): Promise<{ headerBytes: number; dataStart: number; totalBytes: number }> {
    this.assertState('declaring', 'write the header');
    const header = this.headerBytes();
    await this.emit(header);
    this.dataStart = alignUp(header.length, this.alignment);
    await this.emitZeros(this.dataStart - header.length);
    this.state = 'writing-data';
    const last = this.tensors[this.tensors.length - 1];
    return { headerBytes: header.length, dataStart: this.dataStart, totalBytes: this.dataStart + (last ? last.offset + last.byteSize : 0) };
  }

  /** Writes one tensor's bytes (whole, or as chunks whose total is the tensor's size). */
  async writeTensorData(name: string, data: TensorBytes): Promise<void> {
    this.assertState('writing-data', 'write tensor data');
    const plan = this.tensors[this.nextTensor];
    if (!plan || plan.name !== name) {
      throw new GgufToolError(
        'gguf-tensor-order',
        `Tensor "${name}" written out of order; expected "${plan?.name ?? '(none left)'}".`,
        'Write tensor data in the order the tensors were declared.',
      );
    }
    await this.emitZeros(this.dataStart + plan.offset - this.position);
    const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
    let given = 0;
    for await (const chunk of chunks) {
      given += chunk.length;
      if (given > plan.byteSize) break; // never write past the tensor: the next offset would be wrong
      await this.emit(chunk);
    }
    if (given !== plan.byteSize) {
      throw new GgufToolError(
        'gguf-tensor-size',
        `Tensor "${name}" needs ${plan.byteSize} bytes but ${given < plan.byteSize ? 'only ' + given : 'more'} were given.`,
        'Check the tensor type and shape against the data you pack.',
      );
    }
    this.nextTensor++;
  }

  /** Flushes and checks that every declared tensor was written. Returns the file size. */
  async finish(): Promise<number> {
    if (this.state === 'declaring') await this.writeHeader();
    this.assertState('writing-data', 'finish');
    if (this.nextTensor !== this.tensors.length) {
      throw new GgufToolError(
        'gguf-tensor-missing',
        `Only ${this.nextTensor} of ${this.tensors.length} tensors were written; next is "${this.tensors[this.nextTensor]!.name}".`,
        'Write every declared tensor before finishing.',
      );
    }
    await this.flush();
    this.state = 'finished';
    return this.position;
  }

  get plannedTensors(): readonly GgufTensorPlan[] {
    return this.tensors;
  }

  private assertState(expected: GgufWriter['state'], action: string): void {
    if (this.state !== expected) {
      throw new GgufToolError('gguf-writer-state', `Cannot ${action} now: the writer is ${this.state}.`, 'Declare metadata and tensors, write the header, write tensor data, then finish.');
    }
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    this.position += bytes.length;
    if (bytes.length >= STAGING_BYTES) {
      await this.flush();
      await this.sink.write(bytes);
      return;
    }
    if (this.staged + bytes.length > STAGING_BYTES) await this.flush();
    this.staging.set(bytes, this.staged);
    this.staged += bytes.length;
  }

  private async emitZeros(n: number): Promise<void> {
    if (n > 0) await this.emit(new Uint8Array(n));
  }

  private async flush(): Promise<void> {
    if (this.staged === 0) return;
    const out = this.staging.subarray(0, this.staged);
    await this.sink.write(out);
    // The sink may hold `out` only until its write resolved, so reusing the staging buffer is safe.
    this.staged = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Tensor encodings

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Raw little-endian bytes of a Float32Array (a view, no copy, on little-endian hosts). */
export function f32Bytes(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

const convF32 = new Float32Array(1);
const convU32 = new Uint32Array(convF32.buffer);

/** IEEE binary16 bits of the f32 nearest to x, rounded to nearest even; overflow gives infinity, NaN stays NaN. */
export function f32ToF16Bits(x: number): number {
  convF32[0] = x;
  const bits = convU32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const halfExp = exp - 127 + 15;
  if (halfExp >= 0x1f) return sign | 0x7c00;
  if (halfExp <= 0) {
    // Subnormal half (or zero): value = m * 2^-24 with m = full mantissa >> (14 - halfExp), rounded to nearest even.
    if (halfExp < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - halfExp;
    let m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (m & 1))) m++;
    return sign | m;
  }
  let h = (halfExp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Little-endian f16 bytes of the values. */
export function f16Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0, j = 0; i < values.length; i++, j += 2) {
    const h = f32ToF16Bits(values[i]!);
    out[j] = h & 0xff;
    out[j + 1] = h >>> 8;
  }
  return out;
}

/**
 * Packs ternary codes (-1, 0, +1; element f = row * ne0 + col) into the I2_S layout: 2-bit codes (0 = -1, 1 = 0, 2 = +1),
 * 128 elements per 32 bytes with byte b holding elements b, 32+b, 64+b, 96+b in bits 7..6, 5..4, 3..2, 1..0; then the
 * f32 scale and 28 zero bytes.
 */
export function i2sPack(codes: Int8Array, scale: number): Uint8Array {
  const n = codes.length;
  const out = new Uint8Array(tensorByteSize(GgmlType.I2_S, [n]));
  for (let block = 0, o = 0; block < n; block += I2S_BLOCK_ELEMS, o += I2S_BLOCK_BYTES) {
    for (let b = 0; b < 32; b++) {
      const c0 = codes[block + b]! + 1;
      const c1 = codes[block + 32 + b]! + 1;
      const c2 = codes[block + 64 + b]! + 1;
      const c3 = codes[block + 96 + b]! + 1;
      if (c0 > 2 || c1 > 2 || c2 > 2 || c3 > 2 || (c0 | c1 | c2 | c3) < 0) {
        const bad = [c0, c1, c2, c3].findIndex((c) => c < 0 || c > 2);
        throw new GgufToolError(
          'i2s-bad-code',
          `Ternary code at element ${block + bad * 32 + b} is ${codes[block + bad * 32 + b]}, not -1, 0 or +1.`,
          'Quantize weights to {-1, 0, +1} before packing.',
        );
      }
      out[o + b] = (c0 << 6) | (c1 << 4) | (c2 << 2) | c3;
    }
  }
  new DataView(out.buffer).setFloat32(n / 4, scale, true);
  return out;
}

/** Inverse of i2sPack: the n codes (-1/0/+1) and the tensor scale. Code 3 is invalid and rejected. */
export function i2sUnpack(bytes: Uint8Array, n: number): { codes: Int8Array; scale: number } {
  const expected = tensorByteSize(GgmlType.I2_S, [n]);
  if (bytes.length < expected) {
    throw new GgufToolError('i2s-truncated', `I2_S data of ${n} elements needs ${expected} bytes, got ${bytes.length}.`, 'The model file is truncated; download it again.');
  }
  const codes = new Int8Array(n);
  for (let block = 0, o = 0; block < n; block += I2S_BLOCK_ELEMS, o += I2S_BLOCK_BYTES) {
    for (let b = 0; b < 32; b++) {
      const byte = bytes[o + b]!;
      for (let k = 0; k < 4; k++) {
        const code = (byte >>> (6 - 2 * k)) & 3;
        if (code === 3) {
          throw new GgufToolError('i2s-bad-code', `I2_S code 3 at element ${block + 32 * k + b}.`, 'The model file is corrupt; download it again.');
        }
        codes[block + 32 * k + b] = code - 1;
      }
    }
  }
  const scale = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(n / 4, true);
  return { codes, scale };
}

export { I2S_TRAILER_BYTES, elementCount };
