/**
 * Trit as a Web Share Target for model files: a .gguf received by Quick Share, AirDrop or Bluetooth and shared to
 * the installed app arrives as a multipart POST to `share-target` (the manifest's `share_target`). The service
 * worker keeps the file in Cache Storage (on disk, not in memory) and sends the page to `?shared-model`; the page
 * takes it from there and imports it like any file, so the engine's reader checks it and a non-model is refused.
 */

/** The manifest's action, relative to the app's scope. */
export const SHARE_TARGET_ACTION = 'share-target';
/** The form field the manifest names for the files. */
export const SHARE_TARGET_FIELD = 'model';
const CACHE = 'trit-shared-model';
const KEY = 'shared-model';
const PARAM = 'shared-model';

/** Service worker side: keeps the first shared file and redirects to the app (303, so the reload is a GET). */
export async function receiveSharedFile(request: Request, scope: string): Promise<Response> {
  let file: File | undefined;
  try {
    const form = await request.formData();
    const value = form.getAll(SHARE_TARGET_FIELD).find((v): v is File => typeof v !== 'string');
    file = value;
  } catch {
    file = undefined;
  }
  const cache = await caches.open(CACHE);
  await cache.delete(new URL(KEY, scope).href);
  if (file) {
    await cache.put(new URL(KEY, scope).href, new Response(file, { headers: { 'Content-Type': 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name || 'model.gguf') } }));
  }
  return Response.redirect(new URL(`./?${PARAM}=${file ? '1' : '0'}`, scope).href, 303);
}

/**
 * Page side: the file a share brought, once (it leaves the cache and the address bar). Undefined when the page was
 * not opened by a share; `null` when a share arrived without a file.
 */
export async function takeSharedFile(): Promise<File | null | undefined> {
  if (typeof location === 'undefined' || typeof caches === 'undefined') return undefined;
  const url = new URL(location.href);
  if (!url.searchParams.has(PARAM)) return undefined;
  url.searchParams.delete(PARAM);
  history.replaceState(history.state, '', url.href);
  const key = new URL(KEY, url).href;
  const cache = await caches.open(CACHE);
  const res = await cache.match(key);
  if (!res) return null;
  const name = decodeURIComponent(res.headers.get('X-File-Name') ?? 'model.gguf');
  const file = new File([await res.blob()], name, { type: 'application/octet-stream' });
  await cache.delete(key);
  return file;
}
