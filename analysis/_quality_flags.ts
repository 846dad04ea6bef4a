// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: the data-quality flag codes (stable strings, documented in `docs/analysis.md`) and
 * the checks of a time series (time order, gaps, duplicated rows, repaired counter resets).
 * `analyzeTest` raises the cycle-level flags itself, with these codes.
 */

import type { CyclingSeries } from "../lib/model/cycling_series.ts";
import { counterResets } from "./_cycle_segments.ts";
import { quantileInPlace } from "./_stats.ts";

/** How serious a flag is. */
export type FlagSeverity = "info" | "warning" | "error";

/** One data-quality flag of a test analysis. */
export interface QualityFlag {
  /** Stable code (a key of {@link FLAG_CODES}). */
  code: FlagCode;
  /**
   * `"error"`: a number is wrong or meaningless as recorded (left out, or shown as not
   * determined); `"warning"`: a number is doubtful; `"info"`: something was repaired, left out
   * or clipped, and the result says how.
   */
  severity: FlagSeverity;
  /** What was found, with the numbers. */
  message: string;
  /** Cycles concerned, when the flag is about cycles. */
  cycles?: number[];
}

/**
 * Every flag code with its severity and a one-line description (for `--flag` options, filters
 * and documentation). Codes never change meaning; new ones may be added.
 */
export const FLAG_CODES = {
  ce_out_of_range: {
    severity: "warning",
    description: "coulombic efficiency outside the plausible range for the protocol",
  },
  retention_above_reference: {
    severity: "warning",
    description: "a counted cycle holds more than 105 % of the reference cycle's capacity",
  },
  capacity_sign_change: {
    severity: "error",
    description: "a cycle's charge or discharge capacity is negative (counter sign or direction)",
  },
  capacity_implausible: {
    severity: "error",
    description:
      "a capacity exceeds any plausible value (nominal capacity, the test's other cycles): unit or counter-reset suspicion",
  },
  energy_efficiency_above_100: {
    severity: "warning",
    description: "energy efficiency above 100 % (more energy out than in)",
  },
  time_not_monotonic: {
    severity: "warning",
    description: "test time goes backwards between rows",
  },
  time_jump: {
    severity: "info",
    description: "a gap in test time far longer than the sampling interval (pause, lost data)",
  },
  duplicate_rows: {
    severity: "warning",
    description: "consecutive rows repeat the same time and values",
  },
  counter_reset_repaired: {
    severity: "info",
    description:
      "a capacity or energy counter dropped to zero inside a step; increments were summed across it",
  },
  counter_current_mismatch: {
    severity: "warning",
    description:
      "the capacity counters disagree with the integral of the current (rounded current, units, or a counter of the wrong direction)",
  },
  fit_poor: {
    severity: "warning",
    description: "no trustworthy fade model, or the best one explains the retention poorly",
  },
  fade_not_significant: {
    severity: "warning",
    description:
      "fade models were fitted but the retention does not fall significantly: the fade figures describe scatter",
  },
  eol_interval_clipped: {
    severity: "info",
    description:
      "the end-of-life interval left the physical range and was clipped (or the prediction is not determined)",
  },
  last_cycle_cut_off: {
    severity: "info",
    description: "the recording ends during the last cycle; it is left out",
  },
  partial_first_cycle: {
    severity: "info",
    description: "the recording starts during the first cycle; it is left out",
  },
  invalid_cycles: {
    severity: "error",
    description: "cycles with impossible capacities are left out of retention and fade",
  },
  no_counted_cycles: {
    severity: "warning",
    description: "no cycle counts for retention (nothing complete of the main protocol)",
  },
  reference_not_counted: {
    severity: "info",
    description: "the reference cycle set by the user is not a counted cycle",
  },
  parser_warning: {
    severity: "info",
    description: "the parser repaired or noticed something while reading the file",
  },
  truncated_last_line: {
    severity: "warning",
    description:
      "the file ends inside a line (no line end): the cut line was left out, or kept when it cannot be told complete",
  },
  nul_bytes: {
    severity: "warning",
    description:
      "runs of zero bytes in a text file (data lost in a crash); their lines were left out",
  },
  repeated_header: {
    severity: "warning",
    description:
      "the file's first lines appear again inside it (two files joined, a block written twice); left out",
  },
  rows_out_of_order: {
    severity: "warning",
    description:
      "rows out of order: the cycle counter goes back, a frequency sweep turns back, data rows before the header",
  },
  row_count_mismatch: {
    severity: "warning",
    description:
      "the file's own count of rows (a header, record numbers) disagrees with the rows read: rows lost or repeated",
  },
} as const satisfies Record<string, { severity: FlagSeverity; description: string }>;

/** A flag code. */
export type FlagCode = keyof typeof FLAG_CODES;

/**
 * Codes a parser warning may start with (`"nul_bytes: …"`, see `parsers/_damage.ts`): such a
 * warning raises that flag instead of `parser_warning`.
 */
