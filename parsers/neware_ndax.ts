// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// Neware BTS 8.x `.ndax` reader: a zip archive of XML descriptions (TestInfo, Step,
// VersionInfo) and binary `.ndc` parts (data, runInfo, step, auxiliary channels).
// Byte layouts and the way the parts are joined were learned from the BSD-3-Clause NewareNDA
// project (Solid-Energy-Systems/NewareNDA, © SES AI, Daniel Cogswell); independent TypeScript
// implementation.

import type { Recording } from "../lib/model/file_meta.ts";
import { makeMeta } from "./_meta.ts";
import { unzip } from "./_zip.ts";
import { allocRows, buildNewareSeries, NEWARE_STATES, type NewareAux } from "./_neware_common.ts";
import {
  type NdcAuxColumn,
  ndcHeader,
  type NdcMain,
  type NdcSource,
  readNdcAux,
  readNdcMain,
  readNdcRunInfo,
  readNdcSteps,
} from "./_neware_ndc.ts";
import { extensionOf } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * Neware `.ndax` archives (BTS 8.x; `.ndc` part versions 2, 5, 11, 14, 16 and 17). Current is
 * positive on charge; the file's step time becomes `extras.step_time_s` and the test time
 * `time_s` is accumulated over the steps. Auxiliary channels become extras
 * (`aux_temperature_<id>_C`, `aux_voltage_<id>_V`), the first temperature also `temperature_C`.
 *
 * @example Usage
 * ```ts
 * import { newareNdax } from "./neware_ndax.ts";
 * import { zipSync, strToU8 } from "npm:fflate@0.8.3";
 * import { equal, throws } from "node:assert/strict";
 *
 * const zip = zipSync({ "VersionInfo.xml": strToU8("<root/>") });
 * equal(newareNdax.detect(zip, "cell.ndax").confidence, 0.9);
 * throws(() => newareNdax.parse(zip, { fileName: "cell.ndax" }), /data\.ndc/);
 * ```
 */
export const newareNdax: FormatParser = checkedFormat("binary", {
  id: "neware_ndax",
  name: "Neware NDAX archive",
  instrument: "Neware",
  extensions: [".ndax"],
  kind: "cycling",
  detect(head: Uint8Array, fileName: string): Detection {
    const ext = extensionOf(fileName) === ".ndax";
    const zip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
    if (!zip) {
      return ext
        ? { confidence: 0.2, reason: "extension .ndax but not a zip archive" }
        : { confidence: 0, reason: "not a zip archive" };
    }
    // Local file headers name the parts: look for the Neware part names in the head.
    const text = new TextDecoder("latin1").decode(head);
    const parts = ["VersionInfo.xml", "TestInfo.xml", "Step.xml", "data.ndc"].filter((p) =>
      text.includes(p)
    );
    if (parts.length > 0) {
      return {
        confidence: ext ? (parts.includes("data.ndc") ? 1 : 0.9) : 0.85,
        reason: `zip archive with Neware parts ${parts.join(", ")}`,
      };
    }
    return ext
      ? { confidence: 0.3, reason: "zip archive with .ndax extension" }
      : { confidence: 0, reason: "zip archive without Neware parts" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    return parseNdax(bytes, options);
  },
});

/** Attributes of the first element `tag` in `xml`, or `null`. */
function attributes(xml: string, tag: string): Record<string, string> | null {
  const m = new RegExp(`<${tag}\\b([^>]*?)/?>`).exec(xml);
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const a of m[1].matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) out[a[1]] = unescapeXml(a[2]);
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

function decodeXml(bytes: Uint8Array): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 100));
  const enc = /encoding="([^"]+)"/i.exec(head)?.[1]?.toLowerCase() ?? "utf-8";
  try {
    return new TextDecoder(enc).decode(bytes);
  } catch {
    return new TextDecoder("gbk").decode(bytes);
  }
}

/** Quantities of the auxiliary channel types in TestInfo.xml (as NewareNDA names them). */
const AUX_CHANNEL_TYPES: Record<string, string> = { "103": "T", "335": "t", "345": "H" };

