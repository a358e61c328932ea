/**
 * A video file for Chromium's fake camera (--use-file-for-fake-video-capture): a QR code drawn into Y4M frames
 * (YUV 4:2:0), the code's modules from the qrcode library and the pixels written here.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

export function writeQrVideo(path: string, text: string, width = 640, height = 480, frames = 2): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor((Math.min(width, height) - 40) / (n + 2 * quiet));
  const left = Math.floor((width - scale * n) / 2);
  const top = Math.floor((height - scale * n) / 2);
  const y = new Uint8Array(width * height).fill(235); // white paper
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) y.fill(16, (top + r * scale + dy) * width + left + c * scale, (top + r * scale + dy) * width + left + (c + 1) * scale);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
