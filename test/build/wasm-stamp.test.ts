import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceHash, stampPath } from '../../scripts/wasm-stamp.mjs';

const root = join(import.meta.dirname, '../..');

describe('committed wasm build', () => {
  it('was built from the current cpp/ sources and build script (else run npm run build:wasm)', () => {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    expect(stamp.sources).toBe(sourceHash().sources);
  });

  it('every output the stamp lists is present and unchanged since the build', async () => {
    const { createHash } = await import('node:crypto');
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    expect(Object.keys(stamp.outputs).length).toBeGreaterThanOrEqual(16);
    for (const [file, hash] of Object.entries(stamp.outputs)) {
      const actual = createHash('sha256').update(readFileSync(join(root, 'cpp/build', file))).digest('hex');
      expect(actual, file).toBe(hash);
    }
  });

  it('the stamp notices any change to a source file or the build script', () => {
    const copy = mkdtempSync(join(tmpdir(), 'trit-stamp-'));
    cpSync(join(root, 'cpp/src'), join(copy, 'cpp/src'), { recursive: true });
    cpSync(join(root, 'scripts/build-wasm.sh'), join(copy, 'scripts/build-wasm.sh'));
    cpSync(join(root, 'scripts/relaxed-simd.mjs'), join(copy, 'scripts/relaxed-simd.mjs'));
    const before = sourceHash(copy).sources;
    expect(before).toBe(sourceHash().sources);

    const source = readdirSync(join(copy, 'cpp/src')).sort()[0];
    appendFileSync(join(copy, 'cpp/src', source), '\n// edited\n');
    const afterSourceEdit = sourceHash(copy).sources;
    expect(afterSourceEdit).not.toBe(before);

    writeFileSync(join(copy, 'scripts/build-wasm.sh'), readFileSync(join(copy, 'scripts/build-wasm.sh'), 'utf8').replace('-O3', '-O2'));
    expect(sourceHash(copy).sources).not.toBe(afterSourceEdit);
  });
});
