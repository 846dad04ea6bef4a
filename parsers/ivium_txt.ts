// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Ivium (IviumSoft) text exports: an optional first line with the start date and time
 * (`04/03/2021 19:42:30`, day first), a column-title line of quantity/unit titles (`time/s I/A
 * E/V`, or with spaces `time /s`, `I /mA`, `E /V`) and one row per point, the fields separated by
 * tabs, commas, semicolons or runs of spaces. Rows may hold more values than there are titles
 * (IviumSoft appends an untitled column). Layout learned from ixdat's reader
 * (`src/ixdat/readers/ivium.py`, MIT) and Echem.Data's (`R/Ivium.R`); the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { finishCounters, isBlank, source } from "./_columns.ts";
import { isoFromNaiveSeconds, naiveSeconds, numberAt, parseNaiveDateTime } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { allocSeries, truncateSeries } from "./_series.ts";
import { unitFactor } from "./_units.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedRead } from "./_damage.ts";

/** `time/s`, `time /s`, `t/s`, `I/mA`, `I /A`, `E/V`, `E /mV`: quantity, unit. */
const TITLE = /^(time|t|I|E|Q)\s*\/\s*(\S+)$/;

type Delimiter = "\t" | "," | ";" | " ";

/** Split a line on its delimiter; a run of spaces counts as one. */
function fieldsOf(line: string, delimiter: Delimiter): string[] {
  const t = line.trim();
  if (t === "") return [];
  return delimiter === " " ? t.split(/\s+/) : t.split(delimiter).map((f) => f.trim());
}

interface Layout {
  /** 0-based line of the titles. */
  titleLine: number;
  delimiter: Delimiter;
  titles: string[];
}

/** Find the title line (first or second line) with time, current and potential. */
function findLayout(lines: readonly string[]): Layout | null {
  for (let i = 0; i < Math.min(2, lines.length); i++) {
    for (const delimiter of ["\t", ",", ";", " "] as const) {
      if (delimiter !== " " && !lines[i].includes(delimiter)) continue;
      const titles = fieldsOf(lines[i], delimiter).filter((t) => t !== "");
      const kinds = titles.map((t) => TITLE.exec(t)?.[1]);
      if (
        kinds.includes("I") && kinds.includes("E") && kinds.some((k) => k === "time" || k === "t")
      ) {
        return { titleLine: i, delimiter, titles };
      }
    }
  }
  return null;
}

function detect(head: Uint8Array, fileName: string): Detection {
  const lines = splitLines(decodeHead(head).slice(0, 4096));
  const layout = findLayout(lines);
  if (!layout) return { confidence: 0, reason: "" };
  const dated = layout.titleLine === 1 &&
    parseNaiveDateTime(lines[0].trim(), "dmy") !== undefined;
  const ext = /\.(txt|csv|ids|dat)$/i.test(fileName);
  return {
    confidence: dated ? 0.9 : ext ? 0.6 : 0.4,
    reason: `Ivium titles (time/s, I/A, E/V)${dated ? " after a start date-time line" : ""}`,
  };
}

/**
 * Read an Ivium text export. Time → `time_s`, `I` → `current_A` (kept with the sign Ivium
 * writes: positive is anodic at the working electrode, which is charge for a cathode under
 * test), `E` → `voltage_V`; units are converted (`/mA`, `/µA`, `/mV`,
 * `/ms`, `/min`, `/h`); other titled columns (`Q/C`, …) are kept as written as extras. Capacity and energy counters are integrated from the current (marked
 * derived), so cycles come from the current sign. Untitled trailing columns become the extras
 * `unlabeled_1`, … with a warning. The first line's date (day first) gives `start_time`.
 *
 * @param bytes The whole file.
 * @param options File name and naming rule.
 * @returns The recording.
 * @throws {ParseError} Without Ivium titles, or for a row with a missing field or a value that
 *   is not a number (naming the line).
 *
 * @example Usage
 * ```ts
 * import { parseIviumTxt } from "./ivium_txt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "04/03/2021 19:42:30\ntime/s I/A E/V\n0 0.001 3.5 3.49\n3600 0.001 3.7 3.69\n";
 * const { series, meta } = parseIviumTxt(new TextEncoder().encode(text), { fileName: "x.txt" });
 * equal(series!.current_A[1], 0.001);
 * equal(series!.start_time, "2021-03-04T19:42:30");
 * equal(series!.extras.unlabeled_1[0], 3.49);
 * equal(meta.instrument, "Ivium");
 * ```
 */
