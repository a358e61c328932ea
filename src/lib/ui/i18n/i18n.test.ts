import { describe, expect, it } from 'vitest';
import { en, type StringKey } from '../strings';
import { LANGUAGES, matchLanguage } from './languages';
import { formatMessage, placeholderNames } from './message';
import { TRANSLATIONS } from './translations';
import catalogue from '../../store/catalogue.json';
import { modelDescription } from './model-text';
import { withoutLatinNames } from './latin-names';

const keys = Object.keys(en) as StringKey[];
const shipped = Object.entries(TRANSLATIONS);

describe('shipped translations', () => {
  it('ships a table for every language in the picker except English, and nothing else', () => {
    expect(Object.keys(TRANSLATIONS).sort()).toEqual(LANGUAGES.map((l) => l.code).filter((c) => c !== 'en').sort());
  });

  for (const [code, table] of shipped) {
    it(`${code}: has every key of the English table, none empty, none extra`, () => {
      const missing = keys.filter((k) => typeof table[k] !== 'string' || table[k].trim() === '');
      const extra = Object.keys(table).filter((k) => !(k in en));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${code}: keeps the same placeholders as English in every string`, () => {
      const differing = keys
        .filter((k) => table[k] !== undefined && placeholderNames(table[k]).join() !== placeholderNames(en[k]).join())
        .map((k) => `${k}: ${placeholderNames(en[k]).join()} vs ${placeholderNames(table[k]).join()}`);
      expect(differing).toEqual([]);
    });

    it(`${code}: every plural has an "other" form and every template fills without leftovers`, () => {
      const params = Object.fromEntries(keys.flatMap((k) => placeholderNames(en[k])).map((n) => [n, 3]));
      const broken = keys.filter((k) => {
        const out = formatMessage(table[k], params, code);
        return /[{}]/.test(out) || (/\bplural\b/.test(table[k]) && !/other\s*\{/.test(table[k]));
      });
      expect(broken).toEqual([]);
    });
  }

  it('translates most strings: a table that copies English is not a translation', () => {
    // Names and placeholders-only strings ("{name}", "Trit") may stay the same; prose may not.
    for (const [code, table] of shipped) {
      const same = keys.filter((k) => table[k] === en[k] && /[a-z]{4,}\s+[a-z]{3,}/i.test(en[k]));
      expect({ code, same }).toEqual({ code, same: [] });
    }
  });
});

describe('languages in another script', () => {
  // Placeholders and plural keywords are syntax; names and formats stay Latin (latin-names.ts); nothing else may.
  const prose = (v: string) =>
    withoutLatinNames(v.replace(/\{\w+(, ?plural, ?)?\}?/g, ' ').replace(/\b(zero|one|two|few|many|other)\s*\{/g, ' '));
  for (const code of ['ar', 'hi'] as const) {
    it(`${code}: no English words in any string, only names and formats`, () => {
      const english = keys.filter((k) => /[A-Za-z]{2,}/.test(prose(TRANSLATIONS[code][k]))).map((k) => `${k}: ${TRANSLATIONS[code][k]}`);
      expect(english).toEqual([]);
    });
  }
});

describe('formatMessage', () => {
  it('fills placeholders, in the language\'s digits, and leaves unknown ones visible', () => {
    expect(formatMessage('{a} of {b}', { a: 'x' }, 'en')).toBe('x of {b}');
    expect(formatMessage('{n} tokens', { n: 2048 }, 'en')).toBe('2048 tokens');
    expect(formatMessage('{n}', { n: 12 }, 'ar-EG')).toBe('١٢');
  });

  it('chooses plural forms with the language\'s rules', () => {
    const en = 'Delete {count, plural, one {the one chat} other {all {count} chats}}?';
    expect(formatMessage(en, { count: 1 }, 'en')).toBe('Delete the one chat?');
    expect(formatMessage(en, { count: 4 }, 'en')).toBe('Delete all 4 chats?');
    const ar = '{count, plural, one {واحدة} two {اثنتان} few {قليل {count}} many {كثير} other {أخرى}}';
    expect(formatMessage(ar, { count: 2 }, 'ar')).toBe('اثنتان');
    expect(formatMessage(ar, { count: 5 }, 'ar-u-nu-latn')).toBe('قليل 5');
    expect(formatMessage(ar, { count: 11 }, 'ar')).toBe('كثير');
    expect(formatMessage('{count, plural, =0 {none} other {some}}', { count: 0 }, 'en')).toBe('none');
  });

  it('isolates text values for right-to-left languages, so a Latin title keeps its own order', () => {
    expect(formatMessage('«{title}» ({n})', { title: 'What?', n: 2 }, 'ar-u-nu-latn', true)).toBe('«\u2068What?\u2069» (2)');
    expect(formatMessage('"{title}"', { title: 'What?' }, 'en')).toBe('"What?"');
  });

  it('lists the placeholders a template uses, plural arguments included', () => {
    expect(placeholderNames('{count, plural, one {x {name}} other {{count} y}} {title}')).toEqual(['count', 'name', 'title']);
  });
});

describe('matchLanguage', () => {
  it('takes the first preferred language Trit ships, keeping the region for dates and numbers', () => {
    expect(matchLanguage(['de-DE', 'pt-BR', 'en'])).toEqual({ code: 'pt', tag: 'pt-BR' });
    expect(matchLanguage(['ar'])).toEqual({ code: 'ar', tag: 'ar' });
    expect(matchLanguage(['sw_KE'])).toEqual({ code: 'sw', tag: 'sw-KE' });
    expect(matchLanguage(['de', 'ja'])).toEqual({ code: 'en', tag: 'en' });
    expect(matchLanguage([])).toEqual({ code: 'en', tag: 'en' });
  });
});

describe('catalogue models', () => {
  it('have their description in the strings table, the same English as the catalogue', () => {
    for (const m of catalogue.models) expect(modelDescription(m.id, undefined)).toBe(m.description);
  });
});
