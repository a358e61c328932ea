import { StoreError } from './errors';

/**
 * A cheap first look at a file's first 24 bytes: the GGUF magic, a known version, sane counts. It refuses a web page
 * or a photo at once; whether the file is a model the engine runs is the engine's GGUF reader's call (header-check.ts).
 */
export interface GgufSniff {
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

export function sniffGguf(bytes: Uint8Array): GgufSniff {
  if (bytes.length < GGUF_FIXED_HEADER_BYTES) throw notGguf(`only ${bytes.length} bytes`);
  if (bytes[0] !== 0x47 || bytes[1] !== 0x47 || bytes[2] !== 0x55 || bytes[3] !== 0x46) throw notGguf(looksLikeText(bytes) ? 'it is a web page or text' : 'it does not start with "GGUF"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== 2 && version !== 3) throw notGguf(`unsupported GGUF version ${version}`);
  const tensorCount = view.getBigUint64(8, true);
  const metadataCount = view.getBigUint64(16, true);
  if (tensorCount === 0n || tensorCount > BigInt(MAX_SANE_COUNT)) throw notGguf(`implausible tensor count ${tensorCount}`);
  if (metadataCount > BigInt(MAX_SANE_COUNT)) throw notGguf(`implausible metadata count ${metadataCount}`);
  return { version, tensorCount: Number(tensorCount), metadataCount: Number(metadataCount) };
}

/** A web page or an error text where a model was expected: the first bytes are printable ASCII. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (!(b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) return false;
  }
  return n > 0;
}
