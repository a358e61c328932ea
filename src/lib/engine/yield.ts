/**
 * The engine's one way to let queued events (a stop request, a progress message) run between long synchronous
 * engine calls. Mostly a MessageChannel round trip, which unlike setTimeout is not clamped to 4 ms after a few
 * nestings; but at least every TIMER_YIELD_MS a timer instead, because WebKit runs a MessagePort's messages ahead of
 * the worker's own (a Stop from the page waited behind every token of a long reply there).
 * Works in workers, pages and Node alike.
 */
const TIMER_YIELD_MS = 20;

let channel: MessageChannel | undefined;
const waiting: Array<() => void> = [];
let lastTimerYield = 0;

export function yieldToEventLoop(): Promise<void> {
  const now = Date.now();
  if (now - lastTimerYield >= TIMER_YIELD_MS) {
    lastTimerYield = now;
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
    // Node: an open port would keep the process alive after the last task.
    (channel.port1 as { unref?: () => void }).unref?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(0);
  });
}
