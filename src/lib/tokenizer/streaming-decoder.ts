import type { Tokenizer, DecodeOptions } from './tokenizer';

/**
 * Turns a stream of token ids into text deltas. A UTF-8 character split across tokens (common for emoji,
 * CJK and accented letters in byte-level vocabularies) is held back until its last byte arrives, so no
 * replacement characters appear mid-stream.
 */
export class StreamingDecoder {
  private decoder = new TextDecoder('utf-8');

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly opts: DecodeOptions = {},
  ) {}

  /** Text completed by this token; empty while a character is still incomplete. */
  push(id: number): string {
    return this.decoder.decode(this.tokenizer.tokenToBytes(id, this.opts), { stream: true });
  }

  /** Ends the stream: any bytes of an unfinished character come out as U+FFFD. */
  flush(): string {
    const rest = this.decoder.decode();
    this.decoder = new TextDecoder('utf-8');
    return rest;
  }
}
