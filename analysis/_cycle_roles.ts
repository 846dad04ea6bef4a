// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Private: the role of each cycle in a test (counted, cut off, partial first, formation, rest,
 * check-up, rate step, excluded by selection) and the current levels of the protocol. Used by
 * `analyzeTest`; `isCountedCycle` is shared by the lower-level functions (retention, fade,
 * features) so that they leave out the same cycles.
 */

import type { CycleSummary } from "../lib/model/cycle_summary.ts";
import { median } from "./_stats.ts";

/**
 * What a cycle is in the test:
 * - `"counted"`: a complete cycle of the main protocol; retention, fade and end of life use it;
 * - `"cut_off"`: the end of the recording cut it short (its capacity measures the file end);
 * - `"partial_first"`: the recording starts during it (its opening half is partial);
 * - `"formation"`: one of the first cycles, before the capacity settles (detected or set);
 * - `"rest"`: no charge passed (rest / open-circuit period);
 * - `"checkup"`: a check-up (reference performance test) cycle at another current than the
 *   main protocol;
 * - `"rate_step"`: a cycle of a rate step (a long block at another current, or a rate test);
 * - `"invalid"`: its capacities are impossible (negative, or far above any plausible value);
 * - `"excluded_by_selection"`: outside the cycle selection asked for.
 */
export type CycleRole =
  | "counted"
  | "cut_off"
  | "partial_first"
  | "formation"
  | "rest"
  | "checkup"
  | "rate_step"
  | "invalid"
  | "excluded_by_selection";

/** Every cycle role, `"counted"` first. */
export const CYCLE_ROLES: readonly CycleRole[] = [
  "counted",
  "cut_off",
  "partial_first",
  "formation",
  "rest",
  "checkup",
  "rate_step",
  "invalid",
  "excluded_by_selection",
];

/**
 * Whether a cycle counts for retention, fade and end of life: its `role` is `"counted"` when it
 * has one; without a role, it counts unless `complete` is `false` (a last cycle cut short by the
 * end of the recording, as `summarizeCycles` marks it).
 *
 * @example
 * ```ts
 * import { isCountedCycle } from "./analyze_test.ts";
 * import { equal } from "node:assert/strict";
 *
 * equal(isCountedCycle({ role: "formation" }), false);
 * equal(isCountedCycle({ complete: false }), false); // cut short by the end of the file
 * equal(isCountedCycle({}), true);
 * ```
 */
export function isCountedCycle(c: { role?: string | null; complete?: boolean }): boolean {
  if (c.role !== undefined && c.role !== null) return c.role === "counted";
  return c.complete !== false;
}

/** Why a cycle is not counted, for cycles `isCountedCycle` rejects. */
export function notCountedReason(
  c: { role?: string | null; complete?: boolean; role_reason?: string | null },
): string {
  if (c.role !== undefined && c.role !== null) {
    return `role "${c.role}"${c.role_reason ? `: ${c.role_reason}` : ""}`;
  }
  return "the recording ends during it (complete: false)";
}

/** One current level of the protocol (cycles grouped by their discharge current). */
export interface CurrentLevel {
  /** Median |current| of the level's cycles, A. */
  current_A: number;
  /** Which half's current defines the level. */
  half: "discharge" | "charge";
  /** Cycle numbers at this level, in order. */
  cycles: number[];
}

/** Per-cycle role with its reason. */
export interface RoleAssignment {
  /** The role. */
  role: CycleRole;
  /** Why (null for plain counted cycles). */
  reason: string | null;
}

/** Options of {@link assignCycleRoles}. */
export interface RoleOptions {
  /** First cycles that are formation: a number (cycles 1..N), or detected. */
  formationCycles: number | "auto";
  /** Cycle selection (inclusive). */
  selection: { from?: number; to?: number };
  /** Count a last cycle cut short by the end of the recording. */
  keepCutOff: boolean;
  /** Whether the test is a rate test (off-level cycles are rate steps). */
  rateTest: boolean;
  /** Detect formation cycles from coulombic efficiency (cycling protocols only). */
  formationByEfficiency: boolean;
  /** Cycles whose capacities are impossible, with the reason (role `"invalid"`). */
  invalid?: ReadonlyMap<number, string>;
  /** Whether the series' first row is at rest (`null`: no series, unknown). */
  startsAtRest?: boolean | null;
  /**
   * The instrument's charge and discharge counters at the series' first row (magnitudes, Ah;
   * `null`: no series). A counter that does not start at zero says the recording starts after
   * part of that half had passed.
   */
  startCounters?: { charge_Ah: number; discharge_Ah: number } | null;
}

