/** Steps the classroom tests share. */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { launchOptions } from '../../playwright.config';

export async function shot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/**
 * Options for `test.use`: Chromium's fake camera, allowed without asking. It shows `videoFile` (a Y4M video, e.g.
 * from writeQrVideo) or, without one, Chromium's own moving test pattern (no code in it).
 */
export function fakeCamera(videoFile?: string) {
  const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (videoFile) args.push(`--use-file-for-fake-video-capture=${videoFile}`);
  return { launchOptions: { ...launchOptions, args: [...launchOptions.args, ...args] }, permissions: ['camera'] };
}

/**
 * Keeps a handle on each real camera stream the page opens, to see that Trit lets it go; the returned function
 * gives each stream's video track state ('live' or 'ended'). Call before the page loads.
 */
export async function trackCameraStreams(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { cameraStreams: MediaStream[] };
    w.cameraStreams = [];
    const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const stream = await open(c);
      w.cameraStreams.push(stream);
      return stream;
    };
  });
  return () => page.evaluate(() => (window as unknown as { cameraStreams: MediaStream[] }).cameraStreams.map((s) => s.getVideoTracks()[0].readyState));
}

export async function openClassroom(page: Page) {
  await page.goto('/');
  await page.getByTestId('model-chip').click();
  await expect(page.getByTestId('model-manager')).toBeVisible();
  await page.getByRole('button', { name: 'Get from a classroom computer' }).click();
  await expect(page.getByTestId('classroom-fetch')).toBeVisible();
}

/** Starts the download of the one model found; answers "Download anyway" if this machine looks too small. */
export async function getFound(page: Page, name: string) {
  const offer = page.getByTestId('classroom-model');
  await expect(offer).toContainText(name);
  await offer.getByRole('button', { name: /Download/ }).click();
  await expect(page.getByTestId('classroom-started')).toBeVisible();
  const question = page.getByTestId('download-question');
  if (await question.isVisible().catch(() => false)) await question.getByRole('button', { name: 'Download anyway' }).click();
}

/** The sha256 of what the store holds for a model: its shards, read back from IndexedDB in order. */
export async function storedSha256(page: Page, card: Locator): Promise<string> {
  const id = (await card.getAttribute('data-testid'))!.replace(/^model-/, '');
  // Hashed in the page by the browser's own digest, so only the hex crosses back.
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((ok, no) => {
      const r = indexedDB.open('trit-model-shards');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const parts: Blob[] = [];
    for (let i = 0; ; i++) {
      const blob = await new Promise<Blob | undefined>((ok, no) => {
        const g = db.transaction('shards').objectStore('shards').get(`${id}:${i}`);
        g.onsuccess = () => ok(g.result);
        g.onerror = () => no(g.error);
      });
      if (!blob) break;
      parts.push(blob instanceof Blob ? blob : new Blob([blob as BlobPart]));
    }
    const digest = await crypto.subtle.digest('SHA-256', await new Blob(parts).arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }, id);
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
