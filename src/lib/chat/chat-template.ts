/**
 * Chat formats: turning a conversation into token ids. Control tokens (`<|eot_id|>`, ...) come only from
 * the template; message text is always encoded with special-token parsing off, so a user cannot inject them.
 * Each message encodes on its own, so the encoding of a conversation is a prefix of the encoding of any
 * continuation of it: a new turn only appends tokens (what lets the KV cache be reused).
 */
import { TritError } from '../errors';
import type { GGUFMetadata, Tokenizer } from '../tokenizer';
import type { ChatMessage } from './types';

export type { ChatMessage };

export type TemplateFamily = 'bitnet' | 'llama3' | 'chatml' | 'falcon3';

/** A piece of a rendered turn: plain text (encoded like user text) or the name of one control token. */
type Part = string | { special: string };

interface FamilySpec {
  label: string;
  turn(role: 'system' | 'user', content: string): Part[];
  /** Opens the assistant's turn: the generation prompt. */
  assistantOpen: Part[];
  /** Closes an assistant turn in the history. */
  assistantClose: Part[];
  /** Whether message content is trimmed of surrounding whitespace (as the reference does for this family). */
  trim: boolean;
  /** Control tokens the family needs in the vocabulary. */
  needs: string[];
}

const EOT = { special: '<|eot_id|>' };

const FAMILIES: Record<TemplateFamily, FamilySpec> = {
  // BitNet-b1.58-2B-4T, exactly as the reference engine formats it: llama.cpp's "bitnet" template
  // (LLM_CHAT_TEMPLATE_BITNET in llama_chat_apply_template_internal; same code in microsoft/BitNet's llama.cpp
  // fork and ik_llama.cpp src/llama.cpp): system -> "System: " + content (nothing after it);
  // user -> "User: " + content + "<|eot_id|>Assistant: "; assistant -> content. The assistant turn is closed by
  // the <|eot_id|> the model generated, which stays in its context; we write it back explicitly in the history.
  bitnet: {
    label: 'BitNet (System:/User:/Assistant:)',
    turn: (role, content) => (role === 'system' ? [`System: ${content}`] : [`User: ${content}`, EOT]),
    assistantOpen: ['Assistant: '],
    assistantClose: [EOT],
    trim: false,
    needs: ['<|eot_id|>'],
  },
  // Llama 3 header format (llama.cpp LLM_CHAT_TEMPLATE_LLAMA_3): content trimmed.
  llama3: {
    label: 'Llama 3',
    turn: (role, content) => [{ special: '<|start_header_id|>' }, role, { special: '<|end_header_id|>' }, `\n\n${content}`, EOT],
    assistantOpen: [{ special: '<|start_header_id|>' }, 'assistant', { special: '<|end_header_id|>' }, '\n\n'],
    assistantClose: [EOT],
    trim: true,
    needs: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  },
  // ChatML (llama.cpp LLM_CHAT_TEMPLATE_CHATML).
  chatml: {
    label: 'ChatML',
    turn: (role, content) => [{ special: '<|im_start|>' }, `${role}\n${content}`, { special: '<|im_end|>' }, '\n'],
    assistantOpen: [{ special: '<|im_start|>' }, 'assistant\n'],
    assistantClose: [{ special: '<|im_end|>' }, '\n'],
    trim: false,
    needs: ['<|im_start|>', '<|im_end|>'],
  },
  // Falcon 3 (llama.cpp LLM_CHAT_TEMPLATE_FALCON_3), used by the Falcon3 1.58-bit models.
  falcon3: {
    label: 'Falcon 3',
    turn: (role, content) => [{ special: `<|${role}|>` }, `\n${content}\n`],
    assistantOpen: [{ special: '<|assistant|>' }, '\n'],
    assistantClose: ['\n'],
    trim: false,
    needs: ['<|system|>', '<|user|>', '<|assistant|>'],
  },
};

