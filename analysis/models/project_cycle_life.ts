// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import { cycleLife } from "../cycle_life.ts";
import { type FadeModelName, fitFadeModels } from "../fade_models.ts";
import { predictCycleLife } from "../life_prediction.ts";
import type { Simulation } from "./simulation.ts";

/** Options of {@link projectCycleLife}. */
export interface CycleLifeProjectionOptions {
  /** Retention threshold (fraction of the reference cycle's discharge capacity). @default {0.8} */
  threshold?: number;
  /** Confidence level of the extrapolation's interval. @default {0.95} */
  confidence?: number;
  /**
   * Cycle whose discharge capacity is 100 %. The first cycle starts from the initial state (for
   * example PyBaMM's 100 % SOC) rather than from the end of the experiment's own charge, so its
   * capacity is not comparable with the later ones. @default {2 with 4 or more cycles, else 1}
   */
  referenceCycle?: number;
}

/** Cycle life of a simulated ageing run. */
export interface CycleLifeProjection {
  /** Retention threshold. */
  threshold: number;
  /** Cycle whose discharge capacity is 100 %. */
  reference_cycle: number;
  /** Its discharge capacity, A h. */
  reference_capacity_Ah: number;
  /** Retention after the last simulated cycle. */
  final_retention: number;
  /** Cycles simulated. */
  cycles_simulated: number;
  /** Cycle at which the simulated retention crossed the threshold, or null. */
  observed_cycle: number | null;
  /** Cycle at which the fitted fade model reaches the threshold, or null. */
  projected_cycle: number | null;
  /** Interval of the projection (delta method), or null. */
  interval: [number, number] | null;
  /** Fade model used for the projection (lowest AIC among trustworthy fits), or null. */
  model: FadeModelName | null;
  /** Why there is no projection, or null. */
  reason: string | null;
  /** Projected cycle / cycles simulated (how far the projection extrapolates), or null. */
  extrapolation_factor: number | null;
  /** Notes the reader must see (the SEI parameters are examples; a far extrapolation). */
  notes: string[];
}

/**
 * Cycle life of a simulated ageing run (SEI growth): the per-cycle discharge capacities, as
 * retention of a reference cycle (the second, see `referenceCycle`), taken to a threshold — observed when the run crosses it, and
 * extrapolated by the project's fade models (`fitFadeModels`, the trustworthy fit with the
 * lowest AIC; solvent-diffusion-limited SEI predicts a square-root law) with an interval
 * (`predictCycleLife`). The simulation's notes (the SEI values are examples) are carried over.
 *
 * @param simulation A simulation of repeated cycles (each with a discharge).
 * @param options Threshold and confidence.
 * @returns The observed and projected cycle life.
 * @throws {RangeError} With fewer than 3 cycles with a discharge.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { projectCycleLife, simulate } from "./mod.ts";
 * const sim = simulate({
 *   model: "spm",
 *   sei: true,
 *   period_s: 3600,
 *   experiment: ["(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V) × 20"],
 * });
 * const life = projectCycleLife(sim, { threshold: 0.9 });
 * ok(life.final_retention < 1 && /do not claim to be representative/.test(life.notes[0]));
 * ```
 */
export function projectCycleLife(
  simulation: Simulation,
  options: CycleLifeProjectionOptions = {},
): CycleLifeProjection {
  const threshold = options.threshold ?? 0.8;
  const all = simulation.cycles.filter((c) => c.discharge_capacity_Ah > 0);
  const refCycle = options.referenceCycle ?? (all.length >= 4 ? all[1].cycle : all[0]?.cycle);
  const cycles = all.filter((c) => c.cycle >= refCycle);
  if (cycles.length < 3 || cycles[0].cycle !== refCycle) {
    throw new RangeError(
      `A cycle-life projection needs at least 3 cycles with a discharge from the reference ` +
        `cycle ${refCycle} on, got ${cycles.length}`,
    );
  }
  const reference = cycles[0].discharge_capacity_Ah;
  const points = cycles.map((c) => ({
    cycle: c.cycle,
    retention: c.discharge_capacity_Ah / reference,
  }));
  const observed = cycleLife(points, { threshold });
  const fits = fitFadeModels(points);
  let projected: number | null = null, interval: [number, number] | null = null;
  let reason: string | null = fits.reason;
  if (fits.best) {
    const p = predictCycleLife(fits.best, { threshold, confidence: options.confidence ?? 0.95 });
    projected = p.cycle;
    interval = p.lower !== null && p.upper !== null ? [p.lower, p.upper] : null;
    reason = p.reason;
  }
  const factor = projected !== null ? projected / cycles[cycles.length - 1].cycle : null;
  const notes = [...simulation.notes];
  if (factor !== null && factor > 5) {
    notes.push(
      `The projection extrapolates ${factor.toFixed(0)} times beyond the ${cycles.length} ` +
        "simulated cycles: simulate more cycles before relying on it.",
    );
  }
  return {
    threshold,
    reference_cycle: refCycle,
    reference_capacity_Ah: reference,
    final_retention: points[points.length - 1].retention,
    cycles_simulated: cycles.length,
    observed_cycle: observed,
    projected_cycle: projected,
    interval,
    model: fits.best?.model ?? null,
    reason,
    extrapolation_factor: factor,
    notes,
  };
}