const PARSER_CODES: ReadonlySet<string> = new Set<FlagCode>([
  "truncated_last_line",
  "nul_bytes",
  "repeated_header",
  "time_not_monotonic",
  "rows_out_of_order",
  "row_count_mismatch",
]);

/**
 * The flag of one parser warning: `"<code>: <message>"` with a code of damaged input raises that
 * flag (with the message), any other warning `parser_warning`.
 */
export function warningFlag(warning: string): QualityFlag {
  const colon = warning.indexOf(": ");
  const code = colon > 0 ? warning.slice(0, colon) : "";
  return PARSER_CODES.has(code)
    ? flag(code as FlagCode, warning.slice(colon + 2))
    : flag("parser_warning", warning);
}

/** Build a flag with the code's severity. */
export function flag(code: FlagCode, message: string, cycles?: number[]): QualityFlag {
  const f: QualityFlag = { code, severity: FLAG_CODES[code].severity, message };
  if (cycles && cycles.length > 0) f.cycles = cycles;
  return f;
}

/** Cycle (or row) list for messages: "3, 4, 5" or "3, 4, 5, … (12 cycles)". */
export function cycleList(cycles: readonly number[], max = 8, unit = "cycles"): string {
  if (cycles.length <= max) return cycles.join(", ");
  return `${cycles.slice(0, max).join(", ")}, … (${cycles.length} ${unit})`;
}

const seconds = (s: number): string =>
  s >= 86400
    ? `${+(s / 86400).toPrecision(3)} d`
    : s >= 3600
    ? `${+(s / 3600).toPrecision(3)} h`
    : `${+s.toPrecision(3)} s`;

/** Steps longer than this put a median step above 36 s, so the gap limit above 3600 s. */
const LONG_STEP_S = 36;

/**
 * Time order, gaps, duplicated rows and repaired counter resets of a series.
 *
 * A gap is a step in time longer than both 1 hour and 100 × the median sampling interval.
 * A duplicated row repeats the previous row's time, voltage, current and counters exactly.
 */
export function seriesFlags(series: CyclingSeries): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const { time_s: t, length: n } = series;
  let backwards = 0, firstBack = -1, duplicates = 0;
  const steps = new Float64Array(Math.max(0, n - 1)); // the positive steps, in steps[0, count)
  let count = 0, long = 0; // long: steps over LONG_STEP_S
  const cols = [
    series.voltage_V,
    series.current_A,
    series.charge_capacity_Ah,
    series.discharge_capacity_Ah,
  ];
  const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
  for (let r = 1; r < n; r++) {
    const dt = t[r] - t[r - 1];
    if (dt < 0) {
      backwards++;
      if (firstBack < 0) firstBack = r;
    } else if (dt > 0) {
      steps[count++] = dt;
      if (dt > LONG_STEP_S) long++;
    }
    if (dt === 0 && cols.every((c) => same(c[r], c[r - 1]))) duplicates++;
  }
  if (backwards > 0) {
    flags.push(flag(
      "time_not_monotonic",
      `test time goes backwards ${backwards} time(s), first at row ${firstBack} (${
        t[firstBack - 1]
      } s → ${t[firstBack]} s)`,
    ));
  }
  if (duplicates > 0) {
    flags.push(flag("duplicate_rows", `${duplicates} row(s) repeat the previous row exactly`));
  }
  if (count > 0) {
    // The median (by selection, without sorting a copy) is needed for the limit only when it
    // may exceed 36 s: when no more steps than those above the median's upper order statistic
    // are longer than 36 s, the median is at most 36 s and the limit is 3600 s exactly; it is
    // then computed only for the message, when there are gaps.
    const upper = Math.min(count - 1, Math.floor((count - 1) * 0.5) + 1);
    const short = long <= count - 1 - upper;
    let typical = short ? NaN : quantileInPlace(steps, count, 0.5);
    const limit = short ? 3600 : Math.max(3600, 100 * typical);
    let jumps = 0, largest = 0, at = -1;
    for (let r = 1; r < n; r++) {
      const dt = t[r] - t[r - 1];
      if (dt > limit) {
        jumps++;
        if (dt > largest) largest = dt, at = r;
      }
    }
    if (jumps > 0) {
      if (short) typical = quantileInPlace(steps, count, 0.5);
      flags.push(flag(
        "time_jump",
        `${jumps} gap(s) in test time longer than ${seconds(limit)} (median interval ${
          seconds(typical)
        }); the largest, ${seconds(largest)}, before row ${at}`,
      ));
    }
  }
  const resets = counterResets(series);
  if (resets.length > 0) {
    const byCounter = new Map<string, number[]>();
    for (const r of resets) {
      const rows = byCounter.get(r.counter) ?? [];
      rows.push(r.row);
      byCounter.set(r.counter, rows);
    }
    const parts = [...byCounter].map(([c, rows]) =>
      `${c} at row${rows.length > 1 ? "s" : ""} ${cycleList(rows, 5, "rows")}`
    );
    flags.push(flag(
      "counter_reset_repaired",
      `counters dropped inside a step and were continued from the drop: ${parts.join("; ")}`,
    ));
  }
  return flags;
}
