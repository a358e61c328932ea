// Writes out the machine code V8 generated, from the jitdump file `--perf-prof` makes, so the x86 code Chromium runs
// for a kernel can be read (release Chromium has no disassembler of its own). How to use it is in cpp/README.md.
//   node scripts/jit-code.mjs <jit-PID.dump> <name regex> <out dir>
// writes <out dir>/<n>-<name>.bin for each code object whose name matches, and <out dir>/names.txt listing all.
// Format: a header (its size at byte 8), then records of { u32 id, u32 size, u64 time, … }; id 0 is a code load:
// u32 pid, u32 tid, u64 vma, u64 code address, u64 code size, u64 index, a NUL-ended name, then the code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [file, pattern, outDir] = process.argv.slice(2);
if (!file || !pattern || !outDir) {
  console.error('usage: node scripts/jit-code.mjs <jit-PID.dump> <name regex> <out dir>');
  process.exit(2);
}
const CODE_LOAD = 0;
const buf = readFileSync(file);
const match = new RegExp(pattern);
mkdirSync(outDir, { recursive: true });
const names = [];
let written = 0;
for (let at = buf.readUInt32LE(8); at + 16 <= buf.length; ) {
  const id = buf.readUInt32LE(at), size = buf.readUInt32LE(at + 4);
  if (size === 0) break;
  if (id === CODE_LOAD) {
    const codeSize = Number(buf.readBigUInt64LE(at + 16 + 24));
    const nameStart = at + 16 + 40, nameEnd = buf.indexOf(0, nameStart);
    const name = buf.toString('utf8', nameStart, nameEnd);
    names.push(`${codeSize}\t${name}`);
    if (match.test(name)) {
      const safe = name.replace(/[^A-Za-z0-9_<>,-]/g, '_').slice(0, 80);
      writeFileSync(join(outDir, `${written++}-${safe}.bin`), buf.subarray(nameEnd + 1, nameEnd + 1 + codeSize));
    }
  }
  at += size;
}
writeFileSync(join(outDir, 'names.txt'), names.join('\n') + '\n');
console.log(`${written} of ${names.length} code objects written to ${outDir}`);
