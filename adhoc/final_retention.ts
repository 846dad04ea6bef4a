// Final capacity retention of every cycling test, as a bar chart (an example ad hoc script).
// Copyright 2026 the battery-analysis authors. MIT license.

import { testFeatures } from "../analysis/test_features.ts";
import type { AdhocContext } from "../lib/dashboard/_pages/adhoc.ts";

/**
 * Receives the dashboard's store and returns a Vega-Lite spec (or HTML text). Tests whose
 * cycles give no retention (no discharge capacity) are left out.
 */
export default async function finalRetention({ store }: AdhocContext) {
  const rows = [];
  for (const test of await store.tests.find()) {
    if (test.cycles.length === 0) continue;
    try {
      const f = testFeatures(test.cycles);
      rows.push({
        test: test.name,
        retention_percent: f.final_retention * 100,
        cycles: f.cycle_count,
      });
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  return {
    title: "Final retention by test",
    width: 560,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "test", type: "nominal", sort: "-x", title: null },
      x: { field: "retention_percent", type: "quantitative", title: "Final retention (%)" },
      color: { field: "cycles", type: "quantitative", title: "Cycles" },
    },
  };
}
