import { StoreError } from './errors';

/** The minimum a file needs to be worth storing as a model: the GGUF magic, a known version, sane counts. */
export interface GgufHeaderSummary {
  version: number;
  tensorCount: number;
  metadataCount: number;
}

/** Bytes needed to read the fixed part of a GGUF header: magic, version, tensor count, metadata count. */
export const GGUF_FIXED_HEADER_BYTES = 24;
/** No real model has anywhere near this many tensors or metadata keys; a bigger count means a corrupt or foreign file. */
const MAX_SANE_COUNT = 1_000_000;

function notGguf(why: string): StoreError {
  return new StoreError(
    'not_gguf',
    `This file is not a GGUF model (${why}).`,
    'Choose a .gguf model file, such as ggml-model-i2_s.gguf from the BitNet b1.58 2B-4T release.',
  );
}

export function checkGgufHeader(bytes: Uint8Array): GgufHeaderSummary {
  if (bytes.length < GGUF_FIXED_HEADER_BYTES) throw notGguf(`only ${bytes.length} bytes`);
  if (bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) throw notGguf('it does not start with "GGUF"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== 2 && version !== 3) throw notGguf(`unsupported GGUF version ${version}`);
  const tensorCount = view.getBigUint64(8, true);
  const metadataCount = view.getBigUint64(16, true);
  if (tensorCount === 0n || tensorCount > BigInt(MAX_SANE_COUNT)) throw notGguf(`implausible tensor count ${tensorCount}`);
  if (metadataCount > BigInt(MAX_SANE_COUNT)) throw notGguf(`implausible metadata count ${metadataCount}`);
  return { version, tensorCount: Number(tensorCount), metadataCount: Number(metadataCount) };
}
