/**
 * The share server in a process of its own, for `npm run bench -- --share`: the same modules as
 * `npm run cli -- share`, on loopback, printing its port, and at SIGTERM the peak resident memory it sampled.
 */
import type { AddressInfo } from 'node:net';
import { describeModel } from '../src/server/share-models';
import { createShareServer } from '../src/server/share-server';

const model = await describeModel(process.argv[2], '1', (l) => console.error(l));
const share = createShareServer({ models: [model], origin: '*', maxStreams: 32, maxQueued: 256, maxConnections: 256, shownAddress: () => '' });
await new Promise<void>((r) => share.server.listen(0, '127.0.0.1', r));
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
console.log(JSON.stringify({ port: (share.server.address() as AddressInfo).port, sha256: model.manifest.sha256, size: model.manifest.size }));
process.once('SIGTERM', () => {
  clearInterval(sampler);
  console.log(JSON.stringify({ peakRss, streams: share.streams() }));
  process.exit(0);
});
