/** trit.models: downloads, imports and lists over the model store, with a checksum check the caller can ask for. */
import { cancelled, TritError } from '../errors';
import type { ModelStore, ModelView, StoreProgress } from '../store';
import type { DownloadModelOptions, TritModels } from './types';

/** Relative links are taken against the embedding page, as fetch() takes them. */
function absolute(url: string): string {
  const base = globalThis.location?.href;
  return base ? new URL(url, base).href : url;
}

/** A caller's progress callback that throws must not look like a failed download to the store: it is reported and
 * the download goes on. */
export function guarded<T>(callback: ((value: T) => void) | undefined): (value: T) => void {
  return (value) => {
    try {
      callback?.(value);
    } catch (e) {
      console.error('trit-web: an onProgress callback threw', e);
    }
  };
}

export function modelsApi(store: ModelStore, progress: (p: StoreProgress) => void): TritModels {
  async function download(url: string, opts: DownloadModelOptions = {}): Promise<ModelView> {
    const { signal } = opts;
    if (signal?.aborted) throw cancelled('The download');
    const entry = await store.addByUrl(absolute(url), opts.name);
    const onAbort = () => store.pause(entry.id);
    const own = guarded(opts.onProgress);
    signal?.addEventListener('abort', onAbort);
    try {
      const outcome = await store.download(entry.id, {
        onProgress: (p) => {
          progress(p);
          own(p);
        },
      });
      if (outcome.state !== 'ready') throw cancelled('The download');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const stored = (await store.get(entry.id))!;
    const expected = opts.sha256?.toLowerCase();
    if (expected && stored.fileSha256 !== expected) {
      await store.delete(entry.id);
      throw new TritError('checksum_mismatch', `The file at ${url} does not have the expected sha256 (it has ${stored.fileSha256 ?? 'none'}).`,
        'Check the link and the checksum; the download was deleted.');
    }
    return stored;
  }

  return {
    download,
    import: (file, opts = {}) => {
      const own = guarded(opts.onProgress);
      return store.import(file, {
        ...opts,
        onProgress: (p) => {
          progress(p);
          own(p);
        },
      });
    },
    list: () => store.list(),
    delete: (id) => store.delete(id),
  };
}
