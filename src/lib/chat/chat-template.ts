/**
 * Chat formats: turning a conversation into token ids. Control tokens (`<|eot_id|>`, ...) come only from
 * the template; message text is always encoded with special-token parsing off, so a user cannot inject them.
 * Each message encodes on its own, so the encoding of a conversation is a prefix of the encoding of any
 * continuation of it: a new turn only appends tokens (what lets the KV cache be reused).
 * Base models (no chat format) get the `continuation` family: they continue a text (`encodeContinuation`).
 */
import { TritError } from '../errors';
import type { GGUFMetadata, Tokenizer } from '../tokenizer';
import { CONTINUATION_LABEL, FORMATS, type FormatSpec, type Part, type TemplateFamily } from './chat-formats';
import { familyOfModel, familyOfTemplate } from './template-choice';
import type { ChatMessage } from './types';

export type { ChatMessage, TemplateFamily };

function missingToken(label: string, name: string): TritError {
  return new TritError(
    'template_unsupported',
    `The ${label} chat format needs the token ${name}, which this model's vocabulary lacks.`,
    'Choose a chat model from the BitNet family (for example BitNet-b1.58-2B-4T).',
  );
}

export class ChatTemplate {
  readonly family: TemplateFamily;
  /** What the format is, for the UI and the CLI (e.g. "Falcon 3", or "Text continuation (base model, no chat)"). */
  readonly label: string;
  /** Set when the file's template was not usable and a default was chosen: says so, for the UI. */
  readonly notice?: string;
  private readonly spec: FormatSpec | undefined;
  private readonly specialIds = new Map<string, number>();

  constructor(
    private readonly tokenizer: Tokenizer,
    family: TemplateFamily,
    notice?: string,
  ) {
    this.family = family;
    this.notice = notice;
    this.spec = family === 'continuation' ? undefined : FORMATS[family];
    this.label = this.spec?.label ?? CONTINUATION_LABEL;
    for (const name of this.spec?.needs ?? []) {
      const id = tokenizer.tokenId(name);
      if (id === undefined) throw missingToken(this.label, name);
      this.specialIds.set(name, id);
    }
    const usesEos = this.spec && [...this.spec.assistantClose, ...this.spec.assistantOpen].some((p) => typeof p === 'object' && 'eos' in p);
    if (usesEos && tokenizer.eosId === undefined) throw missingToken(this.label, 'end-of-sequence');
  }

  /** A base model: it has no chat format; use ChatSession.continueText (the app shows a text-continuation mode). */
  get isBaseModel(): boolean {
    return this.family === 'continuation';
  }

  /**
   * Picks the format for a model: the family its `tokenizer.chat_template` names, when its vocabulary can write it;
   * otherwise the family its architecture or tokenizer belongs to (with a notice when the file asked for something
   * else or we are guessing); otherwise text continuation (a base model).
   */
  static forModel(meta: GGUFMetadata, tokenizer: Tokenizer): ChatTemplate {
    const jinja = meta['tokenizer.chat_template'];
    const hasTemplate = typeof jinja === 'string' && jinja.trim().length > 0;
    if (hasTemplate) {
      const named = familyOfTemplate(jinja);
      const t = named && ChatTemplate.tryFamily(tokenizer, named);
      if (t) return t;
    }
    const guess = familyOfModel(meta, tokenizer);
    if (guess) {
      const label = FORMATS[guess.family].label;
      const notice = hasTemplate
        ? `This model's chat template is not one Trit knows, so the ${label} chat format is used; replies may be off.`
        : guess.certain
          ? undefined
          : `This model has no chat template, so the ${label} chat format is used; replies may be off.`;
      const t = ChatTemplate.tryFamily(tokenizer, guess.family, notice);
      if (t) return t;
    }
    const notice = hasTemplate
      ? "This model's chat template is not one Trit knows and its vocabulary fits no chat format, so it continues text instead."
      : undefined;
    return new ChatTemplate(tokenizer, 'continuation', notice);
  }

  private static tryFamily(tokenizer: Tokenizer, family: TemplateFamily, notice?: string): ChatTemplate | undefined {
    try {
      return new ChatTemplate(tokenizer, family, notice);
    } catch {
      return undefined; // the vocabulary cannot express this family
    }
  }

  /** Tokens before the first message (or the text to continue): BOS when the model wants it. */
  encodeStart(): number[] {
    const bos = this.tokenizer.bosId;
    return this.tokenizer.addBosByDefault && bos !== undefined ? [bos] : [];
  }

  /** The prompt for continuing `text` (any model; the only mode of a base model): BOS, then the text. */
  encodeContinuation(text: string): number[] {
    return [...this.encodeStart(), ...this.tokenizer.encode(text, { addBos: false, parseSpecial: false })];
  }

  /** One message of the history, as tokens. `assistantTokens` replaces an assistant message's encoded content
   * (the tokens the model really generated for it, so the cache built while generating is reused). */
  encodeMessage(message: ChatMessage, assistantTokens?: readonly number[]): number[] {
    const spec = this.chatSpec();
    const content = spec.trim ? message.content.trim() : message.content;
    if (message.role === 'assistant') {
      if (assistantTokens) {
        return [...this.encodeParts(spec.assistantOpen), ...assistantTokens, ...this.encodeParts(spec.assistantClose)];
      }
      return this.encodeParts([...spec.assistantOpen, content, ...spec.assistantClose]);
    }
    return this.encodeParts(spec.turn(message.role, content));
  }

  /** The tokens that start the assistant's reply (none for a base model). */
  encodeGenerationPrompt(): number[] {
    return this.spec ? this.encodeParts(this.spec.assistantOpen) : [];
  }

  /** The whole prompt for generating the next assistant message. */
  encode(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): number[] {
    const out = this.encodeStart();
    for (const m of messages) out.push(...this.encodeMessage(m));
    if (opts.addGenerationPrompt ?? true) out.push(...this.encodeGenerationPrompt());
    return out;
  }

  /** The prompt as text, control tokens written out (for display and the CLI). */
  render(messages: readonly ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    return this.tokenizer.decode(this.encode(messages, opts), { special: true });
  }

  private chatSpec(): FormatSpec {
    if (this.spec) return this.spec;
    throw new TritError(
      'template_unsupported',
      'This is a base model: it has no chat format and continues a text instead of answering messages.',
      'Use text continuation: write the beginning of a text and let the model carry on.',
    );
  }

  private encodeParts(parts: readonly Part[]): number[] {
    const out: number[] = [];
    let text = '';
    const flush = () => {
      // Adjacent text parts encode together, as the reference encodes the whole rendered string.
      if (text) out.push(...this.tokenizer.encode(text, { addBos: false, parseSpecial: false }));
      text = '';
    };
    for (const p of parts) {
      if (typeof p === 'string') {
        text += p;
        continue;
      }
      if ('marker' in p) {
        const id = this.tokenizer.tokenId(p.marker);
        if (id === undefined) {
          text += p.marker;
          continue;
        }
        flush();
        out.push(id);
        continue;
      }
      flush();
      if ('eos' in p) {
        out.push(this.tokenizer.eosId!);
        continue;
      }
      const id = this.specialIds.get(p.special) ?? this.tokenizer.tokenId(p.special);
      if (id === undefined) throw missingToken(this.label, p.special);
      out.push(id);
    }
    flush();
    return out;
  }
}
