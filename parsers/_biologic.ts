// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Shared EC-Lab (BioLogic) logic for `biologic_mpt.ts` and `biologic_mpr.ts`: both readers first
 * build a {@link BiologicTable} whose column titles are spelled exactly as EC-Lab's text export
 * spells them (`"Ewe/V"`, `"I/mA"`, `"cycle number"`), then {@link buildBiologicRecording} maps
 * that table onto the shared model. Because the mapping is one function, a `.mpr` file and its
 * `.mpt` export give the same columns.
 *
 * @module
 */

import type { ColumnSource, CyclingSeries } from "../lib/model/cycling_series.ts";
import type { FileMeta, Recording } from "../lib/model/file_meta.ts";
import type { Spectrum } from "../lib/model/spectrum.ts";
import { allNaN, allocSeries, type CounterParts, integrateMissingCounters } from "./_series.ts";

/** Columns read from an EC-Lab file, titled as EC-Lab's text export titles them. */
export interface BiologicTable {
  /** Normalized titles (`"Temperature/°C"`, even when the file's bytes were garbled). */
  titles: string[];
  /** Titles exactly as the file wrote them (for {@link ColumnSource.original_name}). */
  original: string[];
  /** One array per title, `length` values each. */
  columns: Float64Array[];
  /** Number of rows. */
  length: number;
}

/** Technique names as EC-Lab writes them in a text header → the short names used in `meta`. */
export const TECHNIQUE_NAMES: Readonly<Record<string, string>> = {
  "Potentio Electrochemical Impedance Spectroscopy": "PEIS",
  "Galvano Electrochemical Impedance Spectroscopy": "GEIS",
  "Staircase Potentio Electrochemical Impedance Spectroscopy": "SPEIS",
  "Staircase Galvano Electrochemical Impedance Spectroscopy": "SGEIS",
  "Galvanostatic Cycling with Potential Limitation": "GCPL",
  "Battery Capacity Determination": "BCD",
  "Modulo Bat": "MB",
  "Open Circuit Voltage": "OCV",
  "Cyclic Voltammetry": "CV",
  "Cyclic Voltammetry Advanced": "CVA",
  "Chronoamperometry / Chronocoulometry": "CA",
  "Chronopotentiometry": "CP",
  "Linear Sweep Voltammetry": "LSV",
  "Wait": "WAIT",
  "IR compensation (PEIS)": "ZIR",
  "Galvanostatic Intermittent Titration Technique": "GITT",
  "Potentiostatic Intermittent Titration Technique": "PITT",
  "Constant Power": "CPW",
  "Constant Load": "CLD",
  "Loop": "LOOP",
};

/** Short technique name for an EC-Lab technique title, or the title itself when unknown. */
export function techniqueShortName(title: string): string {
  const t = title.trim();
  return TECHNIQUE_NAMES[t] ?? t;
}

/**
 * `MM/DD/YYYY HH:MM:SS[.fff]` (EC-Lab's "Acquisition started on" and BT-Lab's timestamp column)
 * → milliseconds of that wall-clock time read as if it were UTC, or `null`. EC-Lab writes the
 * local time of the acquisition computer without a zone; see {@link isoLocal}.
 */
export function parseEcLabDate(text: string): number | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*$/
    .exec(text);
  if (!m) return null;
  const [, mo, d, y, h, mi, s, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  return Date.UTC(Number(y), month - 1, day, hour, minute, second) + ms;
}

/**
 * Wall-clock milliseconds (as from {@link parseEcLabDate}) → ISO 8601 *without* a zone offset,
 * `YYYY-MM-DDTHH:MM:SS[.mmm]`. EC-Lab records the local time of the acquisition PC and not its
 * zone, so the string keeps that local time and claims no offset rather than pretend it is UTC.
 */
export function isoLocal(ms: number): string {
  const iso = new Date(Math.round(ms)).toISOString(); // "2018-02-04T10:02:46.000Z"
  const body = iso.slice(0, -1);
  return body.endsWith(".000") ? body.slice(0, -4) : body;
}

