/** Download progress maths: bytes done, speed over a recent window, time left, and throttled reporting. */

export interface ProgressSnapshot {
  doneBytes: number;
  totalBytes: number;
  /** Bytes per second over the last few seconds; 0 until there is enough to tell. */
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined while the speed is unknown. */
  secondsLeft: number | undefined;
  /** 0..1 */
  fraction: number;
}

/** Speed is measured over this window so a stall shows quickly but one slow chunk does not swing the estimate. */
const SPEED_WINDOW_MS = 5000;
/** Below this much elapsed time a speed figure is noise. */
const MIN_SPEED_SPAN_MS = 500;

export class ProgressMeter {
  private done: number;
  private readonly samples: Array<{ t: number; done: number }> = [];

  constructor(
    readonly totalBytes: number,
    initialDoneBytes: number,
    private readonly now: () => number,
  ) {
    this.done = initialDoneBytes;
    this.samples.push({ t: now(), done: initialDoneBytes });
  }

  /** Bytes arrived (positive) or were discarded because a shard has to be fetched again (negative). */
  add(bytes: number): void {
    this.done = Math.max(0, Math.min(this.totalBytes, this.done + bytes));
    const t = this.now();
    this.samples.push({ t, done: this.done });
    while (this.samples.length > 2 && t - this.samples[1].t > SPEED_WINDOW_MS) this.samples.shift();
  }

  snapshot(): ProgressSnapshot {
    const t = this.now();
    const first = this.samples[0];
    const span = t - first.t;
    const gained = this.done - first.done;
    const bytesPerSecond = span >= MIN_SPEED_SPAN_MS && gained > 0 ? (gained * 1000) / span : 0;
    const left = this.totalBytes - this.done;
    return {
      doneBytes: this.done,
      totalBytes: this.totalBytes,
      bytesPerSecond,
      secondsLeft: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
      fraction: this.totalBytes > 0 ? this.done / this.totalBytes : 1,
    };
  }
}

/** Lets at most one report through per interval, so the UI re-renders a few times a second, not per network chunk. */
export class Throttle {
  private last = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  ready(): boolean {
    const t = this.now();
    if (t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}
