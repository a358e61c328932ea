import { TritError } from '../lib/errors';

/** A `--name N` option as a whole number ≥ 0 (`fallback` when absent); anything else is refused with the usage. */
export function wholeOption(options: Map<string, string | true>, name: string, fallback: number, usage: string): number {
  const v = options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new TritError('bad_argument', `--${name} needs a whole number.`, `Usage: ${usage}`);
  return n;
}