/** Unit suffixes EC-Lab uses in column titles, longest first, with their normalized form. */
const UNITS: ReadonlyArray<readonly [string, string, number]> = [
  ["mA.h/g", "mAh_per_g", 1],
  ["mA.h/V", "Ah_per_V", 1e-3],
  ["S.cm-1", "S_per_cm", 1],
  ["V/mA", "V_or_mA", 1],
  ["mA/s", "A_per_s", 1e-3],
  ["mA.h", "Ah", 1e-3],
  ["A.h", "Ah", 1],
  ["W.h", "Wh", 1],
  ["Ohm-1", "S", 1],
  ["µF-2", "per_uF2", 1],
  ["Ohm", "ohm", 1],
  ["deg", "deg", 1],
  ["µF", "uF", 1],
  ["°C", "C", 1],
  ["mA", "A", 1e-3],
  ["µA", "A", 1e-6],
  ["mW", "W", 1e-3],
  ["Hz", "Hz", 1],
  ["A", "A", 1],
  ["V", "V", 1],
  ["W", "W", 1],
  ["s", "s", 1],
  ["h", "h", 1],
  ["C", "coulomb", 1],
  ["%", "pct", 1],
];

/** Split `"Q charge/discharge/mA.h"` into name `"Q charge/discharge"` and unit `"mA.h"`. */
export function splitTitle(title: string): { name: string; unit: string } {
  for (const [unit] of UNITS) {
    if (title.length > unit.length + 1 && title.endsWith("/" + unit)) {
      return { name: title.slice(0, -unit.length - 1), unit };
    }
  }
  return { name: title, unit: "" };
}

/**
 * Repair a title whose `µ` or `°` arrived as U+FFFD (a Latin-1 export re-saved as UTF-8 by some
 * tool): `"Temperature/\uFFFDC"` → `"Temperature/°C"`, `"Cs/\uFFFDF"` → `"Cs/µF"`; a Greek mu
 * becomes the micro sign. A unit bracketed with the name, as some EC-Lab versions write averaged
 * columns, is spelled the usual way: `"<Ewe/V>"` → `"<Ewe>/V"`, `"<I/mA>"` → `"<I>/mA"`.
 */
export function repairTitle(title: string): string {
  return title.replace(/\/\uFFFDC$/, "/°C").replace(/\uFFFD(?=F)/g, "µ")
    .replace(/\u03bc/g, "µ") // Greek mu → micro sign, as EC-Lab writes it
    .trim()
    // Some EC-Lab versions bracket the unit with the name: `<Ewe/V>` is `<Ewe>/V`.
    .replace(/^<([^<>/]+)\/([^<>]+)>$/, "<$1>/$2");
}

/** Extras with hand-picked names and their scale; everything else via {@link genericName}. */
const EXTRA_NAMES: Readonly<Record<string, readonly [string, number]>> = {
  "mode": ["mode", 1],
  "ox/red": ["ox_red", 1],
  "error": ["error", 1],
  "control changes": ["control_changes", 1],
  "Ns changes": ["ns_changes", 1],
  "counter inc.": ["counter_inc", 1],
  "I Range": ["i_range", 1],
  "half cycle": ["half_cycle", 1],
  "z cycle": ["z_cycle", 1],
  "Ns": ["ns", 1],
  "(Q-Qo)/mA.h": ["q_minus_q0_Ah", 1e-3],
  "(Q-Qo)/C": ["q_minus_q0_coulomb", 1],
  "Q charge/discharge/mA.h": ["q_charge_discharge_Ah", 1e-3],
  "|Energy|/W.h": ["abs_energy_Wh", 1],
  "P/W": ["power_W", 1],
  "R/Ohm": ["resistance_ohm", 1],
  "|Ewe|/V": ["ewe_amplitude_V", 1],
  "|Ece|/V": ["ece_amplitude_V", 1],
  "|I|/A": ["current_amplitude_A", 1],
  "|Z|/Ohm": ["z_mod_ohm", 1],
  "Phase(Z)/deg": ["phase_deg", 1],
  "Efficiency/%": ["efficiency_pct", 1],
  "<Ewe>/V": ["ewe_mean_V", 1],
  "<Ece>/V": ["ece_mean_V", 1],
  "<I>/mA": ["current_mean_A", 1e-3],
  "I/mA": ["current_instant_A", 1e-3],
  "Ewe/V": ["ewe_V", 1],
  "Ecell/V": ["ecell_V", 1],
  "Ewe-Ece/V": ["ewe_minus_ece_V", 1],
  "control/V/mA": ["control_V_or_mA", 1],
};

