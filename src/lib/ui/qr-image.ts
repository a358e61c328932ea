/** The text of the QR code in a picture (a photo of a preset's code), read on the device with jsQR. */
import jsQR from 'jsqr';
import { TritError } from '../errors';

/** Photos from a tablet camera are large; this is plenty for a code that fills part of the picture. */
const MAX_SIDE = 1200;

export async function readQrFromImage(file: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new TritError('bad_request', 'This file is not a picture the browser can open.', 'Take a photo of the QR code, or pick a PNG or JPEG file.');
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new TritError('internal', 'The picture could not be read.', 'Reload the page and try again.');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const found = jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: 'attemptBoth' });
  if (!found?.data) {
    throw new TritError('bad_request', 'No QR code was found in that picture.', 'Take the photo closer, with the whole code in view and in focus.');
  }
  return found.data;
}
