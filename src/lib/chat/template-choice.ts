/**
 * Which chat format a model file gets: the family its own `tokenizer.chat_template` names, else the one its
 * architecture or tokenizer says it belongs to, else none (a base model: text continuation).
 */
import type { GGUFMetadata, Tokenizer } from '../tokenizer';
import type { ChatFamily } from './chat-formats';

/** Family named by markers in a Jinja chat template, the way llama.cpp's llm_chat_detect_template does. */
export function familyOfTemplate(jinja: string): ChatFamily | undefined {
  const has = (s: string) => jinja.includes(s);
  if (has('<|start_header_id|>') && has('<|end_header_id|>')) return 'llama3';
  if (has('<|im_start|>')) return 'chatml';
  if (has('<|assistant|>') && has('<|user|>') && !has('<|end|>')) return 'falcon3';
  // The official 2B-4T GGUF carries a broken placeholder ("Human: ... BITNETAssistant: ", written by BitNet's
  // convert-ms-to-gguf-bitnet.py): it stands for the BitNet format, never used as written.
  if (has('BITNETAssistant')) return 'bitnet';
  if (has('Assistant: ') && has('<|eot_id|>')) return 'bitnet';
  return undefined;
}

export interface FamilyGuess {
  family: ChatFamily;
  /** Whether this is the family's own format (no notice needed) or a guess from the vocabulary. */
  certain: boolean;
}

/** The family a file without a usable template belongs to, from its architecture and tokenizer. */
export function familyOfModel(meta: GGUFMetadata, tokenizer: Tokenizer): FamilyGuess | undefined {
  const arch = String(meta['general.architecture'] ?? '');
  const pre = meta['tokenizer.ggml.pre'];
  const has = (t: string) => tokenizer.tokenId(t) !== undefined;
  // BitNet-b1.58-2B-4T (and files of its architecture): the BitNet format.
  if (arch.startsWith('bitnet') && has('<|eot_id|>')) return { family: 'bitnet', certain: true };
  // Falcon-E: its Hugging Face template is ChatML, and bitnet.cpp's fork falls back to ChatML too (its own
  // "falcon_e" branch can never match).
  if (pre === 'falcon_e' && has('<|im_start|>') && has('<|im_end|>')) return { family: 'chatml', certain: true };
  if (pre === 'falcon3') return { family: 'falcon3', certain: true };
  if (has('<|start_header_id|>') && has('<|end_header_id|>') && has('<|eot_id|>')) return { family: 'llama3', certain: false };
  if (has('<|im_start|>') && has('<|im_end|>')) return { family: 'chatml', certain: false };
  return undefined;
}