/** `"Capacitance charge/µF"` → `"capacitance_charge_uF"`; units converted as in {@link UNITS}. */
function genericName(title: string): { name: string; scale: number } {
  const { name, unit } = splitTitle(title);
  const entry = UNITS.find((u) => u[0] === unit);
  const base = name.toLowerCase()
    .replace(/\|([^|]+)\|/g, "abs_$1")
    .replace(/<([^>]+)>/g, "$1_mean")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "") || "column";
  return entry ? { name: `${base}_${entry[1]}`, scale: entry[2] } : { name: base, scale: 1 };
}

/** Names already worked out: the same few titles come back in every file of a batch. */
const EXTRA_NAME_CACHE = new Map<string, { name: string; scale: number }>();

/** Normalized name and scale of an extra column. */
function extraName(title: string): { name: string; scale: number } {
  const fixed = EXTRA_NAMES[title];
  if (fixed) return { name: fixed[0], scale: fixed[1] };
  let named = EXTRA_NAME_CACHE.get(title);
  if (!named) {
    named = genericName(title);
    if (EXTRA_NAME_CACHE.size < 4096) EXTRA_NAME_CACHE.set(title, named);
  }
  return { ...named };
}

/** Admittance columns EC-Lab computes as 1/Z when exporting text; not stored in `.mpr`. */
const DERIVED_ADMITTANCE = new Set(["Re(Y)/Ohm-1", "Im(Y)/Ohm-1", "|Y|/Ohm-1", "Phase(Y)/deg"]);

/** Units of titles already split (see {@link EXTRA_NAME_CACHE}). */
const UNIT_CACHE = new Map<string, string>();

function source(title: string, original: string, scale: number): ColumnSource {
  let unit = UNIT_CACHE.get(title);
  if (unit === undefined) {
    unit = splitTitle(title).unit;
    if (UNIT_CACHE.size < 4096) UNIT_CACHE.set(title, unit);
  }
  return { original_name: original, original_unit: unit, scale };
}

/**
 * The values of one column for `rows` (all rows when `null`), multiplied by `scale`. Without a
 * row subset the table's own array is reused (scaled in place): each table column is taken once.
 */
function scaled(values: Float64Array, scale: number, rows: Int32Array | null): Float64Array {
  if (!rows) {
    if (scale !== 1) { for (let k = 0; k < values.length; k++) values[k] *= scale; }
    return values;
  }
  const n = rows.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = values[rows[k]] * scale;
  return out;
}

/** Options of {@link buildBiologicRecording}. */
export interface BuildOptions {
  /** Instant of `time/s` = 0 as wall-clock ms (see {@link parseEcLabDate}), or `null`. */
  startMs: number | null;
}

/**
 * Map an EC-Lab table onto the model: impedance rows (`freq/Hz` > 0) become spectra, the other
 * rows the cycling series. Warnings are appended to `meta.warnings`.
 */
