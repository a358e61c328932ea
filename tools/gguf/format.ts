/**
 * GGUF file-format constants shared by Trit's reader and writer, and the byte size of tensors.
 * Facts: ggml's gguf spec (v3) and Microsoft's BitNet fork of ggml for the ternary types (see docs/bitnet-gguf.md).
 */
/** A mistake in what a script asked the GGUF writer for (a tool error, not one the app shows). */
export class GgufToolError extends Error {
  constructor(readonly code: string, message: string, readonly hint = '') {
    super(message);
    this.name = 'GgufToolError';
  }
}

/** "GGUF" read as a little-endian uint32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_MAGIC_BYTES = new Uint8Array([0x47, 0x47, 0x55, 0x46]);
/** Version 1 used 32-bit counts; 2 and 3 use 64-bit counts (3 adds big-endian files, which we do not support). */
export const GGUF_VERSION_V1 = 1;
export const GGUF_VERSION_V2 = 2;
export const GGUF_VERSION_V3 = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** Metadata key that overrides the data-section alignment. */
export const GGUF_ALIGNMENT_KEY = 'general.alignment';

/** Type ids of metadata values. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Byte size of a scalar metadata value of the given type (strings and arrays are variable). */
export const GGUF_SCALAR_VALUE_SIZE: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

/** ggml tensor type ids. 34..39 are the ternary family as numbered by the BitNet fork of ggml. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  I2_S: 36,
  I8_S: 37,
  TL1: 38,
  TL2: 39,
} as const;
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

export const GGML_TYPE_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(GgmlType).map(([name, id]) => [id, name]),
);

/** Elements per block and bytes per block of the block-structured types. I2_S is special-cased (see tensorByteSize). */
const BLOCK_LAYOUT: Partial<Record<number, { blockElems: number; blockBytes: number }>> = {
  [GgmlType.F32]: { blockElems: 1, blockBytes: 4 },
  [GgmlType.F16]: { blockElems: 1, blockBytes: 2 },
  [GgmlType.BF16]: { blockElems: 1, blockBytes: 2 },
  [GgmlType.F64]: { blockElems: 1, blockBytes: 8 },
  [GgmlType.I8]: { blockElems: 1, blockBytes: 1 },
  [GgmlType.I16]: { blockElems: 1, blockBytes: 2 },
  [GgmlType.I32]: { blockElems: 1, blockBytes: 4 },
  [GgmlType.I64]: { blockElems: 1, blockBytes: 8 },
  [GgmlType.Q4_0]: { blockElems: 32, blockBytes: 18 },
  [GgmlType.Q4_1]: { blockElems: 32, blockBytes: 20 },
  [GgmlType.Q5_0]: { blockElems: 32, blockBytes: 22 },
  [GgmlType.Q5_1]: { blockElems: 32, blockBytes: 24 },
  [GgmlType.Q8_0]: { blockElems: 32, blockBytes: 34 },
  [GgmlType.Q8_1]: { blockElems: 32, blockBytes: 36 },
  [GgmlType.Q2_K]: { blockElems: 256, blockBytes: 84 },
  [GgmlType.Q3_K]: { blockElems: 256, blockBytes: 110 },
  [GgmlType.Q4_K]: { blockElems: 256, blockBytes: 144 },
  [GgmlType.Q5_K]: { blockElems: 256, blockBytes: 176 },
  [GgmlType.Q6_K]: { blockElems: 256, blockBytes: 210 },
  [GgmlType.Q8_K]: { blockElems: 256, blockBytes: 292 },
  // TQ1_0: 48 bytes of base-3 packed trits + 4 bytes of high trits + f16 scale; TQ2_0: 64 bytes of 2-bit codes + f16 scale.
  [GgmlType.TQ1_0]: { blockElems: 256, blockBytes: 54 },
  [GgmlType.TQ2_0]: { blockElems: 256, blockBytes: 66 },
};

/** I2_S: 128 elements per 32-byte block, then one f32 scale and 28 bytes of padding for the whole tensor. */
export const I2S_BLOCK_ELEMS = 128;
export const I2S_BLOCK_BYTES = 32;
export const I2S_TRAILER_BYTES = 32;

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new GgufToolError('gguf-bad-shape', `Tensor dimension ${d} is not a non-negative integer.`, 'Check the model dimensions you asked for.');
    }
    n *= d;
  }
  return n;
}

/** Bytes a tensor of this type and shape ({ne0, ne1, ...}) occupies in the data section, excluding alignment padding. */
export function tensorByteSize(type: number, shape: readonly number[]): number {
  const n = elementCount(shape);
  if (type === GgmlType.I2_S) {
    if (n % I2S_BLOCK_ELEMS !== 0) {
      throw new GgufToolError(
        'gguf-bad-shape',
        `An I2_S tensor needs a multiple of ${I2S_BLOCK_ELEMS} elements; shape [${shape.join(', ')}] has ${n}.`,
        'Use dimensions that are multiples of 128 for ternary matrices.',
      );
    }
    return n / 4 + I2S_TRAILER_BYTES;
  }
  const layout = BLOCK_LAYOUT[type];
  if (!layout) {
    const name = GGML_TYPE_NAME[type] ?? `#${type}`;
    throw new GgufToolError(
      'gguf-unsupported-type',
      `The byte size of ggml type ${name} is not known to Trit.`,
      'Use a model file whose tensors are F32, F16 or I2_S (the official BitNet i2_s GGUF).',
    );
  }
  const ne0 = shape[0] ?? 1;
  if (ne0 % layout.blockElems !== 0) {
    throw new GgufToolError(
      'gguf-bad-shape',
      `Rows of type ${GGML_TYPE_NAME[type]} need a multiple of ${layout.blockElems} elements; got ${ne0}.`,
      'Check the model dimensions you asked for.',
    );
  }
  return (n / layout.blockElems) * layout.blockBytes;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}
