import { sha256 } from '@noble/hashes/sha2.js';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i].toString(16).padStart(2, '0');
  return s;
}

/** One shard's sha256. Native WebCrypto where present (several times faster than JS); noble elsewhere. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return toHex(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
  return toHex(sha256(bytes));
}

/** Whole-file sha256, fed shard by shard: WebCrypto has no incremental digest, so this is noble's. */
export function createFileHasher(): { update(bytes: Uint8Array): void; hex(): string } {
  const h = sha256.create();
  return {
    update: (bytes) => void h.update(bytes),
    hex: () => toHex(h.digest()),
  };
}