export function buildBiologicRecording(
  table: BiologicTable,
  meta: FileMeta,
  options: BuildOptions,
): Recording {
  const index = new Map<string, number>();
  table.titles.forEach((t, i) => {
    if (!index.has(t)) index.set(t, i);
    else meta.warnings.push(`column "${t}" appears twice; the first one is used`);
  });
  const col = (title: string): Float64Array | null => {
    const i = index.get(title);
    return i === undefined ? null : table.columns[i];
  };
  const freq = col("freq/Hz");
  const recording: Recording = { meta };
  const n = table.length;
  const polar = freq !== null && !index.has("Re(Z)/Ohm") && !index.has("-Im(Z)/Ohm") &&
    index.has("|Z|/Ohm") && index.has("Phase(Z)/deg");
  if (polar) addCartesianImpedance(table, index);
  const re = col("Re(Z)/Ohm");
  const negIm = col("-Im(Z)/Ohm");
  if (freq && re && negIm) {
    let eisCount = 0;
    for (let k = 0; k < n; k++) if (freq[k] > 0) eisCount++;
    const eisRows = new Int32Array(eisCount);
    const otherRows = new Int32Array(n - eisCount);
    for (let k = 0, a = 0, b = 0; k < n; k++) {
      if (freq[k] > 0) eisRows[a++] = k;
      else otherRows[b++] = k;
    }
    recording.spectra = buildSpectra(table, index, eisRows, polar);
    if (otherRows.length > 0) {
      recording.series = buildSeries(table, index, otherRows, meta, options);
    }
  } else {
    recording.series = buildSeries(table, index, null, meta, options);
  }
  return recording;
}

/**
 * Binary files of Modulo Bat runs with impedance steps store only `|Z|/Ohm` and `Phase(Z)/deg`;
 * EC-Lab computes `Re(Z)` and `-Im(Z)` when it exports text. Append those two columns, computed
 * the same way (Re = |Z| cos φ, −Im = −|Z| sin φ with φ in degrees), so that the `.mpr` and the
 * `.mpt` of one run give the same spectra.
 */
function addCartesianImpedance(table: BiologicTable, index: Map<string, number>): void {
  const mod = table.columns[index.get("|Z|/Ohm")!];
  const phase = table.columns[index.get("Phase(Z)/deg")!];
  const n = table.length;
  const re = new Float64Array(n), negIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const phi = (phase[k] * Math.PI) / 180;
    re[k] = mod[k] * Math.cos(phi);
    negIm[k] = -mod[k] * Math.sin(phi);
  }
  for (const [title, values] of [["Re(Z)/Ohm", re], ["-Im(Z)/Ohm", negIm]] as const) {
    index.set(title, table.titles.length);
    table.titles.push(title);
    table.original.push(title);
    table.columns.push(values);
  }
}

