// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Experiments as PyBaMM writes them: a list of step strings, with repeated groups.
 *
 * @module
 */

/** A stop condition of a step. */
export type StepLimit =
  | {
    /** Stop at a terminal voltage (reached from above on discharge, from below on charge). */
    kind: "voltage";
    /** Voltage, V. */
    value_V: number;
  }
  | {
    /** Stop when the magnitude of the current falls to a value (voltage holds). */
    kind: "current";
    /** Current magnitude, A, or null when given as a C-rate. */
    value_A: number | null;
    /** Current magnitude as a C-rate, or null when given in amperes. */
    c_rate: number | null;
  };

/** One step of an experiment (plain JSON). */
export interface ExperimentStep {
  /** The text as written (or a description of a profile step). */
  text: string;
  /** What sets the current. */
  mode: "current" | "c_rate" | "voltage" | "power" | "resistance" | "rest" | "profile";
  /**
   * The set value: amperes (`current`), C-rate (`c_rate`), volts (`voltage`), watts (`power`)
   * or ohms (`resistance`); currents and powers positive on charge, as everywhere in this
   * project. 0 for `rest` and `profile`.
   */
  value: number;
  /** Longest duration, s, or null (then a limit must end the step). */
  duration_s: number | null;
  /** Stop conditions (the first one met ends the step). */
  limits: StepLimit[];
  /**
   * For `profile` steps: a measured current I(t), positive on charge, interpolated linearly;
   * times relative to the start of the step, non-decreasing.
   */
  profile?: { time_s: number[]; current_A: number[] };
}

/** A parsed experiment: steps in order, each with the cycle it belongs to. */
export interface Experiment {
  /** Steps, in the order they run. */
  steps: ExperimentStep[];
  /** Cycle number (1-based) of each step. */
  cycle: number[];
}

const TIME_UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
};

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;

function parseDuration(text: string, step: string): number {
  const m = new RegExp(`^(${NUMBER})\\s*([a-zA-Z]+)$`).exec(text.trim());
  const unit = m ? TIME_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new SyntaxError(`Cannot read step "${step}": "${text}" is not a duration like "1 hour"`);
  }
  const value = Number(m[1]) * unit;
  if (!(value > 0)) throw new SyntaxError(`Cannot read step "${step}": duration must be positive`);
  return value;
}

/** A value with a unit: "1C", "C/2", "2 A", "500 mA", "4.2 V", "3 W", "2 Ohm". */
function parseQuantity(
  text: string,
  step: string,
): { unit: "C" | "A" | "V" | "W" | "ohm"; value: number } {
  const t = text.trim().replace(/\s+/g, " ");
  let m = /^C\s*\/\s*(\d+(?:\.\d+)?)$/i.exec(t);
  if (m) return { unit: "C", value: 1 / Number(m[1]) };
  m = new RegExp(`^(${NUMBER})\\s*(C|A|mA|V|mV|W|mW|kW|ohms?|Ω|mOhms?)$`, "i").exec(t);
  if (!m) {
    throw new SyntaxError(
      `Cannot read step "${step}": "${text}" is not a value like "1C", "C/2", "2 A", "4.2 V", ` +
        `"3 W" or "2 Ohm"`,
    );
  }
  const v = Number(m[1]);
  const u = m[2];
  switch (u.toLowerCase()) {
    case "c":
      return { unit: "C", value: v };
    case "a":
      return { unit: "A", value: v };
    case "ma":
      return { unit: "A", value: v / 1000 };
    case "v":
      return { unit: "V", value: v };
    case "mv":
      return { unit: "V", value: v / 1000 };
    case "w":
      return { unit: "W", value: v };
    case "mw":
      return { unit: "W", value: v / 1000 };
    case "kw":
      return { unit: "W", value: v * 1000 };
    case "mohm":
    case "mohms":
      return { unit: "ohm", value: v / 1000 };
    default:
      return { unit: "ohm", value: v };
  }
}

/**
 * Parse one step string.
 *
 * Forms (case-insensitive): `Discharge|Charge at <1C|C/2|2 A|500 mA|4 W|2 Ohm> [for <duration>]
 * [or] [until <4.2 V|C/50|50 mA>]`, `Hold at <4.2 V> [for …] [until <C/50|50 mA>]`,
 * `Rest for <duration>`. Durations: s, min, h (and spelled out), day.
 *
 * @param text The step.
 * @returns The step.
 * @throws {SyntaxError} Naming the step and what is wrong.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { parseStep } from "./experiment.ts";
 * deepEqual(parseStep("Charge at C/2 until 4.2 V"), {
 *   text: "Charge at C/2 until 4.2 V",
 *   mode: "c_rate",
 *   value: 0.5,
 *   duration_s: null,
 *   limits: [{ kind: "voltage", value_V: 4.2 }],
 * });
 * ```
 */
