// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/** Private checks of sample properties used by the normalizations. */

import type { SampleProperties } from "./sample_properties.ts";

/** The property as a positive finite number, or a RangeError naming it. */
export function requireProperty(
  sample: SampleProperties,
  name: "area_cm2" | "mass_g" | "thickness_cm" | "thickness_um",
  what: string,
): number {
  if (sample === null || typeof sample !== "object") {
    throw new TypeError(`Cannot compute ${what}: expected sample properties, got ${sample}`);
  }
  const value = sample[name];
  if (value === undefined || value === null) {
    throw new RangeError(`Cannot compute ${what}: sample property ${name} is missing`);
  }
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0)) {
    throw new RangeError(
      `Cannot compute ${what}: sample property ${name} must be a positive number, got ${value}`,
    );
  }
  return value;
}

/** Thickness in cm from `thickness_cm` or `thickness_um` (which must agree when both given). */
export function thicknessCm(sample: SampleProperties, what: string): number {
  const hasCm = sample?.thickness_cm !== undefined && sample?.thickness_cm !== null;
  const hasUm = sample?.thickness_um !== undefined && sample?.thickness_um !== null;
  if (!hasCm && !hasUm) {
    throw new RangeError(
      `Cannot compute ${what}: sample property thickness_cm (or thickness_um) is missing`,
    );
  }
  const cm = hasCm ? requireProperty(sample, "thickness_cm", what) : NaN;
  const um = hasUm ? requireProperty(sample, "thickness_um", what) : NaN;
  if (hasCm && hasUm && Math.abs(cm - um * 1e-4) > 1e-9 * cm) {
    throw new RangeError(
      `Cannot compute ${what}: thickness_cm = ${cm} and thickness_um = ${um} disagree`,
    );
  }
  return hasCm ? cm : um * 1e-4;
}

/** Apply f to a number or to each element of an array (NaN stays NaN). */
export function mapValues(
  value: number | ArrayLike<number>,
  f: (x: number) => number,
  name: string,
  what: string,
): number | Float64Array {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError(`Cannot compute ${what}: ${name} must be a finite number, got ${value}`);
    }
    return f(value);
  }
  if (value === null || typeof value !== "object" || typeof value.length !== "number") {
    throw new TypeError(`Cannot compute ${what}: ${name} must be a number or an array of numbers`);
  }
  return Float64Array.from(value, f);
}
