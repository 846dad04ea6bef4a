// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.
//
// Older Neware `.nda` layouts, located by the block table of the file header:
// - versions 14, 16, 17, 20, 22, 23 and 24: 86-byte integer records (as version 29, with a Unix
//   time in seconds instead of date fields), auxiliary records in a block of their own;
// - versions 5 to 8: 59-byte integer records with one capacity and one energy counter.
// The header holds at byte 64 the start and length (two u32) of the main block, at byte 72
// those of the auxiliary block, and at byte 16 the start of a block whose bytes 26–29 are the
// file's current range (used where a record's own range is 0, and by versions 5 to 8).
//
// Layouts learned from the BSD-3-Clause fastnda project (g-kimbell/fastnda, © Empa, a fork of
// NewareNDA) and checked against BTSDA's export of `nda_v22.nda`; independent implementation.

import {
  allocRows,
  AuxCollector,
  NEWARE_STATES,
  type NewareAux,
  type NewareRows,
  rangeScale,
} from "./_neware_common.ts";
import { hexAt } from "./_bytes.ts";
import { ParseError } from "./parse_error.ts";

/** Decoded rows and auxiliary channels of a `.nda` file. */
export interface NdaRead {
  rows: NewareRows;
  aux: NewareAux[];
}

/** A block of the file named by the header table at `at`: start and length, checked. */
function headerBlock(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  file: string,
  what: string,
): { begin: number; length: number } {
  if (bytes.length < at + 8) {
    throw new ParseError(
      file,
      `file is ${bytes.length} bytes, expected the ${what} block table at byte offset ${at}`,
      { offset: bytes.length },
    );
  }
  const begin = view.getUint32(at, true), length = view.getUint32(at + 4, true);
  if (length > 0 && (begin < 64 || begin + length > bytes.length)) {
    throw new ParseError(
      file,
      `truncated: the header (byte offset ${at}) places the ${what} block at ${begin}–` +
        `${begin + length}, but the file is ${bytes.length} bytes`,
      { offset: at },
    );
  }
  return { begin, length };
}

/** The file's current range (bytes 26–29 of the block that byte 16 points to), or null. */
function fixedRange(bytes: Uint8Array, view: DataView): number | null {
  if (bytes.length < 20) return null;
  const at = view.getUint32(16, true) + 26;
  return at + 4 <= bytes.length ? view.getInt32(at, true) : null;
}

/** Scale of `range`, or a ParseError naming the byte offset. */
function scaleOf(range: number, file: string, offset: number): number {
  const scale = rangeScale(range);
  if (scale === undefined) {
    throw new ParseError(
      file,
      `byte offset ${offset} holds current range ${range}, which is not a known Neware range ` +
        "(cannot scale current and capacity)",
      { offset },
    );
  }
  return scale;
}

/** Records of `size` bytes in `block`: a warning for a partial record at its end. */
function recordCount(
  block: { begin: number; length: number },
  size: number,
  warnings: string[],
): number {
  const count = Math.floor(block.length / size);
  const left = block.length - count * size;
  if (left > 0) {
    warnings.push(
      `${left} byte(s) at the end of the data block (offset ${block.begin + count * size}) ` +
        `are not a whole ${size}-byte record; ignored`,
    );
  }
  return count;
}

/** Count records skipped by their first byte, then report them as warnings. */
function skippedWarnings(skipped: Map<number, number>, warnings: string[]): void {
  for (const [type, count] of skipped) {
    warnings.push(
      `${count} record(s) of type 0x${type.toString(16).padStart(2, "0")} (not data) were skipped`,
    );
  }
}

/**
 * Versions 14, 16, 17, 20, 22, 23, 24: 86-byte records with identifier 0x55 in the main block
 * (index, cycle, step, state, step time in ms, voltage, current, four 64-bit counters, Unix
 * time in s, current range); auxiliary records 0x65 in the auxiliary block.
 */