export function parseStep(text: string): ExperimentStep {
  const s = text.trim().replace(/\s+/g, " ");
  const m =
    /^(discharge|charge|hold|rest)\b(?: at (.+?))?(?: for (.+?))?(?: or)?(?: until (.+?))?$/i
      .exec(s);
  if (!m) {
    throw new SyntaxError(
      `Cannot read step "${text}": expected "Discharge at …", "Charge at …", "Hold at … V" or ` +
        `"Rest for …"`,
    );
  }
  const verb = m[1].toLowerCase();
  const at = m[2], forText = m[3], untilText = m[4];
  const duration_s = forText === undefined ? null : parseDuration(forText, text);
  const limits: StepLimit[] = [];
  if (untilText !== undefined) {
    for (const part of untilText.split(/\s+or\s+/i)) {
      const q = parseQuantity(part, text);
      if (q.unit === "V") limits.push({ kind: "voltage", value_V: q.value });
      else if (q.unit === "A") {
        limits.push({ kind: "current", value_A: Math.abs(q.value), c_rate: null });
      } else if (q.unit === "C") {
        limits.push({ kind: "current", value_A: null, c_rate: Math.abs(q.value) });
      } else throw new SyntaxError(`Cannot read step "${text}": cannot stop at "${part}"`);
    }
  }
  if (duration_s === null && limits.length === 0) {
    throw new SyntaxError(
      `Cannot read step "${text}": give a duration ("for …") or a limit ("until …")`,
    );
  }
  if (verb === "rest") {
    if (at !== undefined) throw new SyntaxError(`Cannot read step "${text}": a rest has no "at"`);
    if (limits.length > 0) {
      throw new SyntaxError(`Cannot read step "${text}": a rest ends after a duration only`);
    }
    return { text: s, mode: "rest", value: 0, duration_s, limits };
  }
  if (at === undefined) throw new SyntaxError(`Cannot read step "${text}": missing "at <value>"`);
  const q = parseQuantity(at, text);
  if (!(q.value >= 0) || (q.value === 0 && verb !== "hold")) {
    throw new SyntaxError(`Cannot read step "${text}": the value must be positive`);
  }
  if (verb === "hold") {
    if (q.unit !== "V") throw new SyntaxError(`Cannot read step "${text}": hold at a voltage`);
    if (limits.some((l) => l.kind === "voltage")) {
      throw new SyntaxError(`Cannot read step "${text}": a voltage hold ends on current or time`);
    }
    return { text: s, mode: "voltage", value: q.value, duration_s, limits };
  }
  if (limits.some((l) => l.kind === "current")) {
    throw new SyntaxError(`Cannot read step "${text}": a current limit ends a voltage hold only`);
  }
  const sign = verb === "charge" ? 1 : -1;
  switch (q.unit) {
    case "C":
      return { text: s, mode: "c_rate", value: sign * q.value, duration_s, limits };
    case "A":
      return { text: s, mode: "current", value: sign * q.value, duration_s, limits };
    case "W":
      return { text: s, mode: "power", value: sign * q.value, duration_s, limits };
    case "ohm":
      if (verb !== "discharge") {
        throw new SyntaxError(`Cannot read step "${text}": a resistance can only discharge`);
      }
      return { text: s, mode: "resistance", value: q.value, duration_s, limits };
    default:
      throw new SyntaxError(`Cannot read step "${text}": ${verb} at a current, C-rate or power`);
  }
}

/**
 * The steps of an experiment written as text (an `--experiment-file`, the dashboard's step
 * box): one step or group per line; `#` starts a comment; blank lines are skipped.
 *
 * @param text The text.
 * @returns The lines to give {@link parseExperiment}.
 *
 * @example
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { readExperimentText } from "./experiment.ts";
 * deepEqual(
 *   readExperimentText("# formation\nCharge at C/10 until 4.2 V\n\nRest for 1 hour # relax\n"),
 *   ["Charge at C/10 until 4.2 V", "Rest for 1 hour"],
 * );
 * ```
 */
export function readExperimentText(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, "").trim();
    if (line) out.push(line);
  }
  return out;
}

/**
 * Parse an experiment: step strings, groups repeated as `(step, step, …) × N` (also `x N`,
 * `* N`; steps in a group separated by commas or semicolons), or step objects (for example a
 * measured current profile). Each repetition of a group is one cycle; a run of consecutive
 * steps outside groups is one cycle. `cycles` repeats the whole list.
 *
 * @param items Step strings, groups and step objects.
 * @param options How many times to run the whole list, and the most steps the expanded
 * experiment may have (checked before expanding it). @default {cycles: 1, maxSteps: 1000000}
 * @returns The steps and their cycle numbers.
 * @throws {SyntaxError} For a step that cannot be read; {RangeError} for more than `maxSteps`
 * steps or a bad `cycles`.
 *
 * @example
 * ```ts
 * import { deepEqual, equal } from "node:assert/strict";
 * import { parseExperiment } from "./experiment.ts";
 * const e = parseExperiment([
 *   "Rest for 10 minutes",
 *   "(Discharge at 1C until 2.5 V, Charge at C/2 until 4.2 V, Hold at 4.2 V until C/50) × 2",
 * ]);
 * equal(e.steps.length, 7);
 * deepEqual(e.cycle, [1, 2, 2, 2, 3, 3, 3]);
 * ```
 */
