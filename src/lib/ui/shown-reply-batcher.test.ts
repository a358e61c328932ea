import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShownReplyBatcher } from './shown-reply-batcher';

describe('a streamed reply', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows deltas in batches, in order', () => {
    const reply = { content: '' };
    const stream = new ShownReplyBatcher(reply, 60);
    stream.push({ seq: 0, text: 'Hel', ms: 1 });
    stream.push({ seq: 1, text: 'lo', ms: 1 });
    expect(reply.content).toBe('');
    vi.advanceTimersByTime(60);
    expect(reply.content).toBe('Hello');
  });

  // On a CPU slowed 4x the deltas' channel lagged behind the result's: "Paris." became "Paris.aris.".
  it('takes the final result as the text, and no delta that arrives after it', () => {
    const reply = { content: '' };
    const stream = new ShownReplyBatcher(reply, 60);
    stream.push({ seq: 0, text: 'P', ms: 1 });
    vi.advanceTimersByTime(60);
    stream.push({ seq: 1, text: 'aris', ms: 1 });
    stream.finish('Paris.');
    stream.push({ seq: 2, text: '.', ms: 1 });
    vi.advanceTimersByTime(1000);
    expect(reply.content).toBe('Paris.');
  });

  it('drops a delta it has already taken', () => {
    const reply = { content: '' };
    const stream = new ShownReplyBatcher(reply, 60);
    stream.push({ seq: 0, text: 'Hi', ms: 1 });
    stream.push({ seq: 0, text: 'Hi', ms: 1 });
    stream.push({ seq: 1, text: '!', ms: 1 });
    vi.advanceTimersByTime(60);
    expect(reply.content).toBe('Hi!');
  });

  it('after Stop keeps what was shown and takes nothing more', () => {
    const reply = { content: '' };
    const stream = new ShownReplyBatcher(reply, 60);
    stream.push({ seq: 0, text: 'Once', ms: 1 });
    stream.close();
    expect(reply.content).toBe('Once');
    stream.push({ seq: 1, text: ' upon', ms: 1 });
    vi.advanceTimersByTime(1000);
    expect(reply.content).toBe('Once');
  });

  it('a continued reply keeps its start: streamed and final text are added to it', () => {
    const reply = { content: 'Once upon' };
    const stream = new ShownReplyBatcher(reply, 60);
    stream.push({ seq: 0, text: ' a', ms: 1 });
    vi.advanceTimersByTime(60);
    expect(reply.content).toBe('Once upon a');
    stream.finish(' a time.');
    expect(reply.content).toBe('Once upon a time.');
  });
});
