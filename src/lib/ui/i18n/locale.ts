/**
 * The language the UI speaks now: chosen in Settings (kept in localStorage, read synchronously at start so the
 * first paint is already in the right language) or followed from the browser. Reading `locale.code` inside a
 * component makes it update when the language changes.
 */
import { createSubscriber } from 'svelte/reactivity';
import { isLanguageCode, matchLanguage, textDirection, type LanguageChoice, type LanguageCode } from './languages';

const STORAGE_KEY = 'trit-language';

let choice: LanguageChoice = readChoice();
let current = resolve(choice);
const listeners = new Set<() => void>();
const subscribe = createSubscriber((update) => {
  listeners.add(update);
  return () => listeners.delete(update);
});

export const locale = {
  /** Which table the UI uses: 'en', 'ar', ... */
  get code(): LanguageCode {
    subscribe();
    return current.code;
  },
  /** A BCP 47 tag for Intl and speech voices: the browser's own (e.g. 'pt-BR') when it matches, else the code. */
  get tag(): string {
    subscribe();
    return current.tag;
  },
  get dir(): 'ltr' | 'rtl' {
    subscribe();
    return textDirection(current.code);
  },
  /** What Settings shows as picked: a language, or 'auto'. */
  get choice(): LanguageChoice {
    subscribe();
    return choice;
  },
};

/** Picks a language (or 'auto'), remembers it on this device and switches the page at once. */
export function setLanguage(next: LanguageChoice): void {
  choice = next === 'auto' || isLanguageCode(next) ? next : 'auto';
  try {
    if (choice === 'auto') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage blocked (private mode): the choice lasts for this visit only.
  }
  refresh();
}

// Sets lang and dir on <html> before the first paint, and keeps following the browser while the choice is 'auto'.
if (typeof document !== 'undefined') {
  applyToRoot();
  window.addEventListener('languagechange', () => {
    if (choice === 'auto') refresh();
  });
}

function refresh() {
  current = resolve(choice);
  applyToRoot();
  for (const update of listeners) update();
}

function applyToRoot() {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = current.tag;
  document.documentElement.dir = textDirection(current.code);
}

function readChoice(): LanguageChoice {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLanguageCode(saved) ? saved : 'auto';
  } catch {
    return 'auto';
  }
}

function resolve(c: LanguageChoice): { code: LanguageCode; tag: string } {
  const browser = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : [];
  const followed = matchLanguage(browser);
  if (c === 'auto') return followed;
  // An explicit pick keeps the browser's region when it is the same language (pt-BR stays pt-BR).
  return followed.code === c ? followed : { code: c, tag: c };
}
