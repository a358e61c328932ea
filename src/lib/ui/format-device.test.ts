import { describe, expect, it } from 'vitest';
import { isIosSafari, memoryFit, modelFit } from './device';
import { formatBytes, formatDuration, formatRate } from './format';
import { fill } from './strings';

describe('formatting', () => {
  it('bytes, durations and rates as people read them', () => {
    expect(formatBytes(1_190_000_000)).toBe('1.19 GB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(undefined)).toBe('?');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatRate(0)).toBe('–');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('{a} of {b}', { a: 1, b: 'two' })).toBe('1 of two');
    expect(fill('{a} {missing}', { a: 1 })).toBe('1 {missing}');
  });
});

describe('device fit', () => {
  const GB = 1024 ** 3;
  it('judges memory against what a tab can realistically use', () => {
    expect(memoryFit(1.85e9, 8)).toBe('fits');
    expect(memoryFit(1.85e9, 3)).toBe('tight');
    expect(memoryFit(1.85e9, 2)).toBe('too-big');
    expect(memoryFit(1.85e9, undefined)).toBe('unknown');
    expect(memoryFit(undefined, 4)).toBe('unknown');
  });

  it('a model that cannot be stored does not fit, whatever the memory', () => {
    expect(modelFit(1 * GB, 1.2e9, 8, 0.5e9)).toBe('too-big');
    expect(modelFit(1 * GB, 1.2e9, 8, 5e9)).toBe('fits');
  });

  it('recognises iOS Safari, not other iOS browsers or the installed app', () => {
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    const chromeIos = safari.replace('Version/17.0', 'CriOS/120.0');
    const ipadDesktop = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    expect(isIosSafari(safari, 5, false)).toBe(true);
    expect(isIosSafari(safari, 5, true)).toBe(false);
    expect(isIosSafari(chromeIos, 5, false)).toBe(false);
    expect(isIosSafari(ipadDesktop, 5, false)).toBe(true);
    expect(isIosSafari(ipadDesktop, 0, false)).toBe(false);
  });
});
