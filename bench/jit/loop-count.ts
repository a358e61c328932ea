// Finds a kernel's hot loop in a disassembly and sorts its instructions into what they are for.

/** int8 multiply-adds in one 128-bit PMADDUBSW (16 byte products, added in pairs into i16). */
export const MACS_PER_MADD = 16;

export type InstrClass = 'madd' | 'accumulate' | 'unpack' | 'load' | 'stack' | 'move' | 'constant' | 'scalar' | 'other';

/**
 * The innermost loop (backward branch with the shortest span) holding a multiply-add, as instruction texts from its
 * first instruction to its backward branch. V8 puts the loop header first, so the span is the whole body.
 */
export function hotLoop(code: Array<{ at: number; text: string }>): string[] {
  let best: { from: number; to: number } | undefined;
  for (let i = 0; i < code.length; i++) {
    const m = /^j[a-z]+ 0x([0-9a-f]+)$/.exec(code[i].text);
    if (!m) continue;
    const target = parseInt(m[1], 16);
    if (target >= code[i].at) continue;
    const from = code.findIndex((c) => c.at === target);
    if (from < 0) continue;
    const span = code.slice(from, i + 1);
    if (!span.some((c) => classOf(c.text) === 'madd')) continue;
    if (!best || i - from < best.to - best.from) best = { from, to: i };
  }
  if (!best) throw new Error('no loop with a multiply-add found');
  return code.slice(best.from, best.to + 1).map((c) => c.text);
}

/** What one instruction (Intel syntax, as objdump prints it) does in the kernel. */
export function classOf(text: string): InstrClass {
  const [op] = text.split(' ');
  const ops = text.slice(op.length);
  if (/\[(rbp|rsp)/.test(ops)) return 'stack'; // spills, reloads, and scalar locals kept on the stack
  if (/^v?pmaddubsw$|^v?pdpbusds?$/.test(op)) return 'madd';
  if (/^v?padd[wd]$/.test(op)) return 'accumulate';
  if (/^v?psrlw$|^v?pand$/.test(op)) return 'unpack';
  if (/^v?mov(dqu|ups|dqa|aps|apd)$/.test(op)) return ops.includes('[') ? 'load' : 'move';
  // An i8x16.splat rebuilt inside the loop: a 64-bit immediate moved into a vector and broadcast.
  if (/^(movabs|v?movq|v?punpcklqdq|v?pshufd|v?pbroadcast[bq])$/.test(op)) return 'constant';
  if (/^(lea|mov|add|sub|shl|shr|cmp|test|inc|dec|j[a-z]+|nop)$/.test(op)) return 'scalar';
  return 'other';
}

export function classify(loop: string[]): Record<InstrClass, number> {
  const counts: Record<InstrClass, number> = { madd: 0, accumulate: 0, unpack: 0, load: 0, stack: 0, move: 0, constant: 0, scalar: 0, other: 0 };
  for (const text of loop) counts[classOf(text)]++;
  return counts;
}
