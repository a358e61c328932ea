/**
 * The engine's one way to let queued events (a stop request, a progress message) run between long synchronous
 * engine calls: a MessageChannel round trip, which unlike setTimeout is not clamped to 4 ms after a few nestings.
 * Works in workers, pages and Node alike.
 */
let channel: MessageChannel | undefined;
const waiting: Array<() => void> = [];

export function yieldToEventLoop(): Promise<void> {
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
