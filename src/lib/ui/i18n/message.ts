/**
 * Fills a message template: {name} placeholders, and ICU-style plurals where a count changes the wording,
 * `{count, plural, one {the one chat} other {all {count} chats}}`, chosen with Intl.PluralRules for the language
 * (Arabic has six forms, English two); `=0`-style exact matches win over categories.
 */

export type MessageParams = Record<string, string | number>;

/**
 * `isolate` wraps each text value in Unicode isolates (FSI...PDI), for right-to-left languages: a Latin name or a title
 * ending in "?" then keeps its own order inside the Arabic sentence.
 */
export function formatMessage(template: string, params: MessageParams, tag: string, isolate = false): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : matchingBrace(template, open);
    if (open < 0 || close < 0) return out + template.slice(i);
    out += template.slice(i, open);
    const inner = template.slice(open + 1, close);
    const plural = /^(\w+), ?plural, ?([\s\S]*)$/.exec(inner);
    if (plural) out += formatMessage(choosePlural(plural[1], plural[2], params, tag), params, tag, isolate);
    // Unknown placeholders stay visible so a missing value is noticed, not hidden.
    else if (/^\w+$/.test(inner) && inner in params) out += showValue(params[inner], tag, isolate);
    else out += `{${inner}}`;
    i = close + 1;
  }
  return out;
}

/** The placeholder names a template uses, plural arguments included: a translation must use the same ones. */
export function placeholderNames(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)(?=[,}])/g)].map((m) => m[1]))].sort();
}

function choosePlural(name: string, body: string, params: MessageParams, tag: string): string {
  const options = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const key = /^\s*(=\d+|\w+)\s*\{/.exec(body.slice(i));
    if (!key) break;
    const open = i + key[0].length - 1;
    const close = matchingBrace(body, open);
    if (close < 0) break;
    options.set(key[1], body.slice(open + 1, close));
    i = close + 1;
  }
  const n = Number(params[name]);
  if (!Number.isFinite(n)) return options.get('other') ?? '';
  return options.get(`=${n}`) ?? options.get(pluralRules(tag).select(n)) ?? options.get('other') ?? '';
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

/** Numbers in the language's digits; no grouping, so token counts read like the settings that set them. */
function showValue(value: string | number, tag: string, isolate: boolean): string {
  if (typeof value === 'number') return numberFormat(tag).format(value);
  return isolate && value ? `\u2068${value}\u2069` : value;
}

const pluralCache = new Map<string, Intl.PluralRules>();
function pluralRules(tag: string): Intl.PluralRules {
  let rules = pluralCache.get(tag);
  if (!rules) pluralCache.set(tag, (rules = new Intl.PluralRules(tag)));
  return rules;
}

const numberCache = new Map<string, Intl.NumberFormat>();
function numberFormat(tag: string): Intl.NumberFormat {
  let format = numberCache.get(tag);
  if (!format) numberCache.set(tag, (format = new Intl.NumberFormat(tag, { useGrouping: false, maximumFractionDigits: 2 })));
  return format;
}