export function parseIviumTxt(bytes: Uint8Array, options: ParseOptions): Recording {
  return checkedRead(bytes, { ...options, text: true, read: readIviumTxt });
}

function readIviumTxt(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const layout = findLayout(lines);
  if (!layout) {
    throw new ParseError(file, "line 1: no Ivium column titles (time/s, I/A, E/V)", { line: 1 });
  }
  const { titleLine, delimiter, titles } = layout;
  const warnings: string[] = [];
  let start: ReturnType<typeof parseNaiveDateTime>;
  if (titleLine === 1) {
    start = parseNaiveDateTime(lines[0].trim(), "dmy");
    if (!start && lines[0].trim() !== "") {
      warnings.push(`line 1 "${lines[0].trim().slice(0, 40)}" is not a date-time; start unknown`);
    }
  }
  const plan = titles.map((title, index) => {
    const m = TITLE.exec(title);
    if (!m || m[1] === "Q") {
      // Other quantities are kept as written, under a name made from the title.
      const name = title.replace(/\s*\/\s*/, "_").replace(/[^A-Za-z0-9_]+/g, "_");
      return { index, title, target: `extra:${name}`, scale: 1, unit: m?.[2] ?? "" };
    }
    const [, q, unit] = m;
    const quantity = q === "I" ? "current" : q === "E" ? "voltage" : "time";
    const scale = unitFactor(quantity, unit);
    if (scale === undefined) {
      throw new ParseError(file, `line ${titleLine + 1}: unit "${unit}" of "${title}" is unknown`, {
        line: titleLine + 1,
      });
    }
    const target = q === "I" ? "current_A" : q === "E" ? "voltage_V" : "time_s";
    return { index, title, target, scale, unit };
  });
  const n0 = lines.length - titleLine - 1;
  const s = allocSeries(Math.max(0, n0));
  const extras: Record<string, Float64Array> = {};
  let width = titles.length;
  let n = 0;
  for (let i = titleLine + 1; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const f = fieldsOf(lines[i], delimiter);
    if (f.length < titles.length) {
      throw new ParseError(
        file,
        `line ${i + 1} has ${f.length} fields, expected ${titles.length}`,
        {
          line: i + 1,
        },
      );
    }
    if (n === 0 && f.length > titles.length) {
      width = f.length;
      warnings.push(
        `${f.length - titles.length} untitled column(s) after "${
          titles[titles.length - 1]
        }" read as unlabeled_1… (IviumSoft appends them without a title)`,
      );
    }
    for (const p of plan) {
      const v = numberAt(f[p.index], file, i + 1, p.title) * p.scale;
      if (p.target.startsWith("extra:")) {
        (extras[p.target.slice(6)] ??= new Float64Array(n0).fill(NaN))[n] = v;
      } else (s[p.target as "time_s" | "current_A" | "voltage_V"] as Float64Array)[n] = v;
    }
    for (let c = titles.length; c < width; c++) {
      const name = `unlabeled_${c - titles.length + 1}`;
      (extras[name] ??= new Float64Array(n0).fill(NaN))[n] = f[c] === undefined
        ? NaN
        : numberAt(f[c], file, i + 1, name);
    }
    n++;
  }
  if (n === 0) {
    throw new ParseError(file, `no data rows after the titles on line ${titleLine + 1}`, {
      line: titleLine + 2,
    });
  }
  const series = truncateSeries(s, n);
  for (const [k, v] of Object.entries(extras)) series.extras[k] = v.slice(0, n);
  for (const p of plan) {
    const key = p.target.startsWith("extra:") ? p.target.slice(6) : p.target;
    series.columns[key] = source(p.title, p.unit, p.scale);
  }
  for (let c = titles.length; c < width; c++) {
    const name = `unlabeled_${c - titles.length + 1}`;
    series.columns[name] = source("", "", 1, "untitled column of the export");
  }
  if (start) series.start_time = isoFromNaiveSeconds(naiveSeconds(start));
  warnings.push(...finishCounters(series));
  const meta = makeMeta(options, {
    format: "ivium_txt",
    instrument: "Ivium",
    start_time: series.start_time,
    techniques: ["Cycling"],
    warnings,
  });
  return { meta, series };
}

/** The Ivium text format for the registry. */
export const iviumTxt: FormatParser = {
  id: "ivium_txt",
  name: "Ivium text export",
  instrument: "Ivium",
  extensions: [".txt", ".csv"],
  kind: "cycling",
  detect,
  parse: parseIviumTxt,
};
