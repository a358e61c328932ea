/**
 * The library's published types, as an embedder sees them: declarations built by tsc (tsconfig.lib.json) into
 * packages/trit/dist/types, then a separate project that imports only 'trit-web' (its package.json entry points)
 * and the example page, compiled with strict settings and library checking on.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function tsc(project: string): string {
  try {
    execFileSync('npx', ['tsc', '-p', project], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

describe('trit-web public types', () => {
  it('build, and an embedder project using only the entry points compiles against them', () => {
    expect(tsc('tsconfig.lib.json')).toBe('');
    expect(tsc('test/types-project')).toBe('');
  }, 300_000);
});
