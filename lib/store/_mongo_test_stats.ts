// Copyright 2026 the battery-analysis authors. MIT license.
// `tests.stats` of the MongoDB store: the matching tests' index fields are read (a projection of
// a few hundred bytes per test: protocol, flags, tester, kind, tags, sample and the chosen
// numbers) and counted here, in one pass. Not a server-side `$group`: FerretDB 1.24 (what CI
// runs) computes only the first accumulator of a `$group` (every other `$sum` comes back 0) and
// has no `$avg`, `$min` or `$max`.

import type { Document } from "npm:mongodb@6.22.0";
import type { SummaryNumberField } from "./documents.ts";
import type {
  MetricSummary,
  TestGroup,
  TestGroupKey,
  TestStats,
  TestStatsOptions,
} from "./store.ts";
import { sortGroups } from "./_test_query.ts";

/** The projection of the index fields {@link mongoTestStats} reads. */
export function statsProjection(options: Required<TestStatsOptions>): Document {
  const p: Document = { _id: 1, sample_id: 1 };
  for (const key of options.by) {
    if (key === "protocol") p._protocol = 1;
    else if (key === "flag") p._flags = 1;
    else if (key === "tester") p.tester = 1;
    else if (key === "test_type") p.test_type = 1;
    else if (key === "tag") p.tags = 1;
  }
  for (const f of options.metrics) p[`_k.${f}`] = 1;
  return p;
}

/** A sample's fields that tests are counted by. */
export interface SampleFacets {
  chemistry: string | null;
  form_factor: string | null;
}

/** A finite number, or `null`. */
function finite(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Running sums of one number over a group. */
class Sums {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  add(v: number | null): void {
    if (v === null) return;
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  summary(): MetricSummary {
    return this.n === 0
      ? { n: 0, mean: null, min: null, max: null }
      : { n: this.n, mean: this.sum / this.n, min: this.min, max: this.max };
  }
}

/**
 * Counts and summaries over projected test documents (see `TestApi.stats`). `samples` gives the
 * chemistry and form factor of the samples met (read by the caller for the ids it is asked).
 */
export async function mongoTestStats(
  docs: AsyncIterable<Document>,
  options: Required<TestStatsOptions>,
  samples: (ids: string[]) => Promise<Map<string, SampleFacets>>,
): Promise<TestStats> {
  const { by, metrics } = options;
  let count = 0;
  const overall = metrics.map(() => new Sums());
  // Per key: value → [count, sums per metric]; the sample's properties by sample first.
  const tallies = new Map<TestGroupKey | "sample", Map<string | null, [number, Sums[]]>>();
  const bySample = by.includes("chemistry") || by.includes("form_factor");
  const keys: (TestGroupKey | "sample")[] = [
    ...by.filter((k) => k !== "chemistry" && k !== "form_factor"),
    ...(bySample ? ["sample" as const] : []),
  ];
  for (const key of keys) tallies.set(key, new Map());
  const tally = (key: TestGroupKey | "sample", value: string | null, values: (number | null)[]) => {
    const m = tallies.get(key)!;
    let t = m.get(value);
    if (!t) m.set(value, t = [0, metrics.map(() => new Sums())]);
    t[0]++;
    values.forEach((v, k) => t![1][k].add(v));
  };
  for await (const d of docs) {
    count++;
    const values = metrics.map((f) => finite((d._k as Document | undefined)?.[f]));
    values.forEach((v, k) => overall[k].add(v));
    for (const key of keys) {
      const list = (v: unknown) =>
        Array.isArray(v) ? [...new Set(v.filter((x): x is string => typeof x === "string"))] : [];
      if (key === "tag") { for (const tag of list(d.tags)) tally(key, tag, values); }
      else if (key === "flag") { for (const code of list(d._flags)) tally(key, code, values); }
      else {
        const raw = key === "protocol" ? d._protocol : key === "sample" ? d.sample_id : d[key];
        tally(key, typeof raw === "string" ? raw : null, values);
      }
    }
  }
  const toGroups = (m: Map<string | null, [number, Sums[]]>): TestGroup[] =>
    sortGroups([...m].map(([value, [n, sums]]) => ({
      value,
      count: n,
      metrics: Object.fromEntries(metrics.map((f, k) => {
        const { n, mean } = sums[k].summary();
        return [f, { n, mean }];
      })),
    })));
  const groups: TestStats["groups"] = {};
  for (const key of by) {
    if (key !== "chemistry" && key !== "form_factor") groups[key] = toGroups(tallies.get(key)!);
  }
  if (bySample) {
    const perSample = tallies.get("sample")!;
    const facets = await samples([...perSample.keys()].filter((id): id is string => id !== null));
    for (const key of ["chemistry", "form_factor"] as const) {
      if (!by.includes(key)) continue;
      const merged = new Map<string | null, [number, Sums[]]>();
      for (const [id, [n, sums]] of perSample) {
        const value = (id !== null ? facets.get(id)?.[key] : null) ?? null;
        let t = merged.get(value);
        if (!t) merged.set(value, t = [0, metrics.map(() => new Sums())]);
        t[0] += n;
        sums.forEach((s, k) => {
          const into = t![1][k];
          into.n += s.n;
          into.sum += s.sum;
          into.min = Math.min(into.min, s.min);
          into.max = Math.max(into.max, s.max);
        });
      }
      groups[key] = toGroups(merged);
    }
  }
  return {
    count,
    metrics: Object.fromEntries(metrics.map((f, k) => [f, overall[k].summary()])) as Partial<
      Record<SummaryNumberField, MetricSummary>
    >,
    groups,
  };
}
