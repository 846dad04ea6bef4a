// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// Neware BTS .nda reader: file versions 5–8, 14–24 (older BTS), 26–29 (BTS 7.x/8.x) and
// 130 (BTS 9.0/9.1).
// Byte layouts learned from the BSD-3-Clause NewareNDA project (Solid-Energy-Systems/NewareNDA,
// © SES AI, Daniel Cogswell); independent TypeScript implementation.

import type { Recording } from "../lib/model/file_meta.ts";
import { cString, findBytes, findBytesLast, hexAt, latin1NoNul, u64 } from "./_bytes.ts";
import { makeMeta } from "./_meta.ts";
import {
  allocRows,
  AuxCollector,
  buildNewareSeries,
  type NewareAux,
  type NewareRows,
  rangeScale,
} from "./_neware_common.ts";
import { readNdaV14, readNdaV5 } from "./_neware_nda_older.ts";
import { extensionOf } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

const MAGIC = [0x4e, 0x45, 0x57, 0x41, 0x52, 0x45]; // "NEWARE"
const V29_RECORD = 86;
/** Versions whose 86-byte records carry a Unix time (see `_neware_nda_older.ts`). */
const V14_FAMILY = new Set([14, 16, 17, 20, 22, 23, 24]);
const V130_RECORD = 88;

/**
 * Neware BTS binary `.nda` files: versions 5–8, 14, 16, 17, 20, 22–24, 26, 28 and 29 (integer
 * records of older BTS and BTS 7.x/8.x) and 130 (BTS 9.0
 * and 9.1, floating-point records). Current is positive on charge; the step time of the file
 * becomes `extras.step_time_s` and the test time `time_s` is accumulated over the steps.
 *
 * @example Usage
 * ```ts
 * import { newareNda } from "./neware_nda.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * const head = new TextEncoder().encode("NEWARE20200325\x1d");
 * equal(newareNda.detect(head, "cell.nda").confidence, 1);
 * equal(newareNda.detect(new Uint8Array(16), "cell.csv").confidence, 0);
 * throws(() => newareNda.parse(head, { fileName: "cell.nda" }), /cell\.nda/);
 * ```
 */
