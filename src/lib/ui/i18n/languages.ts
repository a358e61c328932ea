/** The languages Trit ships, named as their speakers write them, and how the browser's preferences pick one. */

export const LANGUAGES = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'es', name: 'Español', dir: 'ltr' },
  { code: 'fr', name: 'Français', dir: 'ltr' },
  { code: 'pt', name: 'Português', dir: 'ltr' },
  { code: 'sw', name: 'Kiswahili', dir: 'ltr' },
  { code: 'hi', name: 'हिन्दी', dir: 'ltr' },
  { code: 'ar', name: 'العربية', dir: 'rtl' },
] as const;

export type LanguageCode = (typeof LANGUAGES)[number]['code'];

/** What the person chose in Settings: a language, or 'auto' to follow the browser. */
export type LanguageChoice = LanguageCode | 'auto';

export function isLanguageCode(value: unknown): value is LanguageCode {
  return LANGUAGES.some((l) => l.code === value);
}

export function textDirection(code: LanguageCode): 'ltr' | 'rtl' {
  return LANGUAGES.find((l) => l.code === code)?.dir ?? 'ltr';
}

/**
 * The first of the browser's languages (most preferred first, e.g. ['pt-BR', 'en']) that Trit ships, with the
 * browser's own tag kept so dates and numbers follow the region (pt-BR, not pt-PT). English when none match.
 */
export function matchLanguage(preferred: readonly string[]): { code: LanguageCode; tag: string } {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLanguageCode(primary)) return { code: primary, tag: validTag(tag) ?? primary };
  }
  return { code: 'en', tag: 'en' };
}

function validTag(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.replace('_', '-'))[0];
  } catch {
    return undefined;
  }
}
