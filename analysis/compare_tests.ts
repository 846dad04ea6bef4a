// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import {
  htmlTable,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type TableColumn,
  textTable,
} from "./_display.ts";
import type { VegaLiteSpec } from "./_vega.ts";
import { comparisonPlotSpec } from "./plot_specs.ts";
import { capacityRetention } from "./retention.ts";
import {
  type FeatureInput,
  type TestFeatureOptions,
  type TestFeatures,
  testFeatures,
} from "./test_features.ts";

/** One test to compare. */
export interface NamedTest {
  /** Display name (unique within the comparison). */
  name: string;
  /** Its per-cycle summaries. */
  cycles: readonly FeatureInput[];
}

/** One row of the comparison table. */
export interface ComparisonRow extends TestFeatures {
  /** Test name. */
  test: string;
  /** Retention at the common cycle (linear interpolation), or `null`. */
  retention_at_common_cycle: number | null;
}

/** Columns of the comparison table display. */
const COLUMNS: TableColumn[] = [
  { key: "test" },
  { key: "cycle_count", label: "cycles" },
  { key: "initial_value", label: "initial" },
  { key: "final_retention_percent", label: "final retention (%)" },
  { key: "common_percent", label: "retention at common cycle (%)" },
  { key: "fade_percent", label: "fade / 100 cycles (%)" },
  { key: "ce_percent", label: "mean CE (%)" },
  { key: "cycle_life", label: "cycle life" },
];

/**
 * Side-by-side comparison of several tests. Renders in Jupyter as a table and a plot.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { compareTests } from "./compare_tests.ts";
 *
 * const make = (fade: number, n: number) =>
 *   Array.from({ length: n }, (_, k) => ({ cycle: k + 1, discharge_capacity_Ah: 1 - fade * k }));
 * const cmp = compareTests([
 *   { name: "A", cycles: make(0.001, 100) },
 *   { name: "B", cycles: make(0.002, 50) },
 * ]); // a TestComparison
 * equal(cmp.table.length, 2);
 * equal(cmp.common_cycle, 50);
 * ```
 */
export class TestComparison {
  /** Aligned retention curves in long format (one row per test and cycle). */
  readonly curves: readonly { test: string; cycle: number; retention: number }[];
  /** One row per test. */
  readonly table: readonly ComparisonRow[];
  /** Largest cycle reached by every test (the alignment point), or `null`. */
  readonly common_cycle: number | null;

  /**
   * Wrap a computed comparison (made by {@link compareTests}).
   *
   * @param data The computed comparison.
   */
  constructor(data: {
    curves: { test: string; cycle: number; retention: number }[];
    table: ComparisonRow[];
    common_cycle: number | null;
  }) {
    this.curves = data.curves;
    this.table = data.table;
    this.common_cycle = data.common_cycle;
  }

  /** The table's rows with fractions as percentages, for display. */
  private displayRows(): Record<string, unknown>[] {
    const pct = (x: number | null) => (x === null ? null : x * 100);
    return this.table.map((r) => ({
      ...r,
      final_retention_percent: pct(r.final_retention),
      common_percent: pct(r.retention_at_common_cycle),
      fade_percent: pct(r.fade_per_100_cycles),
      ce_percent: pct(r.ce_mean),
    }));
  }

  /** The retention plot (Vega-Lite). */
  plotSpec(): VegaLiteSpec {
    return comparisonPlotSpec(this.curves, { title: "Retention" });
  }

  /** Plain data. */
  toJSON(): { curves: unknown; table: unknown; common_cycle: number | null } {
    return { curves: this.curves, table: this.table, common_cycle: this.common_cycle };
  }

  /** A text table. */
  toString(): string {
    return `common cycle: ${this.common_cycle ?? "none"}\n` +
      textTable(this.displayRows(), COLUMNS);
  }

  /** Jupyter MIME bundle: text, HTML table, Vega-Lite plot. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "text/plain": this.toString(),
      "text/html": `<p>common cycle: ${this.common_cycle ?? "none"}</p>` +
        htmlTable(this.displayRows(), COLUMNS),
      "application/vnd.vegalite.v5+json": this.plotSpec(),
    };
  }
}

/** Retention at `cycle` by linear interpolation, `null` outside the curve. */
function retentionAt(points: readonly { cycle: number; retention: number }[], cycle: number) {
  for (let i = 0; i < points.length; i++) {
    if (points[i].cycle === cycle) return points[i].retention;
    if (points[i].cycle > cycle) {
      if (i === 0) return null;
      const a = points[i - 1], b = points[i];
      return a.retention + ((cycle - a.cycle) / (b.cycle - a.cycle)) * (b.retention - a.retention);
    }
  }
  return null;
}

/**
 * Compare tests side by side: retention curves aligned on cycle number (each relative to its
 * own reference cycle), a table of per-test features, and each test's retention at the common
 * cycle (the last cycle every test reached), so tests of different length compare fairly.
 *
 * Each test's cycles go through `capacityRetention` and `testFeatures`: cycles whose `role` is
 * not `"counted"` (or, without roles, marked `complete: false`) are left out, but cycles are not
 * classified here. Pass `analyzeTest(...).cycles` for the cycles every surface counts.
 *
 * @param tests The tests, with unique names.
 * @param options Metric, reference cycle and threshold (as `testFeatures`).
 * @returns The comparison (renders itself in Jupyter).
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { compareTests } from "./compare_tests.ts";
 * const make = (fade: number, n: number) =>
 *   Array.from({ length: n }, (_, k) => ({ cycle: k + 1, discharge_capacity_Ah: 1 - fade * k }));
 * const cmp = compareTests([
 *   { name: "A", cycles: make(0.001, 100) },
 *   { name: "B", cycles: make(0.002, 50) },
 * ]);
 * equal(cmp.common_cycle, 50);
 * equal(cmp.table[1].retention_at_common_cycle, 0.902);
 * ```
 */
export function compareTests(
  tests: readonly NamedTest[],
  options: TestFeatureOptions = {},
): TestComparison {
  if (!Array.isArray(tests) || tests.length === 0) {
    throw new RangeError("compareTests: expected at least one test");
  }
  const names = tests.map((t) => t.name);
  if (new Set(names).size !== names.length) {
    throw new RangeError("compareTests: test names must be unique");
  }
  const curves: { test: string; cycle: number; retention: number }[] = [];
  const retentions = tests.map((t) => {
    const r = capacityRetention(t.cycles, options);
    for (const p of r.points) curves.push({ test: t.name, cycle: p.cycle, retention: p.retention });
    return r;
  });
  const common = Math.min(...retentions.map((r) => r.points[r.points.length - 1].cycle));
  const table = tests.map((t, i) => ({
    test: t.name,
    ...testFeatures(t.cycles, options),
    retention_at_common_cycle: retentionAt(retentions[i].points, common),
  }));
  return new TestComparison({
    curves,
    table,
    common_cycle: Number.isFinite(common) ? common : null,
  });
}
