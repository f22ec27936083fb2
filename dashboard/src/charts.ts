/** Small uPlot line and bar charts sized to their container (phone widths included). */
import uPlot from "uplot";

export interface Series {
  label: string;
  /** One value per x; null where there is none (a gap in the line). */
  values: Array<number | null>;
  color: string;
}

const charts = new Set<uPlot>();

/** A chart of `series` over integer x values (epochs), in `el`. */
export function lineChart(el: HTMLElement, title: string, xLabel: string, xs: number[], series: Series[], opts: { bars?: boolean; yLabel?: string; yRange?: [number, number] } = {}): uPlot {
  const width = Math.max(240, el.clientWidth || 320);
  const chart = new uPlot(
    {
      title,
      width,
      height: 220,
      scales: { x: { time: false }, ...(opts.yRange ? { y: { range: opts.yRange } } : {}) },
      axes: [
        { label: xLabel, incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : "")) },
        { label: opts.yLabel, size: 60 },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: opts.bars ? s.color + "55" : undefined,
          width: 2,
          spanGaps: false,
          paths: opts.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          points: { show: true, size: 5 },
        })),
      ],
      legend: { show: true },
    },
    [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
    el,
  );
  charts.add(chart);
  return chart;
}

/** Destroys every chart (before a view is replaced). */
export function destroyCharts(): void {
  for (const c of charts) c.destroy();
  charts.clear();
}

/** Follows the window's width. */
export function resizeCharts(): void {
  for (const c of charts) {
    const parent = c.root.parentElement;
    if (parent) c.setSize({ width: Math.max(240, parent.clientWidth), height: 220 });
  }
}
