import type { Slot } from './summary';

/** Geometry for the throughput chart, drawn by views/partials/chart.eta as SVG (no client script). */
export interface Chart {
  width: number;
  height: number;
  plot: { left: number; top: number; width: number; height: number };
  bars: {
    x: number;
    width: number;
    completedY: number;
    completedH: number;
    failedY: number;
    failedH: number;
    label: string;
  }[];
  /** Received messages, as an SVG polyline `points` value. */
  receivedLine: string;
  yMax: number;
  xLabels: { x: number; text: string }[];
}

const WIDTH = 760;
const HEIGHT = 220;
const PLOT = { left: 44, top: 12, width: WIDTH - 56, height: HEIGHT - 40 };

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least 4. */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * power).find((m) => m >= value) ?? value) as number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Stacked completed/failed bars per slot and a line for received messages. */
export function buildChart(series: readonly Slot[], formatTime: (d: Date) => string): Chart {
  const yMax = niceMax(Math.max(0, ...series.map((s) => Math.max(s.created, s.completed + s.failed))));
  const slotWidth = PLOT.width / Math.max(1, series.length);
  const y = (value: number) => PLOT.top + PLOT.height - (value / yMax) * PLOT.height;
  const bars = series.map((slot, i) => {
    const x = PLOT.left + i * slotWidth;
    const completedTop = y(slot.completed);
    const failedTop = y(slot.completed + slot.failed);
    return {
      x: round(x + slotWidth * 0.1),
      width: round(Math.max(1, slotWidth * 0.8)),
      completedY: round(completedTop),
      completedH: round(PLOT.top + PLOT.height - completedTop),
      failedY: round(failedTop),
      failedH: round(completedTop - failedTop),
      label: `${formatTime(slot.start)}: ${slot.created} received, ${slot.completed} completed, ${slot.failed} failed`,
    };
  });
  const receivedLine = series
    .map((slot, i) => `${round(PLOT.left + (i + 0.5) * slotWidth)},${round(y(slot.created))}`)
    .join(' ');
  const labelEvery = Math.max(1, Math.ceil(series.length / 6));
  const xLabels = series
    .map((slot, i) => ({ i, slot }))
    .filter(({ i }) => i % labelEvery === 0)
    .map(({ i, slot }) => ({ x: round(PLOT.left + i * slotWidth), text: formatTime(slot.start) }));
  return { width: WIDTH, height: HEIGHT, plot: PLOT, bars, receivedLine, yMax, xLabels };
}