/** Result of {@link assignCycleRoles}. */
export interface RoleResult {
  /** One assignment per cycle, in the order given. */
  roles: RoleAssignment[];
  /** Current levels (most cycles first). */
  levels: CurrentLevel[];
  /** The main protocol's level, or `null` without cycles that carry current. */
  main: CurrentLevel | null;
}

const mA = (a: number): string => `${+(a * 1000).toPrecision(3)} mA`;
const amount = (ah: number): string =>
  Math.abs(ah) >= 1 ? `${+ah.toPrecision(4)} Ah` : `${+(ah * 1000).toPrecision(4)} mAh`;

/** |mean current| of the half that defines current levels: discharge, else charge. */
function levelCurrent(c: CycleSummary): { half: "discharge" | "charge"; value: number } | null {
  const d = c.mean_discharge_current_A, ch = c.mean_charge_current_A;
  if (d !== null && Number.isFinite(d) && d !== 0 && c.discharge_capacity_Ah > 0) {
    return { half: "discharge", value: Math.abs(d) };
  }
  if (ch !== null && Number.isFinite(ch) && ch !== 0 && c.charge_capacity_Ah > 0) {
    return { half: "charge", value: Math.abs(ch) };
  }
  return null;
}

/** Two currents belong to one level when they differ by less than this factor. */
const LEVEL_RATIO = 1.15;

/**
 * Group cycles into current levels by the |mean discharge current| (the charge current for
 * cycles without a discharge): sorted currents, a new level where one exceeds the level's first
 * by more than 15 %.
 */
export function currentLevels(cycles: readonly CycleSummary[]): CurrentLevel[] {
  const items: { cycle: number; half: "discharge" | "charge"; value: number }[] = [];
  for (const c of cycles) {
    const l = levelCurrent(c);
    if (l) items.push({ cycle: c.cycle, ...l });
  }
  // Levels are per half: a discharge level and a charge level never merge.
  const out: CurrentLevel[] = [];
  for (const half of ["discharge", "charge"] as const) {
    const xs = items.filter((x) => x.half === half).sort((a, b) => a.value - b.value);
    let group: typeof xs = [];
    const flush = () => {
      if (group.length === 0) return;
      out.push({
        current_A: median(group.map((g) => g.value)),
        half,
        cycles: group.map((g) => g.cycle).sort((a, b) => a - b),
      });
      group = [];
    };
    for (const x of xs) {
      if (group.length > 0 && x.value > group[0].value * LEVEL_RATIO) flush();
      group.push(x);
    }
    flush();
  }
  // Most cycles first; ties: the level that starts first.
  out.sort((a, b) => b.cycles.length - a.cycles.length || a.cycles[0] - b.cycles[0]);
  return out;
}

/** Whether a cycle carries no charge worth a cycle. */
function restReason(c: CycleSummary, typical: number): string | null {
  const q = Math.max(c.charge_capacity_Ah, c.discharge_capacity_Ah);
  if (!(q > 0)) return "no charge passed (rest or open-circuit period)";
  if (typical > 0 && q < 1e-3 * typical) {
    return `passed ${amount(q)}, under 0.1 % of a typical cycle (${amount(typical)}): ` +
      "rest with current noise";
  }
  return null;
}

/**
 * Whether the first cycle's opening half is partial: it passed less than half the charge of the
 * same half in the other cycles (at a similar current when there are such cycles), or the cycle
 * holds only one half while later cycles follow. A cut-off cycle's half is a lower bound of a
 * full half, so it is used too.
 */
