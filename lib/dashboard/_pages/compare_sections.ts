// Copyright 2026 the battery-analysis authors. MIT license.

/**
 * The dV/dQ peak metrics of a compared test (`dvdqPeakMetrics`), computed by the dashboard's
 * compute workers from the rows of two of its cycles. Pure (no store, no Deno).
 */

import {
  type DvdqPeakMetrics,
  dvdqPeakMetrics,
  type DvdqPeakMetricsInput,
} from "../../../analysis/dvdq_peak_metrics.ts";

/** What a worker answers: the metrics, or why they cannot be computed. */
export type DvdqAnswer = { metrics: DvdqPeakMetrics } | { error: string };

/**
 * The dV/dQ peak metrics of one test as JSON text ({@link DvdqAnswer}): the worker's task (the
 * dashboard caches the text by test and version).
 */
export function dvdqMetrics(input: DvdqPeakMetricsInput): string {
  try {
    return JSON.stringify({ metrics: dvdqPeakMetrics(input) } satisfies DvdqAnswer);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify({ error: err.message } satisfies DvdqAnswer);
  }
}