function auxColumnName(kind: string, id: string): { name: string; unit: string } {
  switch (kind) {
    case "T":
      return { name: `aux_temperature_${id}_C`, unit: "°C" };
    case "V":
      return { name: `aux_voltage_${id}_V`, unit: "V" };
    case "t":
      return { name: `aux_t_${id}`, unit: "" };
    case "H":
      return { name: `aux_humidity_${id}`, unit: "" };
    default:
      return { name: `aux_${id}`, unit: "" };
  }
}

function parseNdax(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new ParseError(
      file,
      `byte offset 0 is not a zip signature (expected "PK"; file is ${bytes.length} bytes)`,
      { offset: 0 },
    );
  }
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzip(bytes);
  } catch (error) {
    throw new ParseError(
      file,
      `cannot unzip the archive (${(error as Error).message}); expected a complete zip file ` +
        `of ${bytes.length}+ bytes with a central directory at the end`,
      { offset: bytes.length, cause: error },
    );
  }
  const names = Object.keys(parts);
  const warnings: string[] = [];
  const header: Record<string, string> = {};
  const xml = (name: string) => (parts[name] ? decodeXml(parts[name]) : null);
  const versionXml = xml("VersionInfo.xml");
  const zwj = versionXml ? attributes(versionXml, "ZwjVersion") : null;
  if (zwj) {
    if (zwj.SvrVer) header.server_version = zwj.SvrVer;
    if (zwj.CurrClientVer) header.client_version = zwj.CurrClientVer;
    if (zwj.ZwjVersion) header.control_unit_version = zwj.ZwjVersion;
    if (zwj.MainXwjVer) header.tester_version = zwj.MainXwjVer;
  }
  const testXml = xml("TestInfo.xml");
  const info = testXml ? attributes(testXml, "TestInfo") : null;
  const auxInfo: Record<string, string>[] = [];
  if (info) {
    for (const key of Object.keys(info)) header[`test_${key}`] = info[key];
    for (let i = 1; testXml && i <= 64; i++) {
      const a = attributes(testXml, `Aux${i}`);
      if (!a) break;
      auxInfo.push(a);
    }
  }
  const stepXml = xml("Step.xml");
  if (stepXml) {
    const schedule: string[] = [];
    for (const m of stepXml.matchAll(/<Step\d+\s([^>]*?)\/?>/g)) {
      const id = /Step_ID="(\d+)"/.exec(m[1])?.[1];
      const type = /Step_Type="(\d+)"/.exec(m[1])?.[1];
      if (id && type) schedule.push(`${id}=${NEWARE_STATES[Number(type)] ?? `type ${type}`}`);
    }
    if (schedule.length > 0) header.schedule_steps = schedule.join("; ");
    const remark = attributes(stepXml, "Remark");
    if (remark?.Value) header.remarks = remark.Value;
  }

  const source = (part: string): NdcSource => ({ file, part, warnings });
  const data = parts["data.ndc"];
  if (!data) {
    throw new ParseError(
      file,
      `the archive has no data.ndc part (parts: ${names.join(", ") || "none"})`,
      { offset: 0 },
    );
  }
  const version = ndcHeader(data, source("data.ndc")).version;
  const main = readNdcMain(data, source("data.ndc"));
  let rows;
  let utc: boolean;
  if (main.full) {
    rows = fromFullRecords(main);
    utc = false;
  } else {
    const runInfo = parts["data_runInfo.ndc"];
    const steps = parts["data_step.ndc"];
    if (!runInfo || !steps) {
      throw new ParseError(
        file,
        `data.ndc (version ${version}) holds only voltage and current; expected ` +
          "data_runInfo.ndc and data_step.ndc parts in the archive",
        { offset: 0 },
      );
    }
    rows = joinSplitParts(
      main,
      readNdcRunInfo(runInfo, source("data_runInfo.ndc")),
      readNdcSteps(steps, source("data_step.ndc")),
      warnings,
    );
    utc = true;
  }

  // Auxiliary parts, ordered by the numbers in their names and paired with TestInfo's AuxN.
  const auxParts = names.flatMap((name) => {
    const full = /data_AUX_(\d+)_(\d+)_(\d+)\.ndc$/.exec(name);
    if (full) return [{ name, key: full.slice(1).map(Number) }];
    const short = /_(\d+)\.ndc$/.exec(name);
    return short ? [{ name, key: [Number(short[1]), 0, 0] }] : [];
  }).sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
  if (auxParts.length > 0 && auxInfo.length !== auxParts.length) {
    warnings.push(
      `${auxParts.length} auxiliary parts but ${auxInfo.length} Aux entries in TestInfo.xml; ` +
        "channel ids come from the records",
    );
  }
  const aux: NewareAux[] = [];
  auxParts.forEach((part, i) => {
    const entry = auxInfo.length === auxParts.length ? auxInfo[i] : undefined;
    const columns: NdcAuxColumn[] = readNdcAux(parts[part.name], source(part.name));
    for (const col of columns) {
      const id = entry?.AuxID ?? (col.channel !== null ? String(col.channel) : String(-i - 1));
      let kind = col.kind;
      if (kind === "?") kind = AUX_CHANNEL_TYPES[entry?.ChlType ?? ""] ?? "?";
      const { name, unit } = auxColumnName(kind, id);
      aux.push({
        name,
        original: `${kind}${id} (${part.name})`,
        unit,
        index: col.index,
        value: col.value,
        n: col.index.length,
      });
    }
  });

  const built = buildNewareSeries(rows, aux, { utc, format: "neware_ndax" });
  header.step_types = built.stepTypes;
  header.ndc_version = String(version);
  const channel = info?.ChlID !== undefined ? Number(info.ChlID) : null;
  const meta = makeMeta(options, {
    format: "neware_ndax",
    instrument: "Neware",
    format_version: `ndax ndc v${version}` +
      (header.client_version ? ` (${header.client_version})` : ""),
    start_time: built.series.start_time,
    device: info?.DevID !== undefined ? `${info.DevID}-${info.UnitID ?? "?"}` : null,
    header,
    warnings: [...warnings, ...built.warnings],
    techniques: ["Cycling"],
  });
  if (channel !== null && Number.isFinite(channel)) meta.channel = channel;
  if (!utc && built.series.start_time) {
    meta.warnings.push("record dates are the instrument's local time without a time zone");
  }
  return { meta, series: built.series };
}

