/**
 * The app path: the engine's own header reader (engine.inspect, as the worker and the CLI use it) hands the chat
 * layer metadata from which each family gets the same tokenizer, end tokens and chat format as from the tools' reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { WasmEngine } from '../../src/lib/engine/wasm-engine';
import { Tokenizer } from '../../src/lib/tokenizer';
import { ChatTemplate } from '../../src/lib/chat';
import { familyChat, families, type FamilyName } from './family-files';

let engine: WasmEngine;
beforeAll(async () => {
  engine = await createNodeEngine({ threads: 1 });
});
afterAll(() => engine?.unload());

const expected: Record<FamilyName, { family: string; eog: number[] }> = {
  falcon3: { family: 'falcon3', eog: [11] },
  llama3: { family: 'llama3', eog: [1009, 1017] },
  'falcon-e': { family: 'chatml', eog: [2, 4] },
  'bitnet-large': { family: 'continuation', eog: [2] },
};
const sample = "Hi, it's 2024: x = 3.14!";

describe("each family file through the engine's header reader", () => {
  it.each(Object.keys(expected) as FamilyName[])('%s', (name) => {
    const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/family/${families[name].file}`, import.meta.url)));
    const inspection = engine.inspect(bytes, { fileSize: bytes.byteLength });
    if (!inspection.complete) throw new Error(`${name}: the header was not complete`);
    const tokenizer = Tokenizer.fromGGUFMetadata(inspection.metadata);
    const template = ChatTemplate.forModel(inspection.metadata, tokenizer);
    expect(template.family).toBe(expected[name].family);
    expect([...tokenizer.endOfGeneration].sort((a, b) => a - b)).toEqual(expected[name].eog);
    const reference = familyChat(name);
    expect(tokenizer.encode(sample)).toEqual(reference.tokenizer.encode(sample));
  });
});
