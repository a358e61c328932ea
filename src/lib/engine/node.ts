/** The engine in Node (tests, CLI, benchmarks): the pthreads + SIMD builds in cpp/build/node. */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from './errors';
import type { SimdLevel } from './protocol';
import { hasRelaxedSimd } from './simd-support';
import { WasmEngine, type LoadedModel, type LoadModelOptions, type TritModuleFactory } from './wasm-engine';

const here = dirname(fileURLToPath(import.meta.url));
const buildPath = (simd: SimdLevel) =>
  join(here, `../../../cpp/build/node/trit-node${simd === 'relaxed' ? '-relaxed' : ''}.js`);

/** Relaxed SIMD if this Node has it: Node 22 does by default, Node 20's V8 behind a flag that can be set at run time
 * (before any module using it compiles). */
export function nodeSimdLevel(): SimdLevel {
  if (hasRelaxedSimd()) return 'relaxed';
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return hasRelaxedSimd() ? 'relaxed' : 'simd128';
}

/** simd picks the build; by default the best this Node runs. Tests ask for each to check both kernels. */
export async function createNodeEngine(opts: { threads?: number; simd?: SimdLevel } = {}): Promise<WasmEngine> {
  const best = nodeSimdLevel();
  const simd = opts.simd ?? best;
  if (simd === 'relaxed' && best !== 'relaxed') {
    throw new EngineError('bad_argument', 'This Node has no relaxed SIMD.', 'Use Node 22 or later, or the simd128 build.');
  }
  const path = buildPath(simd);
  if (!existsSync(path)) {
    throw new EngineError('internal', `The Node engine build is missing (${path}).`, 'Run `npm run build:wasm` first.');
  }
  const require = createRequire(import.meta.url);
  const factory = require(path) as TritModuleFactory;
  // Node has fetch(), which this Emscripten glue would try on a file path; hand it the binary instead.
  const wasmBinary = readFileSync(path.replace(/\.js$/, '.wasm'));
  return WasmEngine.create(factory, { threads: opts.threads ?? 1, moduleArgs: { wasmBinary } });
}

/** Synchronous reads of a file at any offset, for a model whose input rows stay in the file; close() ends them. */
export function fileRangeReader(path: string): { readRange: (offset: number, length: number) => Uint8Array; close: () => void } {
  let fd: number | undefined = openSync(path, 'r');
  return {
    readRange(offset, length) {
      if (fd === undefined) throw new EngineError('bad_state', `${path} was closed.`);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new EngineError('truncated', `${path} ended at byte ${offset + done}.`);
        done += n;
      }
      return out;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Streams a model file into the engine through WasmEngine.loadModel, in 32 MiB chunks (never the whole file in
 * memory at once), and keeps it open so the input rows are read from it (unless opts.memory says otherwise).
 * nCtx 0: the engine's default context. */
export async function loadModelFile(engine: WasmEngine, path: string, nCtx = 0, opts: Omit<LoadModelOptions, 'nCtx'> = {}): Promise<LoadedModel> {
  const size = statSync(path).size;
  const stream = createReadStream(path, { highWaterMark: 32 << 20 });
  const file = opts.memory?.inputRowsFromFile === false ? undefined : fileRangeReader(path);
  async function* chunks() {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      yield new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
  }
  try {
    return await engine.loadModel({ chunks: chunks(), size, ...file }, { ...opts, nCtx: nCtx || undefined });
  } finally {
    stream.destroy();
  }
}
