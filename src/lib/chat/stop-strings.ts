/**
 * Streams text while watching for stop strings. Text that might be the start of a stop string is held back
 * until it is clear either way, so a stop string never reaches the user, even when it arrives split over tokens.
 */
export class StopStringFilter {
  private pending = '';
  private readonly stops: string[];

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Returns the text that is safe to show, and whether a stop string was found (text after it is dropped). */
  push(delta: string): { text: string; stopped: boolean } {
    this.pending += delta;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      const text = this.pending.slice(0, cut);
      this.pending = '';
      return { text, stopped: true };
    }
    const hold = this.heldLength();
    const text = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { text, stopped: false };
  }

  /** The end of the stream: whatever was held back is ordinary text after all. */
  flush(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }

  /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
  private heldLength(): number {
    let hold = 0;
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, this.pending.length);
      for (let len = max; len > hold; len--) {
        if (this.pending.endsWith(stop.slice(0, len))) {
          hold = len;
          break;
        }
      }
    }
    return hold;
  }
}
