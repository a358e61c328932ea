/**
 * How many of the engine's pool threads to compute with, chosen by timing them instead of trusting
 * navigator.hardwareConcurrency: WebKit reports 4 on a 2-CPU machine (Safari too reports a clamped figure), and there
 * 4 threads generate about 3x slower than 1. The worker times the kernel (`ThreadTimer`); the page remembers the
 * result per device, since the worker has no localStorage, and probes again when the choice looks wrong.
 * Everything here is plain logic over timings, so the rule is tested with simulated ones.
 */

import { TritError } from '../errors';

/** Milliseconds the same fixed amount of kernel work took on `threads` threads. */
export type ThreadTimer = (threads: number) => Promise<number>;

export interface ThreadProbe {
  /** The fewest threads whose time is within `margin` of the fastest. */
  threads: number;
  /** Best time per thread count tried (a count skipped after a clearly slower one is absent). */
  msByThreads: Record<number, number>;
}

/** More threads than this much slower than the best so far: larger counts are not tried. */
const GIVE_UP_RATIO = 1.25;

/** 1, 2, 4, ... below the pool size, then the pool size itself. */
export function threadCandidates(poolSize: number): number[] {
  const max = Math.max(1, Math.floor(poolSize));
  const out: number[] = [];
  for (let n = 1; n < max; n *= 2) out.push(n);
  out.push(max);
  return out;
}

/** Fewer threads win ties: within `margin` of the fastest they cost less battery and leave a core for the page. */
export function pickThreads(msByThreads: Record<number, number>, margin = 0.05): number {
  const entries = Object.entries(msByThreads).map(([n, ms]) => [Number(n), ms] as const).filter(([, ms]) => ms > 0 && Number.isFinite(ms));
  if (!entries.length) return 1;
  const fastest = Math.min(...entries.map(([, ms]) => ms));
  return Math.min(...entries.filter(([, ms]) => ms <= fastest * (1 + margin)).map(([n]) => n));
}

/**
 * Times each candidate up to the pool size, `rounds` times in turn (so a slow moment on a shared machine does not
 * land on one count only), keeping each count's best; stops climbing once a count is clearly slower than the best.
 */
export async function probeThreads(poolSize: number, time: ThreadTimer, opts: { rounds?: number; margin?: number } = {}): Promise<ThreadProbe> {
  const best: Record<number, number> = {};
  const tried: number[] = [];
  for (const n of threadCandidates(poolSize)) {
    best[n] = await time(n);
    tried.push(n);
    if (best[n] > Math.min(...Object.values(best)) * GIVE_UP_RATIO) break;
  }
  for (let round = 1; round < (opts.rounds ?? 2); round++) {
    for (const n of tried) best[n] = Math.min(best[n], await time(n));
  }
  return { threads: pickThreads(best, opts.margin), msByThreads: best };
}

/** The probe is about a second of kernel work; far past that the engine is stuck, and the app must say so. */
export const PROBE_TIMEOUT_MS = 30_000;

/** `probe`, failing with a plain timeout error after `ms` rather than leaving the app starting in silence. */
export function probeWithin(probe: () => Promise<ThreadProbe>, ms = PROBE_TIMEOUT_MS): () => Promise<ThreadProbe> {
  return () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TritError('timeout', `The engine did not finish measuring this device within ${ms / 1000} s.`,
        'Tap Try again; if it keeps happening, reload the page or report it with this message.')), ms);
    });
    return Promise.race([probe(), timeout]).finally(() => clearTimeout(timer));
  };
}

// ---- remembered per device -----------------------------------------------------------------------------------------

/** What the page keeps for one device: the probe's choice and the generation speeds seen since. */
export interface ThreadChoice {
  device: string;
  threads: number;
  msByThreads: Record<number, number>;
  probedAt: number;
  /** Best generation speed (tokens/s) seen per model and thread count since the probe. */
  seen: Record<string, Record<number, number>>;
  /** Set when a reply showed the choice wrong: the next start probes again. */
  stale?: string;
}

/** A choice older than this is measured again: browsers update, and so do their thread schedulers. */
const MAX_AGE_MS = 30 * 24 * 3600_000;
/** Another thread count this much faster than the choice, on the same model, means the choice is wrong (fewer: the
 * probe overrated threads; more: it underrated them, as the old 3 ms probe did on 2-core machines). */