function buildSpectra(
  table: BiologicTable,
  index: Map<string, number>,
  rows: Int32Array,
  polar: boolean,
): Spectrum[] {
  const col = (t: string) => {
    const i = index.get(t);
    return i === undefined ? null : table.columns[i];
  };
  const freq = col("freq/Hz")!, re = col("Re(Z)/Ohm")!, negIm = col("-Im(Z)/Ohm")!;
  const cycle = col("cycle number");
  const time = col("time/s");
  const voltageTitle = ["<Ewe>/V", "Ewe/V", "Ecell/V"].find((t) => index.has(t));
  const currentTitle = ["<I>/mA", "I/mA"].find((t) => index.has(t));
  // Extras: every other column except the admittance ones EC-Lab derives at export time.
  const extras: {
    name: string;
    title: string;
    original: string;
    values: Float64Array;
    scale: number;
  }[] = [];
  const used = new Set(["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "cycle number"]);
  const taken = new Set<string>();
  const add = (title: string, name: string, scale: number) => {
    const i = index.get(title)!;
    let unique = name;
    for (let s = 2; taken.has(unique); s++) unique = `${name}_${s}`;
    taken.add(unique);
    used.add(title);
    extras.push({
      name: unique,
      title,
      original: table.original[i],
      values: table.columns[i],
      scale,
    });
  };
  if (time) add("time/s", "time_s", 1);
  if (voltageTitle) add(voltageTitle, "voltage_V", 1);
  if (currentTitle) add(currentTitle, "current_A", 1e-3);
  for (const title of table.titles) {
    if (used.has(title) || DERIVED_ADMITTANCE.has(title)) continue;
    const { name, scale } = extraName(title);
    add(title, name, scale);
  }
  // Split into sweeps: a new spectrum starts when `cycle number` changes or when the frequency
  // turns back (a descending sweep that rises again, or an ascending one that falls). A single
  // point out of order (the sweep goes on past it: a damaged value) is not a new sweep; the
  // spectrum keeps it and the order check of `_damage.ts` reports it.
  const bounds: number[] = [0];
  let direction = 0;
  const fq = (j: number) => freq[rows[j]];
  const lone = (j: number, d: number): boolean =>
    j + 1 < rows.length && Math.sign(fq(j + 1) - fq(j)) === d &&
    (Math.sign(fq(j + 1) - fq(j - 1)) === d || (j >= 2 && Math.sign(fq(j) - fq(j - 2)) === d));
  for (let j = 1; j < rows.length; j++) {
    const k = rows[j], p = rows[j - 1];
    const newCycle = cycle !== null && cycle[k] !== cycle[p];
    const step = Math.sign(freq[k] - freq[p]);
    const turn = direction !== 0 && step !== 0 && step !== direction;
    if (newCycle || (turn && !lone(j, direction))) {
      bounds.push(j);
      direction = 0;
    } else if (direction === 0) direction = step;
  }
  bounds.push(rows.length);
  const spectra: Spectrum[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const sub = rows.subarray(bounds[s], bounds[s + 1]);
    if (sub.length === 0) continue;
    const m = sub.length;
    const f = new Float64Array(m), zr = new Float64Array(m), zi = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const k = sub[j];
      f[j] = freq[k];
      zr[j] = re[k];
      zi[j] = -negIm[k]; // EC-Lab stores −Im(Z); the model keeps the signed Im(Z).
    }
    const columns: Record<string, ColumnSource> = {
      frequency_Hz: source("freq/Hz", table.original[index.get("freq/Hz")!], 1),
      z_real_ohm: source("Re(Z)/Ohm", table.original[index.get("Re(Z)/Ohm")!], 1),
      z_imag_ohm: {
        ...source("-Im(Z)/Ohm", table.original[index.get("-Im(Z)/Ohm")!], -1),
        note: "EC-Lab stores −Im(Z); negated to the signed imaginary part",
      },
    };
    if (polar) {
      columns.z_real_ohm = {
        original_name: "|Z|/Ohm, Phase(Z)/deg",
        original_unit: "Ohm, deg",
        scale: 1,
        derived: true,
        note: "|Z| cos(Phase(Z)), as EC-Lab computes Re(Z) when exporting text",
      };
      columns.z_imag_ohm = {
        original_name: "|Z|/Ohm, Phase(Z)/deg",
        original_unit: "Ohm, deg",
        scale: 1,
        derived: true,
        note: "|Z| sin(Phase(Z)) (signed Im(Z)), as EC-Lab computes −Im(Z) when exporting text",
      };
    }
    const ex: Record<string, Float64Array> = {};
    for (const e of extras) {
      ex[e.name] = scaled(e.values, e.scale, sub);
      columns[e.name] = source(e.title, e.original, e.scale);
    }
    const spectrum: Spectrum = {
      length: m,
      frequency_Hz: f,
      z_real_ohm: zr,
      z_imag_ohm: zi,
      sequence: spectra.length,
      extras: ex,
      columns,
    };
    if (cycle && Number.isFinite(cycle[sub[0]])) spectrum.cycle = cycle[sub[0]];
    spectra.push(spectrum);
  }
  return spectra;
}

/** Voltage columns of the cycling series, in order of preference. */
const VOLTAGE_TITLES = ["Ecell/V", "Ewe/V", "<Ewe>/V", "Ewe-Ece/V", "<Ewe-Ece>/V"];

function buildSeries(
  table: BiologicTable,
  index: Map<string, number>,
  rows: Int32Array | null,
  meta: FileMeta,
  options: BuildOptions,
): CyclingSeries {
  const n = rows ? rows.length : table.length;
  // The columns the file gives (and those derived from them) are gathered first, so that the
  // series allocates only what is missing: no column is allocated twice.
  const parts: CounterParts & { temperature_C?: Float64Array } = { length: n, columns: {} };
  const extras: Record<string, Float64Array> = {};
  const used = new Set<string>();
  const pick = (titles: string[]): string | undefined => titles.find((t) => index.has(t));
  const take = (title: string, scale: number): Float64Array => {
    used.add(title);
    const i = index.get(title)!;
    return scaled(table.columns[i], scale, rows);
  };
  const record = (name: string, title: string, scale: number) => {
    parts.columns[name] = source(title, table.original[index.get(title)!], scale);
  };
  if (index.has("time/s")) {
    parts.time_s = take("time/s", 1);
    record("time_s", "time/s", 1);
  }
  const vTitle = pick(VOLTAGE_TITLES);
  if (vTitle) {
    parts.voltage_V = take(vTitle, 1);
    record("voltage_V", vTitle, 1);
  } else if (n > 0) {
    meta.warnings.push(
      `no voltage column (looked for ${VOLTAGE_TITLES.join(", ")}): voltage_V is NaN`,
    );
  }
  const iTitle = pick(["I/mA", "<I>/mA"]);
  if (iTitle) {
    parts.current_A = take(iTitle, 1e-3);
    record("current_A", iTitle, 1e-3);
  }
  if (index.has("Q charge/mA.h") && index.has("Q discharge/mA.h")) {
    parts.charge_capacity_Ah = take("Q charge/mA.h", 1e-3);
    parts.discharge_capacity_Ah = take("Q discharge/mA.h", 1e-3);
    record("charge_capacity_Ah", "Q charge/mA.h", 1e-3);
    record("discharge_capacity_Ah", "Q discharge/mA.h", 1e-3);
  }
  // Energy counters: EC-Lab ≥ 11.50 names them per electrode (`Energy we charge/W.h`, and
  // `Energy we-ce …` for the cell when Ece is recorded); prefer the pair that matches the voltage.
  const cellVoltage = vTitle === "Ecell/V" || vTitle === "Ewe-Ece/V" || vTitle === "<Ewe-Ece>/V";
  const energyNames = cellVoltage ? ["", " we-ce", " we"] : ["", " we", " we-ce"];
  const energy = energyNames.find((w) =>
    index.has(`Energy${w} charge/W.h`) && index.has(`Energy${w} discharge/W.h`)
  );
  if (energy !== undefined) {
    const [c, d] = [`Energy${energy} charge/W.h`, `Energy${energy} discharge/W.h`];
    parts.charge_energy_Wh = take(c, 1);
    parts.discharge_energy_Wh = take(d, 1);
    record("charge_energy_Wh", c, 1);
    record("discharge_energy_Wh", d, 1);
  }
  for (const [target, title] of [["cycle_index", "cycle number"], ["step_index", "Ns"]] as const) {
    if (!index.has(title)) continue;
    used.add(title);
    const c = table.columns[index.get(title)!], out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const v = c[rows ? rows[k] : k];
      out[k] = Number.isFinite(v) ? Math.round(v) : 0;
    }
    parts[target] = out;
    record(target, title, 1);
  }
  const tTitle = pick(["Temperature/°C"]);
  if (tTitle) {
    parts.temperature_C = take(tTitle, 1);
    record("temperature_C", tTitle, 1);
  }
  // Everything else numeric becomes an extra with its unit in the name.
  for (const title of table.titles) {
    if (used.has(title) || DERIVED_ADMITTANCE.has(title)) continue;
    let { name } = extraName(title);
    const { scale } = extraName(title);
    for (let s = 2; name in extras; s++) name = `${extraName(title).name}_${s}`;
    extras[name] = take(title, scale);
    record(name, title, scale);
  }
  deriveFromChargeIncrements(parts, extras, meta);
  integrateMissingCounters(parts);
  const series = allocSeries(n, parts);
  series.extras = extras;
  series.columns = parts.columns;
  if (parts.temperature_C) series.temperature_C = parts.temperature_C;
  series.start_time = options.startMs === null ? null : isoLocal(options.startMs);
  return series;
}

