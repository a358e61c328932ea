/**
 * Reading a QR code from the camera: the browser's Barcode Detection API where it has one for QR codes (Chrome on
 * Android and macOS, Safari), jsQR on a canvas frame otherwise (loaded only then). Resolves with the first code's
 * text; the camera is released when it resolves, fails, or `signal` aborts.
 */
import { TritError } from '../errors';

interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<Array<{ rawValue: string }>>;
}
type BarcodeDetectorClass = {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
};

/** A reader of one video frame: the browser's detector, or jsQR over the frame's pixels. */
async function frameReader(): Promise<(video: HTMLVideoElement) => Promise<string | undefined>> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  const formats: string[] = Detector ? await Detector.getSupportedFormats().catch(() => []) : [];
  if (Detector && formats.includes('qr_code')) {
    const detector = new Detector({ formats: ['qr_code'] });
    return async (video) => (await detector.detect(video))[0]?.rawValue;
  }
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  return async (video) => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return undefined;
    canvas.width = w;
    canvas.height = h;
    ctx.drawImage(video, 0, 0, w, h);
    return jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' })?.data || undefined;
  };
}

export function cameraError(e: unknown): TritError {
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new TritError('bad_request', 'Trit may not use the camera.', 'Allow the camera for Trit in the browser\'s site settings, or type the address instead.');
  }
  return new TritError('not_found', 'No camera could be started on this device.', 'Type the address shown under the QR code instead.');
}

export async function scanQr(video: HTMLVideoElement, signal: AbortSignal): Promise<string> {
  if (!navigator.mediaDevices?.getUserMedia) throw cameraError(undefined);
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (e) {
    throw cameraError(e);
  }
  try {
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
    const read = await frameReader();
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const text = await read(video).catch(() => undefined);
      if (text) return text;
      // A few frames a second is enough to catch a held-up code, and spares a slow tablet's CPU.
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}
