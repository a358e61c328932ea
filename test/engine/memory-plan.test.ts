// The memory plan (trit_inspect, what the app reads before any download) against what the engine really allocates,
// as malloc counts it, for every model shape and memory mode: within 5%. The fixtures load whole; the full-size shapes
// are headers only (the tensors are allocated as soon as the header has arrived, before any weight), so even the
// 8B and 10B shapes are checked in seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import { LOAD_STAGING_BYTES, type MemoryOptions, type WasmEngine } from '../../src/lib/engine/wasm-engine';
import { GgufWriter, MemorySink } from '../../tools/gguf/writer';
import { DIM_PRESETS, byteLevelFixtureVocab, declareBitnetModel } from '../../scripts/make-fixture';
import { FAMILY_MODELS, MODELS, fixtureBytes } from './helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

const MODES: Record<string, MemoryOptions> = {
  'embedding in memory, f16 KV': { inputRowsFromFile: false },
  'input rows from the file, f16 KV': { inputRowsFromFile: true },
  'input rows from the file, int8 KV': { inputRowsFromFile: true, kvCache: 'int8' },
  'input rows from the file, int8 KV, 6-bit head': { inputRowsFromFile: true, kvCache: 'int8', head: 'int6' },
  'input rows from the file, int8 KV, 4-bit head': { inputRowsFromFile: true, kvCache: 'int8', head: 'int4' },
};
const HEAD_BITS = { int8: 8, int6: 6, int4: 4 } as const;

function planFor(bytes: Uint8Array, fileSize: number, nCtx: number, memory: MemoryOptions) {
  const inspection = engine.inspect(bytes, { fileSize, nCtx, memory });
  if (!inspection.complete || !inspection.plan) throw new Error(`no plan: ${inspection.complete && inspection.planError?.message}`);
  return inspection.plan;
}

const within5Percent = (allocated: number, planned: number) => {
  expect(Math.abs(allocated - planned) / planned).toBeLessThanOrEqual(0.05);
};

describe('the plan matches what a whole fixture allocates', () => {
  const fixtures = [
    ['2B-4T layout (small)', MODELS.small.file],
    ['2B-4T layout (medium)', MODELS.medium.file],
    ...Object.entries(FAMILY_MODELS).map(([name, m]) => [`${name} (${m.architecture})`, `family/${m.file}`]),
  ];
  for (const [label, file] of fixtures) {
    for (const [mode, memory] of Object.entries(MODES)) {
      it(`${label}, ${mode}`, async () => {
        engine.unload();
        const bytes = fixtureBytes(file);
        const plan = planFor(bytes, bytes.length, 128, memory);
        engine.releaseInspection(); // as loadModel does before it allocates
        const before = engine.memoryStats().heapUsedBytes;
        const readRange = (offset: number, length: number) => bytes.slice(offset, offset + length);
        const info = await engine.loadModel({ chunks: [bytes], size: bytes.length, readRange }, { nCtx: 128, memory });
        expect(info.info.plan).toEqual(plan);
        expect(plan.inputRowsFromFile).toBe(memory.inputRowsFromFile);
        expect(plan.kvInt8).toBe(memory.kvCache === 'int8');
        expect(plan.headBits).toBe(HEAD_BITS[memory.head ?? 'int8']);
        within5Percent(engine.memoryStats().heapUsedBytes - before, plan.total);
        engine.unload();
      });
    }
  }
});

describe('the plan matches what the full-size shapes allocate (headers only)', () => {
  const shapes = [
    ['2b4t', 4096], ['falcon3-1b', 4096], ['bitnet-large', 2048], ['llama3-8b', 2048], ['falcon3-10b', 2048],
  ] as const;
  for (const [preset, nCtx] of shapes) {
    for (const [mode, memory] of Object.entries(MODES)) {
      it(`${preset} at ${nCtx} tokens, ${mode}`, () => {
        engine.unload();
        const d = DIM_PRESETS[preset];
        const writer = new GgufWriter(new MemorySink());
        declareBitnetModel(writer, d, byteLevelFixtureVocab(d.vocab), `synthetic ${preset}`);
        const header = writer.headerBytes();
        const first = engine.inspect(header, { nCtx, memory });
        if (!first.complete) throw new Error('header incomplete');
        const last = first.tensors[first.tensors.length - 1]!;
        const fileSize = first.headerBytes + last.offset + last.bytes;
        const inspection = engine.inspect(header, { fileSize, nCtx, memory });
        if (!inspection.complete) throw new Error('header incomplete');
        if (inspection.planError) {
          // Only the 8B and 10B shapes with the whole embedding in memory may be too big for one wasm32 memory.
          expect(memory.inputRowsFromFile).toBe(false);
          expect(['llama3-8b', 'falcon3-10b']).toContain(preset);
          expect(inspection.planError.code).toBe('out_of_memory');
          return;
        }
        const plan = inspection.plan!;
        const before = engine.memoryStats().heapUsedBytes;
        engine.loadBegin(fileSize, { nCtx, memory });
        // The header and its padding up to the data: it parses here and every tensor, cache and scratch block is
        // allocated before any weight arrives.
        const head = new Uint8Array(inspection.headerBytes);
        head.set(header);
        engine.loadChunk(head);
        // The reader may ask for more than the header before it parses: give it zeros (they become weights) until
        // the model is there.
        const zeros = new Uint8Array(1 << 20);
        for (let fed = head.length; engine.memoryStats().heapUsedBytes - before < plan.total / 2 && fed < fileSize; fed += zeros.length) {
          engine.loadChunk(zeros.subarray(0, Math.min(zeros.length, fileSize - fed)));
        }
        // The load's staging buffer (WasmEngine's, freed at load_end) is not the model's.
        within5Percent(engine.memoryStats().heapUsedBytes - before - LOAD_STAGING_BYTES, plan.total);
        if (plan.total > 2 ** 31) {
          // Past 2 GiB, wasm hands pointers to JS as negative i32s: a 64 MiB buffer now lies above 2 GiB, and the
          // JS side must still write and read it (it threw "offset is out of bounds" before WasmHeap read them
          // unsigned).
          const x = new Float32Array(16 << 20).fill(1.5);
          x[x.length - 1] = -2;
          const h = engine.roundF16(x);
          expect([h[0], h[h.length - 1]]).toEqual([0x3e00, 0xc000]);
        }
        engine.unload();
      });
    }
  }
});
