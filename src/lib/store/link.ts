/**
 * Checking a link before it becomes a model in the list: the server must answer, with a GGUF file the engine can
 * read. A web page (a login or "not found" page), a 404 or another kind of file is refused here, with the reason,
 * not after a download.
 */
import type { CatalogueEntry } from './catalogue';
import type { StoreContext } from './context';
import { fetchPrefix, probeSize } from './download/http';
import { StoreError, offlineError } from './errors';
import { checkModelHeader } from './header-check';

/** The first read; the whole header is read when it is longer, up to LINK_READ_LIMIT. */
const LINK_FIRST_READ = 256 * 1024;
/** Past this the rest of the header is checked at the end of the download (2B-4T's header is about 8 MB). */
const LINK_READ_LIMIT = 16 << 20;

/** Resolves to the entry with the file's size; throws a StoreError saying why the link is refused. */
export async function checkLink(ctx: StoreContext, entry: CatalogueEntry): Promise<CatalogueEntry> {
  if (!ctx.isOnline()) throw offlineError('Adding a model by its link');
  const signal = AbortSignal.timeout(60_000);
  const size = await probeSize(ctx, entry.url, signal);
  let webPage = false;
  const read = async (n: number) => {
    const prefix = await fetchPrefix(ctx, entry.url, n, signal);
    webPage ||= /^text\/html/i.test(prefix.contentType);
    return prefix.bytes;
  };
  try {
    await checkModelHeader(ctx.inspect, read, size, { firstRead: LINK_FIRST_READ, readLimit: LINK_READ_LIMIT });
  } catch (e) {
    if (webPage) {
      throw new StoreError('not_gguf', 'This link leads to a web page, not to a model file.', 'Copy the link of the .gguf file itself (on Hugging Face: the "download" link of the file).', {
        detail: e instanceof Error ? e.message : String(e),
      });
    }
    throw e;
  }
  return { ...entry, sizeBytes: size };
}
