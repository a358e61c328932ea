/** Test helper: the BitNet-family reference files in test/fixtures/family (copied from ../shared/reference/family). */
import { readFileSync } from 'node:fs';
import { Tokenizer, type GGUFMetadata } from '../../src/lib/tokenizer';
import { ChatTemplate } from '../../src/lib/chat';
import { readGgufMetadata } from '../tokenizer/gguf-metadata';

export type FamilyName = 'falcon3' | 'llama3' | 'bitnet-large' | 'falcon-e';

export interface FamilyEntry {
  file: string;
  architecture: string;
  vocab_size: number;
  tokenizer_model: string;
  tokenizer_pre: string;
  bos_token_id: number | null;
  eos_token_id: number | null;
}

const dir = new URL('../fixtures/family/', import.meta.url);
export const families = JSON.parse(readFileSync(new URL('models.json', dir), 'utf8')) as Record<FamilyName, FamilyEntry>;

export function familyMetadata(name: FamilyName): GGUFMetadata {
  return readGgufMetadata(new URL(families[name].file, dir));
}

export function familyChat(name: FamilyName, edit: (meta: GGUFMetadata) => GGUFMetadata = (m) => m) {
  const meta = edit(familyMetadata(name));
  const tokenizer = Tokenizer.fromGGUFMetadata(meta);
  return { meta, tokenizer, template: ChatTemplate.forModel(meta, tokenizer) };
}