const WRONG_RATIO = 1.1;
/** A generation at the chosen count below this share of its best before: the device changed (e.g. low-power mode). */
const DROP_RATIO = 0.5;
const STORAGE_KEY = 'trit-thread-choice';

/** The same browser on the same device reports the same user agent and core figure; either changing means re-probe. */
export function deviceKey(userAgent: string, hardwareConcurrency: number | undefined): string {
  return `${hardwareConcurrency ?? 0}|${userAgent}`;
}

export function newChoice(device: string, probe: ThreadProbe, now: number): ThreadChoice {
  return { device, threads: probe.threads, msByThreads: probe.msByThreads, probedAt: now, seen: {} };
}

/** Records a reply's generation speed at the threads it ran on (the choice, or the person's own setting). */
export function noteGeneration(choice: ThreadChoice, model: string, threads: number, tokensPerSecond: number): ThreadChoice {
  if (!(tokensPerSecond > 0) || !Number.isFinite(tokensPerSecond)) return choice;
  const forModel = { ...choice.seen[model] };
  forModel[threads] = Math.max(forModel[threads] ?? 0, tokensPerSecond);
  return { ...choice, seen: { ...choice.seen, [model]: forModel } };
}

/** Why the remembered choice should be measured again, or undefined while it still holds. */
export function choiceLooksWrong(choice: ThreadChoice, device: string, now: number, lastReply?: { model: string; threads: number; tokensPerSecond: number }): string | undefined {
  if (choice.stale) return choice.stale;
  if (choice.device !== device) return 'another browser or device';
  if (now - choice.probedAt > MAX_AGE_MS || now < choice.probedAt) return 'measured too long ago';
  for (const [model, rates] of Object.entries(choice.seen)) {
    const chosen = rates[choice.threads];
    if (!chosen) continue;
    for (const [n, rate] of Object.entries(rates)) {
      if (Number(n) !== choice.threads && rate > chosen * WRONG_RATIO) return `${n} thread(s) generated faster than ${choice.threads} on ${model}`;
    }
  }
  if (lastReply && lastReply.threads === choice.threads) {
    const before = choice.seen[lastReply.model]?.[choice.threads];
    if (before && lastReply.tokensPerSecond < before * DROP_RATIO) return 'generation became much slower than before';
  }
  return undefined;
}

type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The remembered choice, or undefined when there is none or it cannot be read (private modes can refuse storage). */
export function loadThreadChoice(storage: ChoiceStorage | undefined): ThreadChoice | undefined {
  try {
    const raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null') as Partial<ThreadChoice> | null;
    if (!raw || typeof raw.device !== 'string' || !(Number(raw.threads) >= 1) || typeof raw.probedAt !== 'number') return undefined;
    const choice: ThreadChoice = { device: raw.device, threads: Math.floor(Number(raw.threads)), msByThreads: raw.msByThreads ?? {}, probedAt: raw.probedAt, seen: raw.seen ?? {} };
    return typeof raw.stale === 'string' ? { ...choice, stale: raw.stale } : choice;
  } catch {
    return undefined;
  }
}

export function saveThreadChoice(storage: ChoiceStorage | undefined, choice: ThreadChoice): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Not remembered: the next start measures again, which costs a second and loses nothing.
  }
}

/** The thread count for this device: the remembered one while it holds, else a new probe, which is remembered. */
export async function measuredThreads(probe: () => Promise<ThreadProbe>, storage: ChoiceStorage | undefined, device: string, now: number): Promise<ThreadChoice> {
  const known = loadThreadChoice(storage);
  if (known && !choiceLooksWrong(known, device, now)) return known;
  const choice = newChoice(device, await probe(), now);
  saveThreadChoice(storage, choice);
  return choice;
}

/** After a reply: remembers its generation speed, and marks the choice for a new probe if it now looks wrong. */
export function recordReply(storage: ChoiceStorage | undefined, device: string, reply: { model: string; threads: number; tokensPerSecond: number }, now: number): void {
  const known = loadThreadChoice(storage);
  if (!known || known.device !== device) return;
  const wrongNow = choiceLooksWrong(known, device, now, reply);
  const updated = noteGeneration(known, reply.model, reply.threads, reply.tokensPerSecond);
  const stale = wrongNow ?? choiceLooksWrong(updated, device, now);
  saveThreadChoice(storage, stale ? { ...updated, stale } : updated);
}
