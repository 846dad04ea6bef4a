// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Maccor tab-separated text exports (`test.001`, `test.052`, MIMS Client `.txt`).
 *
 * Layouts learned from BEEP (`beep/structure/maccor.py`, Apache-2.0), battery-data-toolkit
 * (`battdat/io/maccor.py`, Apache-2.0) and cellpy (`maccor_txt_two.py`, MIT); the code is ours.
 *
 * @module
 */

import type { ColumnSource } from "../lib/model/cycling_series.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { allocSeries, truncateSeries } from "./_series.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import {
  countDataLines,
  counterAt,
  findColumn,
  finishCounters,
  isBlank,
  lastDataLine,
  source,
} from "./_columns.ts";
import {
  naiveIso,
  naiveSeconds,
  numberAt,
  parseClockSeconds,
  parseDecimal,
  parseNaiveDateTime,
} from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";

/** Wall-clock time beyond test time (seconds) between two rows that counts as a pause. */
export const MACCOR_PAUSE_THRESHOLD_S = 60;

const HEADER_SCAN_LINES = 60;

interface Header {
  /** 0-based line index of the column header. */
  index: number;
  fields: string[];
}

function findHeader(lines: readonly string[], limit: number): Header | null {
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    if (lines[i].indexOf("\t") < 0) continue;
    const fields = lines[i].split("\t").map((f) => f.trim());
    const rec = findColumn(fields, "Rec#", "Rec");
    const state = findColumn(fields, "State", "Md");
    const amps = findColumn(fields, "Amps", "Current [A]", "Current");
    const volts = findColumn(fields, "Volts", "Voltage [V]", "Voltage");
    if (rec >= 0 && state >= 0 && amps >= 0 && volts >= 0) return { index: i, fields };
  }
  return null;
}

function detect(head: Uint8Array, fileName: string): Detection {
  const text = decodeHead(head);
  const lines = splitLines(text.slice(0, 32768));
  const header = findHeader(lines, HEADER_SCAN_LINES);
  if (header) {
    const first = lines[0] ?? "";
    if (/^Today's Date/.test(first) && /Date of Test:/.test(first)) {
      return {
        confidence: 1,
        reason:
          "Maccor header line (Today's Date / Date of Test) and Rec#/State/Amps/Volts columns",
      };
    }
    return {
      confidence: 0.95,
      reason: "tab-separated Maccor columns (Rec, State or Md, current, voltage)",
    };
  }
  if (/^Today's Date.*Date of Test:/.test(lines[0] ?? "")) {
    return { confidence: 0.6, reason: "Maccor header line but no recognizable column header" };
  }
  return { confidence: 0, reason: /\.\d{3}$/.test(fileName) ? "numbered extension only" : "" };
}

