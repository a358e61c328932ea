/**
 * The chat formats Trit writes, one per model family, as sequences of parts. Each follows the model's own Hugging
 * Face template (what the model was trained on); where the reference engine (bitnet.cpp's llama.cpp fork) formats
 * differently, the comment says so.
 */

/**
 * A piece of a rendered turn:
 * - text: encoded like user text (special-token parsing off);
 * - `special`: a control token the vocabulary must have;
 * - `marker`: that token when the vocabulary has it, otherwise its text, encoded with the text around it (Falcon3's
 *   `<|user|>` is one token in some tokenizers and plain text in others);
 * - `eos`: the file's end-of-sequence token (templates that write `eos_token`).
 */
export type Part = string | { special: string } | { marker: string } | { eos: true };

export type ChatRole = 'system' | 'user';

export interface FormatSpec {
  label: string;
  turn(role: ChatRole, content: string): Part[];
  /** Opens the assistant's turn: the generation prompt. */
  assistantOpen: Part[];
  /** Closes an assistant turn in the history. */
  assistantClose: Part[];
  /** Whether message content is trimmed of surrounding whitespace (as the family's template does). */
  trim: boolean;
  /** Control tokens the format needs in the vocabulary. */
  needs: string[];
}

/** Chat families, and `continuation`: base models, which have no chat format and continue a text instead. */
export type TemplateFamily = ChatFamily | 'continuation';
export type ChatFamily = 'bitnet' | 'llama3' | 'chatml' | 'falcon3';

const EOT = { special: '<|eot_id|>' };

export const FORMATS: Record<ChatFamily, FormatSpec> = {
  // BitNet-b1.58-2B-4T as its Hugging Face template and Microsoft's GPU pipeline write it: every turn is
  // "Role: content<|eot_id|>" (content trimmed), the reply opens with "Assistant: ". bitnet.cpp's built-in "bitnet"
  // format differs in one place: it writes the system prompt without the closing <|eot_id|>, which the model was not
  // trained on. The demo model (public/models/trit-demo.gguf) was trained on both forms.
  bitnet: {
    label: 'BitNet b1.58 (System:/User:/Assistant:)',
    turn: (role, content) => [`${role === 'system' ? 'System' : 'User'}: ${content}`, EOT],
    assistantOpen: ['Assistant: '],
    assistantClose: [EOT],
    trim: true,
    needs: ['<|eot_id|>'],
  },
  // Llama 3 header format (Llama3-8B-1.58; llama.cpp LLM_CHAT_TEMPLATE_LLAMA_3): content trimmed.
  llama3: {
    label: 'Llama 3',
    turn: (role, content) => [{ special: '<|start_header_id|>' }, role, { special: '<|end_header_id|>' }, `\n\n${content}`, EOT],
    assistantOpen: [{ special: '<|start_header_id|>' }, 'assistant', { special: '<|end_header_id|>' }, '\n\n'],
    assistantClose: [EOT],
    trim: true,
    needs: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  },
  // ChatML (llama.cpp LLM_CHAT_TEMPLATE_CHATML): Falcon-E's format.
  chatml: {
    label: 'ChatML',
    turn: (role, content) => [{ special: '<|im_start|>' }, `${role}\n${content}`, { special: '<|im_end|>' }, '\n'],
    assistantOpen: [{ special: '<|im_start|>' }, 'assistant\n'],
    assistantClose: [{ special: '<|im_end|>' }, '\n'],
    trim: false,
    needs: ['<|im_start|>', '<|im_end|>'],
  },
  // Falcon3 (tokenizer_config.json of the Falcon3 1.58-bit models): "<|role|>\ncontent\n"; a reply in the history
  // is closed by the EOS token and a newline. (llama.cpp's falcon3 branch closes it with "\n" only.)
  falcon3: {
    label: 'Falcon 3',
    turn: (role, content) => [{ marker: `<|${role}|>` }, `\n${content}\n`],
    assistantOpen: [{ marker: '<|assistant|>' }, '\n'],
    assistantClose: [{ eos: true }, '\n'],
    trim: false,
    needs: [],
  },
};

export const CONTINUATION_LABEL = 'Text continuation (base model, no chat)';