export function readNdaV14(
  bytes: Uint8Array,
  file: string,
  warnings: string[],
  header: Record<string, string>,
): NdaRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const main = headerBlock(bytes, view, 64, file, "data");
  header.data_offset = String(main.begin);
  const fixed = fixedRange(bytes, view);
  if (fixed !== null) header.current_range = String(fixed);
  const count = recordCount(main, 86, warnings);
  const rows = allocRows(count);
  const skipped = new Map<number, number>();
  let invalid = 0;
  let lastRange = NaN, scale = NaN;
  let n = 0;
  for (let k = 0; k < count; k++) {
    const p = main.begin + 86 * k;
    if (bytes[p] !== 0x55) {
      skipped.set(bytes[p], (skipped.get(bytes[p]) ?? 0) + 1);
      continue;
    }
    const idx = view.getUint32(p + 2, true);
    if (idx === 0) {
      invalid++;
      continue;
    }
    let range = view.getInt32(p + 78, true);
    if (range === 0 && fixed !== null) range = fixed;
    if (range !== lastRange) [lastRange, scale] = [range, scaleOf(range, file, p + 78)];
    rows.index[n] = idx;
    rows.cycle[n] = view.getUint32(p + 6, true) + 1;
    rows.stepIndex[n] = view.getUint16(p + 10, true);
    rows.stepKey[n] = view.getUint32(p + 10, true); // step, state and step counter
    rows.status[n] = bytes[p + 12];
    rows.stepTime_s[n] = (view.getUint32(p + 14, true) + view.getUint32(p + 18, true) * 2 ** 32) /
      1000;
    rows.voltage_V[n] = view.getInt32(p + 22, true) / 10000;
    rows.current_mA[n] = view.getInt32(p + 26, true) * scale;
    const q = scale / 3600;
    rows.chargeCapacity_mAh[n] = int64(view, p + 38) * q;
    rows.dischargeCapacity_mAh[n] = int64(view, p + 46) * q;
    rows.chargeEnergy_mWh[n] = int64(view, p + 54) * q;
    rows.dischargeEnergy_mWh[n] = int64(view, p + 62) * q;
    rows.unixTime_s[n] = view.getUint32(p + 70, true) + view.getUint32(p + 74, true) * 2 ** 32;
    n++;
  }
  rows.n = n;
  if (invalid > 0) warnings.push(`${invalid} record(s) with index 0 were skipped`);
  skippedWarnings(skipped, warnings);
  const auxOut = new AuxCollector();
  const auxBlock = headerBlock(bytes, view, 72, file, "auxiliary");
  const auxCount = auxBlock.length > 0 ? recordCount(auxBlock, 86, warnings) : 0;
  for (let k = 0; k < auxCount; k++) {
    const p = auxBlock.begin + 86 * k;
    if (bytes[p] !== 0x65) continue;
    const ch = bytes[p + 1], idx = view.getUint32(p + 2, true);
    auxOut.add(`T${ch}`, "°C", idx, view.getInt16(p + 34, true) / 10);
    auxOut.add(`V${ch}`, "V", idx, view.getInt32(p + 22, true) / 10000);
  }
  return { rows, aux: auxOut.columns() };
}

/** Signed 64-bit little-endian integer as low + high × 2^32 (exact below 2^53). */
function int64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getInt32(at + 4, true) * 2 ** 32;
}

/** +1 for charge states, −1 for discharge states (by their BTSDA names), 0 otherwise. */
function stateDirection(code: number): number {
  const name = NEWARE_STATES[code] ?? "";
  return name.endsWith("_DChg") ? -1 : name.endsWith("_Chg") ? 1 : 0;
}

/**
 * Versions 5 to 8: 59-byte records with identifier 0 (or 0x55 in version 7): index, cycle
 * (0-based in 5 and 7, 1-based in 6 and 8), step, state, step time in s, voltage, current, one
 * capacity and one energy counter (their direction from the state, else from the current) and
 * Unix time in s. Current and counters are scaled by the file's current range.
 */
export function readNdaV5(
  bytes: Uint8Array,
  file: string,
  warnings: string[],
  header: Record<string, string>,
  version: number,
): NdaRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const main = headerBlock(bytes, view, 64, file, "data");
  header.data_offset = String(main.begin);
  const range = fixedRange(bytes, view);
  if (range === null) {
    throw new ParseError(
      file,
      `file is ${bytes.length} bytes, too short for the current range named at byte offset 16`,
      { offset: 16 },
    );
  }
  header.current_range = String(range);
  const scale = scaleOf(range, file, view.getUint32(16, true) + 26);
  const cycleOffset = version === 5 || version === 7 ? 1 : 0;
  const count = recordCount(main, 59, warnings);
  const rows = allocRows(count);
  const skipped = new Map<number, number>();
  let n = 0;
  for (let k = 0; k < count; k++) {
    const p = main.begin + 59 * k;
    if (bytes[p] !== 0 && bytes[p] !== 0x55) {
      skipped.set(bytes[p], (skipped.get(bytes[p]) ?? 0) + 1);
      continue;
    }
    const idx = view.getUint32(p + 1, true);
    if (idx === 0) continue;
    const cycle = view.getUint32(p + 5, true) + cycleOffset;
    const step = bytes[p + 9], state = bytes[p + 10];
    rows.index[n] = idx;
    rows.cycle[n] = cycle;
    rows.stepIndex[n] = step;
    rows.stepKey[n] = cycle * 256 + step;
    rows.status[n] = state;
    rows.stepTime_s[n] = view.getUint32(p + 11, true);
    rows.voltage_V[n] = view.getInt32(p + 15, true) / 10000;
    const current = view.getInt32(p + 19, true) * scale;
    rows.current_mA[n] = current;
    const q = scale / 3600;
    const capacity = int64(view, p + 31) * q, energy = int64(view, p + 39) * q;
    const dir = stateDirection(state) || Math.sign(current) || Math.sign(capacity);
    rows.chargeCapacity_mAh[n] = dir > 0 ? capacity : 0;
    rows.dischargeCapacity_mAh[n] = dir < 0 ? capacity : 0;
    rows.chargeEnergy_mWh[n] = dir > 0 ? energy : 0;
    rows.dischargeEnergy_mWh[n] = dir < 0 ? energy : 0;
    rows.unixTime_s[n] = view.getUint32(p + 47, true) + view.getUint32(p + 51, true) * 2 ** 32;
    n++;
  }
  rows.n = n;
  skippedWarnings(skipped, warnings);
  if (n === 0 && count > 0) {
    throw new ParseError(
      file,
      `none of the ${count} records at byte offset ${main.begin} starts with 00 or 55 ` +
        `(found ${hexAt(bytes, main.begin, 1)})`,
      { offset: main.begin },
    );
  }
  return { rows, aux: [] };
}
