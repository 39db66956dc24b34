import { useTranslation } from 'react-i18next';
import type { PoolSampleView } from '../../shared/contract/index.js';

export const CHART_SERIES = ['desired', 'busy', 'waiting'] as const;
export type ChartSeries = (typeof CHART_SERIES)[number];

const WIDTH = 360;
const HEIGHT = 96;
const PAD = 4;
const HOUR_MS = 3_600_000;

/** Each series as SVG points over the hour ending at `end`: x by time, y by count (0 at the bottom). */
export function chartPoints(history: readonly PoolSampleView[], end: number, top: number): Record<ChartSeries, string[]> {
  const start = end - HOUR_MS;
  const x = (at: string) => PAD + ((Math.min(end, Math.max(start, Date.parse(at))) - start) / HOUR_MS) * (WIDTH - 2 * PAD);
  const y = (v: number) => HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD);
  const recent = history.filter((s) => Date.parse(s.at) >= start);
  const series = {} as Record<ChartSeries, string[]>;
  for (const name of CHART_SERIES) series[name] = recent.map((s) => `${x(s.at).toFixed(1)},${y(s[name]).toFixed(1)}`);
  return series;
}

/**
 * The pool's last hour: desired vs busy vs waiting, one polyline each, drawn from the samples the
 * controller keeps (one a poll). The numbers beside it say the same for a screen reader.
 */
export function PoolChart({ history, max }: { history: readonly PoolSampleView[]; max: number }) {
  const { t } = useTranslation();
  const last = history.at(-1);
  const end = last ? Date.parse(last.at) : Date.now();
  const top = Math.max(1, max, ...history.flatMap((s) => [s.desired, s.busy, s.waiting]));
  const points = chartPoints(history, end, top);
  const label = last ? t('pools.chart.label', { desired: last.desired, busy: last.busy, waiting: last.waiting }) : t('pools.chart.empty');
  return (
    <figure className="pool-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} preserveAspectRatio="none">
        <line className="axis" x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - PAD} y2={HEIGHT - PAD} />
        <line className="axis max" x1={PAD} y1={PAD} x2={WIDTH - PAD} y2={PAD} />
        {CHART_SERIES.map((name) =>
          points[name].length > 0 ? (
            <polyline key={name} className={`series series-${name}`} data-series={name} points={points[name].join(' ')} fill="none" />
          ) : null,
        )}
      </svg>
      <figcaption>
        <span className="muted">{t('pools.chart.caption', { top })}</span>
        <ul className="legend">
          {CHART_SERIES.map((name) => (
            <li key={name}>
              <span className={`swatch series-${name}`} aria-hidden="true" />
              {t(`pools.count.${name}`)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