function partialFirstReason(
  first: CycleSummary,
  others: readonly { c: CycleSummary; cutOff: boolean }[],
  startsAtRest: boolean | null,
  startCounters: { charge_Ah: number; discharge_Ah: number } | null,
): string | null {
  const opening = first.first_half;
  const q0 = opening === "charge" ? first.charge_capacity_Ah : first.discharge_capacity_Ah;
  const q1 = opening === "charge" ? first.discharge_capacity_Ah : first.charge_capacity_Ah;
  const i0 = Math.abs(
    (opening === "charge" ? first.mean_charge_current_A : first.mean_discharge_current_A) ?? NaN,
  );
  const same = (
    c: CycleSummary,
  ) => (opening === "charge" ? c.charge_capacity_Ah : c.discharge_capacity_Ah);
  const current = (c: CycleSummary) =>
    Math.abs((opening === "charge" ? c.mean_charge_current_A : c.mean_discharge_current_A) ?? NaN);
  const withHalf = others.filter((o) => same(o.c) > 0);
  const similar = Number.isFinite(i0) && i0 > 0
    ? withHalf.filter((o) => {
      const i = current(o.c);
      return Number.isFinite(i) && i > 0 && Math.max(i / i0, i0 / i) <= LEVEL_RATIO;
    })
    : [];
  const pool = similar.length > 0 ? similar : withHalf;
  if (pool.length > 0) {
    const complete = pool.filter((o) => !o.cutOff).map((o) => same(o.c));
    const typical = complete.length > 0
      ? median(complete)
      : Math.max(...pool.map((o) => same(o.c)));
    const before = startCounters
      ? (opening === "charge" ? startCounters.charge_Ah : startCounters.discharge_Ah)
      : 0;
    if (q0 < 0.5 * typical) {
      return `its opening ${opening} passed ${amount(q0)}, ${+((100 * q0) / typical).toPrecision(
        2,
      )} % of the ${amount(typical)} of the other cycles' ${opening}s: ${
        before > 1e-3 * typical
          ? `the recording starts during that half cycle (the instrument's ${opening} counter ` +
            `already reads ${amount(before)} at the first row)`
          : startsAtRest === true
          ? "not a full half cycle (the recording starts at rest: a short first step or an " +
            "interrupted one)"
          : startsAtRest === false
          ? "the recording starts during that half cycle"
          : "not a full half cycle (the recording starts during it, or its first step is short)"
      }`;
    }
  }
  if (!(q1 > 0) && others.length > 0) {
    return `it holds only a ${opening}: the recording starts after the cycle's other half`;
  }
  return null;
}

/**
 * Assign a role to every cycle (see {@link CycleRole}), in this order: selection, rest, cut
 * off, partial first, current levels (check-up, rate step, leading off-level cycles as
 * formation), formation (set, or detected from coulombic efficiency).
 */
export function assignCycleRoles(
  cycles: readonly CycleSummary[],
  options: RoleOptions,
): RoleResult {
  const n = cycles.length;
  const roles: (RoleAssignment | null)[] = new Array(n).fill(null);
  const { from, to } = options.selection;
  cycles.forEach((c, k) => {
    if ((from !== undefined && c.cycle < from) || (to !== undefined && c.cycle > to)) {
      roles[k] = {
        role: "excluded_by_selection",
        reason: `outside the selected cycles ${from ?? "first"}–${to ?? "last"}`,
      };
    }
  });
  // Impossible capacities.
  cycles.forEach((c, k) => {
    const why = options.invalid?.get(c.cycle);
    if (!roles[k] && why) roles[k] = { role: "invalid", reason: why };
  });
  // Rest.
  const charged = cycles.filter((_, k) => !roles[k])
    .map((c) => Math.max(c.charge_capacity_Ah, c.discharge_capacity_Ah))
    .filter((q) => q > 0);
  const typical = charged.length > 0 ? median(charged) : 0;
  cycles.forEach((c, k) => {
    if (roles[k]) return;
    const why = restReason(c, typical);
    if (why) roles[k] = { role: "rest", reason: why };
  });
  // Cut off by the end of the recording.
  const cutOff = cycles.map((c) => c.complete === false);
  cycles.forEach((_, k) => {
    if (roles[k] || !cutOff[k] || options.keepCutOff) return;
    roles[k] = {
      role: "cut_off",
      reason:
        "the recording ends during it: its capacity measures the end of the file, not the cell",
    };
  });
  // Partial first cycle: the first cycle that carries charge (selection aside).
  const firstIdx = cycles.findIndex((c, k) =>
    roles[k]?.role !== "rest" && Math.max(c.charge_capacity_Ah, c.discharge_capacity_Ah) > 0
  );
  if (firstIdx >= 0 && (!roles[firstIdx] || roles[firstIdx]!.role === "excluded_by_selection")) {
    const others = cycles
      .map((c, k) => ({ c, k, cutOff: cutOff[k] }))
      .filter((o) => o.k !== firstIdx && roles[o.k]?.role !== "rest");
    const why = partialFirstReason(
      cycles[firstIdx],
      others,
      options.startsAtRest ?? null,
      options.startCounters ?? null,
    );
    if (why && !roles[firstIdx]) roles[firstIdx] = { role: "partial_first", reason: why };
  }
  // Current levels over the cycles still open.
  const open = cycles.filter((_, k) => !roles[k]);
  const levels = currentLevels(open);
  const main = levels[0] ?? null;
  if (main && levels.length > 1) {
    const levelOf = new Map<number, CurrentLevel>();
    for (const l of levels) for (const c of l.cycles) levelOf.set(c, l);
    const firstMain = main.cycles[0];
    const index = new Map(cycles.map((c, k) => [c.cycle, k]));
    // Runs of consecutive open cycles at one off-main level.
    const runs: { level: CurrentLevel; cycles: number[] }[] = [];
    open.forEach((c, j) => {
      const l = levelOf.get(c.cycle);
      if (!l || l === main) return;
      const last = runs[runs.length - 1];
      const prev = j > 0 ? open[j - 1].cycle : null;
      if (last && last.level === l && last.cycles[last.cycles.length - 1] === prev) {
        last.cycles.push(c.cycle);
      } else runs.push({ level: l, cycles: [c.cycle] });
    });
    for (const run of runs) {
      const what = `${run.level.half} at ${mA(run.level.current_A)}, the main protocol at ${
        mA(main.current_A)
      }`;
      const long = run.cycles.length >= 10 && run.cycles.length >= 0.2 * open.length;
      let a: RoleAssignment;
      if (options.rateTest) a = { role: "rate_step", reason: `rate test step: ${what}` };
      else if (
        run.cycles[run.cycles.length - 1] < firstMain && options.formationCycles === "auto"
      ) {
        a = { role: "formation", reason: `before the main protocol: ${what}` };
      } else if (long) {
        a = { role: "rate_step", reason: `a block of ${run.cycles.length} cycles: ${what}` };
      } else a = { role: "checkup", reason: `check-up cycle: ${what}` };
      for (const c of run.cycles) roles[index.get(c)!] = a;
    }
  }
  // Formation: set by number, or detected from coulombic efficiency.
  if (typeof options.formationCycles === "number") {
    const nf = options.formationCycles;
    cycles.forEach((c, k) => {
      const r = roles[k]?.role;
      if (c.cycle <= nf && (r === undefined || r === "checkup" || r === "rate_step")) {
        roles[k] = { role: "formation", reason: `formation cycles set to 1–${nf}` };
      }
    });
  } else if (options.formationByEfficiency) {
    detectFormation(cycles, roles);
  }
  return {
    roles: roles.map((r) => r ?? { role: "counted", reason: null }),
    levels,
    main,
  };
}

/** Most leading cycles the efficiency rule marks as formation. */
const MAX_FORMATION = 10;

/**
 * Leading open cycles whose coulombic efficiency is far from the settled value: with n open
 * cycles that have a CE, settled = median CE of the cycles after the first max(1, min(10, n/4));
 * band = max(0.03, 3 × 1.4826 × MAD) of those when there are at least 3, else 0.05. Leading
 * cycles with |CE − settled| > band are formation, stopping at the first one within the band;
 * at most 10. Needs at least 2 open cycles (a first-cycle loss shows from the second cycle on).
 */
function detectFormation(cycles: readonly CycleSummary[], roles: (RoleAssignment | null)[]): void {
  const open = cycles.map((c, k) => ({ c, k })).filter((o) =>
    !roles[o.k] && o.c.coulombic_efficiency !== null && Number.isFinite(o.c.coulombic_efficiency)
  );
  if (open.length < 2) return;
  const skip = Math.max(1, Math.min(MAX_FORMATION, Math.floor(open.length / 4)));
  const later = open.slice(skip).map((o) => o.c.coulombic_efficiency!);
  const settled = median(later);
  const spread = 1.4826 * median(later.map((x) => Math.abs(x - settled)));
  const band = later.length >= 3 ? Math.max(0.03, 3 * spread) : 0.05;
  for (const o of open.slice(0, MAX_FORMATION)) {
    const ce = o.c.coulombic_efficiency!;
    if (Math.abs(ce - settled) <= band) break;
    roles[o.k] = {
      role: "formation",
      reason: `coulombic efficiency ${(ce * 100).toFixed(1)} % before it settles at ${
        (settled * 100).toFixed(1)
      } % (±${(band * 100).toFixed(1)} %)`,
    };
  }
}
