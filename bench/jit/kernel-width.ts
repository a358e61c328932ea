/**
 * How many int8 multiply-adds the x86 code V8 makes for the I2_S dot kernels does per instruction (and, through
 * llvm-mca, per cycle): the figures behind "Vector width and the prompt ceiling" in cpp/README.md.
 *
 *   npx tsx bench/jit/kernel-width.ts [--rev HEAD | --wasm <file>] [--engines chromium,node] [--mcpu znver3]
 *                                     [--out <dir>] [--json]
 *
 * 1. Takes the relaxed-SIMD build (`cpp/build/trit-mt-relaxed.wasm` as committed at --rev, so a rebuild in the
 *    working tree does not change the answer; or any --wasm file).
 * 2. Finds the kernels by their relaxed dots (binaryen's wasm-dis): rows_dot<R, T> in `cpp/src/i2s_dot.cpp` has
 *    8·R·T of them per 128-element block (64: the prompt kernel, 4 rows x 2 tokens; 32: 4 rows x 1 token, what
 *    generation runs; 8: 1 row, the rows after the last full tile).
 * 3. Has V8 compile the module (Chromium through Playwright, and/or this Node) with --perf-prof and reads each
 *    kernel's machine code out of the jitdump (bench/jit/v8-code.ts). Nothing runs, so it takes seconds of CPU.
 * 4. Disassembles with objdump, takes the innermost loop holding a multiply-add (one 128-element block per
 *    iteration), sorts its instructions into classes and counts them; llvm-mca, if installed, estimates cycles
 *    per iteration for --mcpu (default znver3: this machine's AMD EPYC, family 25 model 1, AVX2 without AVX-512).
 * 5. Shows how each engine lowers the two relaxed dots on this CPU (a two-function module compiled the same way).
 * 6. Runs llvm-mca on the hand-written listings in bench/jit/native/*.s (bitnet.cpp's inner loops counted from its
 *    source, and what other widths or instructions would allow): each file's `# label: ...; macs: N; triple: T;
 *    mcpu: C` line says what it is. These are read from source, not measured; the V8 rows above are measured.
 * --out writes each loop's instructions (<engine>-<kernel>.s) for reading.
 * --dump <jit-PID.dump> counts the loops in a dump a real run wrote instead (the wasm must be the build that ran,
 *   e.g. `npx tsx bench/chromium-run.ts bench/out/synthetic-medium.gguf 1 32 4 512 1 -- '--js-flags=--perf-prof'
 *   --single-process` from an empty directory, which runs trit-mt-relaxed.wasm): the check that V8 tiers up to the
 *   same code as compiling up front.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { classify, hotLoop, MACS_PER_MADD, type InstrClass } from './loop-count';
import { codeByIndex, disassemble, readJitdump, v8Code, type Engine } from './v8-code';

const args = process.argv.slice(2);
const opt = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const rev = opt('rev', 'HEAD')!;
const wasmFile = opt('wasm');
const engines = opt('engines', 'chromium,node')!.split(',') as Engine[];
const mcpu = opt('mcpu', 'znver3')!;
const outDir = opt('out');
const asJson = args.includes('--json');
const dumpFile = opt('dump');

const wasm: Uint8Array = wasmFile
  ? readFileSync(wasmFile)
  : execFileSync('git', ['show', `${rev}:cpp/build/trit-mt-relaxed.wasm`], { maxBuffer: 1 << 28 });

/** Wasm function index (imports first, as V8 numbers them) of each function, with its count of relaxed dots. */
function dotsPerFunction(bytes: Uint8Array): Array<{ index: number; dots: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'trit-wat-'));
  writeFileSync(join(dir, 'm.wasm'), bytes);
  const local = join('node_modules', '.bin', 'wasm-dis');
  const wat = execFileSync(existsSync(local) ? local : 'wasm-dis', ['--all-features', join(dir, 'm.wasm')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(dir, { recursive: true, force: true });
  let imports = 0, defined = -1;
  const dots = new Map<number, number>();
  for (const line of wat.split('\n')) {
    if (/^ \(import "[^"]*" "[^"]*" \(func /.test(line)) imports++;
    else if (line.startsWith(' (func ')) defined++;
    else if (defined >= 0 && line.includes('dot_i8x16_i7x16')) dots.set(defined, (dots.get(defined) ?? 0) + 1);
  }
  return [...dots].map(([k, n]) => ({ index: imports + k, dots: n }));
}

const KERNELS: Record<number, string> = { 64: 'rows_dot<4,2> (prompt)', 32: 'rows_dot<4,1> (one token)', 8: 'rows_dot<1,1> (file rows)' };
const kernels = dotsPerFunction(wasm).filter((f) => KERNELS[f.dots]);
if (kernels.length === 0) throw new Error('no relaxed-dot kernel found: is this a relaxed-SIMD build?');

/**
 * llvm-mca's simulated cycles per loop iteration and its resource bound (cycles if only the execution ports limited,
 * "Block RThroughput"), branches left out (it does not follow them); undefined without llvm-mca.
 */
function mca(loop: string[], cpu = mcpu, triple = 'x86_64'): { cycles: number; bound: number } | undefined {
  const body = loop.filter((l) => !/^(j[a-z]+|b\.[a-z]+) /.test(l)).join('\n') + '\n';
  const iterations = 200;
  try {
    const out = execFileSync('llvm-mca', [`-mtriple=${triple}`, `-mcpu=${cpu}`, '-x86-asm-syntax=intel', `-iterations=${iterations}`], { input: body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const total = /Total Cycles:\s+(\d+)/.exec(out), bound = /Block RThroughput:\s+([\d.]+)/.exec(out);
    return total && bound ? { cycles: Number(total[1]) / iterations, bound: Number(bound[1]) } : undefined;
  } catch {
    return undefined;
  }
}

interface Mca { cyclesPerIteration?: number; macsPerCycle?: number; portBoundCycles?: number; macsPerCycleAtPortBound?: number }
interface Row extends Mca { engine: string; kernel: string; instructions: number; macs: number; macsPerInstruction: number; classes: Record<InstrClass, number> }
function mcaFigures(loop: string[], macs: number, cpu?: string, triple?: string): Mca {
  const m = mca(loop, cpu, triple);
  return m ? { cyclesPerIteration: m.cycles, macsPerCycle: macs / m.cycles, portBoundCycles: m.bound, macsPerCycleAtPortBound: macs / m.bound } : {};
}
const rows: Row[] = [];
const sources = dumpFile
  ? [{ engine: 'dump', get: async () => ({ version: `dump ${dumpFile}`, code: codeByIndex(readJitdump(readFileSync(dumpFile)), kernels.map((k) => k.index)) }) }]
  : engines.map((engine) => ({ engine, get: () => v8Code(engine, wasm, kernels.map((k) => k.index)) }));
for (const { engine, get } of sources) {
  const { version, code } = await get();
  for (const k of kernels) {
    const bytes = code.get(k.index);
    if (!bytes && dumpFile) continue; // a real run optimizes only the functions that got hot
    if (!bytes) throw new Error(`${version} did not report code for wasm function ${k.index}`);
    const loop = hotLoop(disassemble(bytes));
    const classes = classify(loop);
    const macs = classes.madd * MACS_PER_MADD;
    rows.push({ engine: version, kernel: KERNELS[k.dots], instructions: loop.length, macs, macsPerInstruction: macs / loop.length, ...mcaFigures(loop, macs), classes });
    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, `${engine}-${KERNELS[k.dots].split(' ')[0].replace(/[<>,]/g, '_')}.s`), loop.join('\n') + '\n');
    }
  }
}

// i16x8.relaxed_dot_i8x16_i7x16_s (function 0) and i32x4.relaxed_dot_i8x16_i7x16_add_s (function 1) on their own.
const DOTS_WASM = '0061736d01000000010e0260027b7b017b60037b7b7b017b030302000107090201610000016200010a1702090020002001fd92020b0b00200020012002fd93020b';
const lowering: Array<{ engine: string; op: string; code: string }> = [];
for (const engine of engines) {
  const { version, code } = await v8Code(engine, Buffer.from(DOTS_WASM, 'hex'), [0, 1]);
  for (const [index, op] of ['i16x8.relaxed_dot_i8x16_i7x16_s', 'i32x4.relaxed_dot_i8x16_i7x16_add_s'].entries()) {
    const text = disassemble(code.get(index)!).map((l) => l.text);
    // Between the frame setup (push rsi) and the frame teardown (mov rsp,rbp).
    const body = text.slice(text.indexOf('push rsi') + 1, text.indexOf('mov rsp,rbp')).filter((t) => !/^v?mova/.test(t));
    lowering.push({ engine: version, op, code: body.join('; ') });
  }
}

/** The hand-written listings in bench/jit/native/, each through llvm-mca for the core its header names. */
const nativeDir = join(dirname(fileURLToPath(import.meta.url)), 'native');
const native = readdirSync(nativeDir).filter((f) => f.endsWith('.s')).sort().map((file) => {
  const lines = readFileSync(join(nativeDir, file), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const meta = /label: (.+); macs: (\d+); triple: (\S+); mcpu: (\S+)/.exec(lines.find((l) => l.startsWith('# label:')) ?? '');
  if (!meta) throw new Error(`${file}: no "# label: ...; macs: N; triple: T; mcpu: C" line`);
  const loop = lines.filter((l) => !l.startsWith('#'));
  const macs = Number(meta[2]);
  return { file, label: meta[1], mcpu: meta[4], instructions: loop.length, macs, macsPerInstruction: macs / loop.length, ...mcaFigures(loop, macs, meta[4], meta[3]) };
});

if (asJson) {
  console.log(JSON.stringify({ wasm: wasmFile ?? `${rev}:cpp/build/trit-mt-relaxed.wasm`, mcpu, rows, lowering, native }));
} else {
  const f = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));
  console.log(`wasm: ${wasmFile ?? `${rev}:cpp/build/trit-mt-relaxed.wasm`}; cycles: llvm-mca -mcpu=${mcpu}`);
  console.log('| engine | kernel | instructions / block | int8 multiply-adds | per instruction | cycles (mca) | per cycle | port-bound per cycle | madd | add | unpack | loads | stack | reg moves | constants | scalar |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const c = r.classes;
    console.log(`| ${r.engine} | ${r.kernel} | ${r.instructions} | ${r.macs} | ${f(r.macsPerInstruction, 2)} | ${f(r.cyclesPerIteration)} | ${f(r.macsPerCycle)} | ${f(r.macsPerCycleAtPortBound)} | ${c.madd} | ${c.accumulate} | ${c.unpack} | ${c.load} | ${c.stack} | ${c.move} | ${c.constant} | ${c.scalar + c.other} |`);
  }
  console.log('\nHow V8 lowers the relaxed dots on this CPU (measured):');
  for (const l of lowering) console.log(`  ${l.engine}: ${l.op} -> ${l.code}`);
  console.log('\nHand-written loops from source (bench/jit/native, read, not measured; cycles from llvm-mca):');
  console.log('| loop | llvm-mca cpu | instructions / iteration | int8 multiply-adds | per instruction | cycles (mca) | per cycle | port-bound per cycle |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of native) console.log(`| ${n.label} | ${n.mcpu} | ${n.instructions} | ${n.macs} | ${f(n.macsPerInstruction, 2)} | ${f(n.cyclesPerIteration)} | ${f(n.macsPerCycle)} | ${f(n.macsPerCycleAtPortBound)} |`);
}
process.exit(0);
