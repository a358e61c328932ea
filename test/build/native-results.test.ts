// The C/TypeScript contract has one definition: result shapes in cpp/src/results.h (the generated TypeScript must
// match them) and status names in cpp/src/status.h (every one must be a code TypeScript knows, with its hint).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, headerPath, outputPath } from '../../scripts/gen-native-results.mjs';
import { ENGINE_ERROR_CODES } from '../../src/lib/engine/errors';

const root = join(import.meta.dirname, '../..');

describe('the C/TypeScript contract', () => {
  it('native-results.generated.ts is what cpp/src/results.h generates (else run node scripts/gen-native-results.mjs)', () => {
    expect(readFileSync(outputPath, 'utf8')).toBe(generate(readFileSync(headerPath, 'utf8')));
  });

  it('the generator notices a field added to a list', () => {
    const header = readFileSync(headerPath, 'utf8').replace('X(u64, scratch, scratch)', 'X(u64, scratch, scratch) X(i32, spare, spare)');
    expect(generate(header)).toContain('spare: raw.spare');
    expect(generate(header)).not.toBe(readFileSync(outputPath, 'utf8'));
  });

  it('every status name the engine can report is an error code TypeScript knows', () => {
    const status = readFileSync(join(root, 'cpp/src/status.h'), 'utf8');
    const names = [...status.matchAll(/X\(TRIT_\w+, -?\d+, "(\w+)"\)/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names.filter((n) => n !== 'ok' && n !== 'need_more')) expect(ENGINE_ERROR_CODES).toContain(name);
  });
});