/** Family named by markers in a Jinja chat template, the way llama.cpp's llm_chat_detect_template does. */
function detectFamily(jinja: string): TemplateFamily | undefined {
  const has = (s: string) => jinja.includes(s);
  if (has('<|start_header_id|>') && has('<|end_header_id|>')) return 'llama3';
  if (has('<|im_start|>')) return 'chatml';
  if (has('<|assistant|>') && has('<|user|>') && !has('<|end|>')) return 'falcon3';
  // The official 2B-4T GGUF carries a placeholder ("Human: ... BITNETAssistant: ", written by BitNet's
  // convert-ms-to-gguf-bitnet.py); the reference engine ignores it for its "bitnet" format, and so do we.
  if (has('BITNETAssistant')) return 'bitnet';
  if (has('Assistant: ') && has('<|eot_id|>')) return 'bitnet';
  return undefined;
}

export class ChatTemplate {
  readonly family: TemplateFamily;
  /** Set when the file's template was not usable and a default was chosen: says so, for the UI. */
  readonly notice?: string;
  private readonly spec: FamilySpec;
  private readonly specialIds = new Map<string, number>();

  constructor(
    private readonly tokenizer: Tokenizer,
    family: TemplateFamily,
    notice?: string,
  ) {
    this.family = family;
    this.notice = notice;
    this.spec = FAMILIES[family];
    for (const name of this.spec.needs) {
      const id = tokenizer.tokenId(name);
      if (id === undefined) {
        throw new TritError(
          'template_unsupported',
          `The ${this.spec.label} chat format needs the token ${name}, which this model's vocabulary lacks.`,
          'Choose a chat model from the BitNet family (for example BitNet-b1.58-2B-4T).',
        );
      }
      this.specialIds.set(name, id);
    }
  }

  /**
   * Picks the chat format for a model: the family its `tokenizer.chat_template` names, when we support it;
   * otherwise the BitNet format (with a notice when the file asked for something else).
   */
  static forModel(meta: GGUFMetadata, tokenizer: Tokenizer): ChatTemplate {
    const jinja = meta['tokenizer.chat_template'];
    if (typeof jinja === 'string' && jinja.trim().length > 0) {
      const family = detectFamily(jinja);
      if (family) {
        try {
          return new ChatTemplate(tokenizer, family);
        } catch {
          // The file names a family its own vocabulary cannot express; fall through to the default.
        }
      }
      return new ChatTemplate(
        tokenizer,
        'bitnet',
        "This model's chat template is not one Trit knows, so the BitNet chat format is used; replies may be off.",
      );
    }
    const arch = String(meta['general.architecture'] ?? '');
    const notice = arch.startsWith('bitnet')
      ? undefined
      : 'This model has no chat template, so the BitNet chat format is used; replies may be off.';
    return new ChatTemplate(tokenizer, 'bitnet', notice);
  }

  /** Tokens before the first message: BOS when the model wants it. */
  encodeStart(): number[] {
    const bos = this.tokenizer.bosId;
    return this.tokenizer.addBosByDefault && bos !== undefined ? [bos] : [];
  }

  /** One message of the history, as tokens. `assistantTokens` replaces an assistant message's encoded content
   * (the tokens the model really generated for it, so the cache built while generating is reused). */
  encodeMessage(message: ChatMessage, assistantTokens?: readonly number[]): number[] {
    const content = this.spec.trim ? message.content.trim() : message.content;
    if (message.role === 'assistant') {
      if (assistantTokens) {
        return [...this.encodeParts(this.spec.assistantOpen), ...assistantTokens, ...this.encodeParts(this.spec.assistantClose)];
      }
      return this.encodeParts([...this.spec.assistantOpen, content, ...this.spec.assistantClose]);
    }
    return this.encodeParts(this.spec.turn(message.role, content));
  }

  /** The tokens that start the assistant's reply. */
  encodeGenerationPrompt(): number[] {
    return this.encodeParts(this.spec.assistantOpen);
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
      flush();
      const id = this.specialIds.get(p.special) ?? this.tokenizer.tokenId(p.special);
      if (id === undefined) {
        throw new TritError(
          'template_unsupported',
          `The chat format needs the token ${p.special}, which this model's vocabulary lacks.`,
          'Choose a chat model from the BitNet family (for example BitNet-b1.58-2B-4T).',
        );
      }
      out.push(id);
    }
    flush();
    return out;
  }
}
