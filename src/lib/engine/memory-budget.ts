/**
 * Fitting a model to the memory this tab can get (the worker's memory probe), before anything is allocated: exact
 * first, then the lossy steps of LOSSY_STEPS (6-bit head, int8 KV cache, both), then a shorter context, halving down to
 * MIN_SHRUNK_CONTEXT tokens. Each step is planned from the header by the engine itself (`plan`), so what is chosen
 * is what will be allocated. A choice the caller made (memory.kvCache / memory.head) stands.
 */
import type { MemoryPlan } from './native-results.generated';

/** Where the model's memory goes besides the weights (cpp/src/model.h kLoad*). */
export interface MemoryOptions {
  /** Input embedding rows read from the file as needed (needs ModelStream.readRange). Exact. Default true. */
  inputRowsFromFile?: boolean;
  /** 'int8': the KV cache at half the bytes of f16, with a scale per position and KV head (changes the numbers a
   * little: see cpp/README.md). Default 'f16'. */
  kvCache?: 'f16' | 'int8';
  /** The lm_head: 'int6' as 6-bit codes with a scale per 64 weights (79% of the int8 head's bytes, within the
   * reference tolerance), 'int4' as 4-bit codes with a scale per 32 (61%, outside it); see cpp/README.md. Ignored
   * where the head is also the in-memory input table. Default 'int8'. */
  head?: HeadFormat;
}

export type HeadFormat = 'int8' | 'int6' | 'int4';

/** The head format of a plan's headBits. */
export const headFormat = (bits: number): HeadFormat => (bits === 4 ? 'int4' : bits === 6 ? 'int6' : 'int8');

/** kLoadInputRowsFromFile | kLoadKvInt8 | kLoadHeadInt4 | kLoadHeadInt6 (cpp/src/model.h). */
export function loadFlags(memory: MemoryOptions = {}): number {
  return (memory.inputRowsFromFile ?? true ? 1 : 0) | (memory.kvCache === 'int8' ? 2 : 0) |
    (memory.head === 'int4' ? 4 : memory.head === 'int6' ? 8 : 0);
}

/** The shortest context a load shrinks to (MIN_USEFUL_CONTEXT in the model manager says the same to the person). */
export const MIN_SHRUNK_CONTEXT = 1024;

/** The engine's plan for these settings; undefined when it cannot plan them. */
export type PlanFor = (nCtx: number | undefined, memory: MemoryOptions) => MemoryPlan | undefined;

export interface BudgetChoice {
  nCtx: number | undefined;
  memory: MemoryOptions;
  plan: MemoryPlan;
}

/** The lossy steps in the order of what they cost in accuracy (cpp/README.md, bench/quality.ts: on the demo model's
 * own text the 6-bit head keeps 99.2% of top-1 tokens, the int8 KV cache 97.1%, both 96.8%), all within the
 * reference tolerance. The first that fits is taken. The 4-bit head is not among them: it is outside the tolerance
 * (95.7% with the int8 cache), so a model that still does not fit keeps every token exact-ish and remembers less
 * instead; `head: 'int4'` stays for a caller who asks. The model manager predicts the same order from the
 * catalogue's memoryBytes / leanMemoryBytes (models.svelte.ts). */
const LOSSY_STEPS: MemoryOptions[] = [
  { head: 'int6' },
  { kvCache: 'int8' },
  { kvCache: 'int8', head: 'int6' },
];

export function fitToBudget(planFor: PlanFor, start: BudgetChoice, budget: number, chosen: MemoryOptions = {}): BudgetChoice {
  let { nCtx, memory, plan } = start;
  const over = () => plan.total > budget;
  if (!over() || chosen.kvCache) return start;
  // The first step that fits; if none does, the last one planned (the smallest), and a shorter context below.
  for (const step of LOSSY_STEPS) {
    if (!over()) break;
    const next: MemoryOptions = { ...start.memory, ...step, ...(chosen.head ? { head: chosen.head } : {}) };
    const p = planFor(nCtx, next);
    // The engine drops a low-bit head it cannot use here (a head that is also the in-memory input table).
    if (p) [memory, plan] = [{ ...next, head: headFormat(p.headBits) }, p];
  }
  // Still too large: the model manager offers such a model as one that "remembers less of a long chat".
  for (let shorter = plan.nCtx / 2; over() && shorter >= MIN_SHRUNK_CONTEXT; shorter /= 2) {
    const p = planFor(shorter, memory);
    if (!p) break;
    [nCtx, plan] = [shorter, p];
  }
  return { nCtx, memory, plan };
}
