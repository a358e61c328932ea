/**
 * `npm run cli -- share <model.gguf>... [--port 8765] [--host 0.0.0.0] [--address A] [--origin O] [--max-streams N]
 * [--max-queued N] [--max-connections N]`: serves the named model files to the tablets in the room, read-only, with
 * nothing from the internet. Prints each model's address and a QR code for the terminal, then a line whenever a
 * device's download moves on, until stopped with Ctrl+C.
 */
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { TritError } from '../lib/errors';
import { wholeOption } from './cli-options';
import { describeModel, type SharedModel } from './share-models';
import { shortAddress, sizeText } from './share-page';
import { describeRow, type DownloadRow } from './share-progress';
import { createShareServer } from './share-server';

export interface ShareArgs {
  positional: string[];
  options: Map<string, string | true>;
}

export const SHARE_USAGE = 'npm run cli -- share <model.gguf>... [--port 8765] [--host 0.0.0.0] [--address <this computer\'s address>]\n' +
  '            [--origin <app origin, default any>] [--max-streams 32] [--max-queued 256] [--max-connections 256]';

function whole(args: ShareArgs, name: string, fallback: number): number {
  return wholeOption(args.options, name, fallback, SHARE_USAGE);
}

function text(args: ShareArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new TritError('bad_argument', `--${name} needs a value.`, `Usage: ${SHARE_USAGE}`);
  return v;
}

/** This computer's address on the room's network: a private IPv4 address first, any other after. */
export function lanAddress(): string | undefined {
  const all = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal);
  const priv = all.find((i) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(i!.address));
  return (priv ?? all[0])?.address;
}

function shownHost(listenHost: string, given: string | undefined): string {
  if (given) return given;
  if (listenHost !== '0.0.0.0' && listenHost !== '::') return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  return lanAddress() ?? '127.0.0.1';
}

/** Prints rows that moved since the last call. */
function progressPrinter(list: () => DownloadRow[]): () => void {
  const last = new Map<string, string>();
  return () => {
    for (const r of list()) {
      const line = describeRow(r);
      const key = `${r.client} ${r.model}`;
      if (last.get(key) !== line) console.log(line);
      last.set(key, line);
    }
  };
}

export async function share(args: ShareArgs): Promise<void> {
  if (!args.positional.length) throw new TritError('bad_argument', 'share needs at least one model file.', `Usage: ${SHARE_USAGE}`);
  const host = text(args, 'host') ?? '0.0.0.0';
  const port = whole(args, 'port', 8765);
  const models: SharedModel[] = [];
  for (const [i, file] of args.positional.entries()) models.push(await describeModel(file, String(i + 1), (l) => console.error(l)));
  let base = '';
  const share = createShareServer({
    models,
    origin: text(args, 'origin') ?? '*',
    maxStreams: Math.max(1, whole(args, 'max-streams', 32)),
    maxQueued: whole(args, 'max-queued', 256),
    maxConnections: Math.max(1, whole(args, 'max-connections', 256)),
    shownAddress: () => base,
  });
  await new Promise<void>((resolve, reject) => {
    share.server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new TritError('busy', `Port ${port} is already in use on this computer.`, 'Stop what uses it, or pick another port with --port.'));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new TritError('bad_argument', `This computer has no address ${host}.`, 'Leave --host out, or give an address of this computer.'));
      else reject(e);
    });
    share.server.listen(port, host, resolve);
  });
  const at = share.server.address() as AddressInfo;
  base = `http://${shownHost(host, text(args, 'address'))}:${at.port}`;
  console.log(`Trit is sharing ${models.length} model${models.length === 1 ? '' : 's'} with the tablets on this network (no internet needed).`);
  for (const m of models) {
    const url = `${base}/${m.manifest.id}`;
    console.log(`\n${m.manifest.name} (${sizeText(m.manifest.size)}, sha256 ${m.manifest.sha256})`);
    console.log(await QRCode.toString(url, { type: 'terminal', small: true }));
    console.log(`Share address: ${url}`);
    console.log(`On a tablet: Trit > Models > Get from a classroom computer, then scan the code or type ${shortAddress(base, m.manifest.id)}`);
  }
  console.log(`\nA page with these codes, to show the class: http://localhost:${at.port}/ on this computer. Ctrl+C stops sharing.`);
  const timer = setInterval(progressPrinter(() => share.progress.list()), 3000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  share.server.close();
  share.server.closeAllConnections();
}
