/**
 * The model files a classroom share serves, described once at start: name, size, architecture and parameter count
 * from the GGUF header (tools/gguf/reader.ts), and the sha256, computed once and kept beside the file in
 * `<file>.sha256` (sha256sum's format, plus a line with the size and mtime it was computed for), so sharing the same
 * 1.2 GB file again starts at once.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { readGgufHeader } from '../../tools/gguf/file-header';
import type { GgufFile } from '../../tools/gguf/reader';
import { TritError } from '../lib/errors';
import type { ShareManifest } from '../lib/store/share-manifest';

export type { ShareManifest };

export interface SharedModel {
  manifest: ShareManifest;
  /** Absolute path on this computer; never derived from a request. */
  path: string;
}

async function readHeader(path: string, size: number): Promise<GgufFile> {
  const fh = await open(path, 'r');
  try {
    return await readGgufHeader(fh, size);
  } catch (e) {
    throw new TritError('not_gguf', `${path} is not a GGUF model file (${e instanceof Error ? e.message : String(e)}).`,
      'Share only .gguf model files, such as the one you saved from Trit with "Save to a file".');
  } finally {
    await fh.close();
  }
}

/** The cached sha256 when it was computed for this exact size and modification time. */
async function cachedSha256(path: string, size: number, mtimeMs: number): Promise<string | undefined> {
  const text = await readFile(`${path}.sha256`, 'utf8').catch(() => '');
  const [first, second] = text.split('\n');
  const hex = /^([0-9a-f]{64}) /.exec(first ?? '')?.[1];
  const meta = /^# size (\d+) mtime (\d+)$/.exec(second ?? '');
  return hex && meta && Number(meta[1]) === size && Number(meta[2]) === Math.floor(mtimeMs) ? hex : undefined;
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The file's sha256, from the cache beside it or computed (and cached, where the folder can be written). */
export async function sha256Of(path: string, onCompute?: () => void): Promise<{ sha256: string; cached: boolean; saved: boolean }> {
  const st = await stat(path);
  const hit = await cachedSha256(path, st.size, st.mtimeMs);
  if (hit) return { sha256: hit, cached: true, saved: true };
  onCompute?.();
  const sha256 = await fileSha256(path);
  const text = `${sha256}  ${basename(path)}\n# size ${st.size} mtime ${Math.floor(st.mtimeMs)}\n`;
  const saved = await writeFile(`${path}.sha256`, text).then(() => true, () => false);
  return { sha256, cached: false, saved };
}

function metaString(kv: [string, number, unknown][], key: string): string | undefined {
  const v = kv.find(([k]) => k === key)?.[2];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Describes one file; `id` is its short number in the share's addresses. */
export async function describeModel(file: string, id: string, log: (line: string) => void = () => {}): Promise<SharedModel> {
  const path = resolve(file);
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new TritError('not_found', `There is no model file at ${file}.`, 'Check the path; name each .gguf file to share.');
  const header = await readHeader(path, st.size);
  const parameters = header.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const { sha256, cached, saved } = await sha256Of(path, () => log(`computing the sha256 of ${basename(path)} (once; it is kept beside the file)…`));
  if (!cached && !saved) log(`note: could not write ${path}.sha256 (read-only folder?); the sha256 is computed again next time.`);
  const fileName = basename(path);
  return {
    path,
    manifest: {
      format: 'trit-share/1',
      id,
      name: metaString(header.kv, 'general.name') ?? fileName.replace(/\.gguf$/i, ''),
      fileName,
      size: st.size,
      sha256,
      architecture: metaString(header.kv, 'general.architecture') ?? 'unknown',
      parameters,
      url: `${id}/${encodeURIComponent(fileName)}`,
    },
  };
}
