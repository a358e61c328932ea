// Draws Trit's app icons (three dots for the three weight values -1, 0, +1) as PNGs, so the repo needs no
// image tool. Run: node scripts/make-icons.mjs. The maskable variant keeps its art inside the 80% safe zone.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const BG = [15, 23, 42];
const DOTS = [[248, 113, 113], [148, 163, 184], [74, 222, 128]]; // -1, 0, +1
function icon(size, { maskable }) {
  const scale = maskable ? 0.62 : 0.8; // fraction of the icon the art spans
  const corner = maskable ? 0 : size * 0.18;
  const S = 4; // supersampling per axis
  return png(size, (x, y) => {
    let acc = [0, 0, 0, 0];
    for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
      const px = x + (sx + 0.5) / S, py = y + (sy + 0.5) / S;
      // rounded-square background (full bleed when maskable)
      const dx = Math.max(corner - px, px - (size - corner), 0), dy = Math.max(corner - py, py - (size - corner), 0);
      if (corner && dx * dx + dy * dy > corner * corner) continue;
      let c = BG;
      const r = (size * scale) / 7;
      for (let i = 0; i < 3; i++) {
        const cx = size / 2 + (i - 1) * r * 2.5, cy = size / 2;
        if ((px - cx) ** 2 + (py - cy) ** 2 <= r * r) c = DOTS[i];
      }
      acc = [acc[0] + c[0], acc[1] + c[1], acc[2] + c[2], acc[3] + 255];
    }
    const n = S * S;
    const a = acc[3] / n;
    return a ? [Math.round(acc[0] / (acc[3] / 255)), Math.round(acc[1] / (acc[3] / 255)), Math.round(acc[2] / (acc[3] / 255)), Math.round(a)] : [0, 0, 0, 0];
  });
}

writeFileSync('public/icons/icon-192.png', icon(192, { maskable: false }));
writeFileSync('public/icons/icon-512.png', icon(512, { maskable: false }));
writeFileSync('public/icons/maskable-512.png', icon(512, { maskable: true }));
console.log('wrote public/icons/*.png');
