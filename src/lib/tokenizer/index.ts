export { Tokenizer, TokenType, type GGUFMetadata, type EncodeOptions, type DecodeOptions, type TokenizerKind } from './tokenizer';
export { StreamingDecoder } from './streaming-decoder';
export type { PreTokenizerKind } from './pretokenizer';
