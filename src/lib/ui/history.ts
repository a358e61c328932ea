/** The chat list grouped by the day each chat was last used, by the device's own calendar. */
import type { ConversationSummary } from './conversations';

export type HistoryGroup = 'today' | 'yesterday' | 'earlier';

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Groups newest-first summaries into today, yesterday and earlier (empty groups left out), keeping their order. */
export function groupByDay<T extends Pick<ConversationSummary, 'updatedAt'>>(items: readonly T[], now: number): Array<{ group: HistoryGroup; items: T[] }> {
  const today = startOfDay(now);
  // Not today - 24 h: a day with a clock change is 23 or 25 hours long.
  const yesterday = startOfDay(today - 1);
  const groups: Record<HistoryGroup, T[]> = { today: [], yesterday: [], earlier: [] };
  for (const item of items) {
    const key: HistoryGroup = item.updatedAt >= today ? 'today' : item.updatedAt >= yesterday ? 'yesterday' : 'earlier';
    groups[key].push(item);
  }
  return (['today', 'yesterday', 'earlier'] as const).filter((g) => groups[g].length > 0).map((group) => ({ group, items: groups[group] }));
}
