/**
 * Small random-weight BitNet models written by the project's GGUF writer at test time, with the real Llama-3
 * vocabulary and the official file's metadata, so the tokenizer, chat template and engine run exactly as on
 * BitNet-b1.58-2B-4T, only on tiny dimensions (embd 256, 2 layers): fast, and the output is gibberish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticModel, type BitnetDims } from '../../scripts/make-fixture';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { createNodeEngine, loadModelFile } from '../../src/lib/engine/node';
import type { GGUFMetadata } from '../../src/lib/tokenizer';

export const TINY_LLAMA3_DIMS: BitnetDims = { embd: 256, layers: 2, heads: 4, headsKv: 2, ff: 512, vocab: 128256, ctx: 4096 };

export interface TempModel {
  dir: string;
  path: string;
  remove(): void;
}

export async function writeTempModel(seed = 7): Promise<TempModel> {
  const dir = mkdtempSync(join(tmpdir(), 'trit-integ-'));
  const path = join(dir, 'tiny-llama3.gguf');
  await writeSyntheticModel(path, TINY_LLAMA3_DIMS, { vocab: 'llama3', seed, name: 'trit-integration-tiny' });
  return { dir, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Loads `path` into `engine` at context `nCtx` and returns its GGUF metadata (for the tokenizer and template). */
export async function loadWithMetadata(engine: WasmEngine, path: string, nCtx: number): Promise<GGUFMetadata> {
  return (await loadModelFile(engine, path, nCtx)).metadata;
}

export { createNodeEngine };
