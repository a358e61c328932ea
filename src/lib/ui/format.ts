/**
 * Numbers and dates as people read them, in the UI's language (i18n/locale): byte counts (one formatter for the
 * app, in ../units), short durations, rates, dates. English keeps its compact forms ("4.2 s", "1 h 05 min").
 */
import { formatBytes as bytesIn, unitFormat } from '../units';
import { locale } from './i18n/locale';

export function formatBytes(bytes: number | undefined): string {
  return bytesIn(bytes, locale.tag);
}

/** "850 ms", "4.2 s", "3 min 20 s", "1 h 05 min"; in other languages the platform's words and digits. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '?';
  const tag = locale.tag;
  const english = /^en\b/i.test(tag);
  if (ms < 1000) return english ? `${Math.round(ms)} ms` : unitFormat(tag, 'millisecond', 0).format(Math.round(ms));
  const s = ms / 1000;
  if (s < 60) {
    const digits = s < 10 ? 1 : 0;
    return english ? `${s.toFixed(digits)} s` : unitFormat(tag, 'second', digits).format(s);
  }
  const totalSeconds = Math.round(s);
  const minutes = Math.floor(totalSeconds / 60);
  if (english) {
    if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
  }
  const parts =
    minutes < 60
      ? [unitFormat(tag, 'minute', 0).format(minutes), unitFormat(tag, 'second', 0).format(totalSeconds % 60)]
      : [unitFormat(tag, 'hour', 0).format(Math.floor(minutes / 60)), unitFormat(tag, 'minute', 0).format(minutes % 60)];
  return new Intl.ListFormat(tag, { type: 'unit', style: 'narrow' }).format(parts);
}

/** Tokens a second: one decimal below 100. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond) || perSecond <= 0) return '–';
  return formatDecimal(perSecond, perSecond >= 100 ? 0 : 1);
}

/** A number with a fixed count of decimals, in the language's digits and decimal sign (0,70 in French). */
export function formatDecimal(value: number, digits: number): string {
  return new Intl.NumberFormat(locale.tag, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(value);
}

/** The device's memory as the browser reports it, a whole count of gigabytes: "8 GB", "8 Go", "٨ غ.ب". */
export function formatGigabytes(gb: number | undefined): string {
  if (gb === undefined || !Number.isFinite(gb)) return '?';
  if (/^en\b/i.test(locale.tag)) return `${gb} GB`;
  return unitFormat(locale.tag, 'gigabyte', gb % 1 ? 1 : 0).format(gb);
}

/** A calendar date ("30 Nov 2026", "30/11/2026"), for conversations older than yesterday. */
export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(locale.tag, { dateStyle: 'medium' }).format(ms);
}

/** A time of day ("14:05", "2:05 PM"), as the language writes it. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(locale.tag, { timeStyle: 'short' }).format(ms);
}
