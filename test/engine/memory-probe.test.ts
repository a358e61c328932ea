// The worker's memory probe (src/lib/engine/memory-probe.ts): grows a throwaway memory to its cap in steps, reports
// what a model may use with the device's memory taken into account, and pretends to be a small device on request.
import { describe, expect, it } from 'vitest';
import { growableBytes, probeMemory } from '../../src/lib/engine/memory-probe';

const MiB = 1024 ** 2, GiB = 1024 ** 3;

describe('memory probe', () => {
  it('grows a throwaway memory up to the cap, in whole steps and the remainder', () => {
    expect(growableBytes(256 * MiB)).toBe(256 * MiB);
    expect(growableBytes(100 * MiB)).toBe(100 * MiB);
  });

  it('is bounded by half of what navigator.deviceMemory reports', () => {
    const r = probeMemory({ capBytes: 512 * MiB, deviceMemoryGB: 0.5 });
    expect(r.grownBytes).toBe(512 * MiB);
    expect(r.usableBytes).toBe(256 * MiB);
    expect(probeMemory({ capBytes: 512 * MiB }).usableBytes).toBe(512 * MiB);
  });

  it('pretends to be a small device when a test asks, without growing anything', () => {
    const r = probeMemory({ simulateBytes: 600 * MiB, deviceMemoryGB: 8 });
    expect(r).toEqual({ grownBytes: 600 * MiB, deviceMemoryGB: 8, usableBytes: 600 * MiB, simulated: true });
    expect(probeMemory({ simulateBytes: 8 * GiB }).grownBytes).toBe(4 * GiB);
  });
});
