/**
 * Which reply is being read aloud, and Stop. One reply at a time: starting another stops the first. Where the
 * browser has no speechSynthesis, `supported` is false and the UI offers nothing.
 */
import { locale } from './i18n/locale';
import { pickVoice, speakableText, type VoiceChoice } from './read-aloud';

function synth(): SpeechSynthesis | undefined {
  return typeof speechSynthesis === 'undefined' ? undefined : speechSynthesis;
}

/** The UI's language as a BCP 47 tag (the browser's own regional tag when it matches, e.g. 'pt-BR'). */
function uiLanguage(): string {
  return locale.tag || (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
}

export class ReadAloud {
  /** The id of the message being read, if any. */
  reading = $state<string | undefined>();
  /** What the last start found for the UI's language, and for which message: its note stays after reading ends. */
  voiceKind = $state<VoiceChoice<SpeechSynthesisVoice>['kind'] | undefined>();
  voiceFor = $state<string | undefined>();
  readonly supported = synth() !== undefined && typeof SpeechSynthesisUtterance !== 'undefined';

  /** Voices can arrive after the page loads (Chrome fills the list late); wait briefly for them. */
  private async voices(s: SpeechSynthesis): Promise<SpeechSynthesisVoice[]> {
    const now = s.getVoices();
    if (now.length > 0) return now;
    await new Promise<void>((done) => {
      const timer = setTimeout(done, 1000);
      s.addEventListener('voiceschanged', () => { clearTimeout(timer); done(); }, { once: true });
    });
    return s.getVoices();
  }

  async start(id: string, markdown: string): Promise<void> {
    const s = synth();
    if (!s || !this.supported) return;
    s.cancel();
    const lang = uiLanguage();
    const choice = pickVoice(await this.voices(s), lang);
    this.voiceKind = choice.kind;
    this.voiceFor = id;
    const utterance = new SpeechSynthesisUtterance(speakableText(markdown));
    utterance.lang = choice.voice?.lang ?? lang;
    if (choice.voice) utterance.voice = choice.voice;
    const done = () => {
      if (this.reading === id) this.reading = undefined;
    };
    utterance.onend = done;
    utterance.onerror = done;
    this.reading = id;
    s.speak(utterance);
  }

  stop(): void {
    synth()?.cancel();
    this.reading = undefined;
  }
}
