/**
 * Turns a reply the worker pushes piece by piece into an async iterable the caller pulls from. Pieces wait in a
 * queue until read; the end (or an error) is delivered after every piece before it.
 */
export class ReplyStream<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private done = false;
  private error: unknown;
  private wake?: () => void;

  push(item: T): void {
    if (this.done) return;
    this.queue.push(item);
    this.wake?.();
  }

  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.queue.length > 0) {
        yield this.queue.shift()!;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
