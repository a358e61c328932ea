/** Handing a stored model to the engine: its shards in file order, one in memory at a time plus one read ahead. */
import { shardToBytes } from './backend';
import type { StoreContext } from './context';
import { StoreError } from './errors';
import { forgetShards } from './manifest';
import { shardSpan } from './shards';
import { requireComplete } from './transfer';
import type { OpenedModel } from './types';

export async function openModel(ctx: StoreContext, id: string): Promise<OpenedModel> {
  const openedAt = ctx.now();
  const m = await requireComplete(ctx, id);
  const opened: OpenedModel = {
    id,
    fileName: m.fileName,
    size: m.size,
    shardCount: m.shards.length,
    readMs: undefined,
    elapsedMs: () => ctx.now() - openedAt,
    chunks: async function* () {
      let readMs = 0;
      const read = async (i: number) => {
        const t0 = ctx.now();
        const blob = await ctx.backend.getShard(id, i);
        if (!blob) {
          await ctx.saveManifest(forgetShards((await ctx.backend.getManifest(id)) ?? m, [i], ctx.now()));
          throw new StoreError('incomplete', `A piece of "${m.name}" was cleared by the browser while loading.`, 'Tap Repair to fetch it again (needs the internet).', {
            shards: [shardSpan(i, m.size, m.shardSize)],
          });
        }
        const bytes = await shardToBytes(blob);
        readMs += ctx.now() - t0;
        return bytes;
      };
      // Read one shard ahead so IndexedDB works while the engine copies the previous one into wasm memory.
      let next: Promise<Uint8Array> | undefined = read(0);
      for (let i = 0; i < m.shards.length; i++) {
        const current: Uint8Array = await next!;
        next = i + 1 < m.shards.length ? read(i + 1) : undefined;
        next?.catch(() => undefined);
        yield current;
      }
      opened.readMs = readMs;
    },
  };
  return opened;
}