/** Versions 2 and 5: every main record is complete. */
function fromFullRecords(main: NdcMain) {
  const f = main.full!;
  const rows = allocRows(main.n);
  rows.n = main.n;
  rows.index.set(main.index.subarray(0, main.n));
  rows.voltage_V.set(main.voltage_V.subarray(0, main.n));
  rows.current_mA.set(main.current_mA.subarray(0, main.n));
  rows.cycle.set(f.cycle.subarray(0, main.n));
  rows.stepIndex.set(f.stepIndex.subarray(0, main.n));
  for (let k = 0; k < main.n; k++) rows.stepKey[k] = f.stepIndex[k];
  rows.status.set(f.status.subarray(0, main.n));
  rows.stepTime_s.set(f.stepTime_s.subarray(0, main.n));
  rows.chargeCapacity_mAh.set(f.chargeCapacity_mAh.subarray(0, main.n));
  rows.dischargeCapacity_mAh.set(f.dischargeCapacity_mAh.subarray(0, main.n));
  rows.chargeEnergy_mWh.set(f.chargeEnergy_mWh.subarray(0, main.n));
  rows.dischargeEnergy_mWh.set(f.dischargeEnergy_mWh.subarray(0, main.n));
  rows.unixTime_s.set(f.localTime_s.subarray(0, main.n));
  return rows;
}

/**
 * Versions 11–17: voltage/current by record index in data.ndc, time/capacity/energy in runInfo
 * (not for every index), cycle/step/state per step in the step table. Rows without a runInfo
 * record get time extended by the record interval and capacity/energy integrated from current
 * (rectangle rule over the interval, as NewareNDA does); they are flagged.
 *
 * The step of a row (its entry in the step table) is, in order of preference: the step whose
 * first record index (versions 16, 17) is the last at or before the row's index; the step
 * number of the runInfo record that governs the row (1-based position in the step table);
 * or, if those numbers do not fit the table, the count of changes of that number.
 */
