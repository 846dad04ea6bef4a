// Final capacity retention over the analysed tests, as a histogram (an example ad hoc script).
// Copyright 2026 the battery-analysis authors. MIT license.

import type { AdhocContext } from "../lib/dashboard/_pages/adhoc.ts";

/**
 * Receives the dashboard's store and returns a Vega-Lite spec (or HTML text). It reads the
 * stored analyses' summaries (`tests.list`: the numbers every surface shows), so it stays fast on
 * a store of thousands of tests; tests without a retention (no analysis, no counted cycle with
 * discharge capacity) are left out.
 */
export default async function finalRetention({ store }: AdhocContext) {
  const rows = [];
  for (const test of await store.tests.list()) {
    const s = test.analysis?.summary;
    if (!s || s.capacity_retention === null) continue;
    rows.push({
      test: test.name,
      retention_percent: s.capacity_retention * 100,
      protocol: s.protocol,
    });
  }
  return {
    title: `Final retention of ${rows.length} tests`,
    width: 560,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: {
        field: "retention_percent",
        type: "quantitative",
        bin: { maxbins: 40 },
        title: "Final retention (%)",
      },
      y: { aggregate: "count", type: "quantitative", title: "Tests" },
      color: { field: "protocol", type: "nominal", title: "Protocol" },
    },
  };
}
