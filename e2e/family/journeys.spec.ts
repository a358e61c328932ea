// The BitNet family in the app, as a person meets it (issue 16): each family's reference model is added from a file,
// used, and chatted with in the format its family needs (shown on the device panel); the base model
// (bitnet_b1_58-large) is labelled as text continuation and carries on what was written. Files that cannot run (a TL2
// file, a bitnet_b1_58-3B-shaped I2_S file) are refused with what to do instead, and the app keeps its model.
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GgufWriter, MemorySink } from '../../tools/gguf/writer';
import { byteLevelFixtureVocab, declareBitnetModel, type BitnetDims } from '../../scripts/make-fixture';
import { sendAndWaitForReply, waitForModelReady } from '../app/helpers';

const FAMILY = resolve(import.meta.dirname, '../../test/fixtures/family');

/** Each reference file, the name the app shows for it, and the chat format its family uses. */
const MODELS = [
  { file: 'falcon3.gguf', name: 'falcon3-1.58bit-synthetic', format: 'Falcon 3', base: false },
  { file: 'falcon-e.gguf', name: 'falcon-e-synthetic', format: 'ChatML', base: false },
  { file: 'llama3.gguf', name: 'llama3-8b-1.58-synthetic', format: 'Llama 3', base: false },
  { file: 'bitnet-large.gguf', name: 'bitnet_b1_58-large-synthetic', format: 'Text continuation (base model, no chat)', base: true },
];

async function importAndUse(page: Page, path: string, shown: RegExp): Promise<void> {
  await page.getByTestId('model-chip').click();
  await page.getByLabel('Add a model from a file').setInputFiles(path);
  const entry = page.locator('[data-testid^="model-"][data-state="ready"]').filter({ hasText: shown });
  await expect(entry).toBeVisible({ timeout: 60_000 });
  await entry.getByRole('button', { name: 'Use this model' }).click();
  await page.keyboard.press('Escape');
}

/** Sends `text`; resolves with the finished reply's text and stop reason. */
async function send(page: Page, text: string): Promise<{ text: string; stopReason: string | null }> {
  const reply = await sendAndWaitForReply(page, text);
  return { text: await reply.innerText(), stopReason: await reply.getAttribute('data-stop-reason') };
}

async function chatFormatShown(page: Page): Promise<string> {
  const device = page.locator('details.device');
  if (!(await device.evaluate((d: HTMLDetailsElement) => d.open))) await device.locator('> summary').click();
  return page.getByTestId('chat-format').innerText();
}

for (const m of MODELS) {
  test(`${m.file}: imported, used, and ${m.base ? 'continues a text, labelled as such' : `chats in the ${m.format} format`}`, async ({ page }) => {
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto('/');
    await waitForModelReady(page);
    await importAndUse(page, join(FAMILY, m.file), new RegExp(m.file.replace('.gguf', '')));
    await waitForModelReady(page);
    await expect(page.getByTestId('model-chip')).toContainText(m.file.replace('.gguf', ''));
    expect(await chatFormatShown(page)).toBe(m.format);

    const composer = page.getByTestId('composer');
    const mode = page.getByTestId('continuation-mode');
    if (m.base) {
      await expect(mode).toContainText('Continue the text');
      await expect(composer).toHaveAttribute('placeholder', /start of a text/);
    } else {
      await expect(mode).toHaveCount(0);
      await expect(composer).toHaveAttribute('placeholder', 'Ask something…');
    }
    // A chat format the family does not have would be refused at the first message (a base model in a chat
    // format: "This is a base model ..."): the reply must come back without an error.
    const reply = await send(page, 'Once upon a time, in a small village by the sea,');
    await expect(page.getByTestId('message-assistant').last().getByRole('alert')).toHaveCount(0);
    expect(reply.stopReason).not.toBe('aborted');
    await page.screenshot({ path: `test-results/family/${m.file.replace('.gguf', '')}.png` });
  });
}

test.describe('files that cannot run are refused in the app with what to do', () => {
  let dir: string;
  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trit-family-refused-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A whole file of this header's size (zero weights: the header alone decides the refusal). */
  function writeFile(name: string, dims: BitnetDims, patch?: (bytes: Uint8Array) => void): string {
    const writer = new GgufWriter(new MemorySink());
    declareBitnetModel(writer, dims, byteLevelFixtureVocab(dims.vocab), name, undefined, false);
    const header = writer.headerBytes();
    patch?.(header);
    const last = writer.plannedTensors.at(-1)!;
    // The data section starts at the next multiple of GGUF's 32-byte alignment after the header.
    const dataStart = Math.ceil(header.length / 32) * 32;
    const bytes = new Uint8Array(dataStart + last.offset + last.byteSize);
    bytes.set(header);
    const path = join(dir, `${name}.gguf`);
    writeFileSync(path, bytes);
    return path;
  }

  const small: BitnetDims = { arch: 'llama', embd: 512, layers: 1, heads: 2, headsKv: 1, ff: 512, vocab: 1024, ctx: 256 };

  async function expectRefused(page: Page, path: string, message: RegExp): Promise<void> {
    await page.goto('/');
    await waitForModelReady(page);
    await page.getByTestId('model-chip').click();
    await page.getByLabel('Add a model from a file').setInputFiles(path);
    const refusal = page.getByTestId('import-error').or(page.getByTestId('model-error'));
    const entry = page.locator('[data-testid^="model-"][data-state="ready"]').filter({ hasText: /tl2-model|3b-shaped/ });
    // Refused at import, or, if it is stored, when it is used: either way in words, with the technical reason a tap away.
    await expect(refusal.or(entry)).toBeVisible({ timeout: 60_000 });
    if (await entry.isVisible()) {
      await entry.getByRole('button', { name: 'Use this model' }).click();
      await page.keyboard.press('Escape');
    }
    await expect(refusal).toBeVisible({ timeout: 60_000 });
    const details = refusal.locator('details');
    await details.locator('summary').click();
    await expect(refusal).toContainText(message);
    // The demo model is still there to chat with.
    await page.keyboard.press('Escape');
    await waitForModelReady(page);
    await expect(page.getByTestId('model-chip')).toContainText('demo');
  }

  test('a TL2 file is refused: made for one bitnet.cpp build, use the i2_s file', async ({ page }) => {
    const path = writeFile('tl2-model', small, (bytes) => {
      // ggml type 39 (TL2) for one matrix, right after its name, n_dims and dims in the tensor table.
      const name = Buffer.from('blk.0.ffn_up.weight', 'latin1');
      const at = Buffer.from(bytes).indexOf(name) + name.length + 4 + 8 * 2;
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, 39, true);
    });
    await expectRefused(page, path, /TL2.*made for one bitnet\.cpp build.*i2_s file/s);
  });

  test('a bitnet_b1_58-3B-shaped I2_S file is refused: its feed-forward is not whole 128-blocks', async ({ page }) => {
    // 3B's n_ff is 8640 = 67.5 * 128; 320 = 2.5 * 128 is the same case at test size.
    const path = writeFile('3b-shaped', { ...small, arch: 'bitnet', ff: 320 });
    await expectRefused(page, path, /rows of 320 values.*even bitnet\.cpp computes such a file wrongly/s);
  });
});
