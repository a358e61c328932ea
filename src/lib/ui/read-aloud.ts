/**
 * Reading a reply aloud with the Web Speech API. Voices that run on the device (`localService`) work offline and
 * are preferred; where the language has none, the person is told that reading may need the internet. The voice's
 * language follows the UI's (the lang of <html>, which the language setting keeps up to date).
 */

export interface VoiceLike {
  lang: string;
  localService: boolean;
  default: boolean;
  name: string;
}

export interface VoiceChoice<V extends VoiceLike> {
  voice?: V;
  /** 'offline': a voice on the device; 'online': only voices that may need the internet; 'none': none for the language. */
  kind: 'offline' | 'online' | 'none';
}

const primary = (tag: string) => tag.toLowerCase().split(/[-_]/)[0];

/** The best voice for `lang`: on the device first, the exact regional variant first, the platform's default first. */
export function pickVoice<V extends VoiceLike>(voices: readonly V[], lang: string): VoiceChoice<V> {
  const want = lang.toLowerCase().replace('_', '-');
  const matching = voices.filter((v) => primary(v.lang) === primary(want));
  if (matching.length === 0) return { kind: 'none' };
  const score = (v: V) => (v.localService ? 4 : 0) + (v.lang.toLowerCase().replace('_', '-') === want ? 2 : 0) + (v.default ? 1 : 0);
  const voice = [...matching].sort((a, b) => score(b) - score(a))[0];
  return { voice, kind: voice.localService ? 'offline' : 'online' };
}

/** What a listener should hear of a Markdown reply: the words, without the marks around them. */
export function speakableText(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n/g, '')
    .replace(/```/g, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/(\*\*|__|\*|_|~~|`)/g, '')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