/** What the header lines before the column header say. */
function readHeaderLines(lines: readonly string[], count: number): Record<string, string> {
  const out: Record<string, string> = {};
  const first = lines[0] ?? "";
  if (/^Today's Date/.test(first)) {
    // "Today's Date 10/10/2019  Date of Test:\t10/10/2019\t Filename:\t... Procedure: ...\tComment/Barcode: ..."
    const flat = first.replace(/\t/g, " ");
    const grab = (re: RegExp): string | undefined => re.exec(flat)?.[1]?.trim();
    const today = grab(/Today's Date\s+(\S+)/);
    const date = grab(/Date of Test:\s*(\S+)/);
    const file = grab(/Filename:\s*(.*?)\s*(?:Procedure:|Comment\/Barcode:|$)/);
    const proc = grab(/Procedure:\s*(.*?)\s*(?:Comment\/Barcode:|$)/);
    const comment = grab(/Comment\/Barcode:\s*(.*)$/);
    if (today) out["Today's Date"] = today;
    if (date) out["Date of Test"] = date;
    if (file) out["Filename"] = file;
    if (proc) out["Procedure"] = proc;
    if (comment !== undefined) out["Comment/Barcode"] = comment;
    return out;
  }
  for (let i = 0; i < count; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const m = /^([^\t:]+?):?\t+(.*)$/.exec(line);
    if (m) out[m[1].trim()] = m[2].trim();
  }
  return out;
}

interface TimeColumn {
  index: number;
  name: string;
  /** Seconds per unit, or `null` when the header gives no unit. */
  scale: number | null;
  unit: string;
}

function timeColumn(header: readonly string[], kind: "Test" | "Step"): TimeColumn | null {
  for (let i = 0; i < header.length; i++) {
    const h = header[i];
    const m = new RegExp(`^${kind}\\s*(Time)?\\s*(?:\\((Sec|Min|Hr)\\))?$`, "i").exec(h);
    if (!m || (!m[1] && !m[2])) continue;
    const unit = m[2]?.toLowerCase();
    const scale = unit === "sec" ? 1 : unit === "min" ? 60 : unit === "hr" ? 3600 : null;
    return { index: i, name: h, scale, unit: m[2] ?? "" };
  }
  return null;
}

/**
 * The Maccor text export reader.
 *
 * - Current is written unsigned by most Maccor exports (some write it signed); the `State`
 *   (`Md`) column decides the sign: `C` positive, `D` negative; other states (`R` rest, `O`, `P`,
 *   `S`, `E`, `FRA`, ...) keep the value as written. Unknown states are listed in `warnings`.
 * - `Amp-hr` / `Watt-hr` reset at every step; they become the charge counters on `C` rows and the
 *   discharge counters on `D` rows (0 elsewhere); waveform columns (`WF Chg Cap`, ...) win when
 *   the row has them. A drop is a reset, which is how analysis reads counters.
 * - Test time units come from the header (`Test (Sec)`, `Test (Min)`, `Test (Hr)`) or the
 *   `0d 00:00:00.0000` form; a bare `TestTime` gets its unit from the `DPt Time` clock (seconds,
 *   minutes or hours, whichever matches; reported in `warnings`).
 * - `DPt Time` gives `start_time` and the extra `wall_clock_s` (seconds since the first row). A
 *   time-only `DPt Time` is dated from `Date of Test`, a day added when the clock wraps.
 * - Pauses: a test paused on the cycler stops the test clock but not the wall clock. Where the
 *   wall clock advances more than {@link MACCOR_PAUSE_THRESHOLD_S} beyond the test time between
 *   two rows, the pause is reported in `warnings`; `time_s` stays the instrument's test time and
 *   `wall_clock_s` keeps the real elapsed time.
 * - A last line cut short (file copied while being written) is dropped with a warning; a short
 *   line elsewhere is a {@link ParseError}.
 */
export const maccorText: FormatParser = {
  id: "maccor_text",
  name: "Maccor text export",
  instrument: "Maccor",
  extensions: [".nnn", ".txt"],
  kind: "cycling",
  detect,
  parse: parseMaccorText,
};

function parseMaccorText(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const header = findHeader(lines, HEADER_SCAN_LINES);
  if (!header) {
    throw new ParseError(
      file,
      `no Maccor column header (Rec#, State, Amps, Volts) in the first ${HEADER_SCAN_LINES} lines`,
      { line: 1 },
    );
  }
  const h = header.fields;
  const headerInfo = readHeaderLines(lines, header.index);
  const warnings: string[] = [];

  const col = {
    rec: findColumn(h, "Rec#", "Rec"),
    cycle: findColumn(h, "Cyc#", "Cycle P", "Cycle", "Cycle#"),
    cycleC: findColumn(h, "Cycle C"),
    step: findColumn(h, "Step"),
    cap: findColumn(h, "Amp-hr", "Cap. [Ah]", "Capacity", "Cap [Ah]"),
    energy: findColumn(h, "Watt-hr", "Ener. [Wh]", "Energy", "Ener [Wh]"),
    amps: findColumn(h, "Amps", "Current [A]", "Current"),
    volts: findColumn(h, "Volts", "Voltage [V]", "Voltage"),
    state: findColumn(h, "State", "Md"),
    es: findColumn(h, "ES"),
    dpt: findColumn(h, "DPt Time", "DPT Time", "DPtTime"),
    acImp: findColumn(h, "ACImp/Ohms"),
    dcir: findColumn(h, "DCIR/Ohms"),
    wfChgCap: findColumn(h, "WF Chg Cap"),
    wfDisCap: findColumn(h, "WF Dis Cap"),
    wfChgE: findColumn(h, "WF Chg E"),
    wfDisE: findColumn(h, "WF Dis E"),
    temp: findColumn(h, "Temp 1", "Temperature", "Temp1"),
  };
  const testTime = timeColumn(h, "Test");
  const stepTime = timeColumn(h, "Step");
  if (!testTime) {
    throw new ParseError(file, `line ${header.index + 1}: no test time column`, {
      line: header.index + 1,
    });
  }
  const needed = Math.max(
    ...Object.values(col).filter((i) => i >= 0),
    testTime.index,
    stepTime?.index ?? -1,
  ) + 1;

  const start = header.index + 1;
  const last = lastDataLine(lines);
  const capacity = countDataLines(lines, start);
  const s = allocSeries(capacity);
  const wall = new Float64Array(capacity).fill(NaN);
  const stepT = stepTime ? new Float64Array(capacity).fill(NaN) : null;
  const es = col.es >= 0 ? new Float64Array(capacity).fill(NaN) : null;
  const acImp = col.acImp >= 0 ? new Float64Array(capacity).fill(NaN) : null;
  const dcir = col.dcir >= 0 ? new Float64Array(capacity).fill(NaN) : null;
  const cycleC = col.cycleC >= 0 ? new Float64Array(capacity).fill(NaN) : null;
  const temp = col.temp >= 0 ? new Float64Array(capacity).fill(NaN) : null;
  const recs = new Float64Array(capacity).fill(NaN);
  const lineOf = new Int32Array(capacity);
  const rawTime = new Float64Array(capacity).fill(NaN);
  const fra = new Uint8Array(capacity);
  let timeIsClock = false;

  // Decimal comma (German/Norwegian locale exports such as cellpy's maccor_two.txt).
  let decimalComma = false;
  for (let i = start; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const v = lines[i].split("\t")[col.volts] ?? "";
    decimalComma = /^\s*[+-]?\d+,\d+\s*$/.test(v);
    break;
  }

  const testDate = headerInfo["Date of Test"]
    ? parseNaiveDateTime(headerInfo["Date of Test"], "mdy")
    : undefined;
  let dayOffset = 0;
  let prevClock = NaN;
  const unknownStates = new Map<string, number>();
  let n = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const lineNo = i + 1;
    const f = line.split("\t");
    if (f.length < needed) {
      if (i === last && n > 0) {
        warnings.push(
          `line ${lineNo} is cut short (${f.length} of ${h.length} fields, file truncated?) and was dropped`,
        );
        break;
      }
      throw new ParseError(file, `line ${lineNo} has ${f.length} fields, expected ${h.length}`, {
        line: lineNo,
      });
    }
    const num = (index: number, name: string): number =>
      numberAt(f[index], file, lineNo, name, decimalComma);
    recs[n] = num(col.rec, h[col.rec]);
    lineOf[n] = lineNo;
    s.cycle_index[n] = col.cycle >= 0 ? counterAt(f[col.cycle], file, lineNo, h[col.cycle]) : 0;
    s.step_index[n] = col.step >= 0 ? counterAt(f[col.step], file, lineNo, h[col.step]) : 0;
    const clock = (text: string, what: string): number => {
      const v = parseClockSeconds(text);
      if (v !== undefined) return v;
      throw new ParseError(file, `line ${lineNo}: "${text.trim()}" is not a ${what}`, {
        line: lineNo,
      });
    };
    const tText = f[testTime.index];
    if (tText.indexOf(":") >= 0) {
      rawTime[n] = clock(tText, "test time");
      timeIsClock = true;
    } else rawTime[n] = num(testTime.index, testTime.name);
    if (stepT && stepTime) {
      const st = f[stepTime.index];
      stepT[n] = st.indexOf(":") >= 0
        ? clock(st, "step time")
        : num(stepTime.index, stepTime.name) * (stepTime.scale ?? 1);
    }
    const amps = num(col.amps, h[col.amps]);
    s.voltage_V[n] = num(col.volts, h[col.volts]);
    const state = f[col.state].trim();
    if (state === "FRA") fra[n] = 1;
    const cap = col.cap >= 0 ? num(col.cap, h[col.cap]) : NaN;
    const en = col.energy >= 0 ? num(col.energy, h[col.energy]) : NaN;
    let qc = 0, qd = 0, ec = 0, ed = 0;
    if (state === "C") {
      s.current_A[n] = Math.abs(amps);
      qc = Math.abs(cap);
      ec = Math.abs(en);
    } else if (state === "D") {
      s.current_A[n] = -Math.abs(amps);
      qd = Math.abs(cap);
      ed = Math.abs(en);
    } else {
      s.current_A[n] = amps;
      if (!/^(R|O|P|S|E|FRA)$/.test(state)) {
        unknownStates.set(state, (unknownStates.get(state) ?? 0) + 1);
      }
    }
    // Waveform steps keep their own counters (BEEP uses them in place of Amp-hr / Watt-hr).
    const waveform = (index: number, otherwise: number): number => {
      const v = index >= 0 ? parseDecimal(f[index], decimalComma) : undefined;
      return v !== undefined && Number.isFinite(v) ? Math.abs(v) : otherwise;
    };
    qc = waveform(col.wfChgCap, qc);
    qd = waveform(col.wfDisCap, qd);
    ec = waveform(col.wfChgE, ec);
    ed = waveform(col.wfDisE, ed);
    if (col.cap >= 0 || col.wfChgCap >= 0) {
      s.charge_capacity_Ah[n] = qc;
      s.discharge_capacity_Ah[n] = qd;
    }
    if (col.energy >= 0 || col.wfChgE >= 0) {
      s.charge_energy_Wh[n] = ec;
      s.discharge_energy_Wh[n] = ed;
    }
    if (es) es[n] = num(col.es, "ES");
    if (acImp) acImp[n] = num(col.acImp, h[col.acImp]);
    if (dcir) dcir[n] = num(col.dcir, h[col.dcir]);
    if (cycleC) cycleC[n] = counterAt(f[col.cycleC], file, lineNo, h[col.cycleC]);
    if (temp) temp[n] = num(col.temp, h[col.temp]);
    if (col.dpt >= 0) {
      const text = f[col.dpt].trim();
      let t = parseNaiveDateTime(text, "mdy");
      if (!t && /^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) && testDate) {
        // Time of day only: date it from "Date of Test", adding a day where the clock wraps.
        const clock = parseClockSeconds(text.split(":").length === 2 ? `${text}:00` : text)!;
        if (clock < prevClock - 3600) dayOffset++;
        prevClock = clock;
        wall[n] = naiveSeconds(testDate) + dayOffset * 86400 + clock;
      } else if (t) {
        wall[n] = naiveSeconds(t);
      } else if (text === "") {
        wall[n] = NaN;
      } else {
        throw new ParseError(file, `line ${lineNo}: "${text.slice(0, 40)}" is not a date-time`, {
          line: lineNo,
        });
      }
      t = undefined;
    }
    n++;
  }
  if (n === 0) {
    throw new ParseError(file, `no data rows after the column header on line ${header.index + 1}`, {
      line: header.index + 2,
    });
  }

  // Test time unit.
  let timeScale = timeIsClock ? 1 : testTime.scale;
  let timeUnit = timeIsClock ? "d hh:mm:ss" : testTime.unit;
  if (timeScale === null) {
    const inferred = inferTimeScale(rawTime, wall, n);
    if (inferred === null) {
      timeScale = 1;
      timeUnit = "s";
      warnings.push(
        `column "${testTime.name}" states no unit and the DPt Time clock cannot confirm one; seconds assumed`,
      );
    } else {
      timeScale = inferred.scale;
      timeUnit = inferred.unit;
      warnings.push(
        `column "${testTime.name}" states no unit; ${inferred.unit} inferred from the DPt Time clock`,
      );
      if (stepT && stepTime && stepTime.scale === null) {
        for (let k = 0; k < n; k++) stepT[k] *= inferred.scale;
      }
    }
  }
  for (let k = 0; k < n; k++) s.time_s[k] = rawTime[k] * timeScale;

  // Wall clock, pauses, skipped records.
  const firstWall = wall.findIndex((w, k) => k < n && Number.isFinite(w));
  let startTime: string | null = null;
  if (firstWall >= 0) {
    const w0 = wall[firstWall];
    const d = new Date(w0 * 1000);
    startTime = naiveIso({
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    });
    for (let k = 0; k < n; k++) wall[k] -= w0;
    const pauses: string[] = [];
    for (let k = 1; k < n; k++) {
      if (fra[k]) continue; // the test clock stands still during an impedance (FRA) step
      const excess = (wall[k] - wall[k - 1]) - (s.time_s[k] - s.time_s[k - 1]);
      if (excess > MACCOR_PAUSE_THRESHOLD_S) {
        pauses.push(
          `${Math.round(excess)} s between lines ${lineOf[k - 1]} and ${lineOf[k]} (records ${
            recs[k - 1]
          } and ${recs[k]})`,
        );
      }
    }
    if (pauses.length > 0) {
      warnings.push(
        `test paused ${pauses.length} time(s): wall clock ran beyond the test time by ${
          pauses.slice(0, 5).join("; ")
        }${
          pauses.length > 5 ? "; ..." : ""
        }; time_s is the test time (pauses excluded), wall_clock_s includes them`,
      );
    }
  }
  let skipped = 0;
  const skippedAt: string[] = [];
  for (let k = 1; k < n; k++) {
    const gap = recs[k] - recs[k - 1] - 1;
    if (gap > 0 && Number.isFinite(gap)) {
      skipped += gap;
      if (skippedAt.length < 5) {
        skippedAt.push(`after record ${recs[k - 1]} (line ${lineOf[k - 1]})`);
      }
    }
  }
  if (skipped > 0) {
    warnings.push(`${skipped} record number(s) missing: ${skippedAt.join(", ")}`);
  }
  if (fra.some((v) => v === 1)) {
    warnings.push(
      "FRA (impedance) rows: the test clock stands still during the measurement; wall_clock_s advances",
    );
  }
  if (unknownStates.size > 0) {
    warnings.push(
      `unknown State codes kept with current as written: ${
        [...unknownStates].map(([k, v]) => `"${k}" (${v} rows)`).join(", ")
      }`,
    );
  }

  const series = truncateSeries(s, n);
  series.start_time = startTime;
  const cols: Record<string, ColumnSource> = {
    time_s: source(testTime.name, timeUnit, timeScale),
    voltage_V: source(h[col.volts], "V"),
    current_A: source(
      h[col.amps],
      "A",
      1,
      `sign from column "${h[col.state]}": C positive, D negative, others as written`,
    ),
    step_index: source(col.step >= 0 ? h[col.step] : "", ""),
    cycle_index: source(col.cycle >= 0 ? h[col.cycle] : "", ""),
  };
  if (col.cap >= 0) {
    const note = `per-step counter; charge on "C" rows, 0 elsewhere${
      col.wfChgCap >= 0 ? "; WF Chg Cap on waveform rows" : ""
    }`;
    cols.charge_capacity_Ah = source(h[col.cap], "Ah", 1, note);
    cols.discharge_capacity_Ah = source(
      h[col.cap],
      "Ah",
      1,
      `per-step counter; discharge on "D" rows, 0 elsewhere${
        col.wfDisCap >= 0 ? "; WF Dis Cap on waveform rows" : ""
      }`,
    );
  }
  if (col.energy >= 0) {
    cols.charge_energy_Wh = source(h[col.energy], "Wh", 1, 'per-step counter on "C" rows');
    cols.discharge_energy_Wh = source(h[col.energy], "Wh", 1, 'per-step counter on "D" rows');
  }
  if (col.cycle < 0) warnings.push("no cycle column; cycle_index is 0");
  if (stepT && stepTime) {
    series.extras.step_time_s = stepT.slice(0, n);
    cols.step_time_s = source(
      stepTime.name,
      timeIsClock ? "d hh:mm:ss" : stepTime.unit || timeUnit,
      1,
    );
  }
  if (col.dpt >= 0 && firstWall >= 0) {
    series.extras.wall_clock_s = wall.slice(0, n);
    cols.wall_clock_s = source(
      h[col.dpt],
      "date-time",
      1,
      "seconds since the first row's DPt Time",
    );
  }
  if (es) {
    series.extras.ending_status = es.slice(0, n);
    cols.ending_status = source("ES", "", 1, "Maccor ending status code");
  }
  if (acImp) {
    series.extras.acr_ohm = acImp.slice(0, n);
    cols.acr_ohm = source(h[col.acImp], "Ohms");
  }
  if (dcir) {
    series.extras.internal_resistance_ohm = dcir.slice(0, n);
    cols.internal_resistance_ohm = source(h[col.dcir], "Ohms");
  }
  if (cycleC) {
    series.extras.cycle_c = cycleC.slice(0, n);
    cols.cycle_c = source(h[col.cycleC], "", 1, "second cycle counter of MIMS Client exports");
  }
  if (temp) {
    series.temperature_C = temp.slice(0, n);
    cols.temperature_C = source(h[col.temp], "°C");
  }
  series.columns = cols;
  warnings.push(...finishCounters(series));

  const header_: Record<string, string> = { ...headerInfo };
  const channel = /^(\d+)$/.exec(headerInfo["Channel"] ?? "")?.[1];
  const meta = makeMeta(options, {
    format: "maccor_text",
    instrument: "Maccor",
    start_time: startTime,
    header: header_,
    warnings,
    techniques: ["Cycling"],
    device: headerInfo["Tester"] ?? null,
  });
  if (channel) meta.channel = Number(channel);
  return { meta, series };
}

function inferTimeScale(
  raw: Float64Array,
  wall: Float64Array,
  n: number,
): { scale: number; unit: string } | null {
  // Median over rows of (wall-clock step) / (test-time step), both positive.
  const ratios: number[] = [];
  for (let k = 1; k < n; k++) {
    const dt = raw[k] - raw[k - 1], dw = wall[k] - wall[k - 1];
    if (dt > 0 && dw >= 1 && Number.isFinite(dw)) ratios.push(dw / dt);
  }
  if (ratios.length < 3) return null;
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1];
  for (const [scale, unit] of [[1, "s"], [60, "min"], [3600, "h"]] as const) {
    if (Math.abs(Math.log(median / scale)) < Math.log(1.2)) return { scale, unit };
  }
  return null;
}
