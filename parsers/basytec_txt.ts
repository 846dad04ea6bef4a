// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Basytec BTS result text exports (`~`-prefixed header lines, tab-separated table).
 *
 * Layout learned from PyProBE (`pyprobe/cyclers/basytec.py`, BSD-3-Clause); the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { currentSignWarning, findColumn } from "./_columns.ts";
import { isoFromNaiveSeconds, naiveIso, naiveSeconds, parseNaiveDateTime } from "./_delimited.ts";
import { makeMeta } from "./_meta.ts";
import { UNITS } from "./_units.ts";
import { integrateMissingCounters } from "./_series.ts";
import { type Mapping, matchColumn, readTable } from "./_table.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

function detect(head: Uint8Array, _fileName: string): Detection {
  const text = decodeHead(head);
  if (/^~Resultfile from Basytec/i.test(text)) {
    return { confidence: 1, reason: "~Resultfile from Basytec header" };
  }
  if (/^~/.test(text) && /\n~Time\[\w+\]\t/.test(text)) {
    return { confidence: 0.7, reason: "~ header lines and a ~Time[...] column header" };
  }
  return { confidence: 0, reason: "" };
}

/**
 * The Basytec text reader.
 *
 * - `~Time[s|min|h]` → `time_s`; `U[V]`, `I[A]` (signed, positive on charge; checked against
 *   the counters); `T1[...]` → `temperature_C`; `Line` → `step_index` (the test-plan line, as
 *   PyProBE reads it); `Cyc-Count` → `cycle_index`; `t-Step[s]` → extra `step_time_s`;
 *   `Ah[Ah]` → extra `net_capacity_Ah`; `P[W]` → `power_W`.
 * - Counters: `Ah-Cyc-Charge` / `Ah-Cyc-Discharge` and `Wh-Cyc-...` (per-cycle counters, in Ah
 *   and Wh by their names), absolute values (discharge may be written negative). Without them,
 *   counters are integrated from current (marked `derived`).
 * - `~Start of Test: dd.mm.yyyy hh:mm:ss` gives `start_time`. `R-AC`/`R-DC` (no unit stated)
 *   and the `Command` text are not read.
 */
export const basytecTxt: FormatParser = checkedFormat("text", {
  id: "basytec_txt",
  name: "Basytec result text",
  instrument: "Basytec",
  extensions: [".txt"],
  kind: "cycling",
  detect,
  parse: parseBasytec,
});

function parseBasytec(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  let headerIndex = -1;
  const header: Record<string, string> = {};
  for (let i = 0; i < lines.length && lines[i].startsWith("~"); i++) {
    if (/^~Time\[/.test(lines[i]) || lines[i].indexOf("\t") >= 0) {
      headerIndex = i;
      break;
    }
    const m = /^~([^:]+):\s*(.*)$/.exec(lines[i]);
    if (m) header[m[1].trim()] = m[2].trim();
  }
  if (headerIndex < 0) {
    throw new ParseError(file, "no ~Time[...] column header after the ~ header lines", { line: 1 });
  }
  const h = lines[headerIndex].replace(/^~/, "").split("\t").map((x) => x.trim());
  const time = matchColumn(h, /^Time\[(?<unit>s|min|h)\]$/);
  const u = matchColumn(h, /^U\[(?<unit>V)\]$/);
  const i = matchColumn(h, /^I\[(?<unit>A)\]$/);
  if (!time || !u || !i) {
    throw new ParseError(file, `line ${headerIndex + 1}: needs Time[s], U[V] and I[A] columns`, {
      line: headerIndex + 1,
    });
  }
  const mappings: Mapping[] = [
    { index: time.index, target: "time_s", unit: time.unit, scale: UNITS.time[time.unit] },
    { index: u.index, target: "voltage_V", unit: "V" },
    { index: i.index, target: "current_A", unit: "A" },
  ];
  const add = (name: string, target: Mapping["target"], unit: string, abs = false): boolean => {
    const c = findColumn(h, name);
    if (c < 0) return false;
    mappings.push({ index: c, target, unit, abs, note: abs ? "absolute value" : undefined });
    return true;
  };
  const haveQ = add("Ah-Cyc-Charge", "charge_capacity_Ah", "Ah", true) &&
    add("Ah-Cyc-Discharge", "discharge_capacity_Ah", "Ah", true);
  const haveE = add("Wh-Cyc-Charge", "charge_energy_Wh", "Wh", true) &&
    add("Wh-Cyc-Discharge", "discharge_energy_Wh", "Wh", true);
  add("Line", "step_index", "");
  const hasCycle = add("Cyc-Count", "cycle_index", "");
  add("t-Step[s]", "extras.step_time_s", "s");
  add("Ah[Ah]", "extras.net_capacity_Ah", "Ah");
  add("P[W]", "extras.power_W", "W");
  const t1 = matchColumn(h, /^T1\[(?<unit>.*C)\]$/);
  if (t1) mappings.push({ index: t1.index, target: "temperature_C", unit: t1.unit });
  const table = readTable(lines, headerIndex, h, mappings, { file, delimiter: "\t" });
  const s = table.series;
  const warnings = table.warnings;
  if (!haveQ || !haveE) {
    warnings.push("no Ah-Cyc-/Wh-Cyc- counters; counters integrated from current");
    for (
      const k of [
        "charge_capacity_Ah",
        "discharge_capacity_Ah",
        "charge_energy_Wh",
        "discharge_energy_Wh",
      ] as const
    ) {
      if (!haveQ && k.endsWith("Ah")) s[k].fill(NaN);
      if (!haveE && k.endsWith("Wh")) s[k].fill(NaN);
    }
  }
  if (!hasCycle) warnings.push("no Cyc-Count column; cycle_index is 0");
  const startText = header["Start of Test"];
  const start = startText ? parseNaiveDateTime(startText, "dmy") : undefined;
  if (start) {
    const t0 = s.time_s[0];
    s.start_time = naiveIso(start);
    if (Number.isFinite(t0) && t0 !== 0) {
      s.start_time = isoFromNaiveSeconds(naiveSeconds(start) + t0);
    }
  } else if (startText) warnings.push(`"~Start of Test: ${startText}" is not a date-time`);
  if (!haveQ || !haveE) integrateMissingCounters(s);
  const sign = currentSignWarning(s);
  if (sign) warnings.push(sign);
  const channel = /CH(\d+)/.exec(header["Testchannel"] ?? "")?.[1];
  const meta = makeMeta(options, {
    format: "basytec_txt",
    instrument: "Basytec",
    start_time: start ? naiveIso(start) : null,
    techniques: ["Cycling"],
    header,
    warnings,
    device: header["Testchannel"] ?? null,
  });
  if (channel) meta.channel = Number(channel);
  return { meta, series: s };
}
