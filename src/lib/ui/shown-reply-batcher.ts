/**
 * Puts a streamed reply on the page, in batches (not to be confused with the library's ReplyStream in src/lib/sdk,
 * which turns deltas into an async iterator). The worker's deltas travel on a Comlink callback channel, the final result on
 * the worker's own port; the two are not ordered against each other, so on a slow CPU a delta can arrive after the
 * result. Deltas are taken in sequence order only, shown in batches, and once the result is in it is the text and
 * every later delta is ignored.
 */
import type { ReplyDelta } from '../engine/protocol';

/** How often streamed text is shown: smooth to the eye, and a few re-renders a second instead of one per token. */
export const STREAM_FLUSH_MS = 60;

export class ShownReplyBatcher {
  private nextSeq = 0;
  private buffered = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** What the reply said before this stream (a reply being continued); the result is added to it. */
  private readonly before: string;

  /** `target` is the reply being shown (a reactive message); its content grows as deltas are flushed. */
  constructor(
    private readonly target: { content: string },
    private readonly flushMs = STREAM_FLUSH_MS,
  ) {
    this.before = target.content;
  }

  /** Buffers a delta; a repeated or out-of-date one (seq already seen) and anything after the end are dropped. */
  push(delta: ReplyDelta): void {
    if (this.closed || delta.seq < this.nextSeq) return;
    this.nextSeq = delta.seq + 1;
    this.buffered += delta.text;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Shows what is buffered. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.closed && this.buffered) this.target.content += this.buffered;
    this.buffered = '';
  }

  /** The reply is complete: its text is the worker's, whatever the stream delivered or has yet to deliver. */
  finish(text: string): void {
    this.close();
    this.target.content = this.before + text;
  }

  /** Stopped or failed: keep what the person saw, and take nothing more. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