export const newareNda: FormatParser = checkedFormat("binary", {
  id: "neware_nda",
  name: "Neware NDA binary",
  instrument: "Neware",
  extensions: [".nda"],
  kind: "cycling",
  detect(head: Uint8Array, fileName: string): Detection {
    const magic = MAGIC.every((b, i) => head[i] === b);
    const ext = extensionOf(fileName) === ".nda";
    if (magic) {
      return {
        confidence: ext ? 1 : 0.95,
        reason: `"NEWARE" signature, file version ${head[14] ?? "?"}`,
      };
    }
    return ext
      ? { confidence: 0.2, reason: "extension .nda but no NEWARE signature" }
      : { confidence: 0, reason: "no NEWARE signature" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    return parseNda(bytes, options);
  },
});

function parseNda(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  if (bytes.length < 15 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new ParseError(
      file,
      bytes.length < 15
        ? `file is ${bytes.length} bytes, expected a Neware header of at least 15 bytes`
        : `byte offset 0 holds ${hexAt(bytes, 0, 6)}, expected the "NEWARE" signature`,
      { offset: 0 },
    );
  }
  const version = bytes[14];
  const header: Record<string, string> = { nda_version: String(version) };
  const warnings: string[] = [];
  let rows: NewareRows;
  let aux: NewareAux[];
  let utc: boolean;
  let activeMass_g: number | null = null;
  if (version === 26 || version === 28 || version === 29) {
    ({ rows, aux } = readV29(bytes, file, warnings, header));
    utc = false;
    if (version === 29 && bytes.length >= 156) {
      const mg = new DataView(bytes.buffer, bytes.byteOffset).getUint32(152, true) / 1000;
      header.active_mass_mg = String(mg);
      activeMass_g = mg / 1000;
    }
    const remarks = version === 29 ? latin1NoNul(bytes, 2317, 2417) : "";
    if (remarks) header.remarks = remarks;
  } else if (V14_FAMILY.has(version)) {
    ({ rows, aux } = readNdaV14(bytes, file, warnings, header));
    utc = true;
  } else if (version >= 5 && version <= 8) {
    ({ rows, aux } = readNdaV5(bytes, file, warnings, header, version));
    utc = true;
  } else if (version === 130) {
    ({ rows, aux } = readV130(bytes, file, warnings, header));
    utc = true;
  } else {
    throw new ParseError(
      file,
      `byte offset 14 holds NDA version ${version}, expected one of the versions supported ` +
        "(5-8, 14, 16, 17, 20, 22-24, 26, 28, 29, 130)",
      { offset: 14 },
    );
  }
  const server = findBytes(bytes, [...new TextEncoder().encode("BTSServer")]);
  if (server !== -1) {
    header.server_version = cString(bytes, server, server + 50);
    const client = cString(bytes, server + 100, server + 150);
    if (client) header.client_version = client;
  }
  const built = buildNewareSeries(rows, aux, { utc, format: "neware_nda" });
  header.step_types = built.stepTypes;
  const meta = makeMeta(options, {
    format: "neware_nda",
    instrument: "Neware",
    format_version: `nda v${version}` +
      (header.bts_version ? ` (BTS ${header.bts_version})` : ""),
    start_time: built.series.start_time,
    active_mass_g: activeMass_g,
    header,
    warnings: [...warnings, ...built.warnings],
    techniques: ["Cycling"],
  });
  if (!utc && built.series.start_time) {
    meta.warnings.push("record dates are the instrument's local time without a time zone");
  }
  return { meta, series: built.series };
}

/** Version 29: 86-byte integer records after a variable header. */
function readV29(
  bytes: Uint8Array,
  file: string,
  warnings: string[],
  header: Record<string, string>,
): { rows: NewareRows; aux: NewareAux[] } {
  const size = bytes.length;
  // The data starts at the first `55 00` record (preceded by four zero bytes) with a non-zero
  // state that is followed by another `55` record or the end of the file.
  const marker = [0, 0, 0, 0, 0x55, 0];
  let h = findBytes(bytes, marker);
  while (h !== -1) {
    const start = h + 4;
    const next = start + V29_RECORD;
    if (next >= size) break;
    if (bytes[next] === 0x55 && bytes[start + 12] !== 0) break;
    h = findBytes(bytes, marker, h + 4);
  }
  if (h === -1) {
    throw new ParseError(
      file,
      `no data record found in ${size} bytes (expected a record starting 55 00 after the header)`,
      { offset: size },
    );
  }
  const start = h + 4;
  header.data_offset = String(start);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = allocRows(Math.floor((size - start) / V29_RECORD));
  const auxOut = new AuxCollector();
  const skipped = new Map<string, number>();
  let invalid = 0;
  let lastRange = NaN, scale = NaN;
  let lastDay = -1, dayStart = NaN;
  const { index, cycle, stepIndex, stepKey, status, stepTime_s, voltage_V, current_mA } = rows;
  const { chargeCapacity_mAh, dischargeCapacity_mAh, chargeEnergy_mWh, dischargeEnergy_mWh } = rows;
  const { unixTime_s } = rows;
  let n = 0;
  let p = start;
  for (; p + V29_RECORD <= size; p += V29_RECORD) {
    const b0 = bytes[p];
    const tailZero = view.getUint32(p + 82, true) === 0;
    if (b0 === 0x55 && bytes[p + 1] === 0 && tailZero) {
      const idx = view.getUint32(p + 2, true);
      const st = bytes[p + 12];
      if (idx === 0 || st === 0) {
        invalid++;
        continue;
      }
      const range = view.getInt32(p + 78, true);
      if (range !== lastRange) {
        const s = rangeScale(range);
        if (s === undefined) {
          throw new ParseError(
            file,
            `record at byte offset ${p} has current range ${range}, which is not a known ` +
              "Neware range (cannot scale current and capacity)",
            { offset: p + 78 },
          );
        }
        lastRange = range;
        scale = s;
      }
      index[n] = idx;
      cycle[n] = view.getUint32(p + 6, true) + 1;
      stepIndex[n] = view.getUint16(p + 10, true);
      stepKey[n] = view.getUint32(p + 10, true);
      status[n] = st;
      stepTime_s[n] = (view.getUint32(p + 14, true) + view.getUint32(p + 18, true) * 4294967296) /
        1000;
      voltage_V[n] = view.getInt32(p + 22, true) / 10000;
      current_mA[n] = view.getInt32(p + 26, true) * scale;
      const q = scale / 3600;
      // Signed 64-bit counters as low + high × 2^32 (exact below 2^53).
      chargeCapacity_mAh[n] =
        (view.getUint32(p + 38, true) + view.getInt32(p + 42, true) * 4294967296) * q;
      dischargeCapacity_mAh[n] =
        (view.getUint32(p + 46, true) + view.getInt32(p + 50, true) * 4294967296) * q;
      chargeEnergy_mWh[n] =
        (view.getUint32(p + 54, true) + view.getInt32(p + 58, true) * 4294967296) * q;
      dischargeEnergy_mWh[n] =
        (view.getUint32(p + 62, true) + view.getInt32(p + 66, true) * 4294967296) * q;
      const day = view.getUint32(p + 70, true); // year, month, day
      if (day !== lastDay) {
        lastDay = day;
        dayStart = Date.UTC(view.getUint16(p + 70, true), bytes[p + 72] - 1, bytes[p + 73]) / 1000;
      }
      unixTime_s[n] = dayStart + bytes[p + 74] * 3600 + bytes[p + 75] * 60 + bytes[p + 76];
      n++;
    } else if (b0 === 0x65 && tailZero) {
      const ch = bytes[p + 1];
      const idx = view.getUint32(p + 2, true);
      auxOut.add(`T${ch}`, "°C", idx, view.getInt16(p + 34, true) / 10);
      auxOut.add(`V${ch}`, "V", idx, view.getInt32(p + 22, true) / 10000);
    } else {
      const key = b0.toString(16).padStart(2, "0");
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
    }
  }
  rows.n = n;
  if (p < size) trailing(bytes, p, V29_RECORD, file, warnings);
  if (invalid > 0) warnings.push(`${invalid} record(s) with index 0 or state 0 were skipped`);
  for (const [key, count] of skipped) {
    warnings.push(`${count} record(s) of type 0x${key} (not data or auxiliary) were skipped`);
  }
  return { rows, aux: auxOut.columns() };
}

/** A partial record at the end: an error when it starts like a record, else a warning. */
function trailing(
  bytes: Uint8Array,
  p: number,
  recordLength: number,
  file: string,
  warnings: string[],
): void {
  const left = bytes.length - p;
  if (bytes[p] === 0x55 || bytes[p] === 0x65) {
    throw new ParseError(
      file,
      `truncated: the record at byte offset ${p} has ${left} bytes, expected ${recordLength}`,
      { offset: p },
    );
  }
  warnings.push(`${left} trailing byte(s) at offset ${p} are not a whole record; ignored`);
}

/** Version 130 (BTS 9.x): float records from byte 1024. */
function readV130(
  bytes: Uint8Array,
  file: string,
  warnings: string[],
  header: Record<string, string>,
): { rows: NewareRows; aux: NewareAux[] } {
  const size = bytes.length;
  if (size < 1024 + 56) {
    throw new ParseError(
      file,
      `file is ${size} bytes, expected records from byte offset 1024 (NDA version 130)`,
      { offset: size },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const auxOut = new AuxCollector();
  const version = (prefix: string) => {
    const at = findBytes(bytes, [...new TextEncoder().encode(prefix)]);
    return at === -1 ? null : cString(bytes, at, at + 40);
  };
  let rows: NewareRows;
  let p = 1024;
  if (bytes[1024] === 0x55) {
    // BTS 9.1: the record length is the distance to the next record with the same two bytes.
    header.bts_version = version("9.1.") ?? "9.1";
    const next = findBytes(bytes, [bytes[1024], bytes[1025]], 1026);
    const recordLength = next - 1024;
    if (next === -1 || recordLength < 52) {
      throw new ParseError(
        file,
        "cannot find the second BTS 9.1 record after byte offset 1024 (expected records of " +
          "at least 52 bytes starting with 55)",
        { offset: 1024 },
      );
    }
    header.record_length = String(recordLength);
    rows = allocRows(Math.floor((size - 1024) / recordLength));
    let n = 0;
    for (; p + recordLength <= size; p += recordLength) {
      if (bytes[p] !== 0x55) continue;
      rows.index[n] = view.getUint32(p + 8, true);
      rows.stepIndex[n] = bytes[p + 2];
      rows.stepKey[n] = bytes[p + 2];
      rows.status[n] = bytes[p + 3];
      rows.stepTime_s[n] = view.getUint32(p + 12, true) + view.getUint32(p + 16, true) * 1e-9;
      rows.current_mA[n] = view.getFloat32(p + 20, true);
      rows.voltage_V[n] = view.getFloat32(p + 24, true);
      const capacity = view.getFloat32(p + 28, true) / 3600;
      const energy = view.getFloat32(p + 32, true) / 3600;
      rows.chargeCapacity_mAh[n] = capacity > 0 ? capacity : 0;
      rows.dischargeCapacity_mAh[n] = capacity < 0 ? -capacity : 0;
      rows.chargeEnergy_mWh[n] = energy > 0 ? energy : 0;
      rows.dischargeEnergy_mWh[n] = energy < 0 ? -energy : 0;
      rows.cycle[n] = view.getUint32(p + 36, true) + 1;
      rows.unixTime_s[n] = view.getUint32(p + 44, true) + view.getUint32(p + 48, true) * 1e-9;
      if (recordLength === 56) {
        auxOut.add("T1", "°C", rows.index[n], view.getFloat32(p + 52, true));
      }
      n++;
    }
    rows.n = n;
    if (p < size) trailing(bytes, p, recordLength, file, warnings);
  } else {
    // BTS 9.0: 88-byte records whose first six bytes repeat those at offset 1024.
    header.bts_version = version("9.0.") ?? "9.0";
    const id = bytes.slice(1024, 1030);
    rows = allocRows(Math.floor((size - 1024) / V130_RECORD));
    let n = 0;
    let ended = false;
    for (; p + V130_RECORD <= size; p += V130_RECORD) {
      let same = true;
      for (let j = 0; j < 6 && same; j++) same = bytes[p + j] === id[j];
      if (same) {
        const r = p + 4;
        rows.stepIndex[n] = bytes[r + 5];
        rows.stepKey[n] = bytes[r + 5];
        rows.status[n] = bytes[r + 6];
        rows.index[n] = view.getUint32(r + 12, true);
        rows.stepTime_s[n] = u64(view, r + 24) / 1e6;
        rows.voltage_V[n] = view.getFloat32(r + 32, true);
        rows.current_mA[n] = view.getFloat32(r + 36, true);
        rows.chargeCapacity_mAh[n] = view.getFloat32(r + 48, true) / 3600;
        rows.chargeEnergy_mWh[n] = view.getFloat32(r + 52, true) / 3600;
        rows.dischargeCapacity_mAh[n] = view.getFloat32(r + 56, true) / 3600;
        rows.dischargeEnergy_mWh[n] = view.getFloat32(r + 60, true) / 3600;
        rows.unixTime_s[n] = u64(view, r + 64) / 1e6;
        rows.cycle[n] = 0;
        n++;
      } else if (
        bytes[p] === 0 && bytes[p + 1] === 0 && bytes[p + 2] === 0 && bytes[p + 3] === 0 &&
        bytes[p + 4] === 0x65
      ) {
        const r = p + 4;
        const ch = bytes[r + 1];
        const idx = view.getUint32(r + 2, true);
        auxOut.add(`T${ch}`, "°C", idx, view.getInt16(r + 34, true) / 10);
        auxOut.add(`V${ch}`, "V", idx, view.getInt32(r + 22, true) / 10000);
      } else if (bytes[p] === 0x81) {
        ended = true;
        break;
      }
    }
    rows.n = n;
    if (!ended && p < size) trailing(bytes, p, V130_RECORD, file, warnings);
    warnings.push("BTS 9.0 records hold no cycle number; cycle_index is 0");
  }
  const footer = findBytesLast(bytes, [
    0x06,
    0x00,
    0xf0,
    0x1d,
    0x81,
    0x00,
    0x03,
    0x00,
    0x61,
    0x90,
    0x71,
    0x90,
    0x02,
    0x7f,
    0xff,
    0x00,
  ], 1024);
  if (footer !== -1 && footer + 16 + 499 <= size) {
    const f = footer + 16;
    header.active_mass_mg = String(view.getFloat64(f + 491, true));
    const remarks = latin1NoNul(bytes, f + 363, f + 491);
    if (remarks) header.remarks = remarks;
  }
  return { rows, aux: auxOut.columns() };
}
