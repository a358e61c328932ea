// Gets the x86 machine code V8 makes for chosen functions of a wasm module, without running it: V8 compiles every
// function with its optimizing compiler up front (--no-liftoff --no-wasm-lazy-compilation) and --perf-prof writes
// each compiled function into a jitdump file. The kernels are leaf functions without calls, so this is the same
// code V8 tiers up to while a prompt runs (checked with kernel-width.ts --dump on a real run: cpp/README.md,
// "Vector width and the prompt ceiling").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Engine = 'chromium' | 'node';
const V8_FLAGS = '--perf-prof --no-liftoff --no-wasm-lazy-compilation';

/** Code objects in a jitdump file, by name (record layout: see the linux perf jitdump spec, JIT_CODE_LOAD = 0). */
export function readJitdump(buf: Buffer): Map<string, Buffer> {
  const code = new Map<string, Buffer>();
  for (let at = buf.readUInt32LE(8); at + 16 <= buf.length; ) {
    const id = buf.readUInt32LE(at), size = buf.readUInt32LE(at + 4);
    if (size === 0) break;
    if (id === 0) {
      const codeSize = Number(buf.readBigUInt64LE(at + 40));
      const nameEnd = buf.indexOf(0, at + 56);
      code.set(buf.toString('utf8', at + 56, nameEnd), buf.subarray(nameEnd + 1, nameEnd + 1 + codeSize));
    }
    at += size;
  }
  return code;
}

/** Compiles `wasm` in the given engine and returns the optimized code of each wasm function index asked for. */
export async function v8Code(engine: Engine, wasm: Uint8Array, indices: number[]): Promise<{ version: string; code: Map<number, Buffer> }> {
  const dir = mkdtempSync(join(tmpdir(), 'trit-jit-'));
  const wasmPath = join(dir, 'kernel.wasm');
  writeFileSync(wasmPath, wasm);
  try {
    const version = engine === 'node' ? compileInNode(dir, wasmPath) : await compileInChromium(dir, wasm);
    const dump = readdirSync(dir).find((f) => /^jit-\d+\.dump$/.test(f));
    if (!dump) throw new Error(`${engine} wrote no jit-*.dump into ${dir}`);
    return { version, code: codeByIndex(readJitdump(readFileSync(join(dir, dump))), indices) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Optimized code per wasm function index, from a jitdump's code objects. */
export function codeByIndex(byName: Map<string, Buffer>, indices: number[]): Map<number, Buffer> {
  const code = new Map<number, Buffer>();
  for (const [name, bytes] of byName) {
    // V8 names optimized wasm code "wasm-function[<index>]-<index>-turbofan" (or "<name>-<index>-turbofan").
    const m = /-(\d+)-turbofan$/.exec(name);
    if (m && indices.includes(Number(m[1]))) code.set(Number(m[1]), bytes);
  }
  return code;
}

function compileInNode(dir: string, wasmPath: string): string {
  const script = `WebAssembly.compile(require('fs').readFileSync(${JSON.stringify(wasmPath)})).then(() => {})`;
  // Node 20 still hides relaxed SIMD behind a flag.
  execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...V8_FLAGS.split(' '), '-e', script], { cwd: dir });
  return `Node ${process.version} (V8 ${process.versions.v8})`;
}

async function compileInChromium(dir: string, wasm: Uint8Array): Promise<string> {
  const { chromium } = await import('playwright');
  const { launchOptions } = await import('../../playwright.config');
  // --single-process: the page's V8 runs in the browser process, whose working directory receives the dump.
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const browser = await chromium.launch({ ...launchOptions, args: [...launchOptions.args, '--single-process', `--js-flags=${V8_FLAGS}`] });
    try {
      const page = await browser.newPage();
      await page.evaluate(async (b64) => {
        await WebAssembly.compile(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      }, Buffer.from(wasm).toString('base64'));
      return `Chromium ${browser.version()}`;
    } finally {
      await browser.close();
    }
  } finally {
    process.chdir(cwd);
  }
}

/** Intel-syntax disassembly: one { offset, text } per instruction. */
export function disassemble(code: Buffer): Array<{ at: number; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'trit-dis-'));
  const bin = join(dir, 'code.bin');
  writeFileSync(bin, code);
  const out = execFileSync('objdump', ['-D', '-b', 'binary', '-mi386:x86-64', '-M', 'intel', bin], { encoding: 'utf8', maxBuffer: 1 << 26 });
  rmSync(dir, { recursive: true, force: true });
  const lines: Array<{ at: number; text: string }> = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.+)$/.exec(line);
    if (m) lines.push({ at: parseInt(m[1], 16), text: m[2].replace(/\s+/g, ' ').trim() });
  }
  return lines;
}
