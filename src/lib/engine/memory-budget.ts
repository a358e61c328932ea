/**
 * Fitting a model to the memory this tab can get (the worker's memory probe), before anything is allocated: exact
 * first, then the int8 KV cache, then also the 4-bit head, then a shorter context, halving down to
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
  /** 'int4': the lm_head as 4-bit codes with a scale per 32 weights, 60% of the int8 head's bytes (lossy: see
   * cpp/README.md; ignored where the head is also the in-memory input table). Default 'int8'. */
  head?: 'int8' | 'int4';
}

/** kLoadInputRowsFromFile | kLoadKvInt8 | kLoadHeadInt4 (cpp/src/model.h). */
export function loadFlags(memory: MemoryOptions = {}): number {
  return (memory.inputRowsFromFile ?? true ? 1 : 0) | (memory.kvCache === 'int8' ? 2 : 0) | (memory.head === 'int4' ? 4 : 0);
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

export function fitToBudget(planFor: PlanFor, start: BudgetChoice, budget: number, chosen: MemoryOptions = {}): BudgetChoice {
  let { nCtx, memory, plan } = start;
  const over = () => plan.total > budget;
  const tryWith = (next: MemoryOptions, accept: (p: MemoryPlan) => boolean = () => true) => {
    const p = planFor(nCtx, next);
    if (p && accept(p)) [memory, plan] = [next, p];
  };
  if (!over() || chosen.kvCache) return start;
  tryWith({ ...memory, kvCache: 'int8' });
  // The 4-bit head changes the numbers beyond the reference tolerance (cpp/README.md): only where nothing else fits.
  if (over() && !chosen.head) tryWith({ ...memory, head: 'int4' }, (p) => p.headInt4);
  // Still too large: the model manager offers such a model as one that "remembers less of a long chat".
  for (let shorter = plan.nCtx / 2; over() && shorter >= MIN_SHRUNK_CONTEXT; shorter /= 2) {
    const p = planFor(shorter, memory);
    if (!p) break;
    [nCtx, plan] = [shorter, p];
  }
  return { nCtx, memory, plan };
}
