/**
 * A stored model's shards read in a worker of their own and handed over (transferred, not copied) to the engine
 * worker. Why: Chromium moves a Blob's bytes to the reading thread through a pipe only that thread's event loop
 * empties, so an engine worker that reads its own shards cannot read while it copies and converts the previous one
 * into wasm memory; a stored 2B-4T spent about as long waiting for its bytes as using them.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../engine/comlink-errors';
import { getModelStore } from './index';

export interface ShardReaderApi {
  /** Opens the stored model; its shards are then read in file order by next(). */
  open(modelId: string): Promise<void>;
  /** The next shard's bytes (this side's copy is given away), or undefined after the last. */
  next(): Promise<Uint8Array | undefined>;
}

/** The reader worker's side (workers/shard-reader.worker.ts). */
export function startShardReader(): void {
  installErrorTransfer();
  let shards: AsyncIterator<Uint8Array> | undefined;
  const api: ShardReaderApi = {
    async open(modelId) {
      shards = (await getModelStore().open(modelId)).chunks()[Symbol.asyncIterator]();
    },
    async next() {
      if (!shards) throw new Error('next() before open()');
      const { done, value } = await shards.next();
      return done ? undefined : Comlink.transfer(value, [value.buffer]);
    },
  };
  Comlink.expose(api);
}
