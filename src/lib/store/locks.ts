/**
 * Cross-context locks. The page downloads and deletes; the engine worker reads shards and keeps a model loaded.
 * Web Locks are shared by every page and worker of the origin and are released when the holder dies, so a
 * crashed tab never leaves a model undeletable. Where the API is missing (Node unit tests), an in-process
 * equivalent keeps the same semantics within one context.
 */
export interface LockManagerLike {
  /** Takes a shared lock and keeps it until the returned function is called. */
  holdShared(name: string): Promise<() => void>;
  /** Runs fn under an exclusive lock when nobody holds the name; returns { acquired: false } otherwise, without waiting. */
  tryExclusive<T>(name: string, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;
  /** Names currently held anywhere in the origin. */
  heldNames(): Promise<Set<string>>;
}

export const inUseLockName = (modelId: string) => `trit-model-in-use:${modelId}`;
export const downloadLockName = (modelId: string) => `trit-model-download:${modelId}`;

class WebLocks implements LockManagerLike {
  constructor(private readonly locks: LockManager) {}

  holdShared(name: string): Promise<() => void> {
    return new Promise((resolveHeld, rejectHeld) => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      this.locks
        .request(name, { mode: 'shared' }, () => {
          resolveHeld(release);
          return released;
        })
        .catch(rejectHeld);
    });
  }

  async tryExclusive<T>(name: string, fn: () => Promise<T>) {
    let acquired = false;
    const value = await this.locks.request(name, { mode: 'exclusive', ifAvailable: true }, async (lock) => {
      if (!lock) return undefined;
      acquired = true;
      return fn();
    });
    return acquired ? { acquired: true as const, value: value as T } : { acquired: false as const };
  }

  async heldNames() {
    const state = await this.locks.query();
    return new Set((state.held ?? []).map((l) => l.name).filter((n): n is string => typeof n === 'string'));
  }
}

export class LocalLocks implements LockManagerLike {
  private readonly shared = new Map<string, number>();
  private readonly exclusive = new Set<string>();

  async holdShared(name: string) {
    // Shared holders wait for nothing here: the exclusive sections in the store never wait for a shared holder either.
    this.shared.set(name, (this.shared.get(name) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.shared.get(name) ?? 1) - 1;
      if (n === 0) this.shared.delete(name);
      else this.shared.set(name, n);
    };
  }

  async tryExclusive<T>(name: string, fn: () => Promise<T>) {
    if (this.exclusive.has(name) || this.shared.has(name)) return { acquired: false as const };
    this.exclusive.add(name);
    try {
      return { acquired: true as const, value: await fn() };
    } finally {
      this.exclusive.delete(name);
    }
  }

  async heldNames() {
    return new Set([...this.shared.keys(), ...this.exclusive]);
  }
}

export function defaultLocks(): LockManagerLike {
  const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  return locks ? new WebLocks(locks) : new LocalLocks();
}
