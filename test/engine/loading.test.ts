// Loading converts the embedding / lm_head rows where they lie in each chunk, split across the pool's threads, and
// carries a row cut by a chunk's edge over to the next chunk. The weights must not depend on either: a file fed in
// odd-sized pieces on one thread gives the same logits, bit for bit, as one piece on two, in every head format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../src/lib/engine/node';
import type { MemoryOptions, WasmEngine } from '../../src/lib/engine/wasm-engine';
import { FAMILY_MODELS, MODELS, fixtureBytes } from './helpers';

let engine: WasmEngine;
beforeAll(async () => { engine = await createNodeEngine({ threads: 2 }); });
afterAll(() => engine?.unload());

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

const HEADS: Record<string, MemoryOptions> = {
  'int8 with the residual table': { inputRowsFromFile: false },
  '6-bit': { inputRowsFromFile: false, head: 'int6' },
  '4-bit': { inputRowsFromFile: false, head: 'int4' },
};

describe('the embedding converted while loading', () => {
  for (const [name, file, ids] of [
    ['medium (tied F16 table)', MODELS.medium.file, MODELS.medium.input_ids],
    ['falcon3 (separate F16 head)', 'family/' + FAMILY_MODELS.falcon3.file, FAMILY_MODELS.falcon3.input_ids],
  ] as const) {
    for (const [head, memory] of Object.entries(HEADS)) {
      it(`${name}, ${head} head: the same logits from odd-sized pieces on one thread as from one piece on two`, async () => {
        const bytes = fixtureBytes(file);
        engine.setThreads(2);
        await engine.loadModel({ chunks: [bytes], size: bytes.length }, { nCtx: 64, memory });
        const whole = engine.eval([...ids], { allLogits: true }).slice();
        engine.setThreads(1);
        // 4099 bytes: not a multiple of any row, so nearly every row of the table is cut by a chunk's edge.
        await engine.loadModel({ chunks: pieces(bytes, 4099), size: bytes.length }, { nCtx: 64, memory });
        const cut = engine.eval([...ids], { allLogits: true }).slice();
        engine.setThreads(2);
        expect(cut.length).toBe(whole.length);
        expect(Buffer.from(cut.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
        engine.unload();
      });
    }
  }
});

describe('the load says where its time went', () => {
  it('header, waiting, copying and finishing: each counted once, together within the wall time', async () => {
    const bytes = fixtureBytes(MODELS.medium.file);
    // A source that takes 30 ms per chunk: that time must show as waiting, not as copying.
    async function* slowly() {
      for (const piece of pieces(bytes, 1 << 20)) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        yield piece;
      }
    }
    const started = performance.now();
    const { phases } = await engine.loadModel({ chunks: slowly(), size: bytes.length }, { nCtx: 64 });
    const wall = performance.now() - started;
    const chunks = Math.ceil(bytes.length / (1 << 20));
    expect(phases.waitMs).toBeGreaterThanOrEqual(chunks * 30 * 0.9);
    expect(phases.headerMs).toBeGreaterThan(0);
    expect(phases.copyMs).toBeGreaterThan(0);
    expect(phases.finishMs).toBeGreaterThan(0);
    expect(phases.headerMs + phases.waitMs + phases.copyMs + phases.finishMs).toBeLessThanOrEqual(wall + 1);
    expect(phases.copyMs).toBeLessThan(phases.waitMs);
    engine.unload();
  });
});
