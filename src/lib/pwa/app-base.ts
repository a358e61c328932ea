/**
 * The address the app is served from (Vite's base, e.g. https://host/ or https://host/trit/), which is not the
 * page's address when it was opened at a deep link such as /some/deep/link: files of the app itself (the demo model)
 * are found from here, so they resolve the same on every page and match what the service worker precached.
 */
export function appBaseUrl(): string {
  return new URL(import.meta.env.BASE_URL, document.baseURI).href;
}
