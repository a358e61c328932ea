/**
 * What the device panel says when the engine runs on one thread although threads were wanted: the true reason,
 * since "not isolated" and "isolated but no shared memory" (WebKitGTK, which withholds SharedArrayBuffer even on
 * isolated pages) need different fixes.
 */
export function singleThreadReason(crossOriginIsolated: boolean, hasSharedArrayBuffer: boolean): string | undefined {
  if (!crossOriginIsolated) {
    return 'This page is not cross-origin isolated, so the browser withholds SharedArrayBuffer and the engine runs on one thread.';
  }
  if (!hasSharedArrayBuffer) {
    return 'This browser offers no shared memory (SharedArrayBuffer) to pages, even isolated ones, so the engine runs on one thread.';
  }
  return undefined;
}
