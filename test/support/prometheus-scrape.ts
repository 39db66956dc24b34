/**
 * A /metrics page read as Prometheus would: parsed by an independent text-format parser from npm
 * (prom2javascript; it keeps labelled histograms apart, which parse-prometheus-text-format does
 * not), plus the checks it leaves out (one series per label set, a TYPE for every family).
 */
import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromData, type PromHistogramData, type PromMetrics } from 'prom2javascript';

export interface Scrape {
  metrics: PromMetrics;
  /** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
  value(name: string, labels?: Record<string, string>): number;
  /** Every sample of a gauge or counter family. */
  samples(name: string): PromData[];
  histogram(name: string, labels?: Record<string, string>): PromHistogramData;
}

const matches = (have: Record<string, string>, want: Record<string, string>) => Object.entries(want).every(([k, v]) => have[k] === v);

export async function parseScrape(text: string): Promise<Scrape> {
  const metrics = await getMetricsFromStream(Readable.from([text]));
  for (const [name, family] of Object.entries(metrics)) {
    if (!['gauge', 'counter', 'histogram'].includes(family.type)) throw new Error(`${name} has type "${family.type}"`);
    const keys = (family.data as Array<{ labels: Record<string, string> }>).map((d) => JSON.stringify(Object.entries(d.labels).sort()));
    if (new Set(keys).size !== keys.length) throw new Error(`${name} repeats a label set`);
  }
  const family = (name: string) => {
    const f = metrics[name];
    if (!f) throw new Error(`no metric ${name}; have ${Object.keys(metrics).join(', ')}`);
    return f;
  };
  const one = <T extends { labels: Record<string, string> }>(name: string, data: T[], labels: Record<string, string>): T => {
    const found = data.filter((d) => matches(d.labels, labels));
    if (found.length !== 1)
      throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples match; have ${JSON.stringify(data.map((d) => d.labels))}`);
    return found[0]!;
  };
  return {
    metrics,
    value: (name, labels = {}) => one(name, family(name).data as PromData[], labels).value,
    samples: (name) => family(name).data as PromData[],
    histogram: (name, labels = {}) => one(name, family(name).data as PromHistogramData[], labels),
  };
}