export function parseExperiment(
  items: readonly (string | ExperimentStep)[],
  options: { cycles?: number; maxSteps?: number } = {},
): Experiment {
  const cycles = options.cycles ?? 1;
  if (!(Number.isInteger(cycles) && cycles >= 1)) {
    throw new RangeError(`cycles must be a positive integer, got ${cycles}`);
  }
  const maxSteps = options.maxSteps ?? 1_000_000;
  if (items.length === 0) throw new RangeError("An experiment needs at least one step");
  // Blocks: [steps, repeats, isGroup].
  const blocks: { steps: ExperimentStep[]; repeats: number; group: boolean }[] = [];
  for (const item of items) {
    if (typeof item !== "string") {
      blocks.push({ steps: [checkStepObject(item)], repeats: 1, group: false });
      continue;
    }
    const m = /^\s*(?:\((.*)\)|(.*?))\s*(?:[×xX*]\s*(\d+))\s*$/.exec(item);
    if (m && m[3] !== undefined) {
      const inner = m[1] ?? m[2];
      const repeats = Number(m[3]);
      if (!(repeats >= 1)) throw new SyntaxError(`Cannot read "${item}": repeat count must be ≥ 1`);
      const parts = inner.split(/[,;]/).map((p) => p.trim()).filter((p) => p !== "");
      blocks.push({ steps: parts.map(parseStep), repeats, group: true });
    } else {
      blocks.push({ steps: [parseStep(item)], repeats: 1, group: false });
    }
  }
  // Count before expanding: a repeat count is any number, the steps must fit in memory.
  const total = cycles * blocks.reduce((n, b) => n + b.steps.length * b.repeats, 0);
  if (total > maxSteps) {
    throw new RangeError(
      `The experiment has ${total} steps${cycles > 1 ? ` (${cycles} cycles of the list)` : ""}, ` +
        `more than the limit of ${maxSteps}`,
    );
  }
  const steps: ExperimentStep[] = [];
  const cycle: number[] = [];
  let c = 0;
  for (let r = 0; r < cycles; r++) {
    let inLoose = false;
    for (const b of blocks) {
      if (b.group) {
        inLoose = false;
        for (let k = 0; k < b.repeats; k++) {
          c++;
          for (const s of b.steps) {
            steps.push(s);
            cycle.push(c);
          }
        }
      } else {
        if (!inLoose) c++;
        inLoose = true;
        steps.push(b.steps[0]);
        cycle.push(c);
      }
    }
  }
  return { steps, cycle };
}

function checkStepObject(step: ExperimentStep): ExperimentStep {
  if (step.mode === "profile") {
    const p = step.profile;
    if (!p || p.time_s.length < 2 || p.time_s.length !== p.current_A.length) {
      throw new RangeError(
        `Profile step "${step.text}" needs time_s and current_A of equal length ≥ 2`,
      );
    }
    for (let i = 1; i < p.time_s.length; i++) {
      // Equal times are allowed: a current step recorded at both of its values.
      if (!(p.time_s[i] >= p.time_s[i - 1])) {
        throw new RangeError(`Profile step "${step.text}": time decreases at row ${i}`);
      }
    }
    if (!(p.time_s[p.time_s.length - 1] > p.time_s[0])) {
      throw new RangeError(`Profile step "${step.text}": the profile has no duration`);
    }
    if (p.current_A.some((v) => !Number.isFinite(v))) {
      throw new RangeError(`Profile step "${step.text}": current values must be finite`);
    }
  }
  return step;
}

/**
 * A step that follows a measured current profile (a drive cycle), for example the current of
 * a stored test. Current positive on charge; times are shifted to start at zero; a time may
 * repeat (a current step recorded before and after its change), never decrease.
 *
 * @param time_s Times, strictly increasing.
 * @param current_A Currents, positive on charge.
 * @param text Description shown in step tables. @default {"Run current profile"}
 * @returns The step.
 * @throws {RangeError} For mismatched arrays or decreasing times.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { profileStep } from "./experiment.ts";
 * equal(profileStep([10, 20, 30], [-1, -2, 0]).duration_s, 20);
 * ```
 */
export function profileStep(
  time_s: ArrayLike<number>,
  current_A: ArrayLike<number>,
  text = "Run current profile",
): ExperimentStep {
  const t0 = time_s[0];
  const step: ExperimentStep = {
    text,
    mode: "profile",
    value: 0,
    duration_s: time_s[time_s.length - 1] - t0,
    limits: [],
    profile: {
      time_s: Array.from(time_s, (t) => t - t0),
      current_A: Array.from(current_A),
    },
  };
  return checkStepObject(step);
}