function joinSplitParts(
  main: NdcMain,
  run: ReturnType<typeof readNdcRunInfo>,
  steps: ReturnType<typeof readNdcSteps>,
  warnings: string[],
) {
  const n = main.n;
  const rows = allocRows(n);
  rows.n = n;
  const interpolated = new Uint8Array(n);
  rows.interpolated = interpolated;
  const byIndex = new Map<number, number>();
  for (let k = 0; k < run.n; k++) if (!byIndex.has(run.index[k])) byIndex.set(run.index[k], k);
  const stepOfRun = runSteps(run, steps, warnings);
  const firstIndex = stepStarts(steps);
  let next = 0; // next step (0-based) whose first record index is still ahead
  let step = NaN, dt = NaN;
  let t0 = NaN, u0 = NaN, qc = NaN, qd = NaN, ec = NaN, ed = NaN;
  let tInc = 0, qInc = 0, eInc = 0;
  for (let k = 0; k < n; k++) {
    const index = main.index[k];
    const v = main.voltage_V[k], i = main.current_mA[k];
    rows.index[k] = index;
    rows.voltage_V[k] = v;
    rows.current_mA[k] = i;
    const r = byIndex.get(index);
    if (r !== undefined) {
      step = stepOfRun[r];
      dt = run.dt_s[r];
      t0 = run.stepTime_s[r];
      u0 = run.unixTime_s[r];
      qc = Math.abs(run.chargeCapacity_mAh[r]);
      qd = Math.abs(run.dischargeCapacity_mAh[r]);
      ec = Math.abs(run.chargeEnergy_mWh[r]);
      ed = Math.abs(run.dischargeEnergy_mWh[r]);
      tInc = qInc = eInc = 0;
      rows.stepTime_s[k] = t0;
      rows.unixTime_s[k] = u0;
      rows.chargeCapacity_mAh[k] = run.chargeCapacity_mAh[r];
      rows.dischargeCapacity_mAh[k] = run.dischargeCapacity_mAh[r];
      rows.chargeEnergy_mWh[k] = run.chargeEnergy_mWh[r];
      rows.dischargeEnergy_mWh[k] = run.dischargeEnergy_mWh[r];
    } else {
      interpolated[k] = 1;
      tInc += dt;
      const dq = dt * i / 3600;
      qInc += dq;
      eInc += dq * v;
      rows.stepTime_s[k] = t0 + tInc;
      rows.unixTime_s[k] = u0 + tInc;
      rows.chargeCapacity_mAh[k] = qc + (qInc > 0 ? qInc : 0);
      rows.dischargeCapacity_mAh[k] = qd + (qInc < 0 ? -qInc : 0);
      rows.chargeEnergy_mWh[k] = ec + (eInc > 0 ? eInc : 0);
      rows.dischargeEnergy_mWh[k] = ed + (eInc < 0 ? -eInc : 0);
    }
    if (firstIndex) {
      while (next < steps.n && firstIndex[next] <= index) next++;
      step = next;
    }
    rows.stepKey[k] = step;
    const s = step - 1;
    if (s >= 0 && s < steps.n) {
      rows.cycle[k] = steps.cycle[s];
      rows.stepIndex[k] = steps.stepIndex[s];
      rows.status[k] = steps.status[s];
    }
  }
  return rows;
}

/**
 * The step (1-based position in the step table) of each runInfo record: its own step number
 * when every number is a position in the table and they never decrease (all files seen), else
 * the count of changes of the number, with a warning.
 */
function runSteps(
  run: ReturnType<typeof readNdcRunInfo>,
  steps: ReturnType<typeof readNdcSteps>,
  warnings: string[],
): Float64Array {
  let fits = true;
  for (let k = 0; k < run.n && fits; k++) {
    const v = run.step[k];
    fits = Number.isInteger(v) && v >= 1 && v <= steps.n && (k === 0 || v >= run.step[k - 1]);
  }
  if (fits) return run.step;
  warnings.push(
    "data_runInfo.ndc: its step numbers are not positions in the step table; a new step is " +
      "counted wherever the number changes",
  );
  const out = new Float64Array(run.n);
  let count = 0;
  for (let k = 0; k < run.n; k++) {
    if (k === 0 || run.step[k] !== run.step[k - 1]) count++;
    out[k] = count;
  }
  return out;
}

/** First record index of each step (versions 16, 17) when usable (increasing), else null. */
function stepStarts(steps: ReturnType<typeof readNdcSteps>): Float64Array | null {
  const first = steps.firstIndex;
  if (!first || steps.n === 0) return null;
  for (let k = 0; k < steps.n; k++) {
    if (!(first[k] >= 1) || (k > 0 && !(first[k] > first[k - 1]))) return null;
  }
  return first;
}
