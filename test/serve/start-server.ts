/** Starts `npm run cli -- serve` as a person would (a child process on a loopback port) and stops it afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedServer {
  baseURL: string;
  stop(): Promise<void>;
}

export async function startServe(args: string[], port: number): Promise<StartedServer> {
  const child: ChildProcess = spawn('npx', ['tsx', 'scripts/cli.ts', 'serve', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends npx, tsx and node together
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 90 s:\n${output}`)), 90_000);
    const look = (b: Buffer) => {
      output += b.toString();
      if (output.includes(`:${port}/v1`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}
