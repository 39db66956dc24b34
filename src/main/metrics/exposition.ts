/**
 * Prometheus' text exposition format (version 0.0.4), written by hand: a few families, no
 * client library needed. Label values are escaped as the format requires (\\, \", \n), so a
 * runner's display name cannot break a line.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Appended to the family's name (`_bucket`, `_sum`, `_count`). */
  suffix?: string;
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  samples: Sample[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export function exposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${number(s.value)}`);
  }
  return out.join('\n') + '\n';
}

/** One histogram family: observations per label set, written as cumulative buckets plus sum and count. */
export class Histogram {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds, ascending; +Inf is added. */
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = JSON.stringify(labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const s of this.#series.values()) {
      this.buckets.forEach((le, i) => samples.push({ suffix: '_bucket', labels: { ...s.labels, le: number(le) }, value: s.counts[i]! }));
      samples.push({ suffix: '_bucket', labels: { ...s.labels, le: '+Inf' }, value: s.count });
      samples.push({ suffix: '_sum', labels: s.labels, value: s.sum });
      samples.push({ suffix: '_count', labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

/** A counter family keyed by label set. */
export class Counter {
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = JSON.stringify(labels);
    const s = this.#series.get(key);
    if (s) s.value += by;
    else this.#series.set(key, { labels, value: by });
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'counter', samples: [...this.#series.values()].map((s) => ({ labels: s.labels, value: s.value })) };
  }
}
