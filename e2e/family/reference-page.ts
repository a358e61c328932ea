// The engine exactly as the app runs it (its worker, through Comlink): loads a model by URL and hands back its logits
// token by token and as a batch, at the threads asked for, for e2e/family/reference.spec.ts to compare.
import { createEngineClient } from '../../src/lib/engine/client';

declare global {
  interface Window {
    tritFamilyLogits(opts: { url: string; ids: number[]; threads: number; i2sKernel?: 'relaxed-dot' | 'relaxed-dot-add' }): Promise<{
      architecture: string; threads: number; i2sKernel: string; crossOriginIsolated: boolean; sequential: number[]; batch: number[];
    }>;
  }
}

window.tritFamilyLogits = async ({ url, ids, threads, i2sKernel }) => {
  const client = createEngineClient();
  try {
    const status = await client.api.init({ threads, i2sKernel });
    const info = await client.api.loadModel({ kind: 'url', url }, { nCtx: 64 });
    const sequential = await client.api.logits(ids, 'sequential');
    const batch = await client.api.logits(ids, 'batch');
    return {
      architecture: info.architecture, threads: status.threads, i2sKernel: status.i2sKernel, crossOriginIsolated: status.crossOriginIsolated,
      sequential: Array.from(sequential), batch: Array.from(batch),
    };
  } finally {
    client.terminate();
  }
};
