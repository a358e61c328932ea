/**
 * How much WebAssembly memory this tab can really get, measured in the engine's worker before a model is loaded:
 * a throwaway WebAssembly.Memory grown in steps until the browser refuses or the cap is reached, then dropped (as
 * wllama does for iOS, where a tab is killed well before 4 GiB). Bounded: at most 4 GiB in 64 MiB steps (64 grows,
 * each only reserving address space), so it takes milliseconds. navigator.deviceMemory, where the browser gives it,
 * bounds it further: the OS and other apps keep part of the device's memory.
 */

/** wasm32's ceiling, and the engine build's MAXIMUM_MEMORY. */
export const WASM32_MAX_BYTES = 4 * 1024 ** 3;
const STEP_BYTES = 64 * 1024 ** 2;
const PAGE_BYTES = 64 * 1024;
/** Of what navigator.deviceMemory reports, the part one tab can count on (as src/lib/ui/device.ts judges fit). */
const DEVICE_SHARE = 0.5;

export interface MemoryProbeResult {
  /** The largest WebAssembly memory this tab got (bytes). */
  grownBytes: number;
  /** navigator.deviceMemory in GB, where the browser reports it. */
  deviceMemoryGB?: number;
  /** What a model may use here: grownBytes, bounded by half the device's memory when that is known. */
  usableBytes: number;
  /** Set when a test asked the probe to pretend (see probeMemory's simulateBytes). */
  simulated?: boolean;
}

export interface MemoryProbeOptions {
  /** Stop growing here (default 4 GiB). */
  capBytes?: number;
  /** For tests (the app passes ?trit-memory-mib=N from the page's URL): the probe stops at this many bytes as if
   * the browser had refused more, so a small device can be tried on any machine. */
  simulateBytes?: number;
  deviceMemoryGB?: number;
}

/** Grows a throwaway memory step by step; returns the largest size reached. */
export function growableBytes(capBytes: number): number {
  const maxPages = Math.floor(capBytes / PAGE_BYTES);
  let memory: WebAssembly.Memory | undefined;
  try {
    memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages });
  } catch {
    return 0;
  }
  let pages = 1;
  const step = STEP_BYTES / PAGE_BYTES;
  while (pages < maxPages) {
    const grow = Math.min(step, maxPages - pages);
    try {
      memory.grow(grow);
    } catch {
      break; // RangeError: the browser will not give more
    }
    pages += grow;
  }
  memory = undefined; // dropped here: the engine's own memory is the one that counts
  return pages * PAGE_BYTES;
}

export function probeMemory(opts: MemoryProbeOptions = {}): MemoryProbeResult {
  const cap = Math.min(opts.capBytes ?? WASM32_MAX_BYTES, WASM32_MAX_BYTES);
  const simulated = opts.simulateBytes !== undefined && opts.simulateBytes > 0;
  const grownBytes = simulated ? Math.min(opts.simulateBytes!, cap) : growableBytes(cap);
  const device = opts.deviceMemoryGB;
  const usableBytes = device ? Math.min(grownBytes, device * 1024 ** 3 * DEVICE_SHARE) : grownBytes;
  return { grownBytes, deviceMemoryGB: device, usableBytes, ...(simulated ? { simulated } : {}) };
}

/** navigator.deviceMemory where this global (window or worker) has it. */
export function reportedDeviceMemoryGB(): number | undefined {
  const value = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return typeof value === 'number' && value > 0 ? value : undefined;
}
