/**
 * `npm run cli -- serve --model <gguf> [--port 8080] [--host 127.0.0.1] [--threads N] [--ctx N] [--max-tokens N]
 * [--max-body-bytes N]`: the loaded model behind OpenAI-compatible endpoints, on loopback unless --host says
 * otherwise (anyone who can reach the port can use the model). Prints one line with the address when it listens.
 */
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { TritError } from '../lib/errors';
import { wholeOption } from './cli-options';
import { createApiServer } from './http-server';
import { loadModelHost } from './model-host';

export interface ServeArgs {
  options: Map<string, string | true>;
}

export const SERVE_USAGE = 'npm run cli -- serve --model <model.gguf> [--port 8080] [--host 127.0.0.1] [--threads N] [--ctx N]\n' +
  '            [--max-tokens N] [--max-body-bytes N]';

function whole(args: ServeArgs, name: string, fallback: number): number {
  return wholeOption(args.options, name, fallback, SERVE_USAGE);
}

export async function serve(args: ServeArgs): Promise<void> {
  const modelPath = args.options.get('model');
  if (typeof modelPath !== 'string') throw new TritError('bad_argument', 'serve needs --model <file>.', `Usage: ${SERVE_USAGE}`);
  if (!existsSync(modelPath)) throw new TritError('not_found', `There is no model file at ${modelPath}.`, 'Check the path given to --model.');
  const hostArg = args.options.get('host');
  const host = typeof hostArg === 'string' ? hostArg : '127.0.0.1';
  const port = whole(args, 'port', 8080);
  const model = await loadModelHost({
    modelPath,
    threads: Math.max(1, whole(args, 'threads', Math.min(4, availableParallelism()))),
    nCtx: whole(args, 'ctx', 0),
  });
  if (model.templateNotice) console.error(`note: ${model.templateNotice}`);
  const limits = {
    maxTokens: Math.max(1, whole(args, 'max-tokens', Math.min(2048, model.nCtx))),
    maxBodyBytes: Math.max(1024, whole(args, 'max-body-bytes', 1 << 20)),
  };
  const server = createApiServer(model, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new TritError('busy', `Port ${port} on ${host} is already in use.`, 'Stop what uses it, or pick another port with --port.'));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new TritError('bad_argument', `This computer has no address ${host}.`, 'Leave --host out (127.0.0.1), or give an address of this computer.'));
      else reject(e);
    });
    server.listen(port, host, resolve);
  });
  const at = server.address() as AddressInfo;
  const shown = at.family === 'IPv6' ? `[${at.address}]` : at.address;
  console.log(`Trit serves ${model.id} (${model.nCtx}-token context) at http://${shown}:${at.port}/v1`);
  // Runs until stopped (Ctrl+C): the CLI must not exit when this resolves.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  server.close();
}
