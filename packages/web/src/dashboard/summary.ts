import type { CountBucket } from '@rez/core';

/** The windows the dashboard offers, with the chart's bar width for each. */
export const WINDOWS = {
  '1h': { ms: 3_600_000, periodSeconds: 300 },
  '24h': { ms: 86_400_000, periodSeconds: 1_800 },
  '7d': { ms: 604_800_000, periodSeconds: 10_800 },
} as const;
export type WindowName = keyof typeof WINDOWS;

export interface Totals {
  created: number;
  completed: number;
  failed: number;
}

export interface Slot extends Totals {
  start: Date;
}

export interface DashboardSummary {
  totals: Totals;
  byType: ({ type: string } & Totals)[];
  byStage: ({ stage: string } & Totals)[];
  series: Slot[];
}

const zero = (): Totals => ({ created: 0, completed: 0, failed: 0 });
const entry = (map: Map<string, Totals>, key: string): Totals => {
  const totals = map.get(key) ?? zero();
  map.set(key, totals);
  return totals;
};
const add = (into: Totals, from: Totals) => {
  into.created += from.created;
  into.completed += from.completed;
  into.failed += from.failed;
};

/**
 * Folds count buckets (5-minute store buckets, or CloudWatch periods) into
 * totals by type and stage and a series of `periodSeconds` slots ending at
 * `until`. Buckets outside the window are ignored.
 */
export function summarize(
  buckets: readonly CountBucket[],
  window: { since: Date; until: Date; periodSeconds: number },
): DashboardSummary {
  const periodMs = window.periodSeconds * 1000;
  const first = Math.floor(window.since.getTime() / periodMs) * periodMs;
  const slotCount = Math.max(1, Math.ceil((window.until.getTime() - first) / periodMs));
  const series: Slot[] = Array.from({ length: slotCount }, (_, i) => ({
    start: new Date(first + i * periodMs),
    ...zero(),
  }));
  const totals = zero();
  const byType = new Map<string, Totals>();
  const byStage = new Map<string, Totals>();
  for (const bucket of buckets) {
    const at = Date.parse(bucket.bucket);
    const slot = Math.floor((at - first) / periodMs);
    if (slot < 0 || slot >= slotCount) continue;
    add(series[slot], bucket);
    add(totals, bucket);
    add(entry(byType, bucket.type), bucket);
    add(entry(byStage, bucket.stage), bucket);
  }
  const sorted = <K extends string>(map: Map<string, Totals>, key: K) =>
    [...map.entries()]
      .map(([name, t]) => ({ [key]: name, ...t }) as { [P in K]: string } & Totals)
      .sort((a, b) => b.created - a.created || a[key].localeCompare(b[key]));
  return { totals, byType: sorted(byType, 'type'), byStage: sorted(byStage, 'stage'), series };
}