/** Absent, or `NaN` on every row. */
const missing = (values: Float64Array | undefined): boolean => !values || allNaN(values);

/**
 * Files without `Q charge/mA.h` and `Q discharge/mA.h` (every `.mpr`, many `.mpt`) carry the
 * charge increment `dq/mA.h` (or the running `(Q-Qo)/mA.h`). From it:
 * - a missing current is the mean current of each interval, I = dq × 3.6 / Δt (A, with dq in
 *   mA·h and Δt in s); the first row has no interval and stays `NaN`;
 * - the capacity counters accumulate positive increments (charge) and negated negative ones
 *   (discharge), both restarting at 0 whenever `half cycle` changes (per half cycle, as EC-Lab
 *   counts), or over the whole file when there is no `half cycle` column.
 */
function deriveFromChargeIncrements(
  parts: CounterParts,
  extras: Record<string, Float64Array>,
  meta: FileMeta,
): void {
  const n = parts.length;
  const dq = extras.dq_Ah ?? null;
  const qqo = extras.q_minus_q0_Ah ?? null;
  if (!dq && !qqo) return;
  const srcName = dq ? "dq/mA.h" : "(Q-Qo)/mA.h";
  // The increments: the dq column itself (only read), or the differences of (Q-Qo).
  let inc: Float64Array;
  if (dq) inc = dq;
  else {
    inc = new Float64Array(n);
    for (let k = 1; k < n; k++) inc[k] = qqo![k] - qqo![k - 1];
  }
  const t = parts.time_s;
  if (missing(parts.current_A) && !missing(t)) {
    const cur = new Float64Array(n).fill(NaN);
    for (let k = 1; k < n; k++) {
      const dt = t![k] - t![k - 1];
      if (dt > 0 && Number.isFinite(inc[k])) cur[k] = (inc[k] * 3600) / dt;
    }
    parts.current_A = cur;
    parts.columns.current_A = {
      original_name: srcName,
      original_unit: "mA.h",
      scale: 1e-3,
      derived: true,
      note: `mean current of each interval: ${srcName} (as Ah) × 3600 / Δt; first row NaN`,
    };
    meta.warnings.push(`no current column; current_A derived from ${srcName} and time/s`);
  }
  if (missing(parts.charge_capacity_Ah) || missing(parts.discharge_capacity_Ah)) {
    const half = extras.half_cycle ?? null;
    const qc = new Float64Array(n), qd = new Float64Array(n);
    let c = 0, d = 0;
    for (let k = 0; k < n; k++) {
      if (half && k > 0 && half[k] !== half[k - 1]) c = d = 0;
      const v = inc[k];
      if (v > 0) c += v;
      else if (v < 0) d -= v;
      qc[k] = c;
      qd[k] = d;
    }
    parts.charge_capacity_Ah = qc;
    parts.discharge_capacity_Ah = qd;
    const reset = half ? "restarting at each change of `half cycle`" : "over the whole file";
    parts.columns.charge_capacity_Ah = {
      original_name: srcName,
      original_unit: "mA.h",
      scale: 1e-3,
      derived: true,
      note: `sum of positive ${srcName} increments, ${reset}`,
    };
    parts.columns.discharge_capacity_Ah = {
      original_name: srcName,
      original_unit: "mA.h",
      scale: 1e-3,
      derived: true,
      note: `sum of negated negative ${srcName} increments, ${reset}`,
    };
  }
}

/** First number in a header value, accepting a decimal comma (`"0,001 cm²"` → 0.001). */
export function headerNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /[-+]?\d+(?:[.,]\d*)?(?:[eE][-+]?\d+)?/.exec(value);
  if (!m) return null;
  const v = Number(m[0].replace(",", "."));
  return Number.isFinite(v) ? v : null;
}

/** Area in cm² from `"0.001 cm²"` (also mm², m²). */
export function areaCm2(value: string | undefined): number | null {
  const v = headerNumber(value);
  if (v === null || value === undefined) return null;
  if (/\bmm/.test(value)) return v / 100;
  if (/\bm(²|2|\uFFFD)/.test(value) && !/cm/.test(value)) return v * 1e4;
  return v;
}

/** Mass in grams from `"0.001 g"` or `"0.001 mg"`. */
export function massG(value: string | undefined): number | null {
  const v = headerNumber(value);
  if (v === null || value === undefined) return null;
  if (/\bmg\b/.test(value)) return v / 1000;
  if (/\bkg\b/.test(value)) return v * 1000;
  return v;
}
