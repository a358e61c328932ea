import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, formatDecimal, formatDuration } from '../format';
import { fill, t } from '../strings';
import { errorHint, errorOriginal, errorWords } from './error-text';
import { locale, setLanguage } from './locale';

afterEach(() => setLanguage('auto'));

describe('switching the language', () => {
  it('switches the strings table, numbers and units together', () => {
    expect(locale.code).toBe('en');
    expect(t.send).toBe('Send');
    expect(formatBytes(1_500_000_000)).toBe('1.50 GB');
    expect(formatDuration(4200)).toBe('4.2 s');

    setLanguage('fr');
    expect(locale.code).toBe('fr');
    expect(locale.dir).toBe('ltr');
    expect(t.send).toBe('Envoyer');
    expect(fill(t.clearAllConfirm, { count: 1 })).toBe('Supprimer la seule discussion enregistrée ? C’est définitif.');
    expect(fill(t.clearAllConfirm, { count: 3 })).toBe('Supprimer les 3 discussions enregistrées ? C’est définitif.');
    expect(formatBytes(1_500_000_000)).toMatch(/^1,50\sGo$/); // French puts a narrow no-break space before units
    expect(formatDuration(4200)).toMatch(/^4,2\ss$/);
    expect(formatDecimal(0.7, 2)).toBe('0,70');

    setLanguage('ar');
    expect(locale.dir).toBe('rtl');
    expect(t.send).toBe('إرسال');
    expect(fill(t.clearAllConfirm, { count: 2 })).toContain('المحادثتين');
  });

  it('follows the browser again after "auto"', () => {
    setLanguage('hi');
    expect(t.settings).toBe('सेटिंग्स');
    setLanguage('auto');
    expect(locale.choice).toBe('auto');
    expect(t.settings).toBe('Settings');
  });

  it('ignores a language it does not ship', () => {
    setLanguage('de' as never);
    expect(locale.choice).toBe('auto');
    expect(locale.code).toBe('en');
  });
});

describe('errors in the UI language', () => {
  const oom = { code: 'out_of_memory', message: 'The model needs 1.2 GB of memory.', hint: 'Close other tabs.' };
  it('shows the error\'s own English words in English, with nothing more in Details', () => {
    expect(errorWords(oom)).toBe('The model needs 1.2 GB of memory. Close other tabs.');
    expect(errorHint(oom)).toBe('Close other tabs.');
    expect(errorOriginal(oom)).toBe('');
  });
  it('shows the kind of failure in plain words elsewhere, and keeps the English for Details', () => {
    setLanguage('sw');
    expect(errorWords(oom)).toBe(t.errMemory);
    expect(errorWords(oom)).toMatch(/^Kifaa hiki hakina kumbukumbu/);
    expect(errorHint({ ...oom, code: 'checksum_mismatch' })).toBe(t.errBadFile);
    expect(errorWords({ ...oom, code: 'internal' })).toBe(t.errGeneric);
    expect(errorOriginal(oom)).toBe('The model needs 1.2 GB of memory. Close other tabs.');
  });
});
