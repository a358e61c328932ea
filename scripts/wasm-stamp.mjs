// The stamp ties cpp/build to what built it: the engine sources, the build script and the
// compiler version. `write` records it after a build; `check` fails when cpp/ changed since.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const stampPath = join(root, 'cpp/build/stamp.json');

/** Hash of everything that determines the build, read from the tree at `base` (the repo by default). */
export function sourceHash(base = root) {
  const h = createHash('sha256');
  const files = readdirSync(join(base, 'cpp/src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(relative(join(base, 'cpp/src'), e.parentPath ?? e.path), e.name).split('\\').join('/'))
    .sort()
    .map((f) => `cpp/src/${f}`);
  files.push('scripts/build-wasm.sh', 'scripts/relaxed-simd.mjs');
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(base, f)));
    h.update('\0');
  }
  return { sources: h.digest('hex'), files };
}

function emccVersion() {
  return execFileSync('em++', ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode === 'write') {
    const { sources, files } = sourceHash();
    const outputs = {};
    const builds = ['trit-mt', 'trit-st', 'node/trit-node'].flatMap((b) => [b, `${b}-relaxed`]);
    const outputFiles = builds.flatMap((b) => [`${b}.js`, `${b}.wasm`, ...(b.includes('-st') ? [] : [`${b}.worker.js`])]);
    for (const f of outputFiles) {
      outputs[f] = createHash('sha256').update(readFileSync(join(root, 'cpp/build', f))).digest('hex');
    }
    writeFileSync(stampPath, JSON.stringify({ compiler: emccVersion(), sources, files, outputs }, null, 2) + '\n');
  } else if (mode === 'check') {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    const { sources } = sourceHash();
    if (stamp.sources !== sources) {
      console.error('cpp/build is stale: cpp/src or the build script changed since it was built. Run npm run build:wasm.');
      process.exit(1);
    }
    console.log('cpp/build matches cpp/src');
  } else {
    console.error('usage: wasm-stamp.mjs write|check');
    process.exit(2);
  }
}
