/** The engine in Node (tests, CLI, benchmarks): the pthreads + SIMD build in cpp/build/node. */
import { createRequire } from 'node:module';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from './errors';
import { WasmEngine, type EngineModelInfo, type TritModuleFactory } from './wasm-engine';

const here = dirname(fileURLToPath(import.meta.url));
export const NODE_BUILD_PATH = join(here, '../../../cpp/build/node/trit-node.js');

export async function createNodeEngine(opts: { threads?: number } = {}): Promise<WasmEngine> {
  if (!existsSync(NODE_BUILD_PATH)) {
    throw new EngineError('internal', `The Node engine build is missing (${NODE_BUILD_PATH}).`, 'Run `npm run build:wasm` first.');
  }
  const require = createRequire(import.meta.url);
  const factory = require(NODE_BUILD_PATH) as TritModuleFactory;
  // Node has fetch(), which this Emscripten glue would try on a file path; hand it the binary instead.
  const wasmBinary = readFileSync(NODE_BUILD_PATH.replace(/\.js$/, '.wasm'));
  return WasmEngine.create(factory, { threads: opts.threads ?? 1, moduleArgs: { wasmBinary } });
}

/** Streams a model file into the engine in 32 MiB chunks (never the whole file in memory at once). */
export async function loadModelFile(engine: WasmEngine, path: string, nCtx = 0): Promise<EngineModelInfo> {
  const total = statSync(path).size;
  const stream = createReadStream(path, { highWaterMark: 32 << 20 });
  async function* chunks() {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      yield new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
  }
  return engine.load(chunks(), total, { nCtx });
}
