/**
 * Byte counts as people read them: decimal units, as phone storage screens and download pages show them.
 * `tag` is a language (BCP 47): English keeps the short SI symbols; other languages get the platform's own words
 * and digits for the unit (Intl), e.g. "1,5 Go" in French.
 */
export function formatBytes(bytes: number | undefined, tag = 'en'): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  if (/^en\b/i.test(tag)) return `${value.toFixed(digits)} ${SYMBOLS[unit]}`;
  return unitFormat(tag, UNITS[unit], digits).format(digits === 0 ? Math.round(value) : value);
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
const SYMBOLS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

const formats = new Map<string, Intl.NumberFormat>();

/** One cached Intl formatter per language, unit and precision (creating them is slow on cheap phones). */
export function unitFormat(tag: string, unit: string, digits: number): Intl.NumberFormat {
  const key = `${tag}|${unit}|${digits}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(tag, { style: 'unit', unit, unitDisplay: 'short', minimumFractionDigits: digits, maximumFractionDigits: digits });
    formats.set(key, format);
  }
  return format;
}
