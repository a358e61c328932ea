/**
 * Getting a model from a classroom computer (`npm run cli -- share`): the address a person types or scans, the
 * share's manifests, and the network rules on the way. A request to the room's network carries the
 * `targetAddressSpace` that Chromium's Local Network Access expects (it then asks the person once, and lets an app
 * opened over https reach the laptop's plain http); other browsers ignore it. Where the browser cannot reach the
 * laptop at all, the error says why in plain words and points to the USB path.
 */
import { StoreError } from './errors';
import type { ShareManifest } from './share-manifest';

/** One model a share offers (its manifest), with `url` made absolute. */
export type ClassroomModel = Omit<ShareManifest, 'format'>;

const USB_HINT = 'Or use a USB stick: on the classroom computer, copy the model file to it; here, tap "Add a model from a file".';

/** The address as typed or scanned ("192.168.1.20:8765/1", with or without http://), as a URL. */
export function parseClassroomAddress(text: string): URL {
  const t = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `http://${t}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (!t || !url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new StoreError('not_found', `"${t}" is not a classroom computer's address.`, 'Type the address shown under the QR code, such as 192.168.1.20:8765/1.');
  }
  return url;
}

/** Which of Chromium's address spaces a host is in: 'loopback' (this device), 'local' (the room's network), or none. */
export function addressSpaceOf(host: string): 'loopback' | 'local' | undefined {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h)) return 'loopback';
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(h) || h.endsWith('.local') || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe80:/.test(h)) return 'local';
  return undefined;
}

/** RequestInit with `targetAddressSpace` for a request to the room's network (a member other browsers ignore). */
export function withAddressSpace(url: string, init: RequestInit = {}): RequestInit {
  let space: string | undefined;
  try {
    space = addressSpaceOf(new URL(url).hostname);
  } catch {
    space = undefined;
  }
  return space ? ({ ...init, targetAddressSpace: space } as RequestInit) : init;
}

/** A fetch that marks requests to the room's network; the store's default, so downloads reach the laptop too. */
export function localNetworkFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return globalThis.fetch(input, withAddressSpace(url, init));
}

/** Why the browser could not reach the laptop, in words: mixed content and the permission are told apart. */
export function unreachable(url: URL, pageProtocol: string | undefined, cause: unknown): StoreError {
  const detail = `${url.href}: ${cause instanceof Error ? cause.message : String(cause)}`;
  if (pageProtocol === 'https:' && url.protocol === 'http:') {
    return new StoreError('host_unreachable',
      'This browser did not let Trit reach the classroom computer. Trit is opened from a secure (https) address and the classroom computer shares over plain http; only Chrome and Edge allow that, after asking to "look for devices on your local network".',
      `If the browser asked, allow it and try again. ${USB_HINT}`, { detail });
  }
  return new StoreError('host_unreachable',
    `Could not reach the classroom computer at ${url.host}.`,
    `Check that this tablet is on the same Wi-Fi as the classroom computer, that sharing is still running there, and that the address is typed right. ${USB_HINT}`,
    { detail });
}

function checkedModel(raw: unknown, base: string): ClassroomModel {
  const m = raw as Record<string, unknown>;
  const ok = m && typeof m === 'object' && typeof m.id === 'string' && typeof m.name === 'string' && typeof m.fileName === 'string' &&
    Number.isSafeInteger(m.size) && (m.size as number) > 0 && typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) &&
    typeof m.url === 'string';
  if (!ok) throw new StoreError('not_found', 'This address answers, but not with a model Trit can fetch.', 'Check the address; it is shown under the QR code on the classroom computer.');
  return {
    id: m.id as string,
    name: m.name as string,
    fileName: m.fileName as string,
    size: m.size as number,
    sha256: m.sha256 as string,
    architecture: typeof m.architecture === 'string' ? m.architecture : 'unknown',
    parameters: Number.isFinite(m.parameters) ? (m.parameters as number) : 0,
    url: new URL(m.url as string, base).href,
  };
}

/**
 * The models at an address: one for a model's own address (".../1"), all of them for the computer's address alone.
 * `fetcher` defaults to the network; tests pass their own.
 */
export async function findClassroomModels(
  address: string,
  fetcher: typeof fetch = localNetworkFetch,
  pageProtocol = typeof location !== 'undefined' ? location.protocol : undefined,
): Promise<ClassroomModel[]> {
  const url = parseClassroomAddress(address);
  const list = url.pathname === '/' || url.pathname === '';
  const target = list ? new URL('/models.json', url) : url;
  let res: Response;
  try {
    res = await fetcher(target.href, { cache: 'no-store', signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw unreachable(target, pageProtocol, e);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new StoreError('http', `The classroom computer has nothing at ${url.host}${url.pathname} (HTTP ${res.status}).`,
      'Check the number after the last "/": it is shown under each QR code.', { httpStatus: res.status, detail: target.href });
  }
  const body = (await res.json().catch(() => undefined)) as { models?: unknown[] } | undefined;
  if (!body) throw new StoreError('not_found', 'This address answers, but not with a model Trit can fetch.', 'Check the address; it is shown under the QR code on the classroom computer.');
  const raws = list ? (Array.isArray(body.models) ? body.models : []) : [body];
  return raws.map((r) => checkedModel(r, target.href));
}
