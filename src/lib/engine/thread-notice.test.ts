import { describe, expect, it } from 'vitest';
import { singleThreadReason } from './thread-notice';

describe('single-thread notice', () => {
  it('blames isolation only when the page is not isolated', () => {
    expect(singleThreadReason(false, false)).toMatch(/not cross-origin isolated/);
    expect(singleThreadReason(false, true)).toMatch(/not cross-origin isolated/);
  });

  it('says the browser has no shared memory when the page is isolated but SharedArrayBuffer is missing', () => {
    const notice = singleThreadReason(true, false);
    expect(notice).toMatch(/offers no shared memory/);
    expect(notice).toMatch(/one thread/);
    expect(notice).not.toMatch(/not cross-origin isolated/);
  });

  it('says nothing when threads can run', () => {
    expect(singleThreadReason(true, true)).toBeUndefined();
  });
});
