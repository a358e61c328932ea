/**
 * The Firefox suite's servers are the shared ones (e2e/support/hosts.ts); here only where its ports start.
 * TRIT_FIREFOX_PORT moves every server of the suite (it and the next few ports), for side-by-side runs.
 */
export { ROOT, startModelHost, startPreview, type ModelHost, type Server } from '../support/hosts';

export const BASE_PORT = Number(process.env.TRIT_FIREFOX_PORT ?? 4280);
