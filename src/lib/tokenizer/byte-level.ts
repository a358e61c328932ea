/**
 * GPT-2 byte-level alphabet: every byte 0..255 is shown as one printable Unicode character, so a
 * byte-level BPE vocabulary can store arbitrary bytes as text (space 0x20 becomes 'Ġ' U+0120, and so on).
 * Printable Latin-1 bytes stand for themselves; the rest take code points 256, 257, ... in byte order.
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : next++);
  }
  return out;
})();

/** Code point of a byte-level character -> the byte it stands for, or -1. */
export const CHAR_TO_BYTE: Int16Array = (() => {
  const out = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((ch, b) => {
    out[ch.charCodeAt(0)] = b;
  });
  return out;
})();

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text` written in the byte-level alphabet. */
export function toByteLevel(text: string): string {
  const bytes = utf8.encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * Bytes of a byte-level token string. Returns undefined when a character is outside the alphabet
 * (such a token is not byte-level text, e.g. a user-defined token stored verbatim).
 */
export function fromByteLevel(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 512 ? CHAR_TO_BYTE[c] : -1;
    if (b < 0) return undefined;
    out[i] = b;
  }
  return out;
}
