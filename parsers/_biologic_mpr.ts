// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Low-level reading of EC-Lab binary `.mpr` files ("BIO-LOGIC MODULAR FILE"): the module list and
 * the data module. Used by `biologic_mpr.ts` and by `bench/biologic_mpr_bench.ts`.
 *
 * What is known about the layout, and where it was learned:
 * - The column-ID table (ID → type, name, unit) and the flag bits (`mode` 0b11, `ox/red` 0x04,
 *   `error` 0x08, `control changes` 0x10, `Ns changes` 0x20, `counter inc.` 0x80 sharing one
 *   byte per row) come from cheminfo/biologic-converter (MIT, `src/utility/ids.ts`). Names are
 *   spelled as EC-Lab's text export titles them, so `.mpr` and `.mpt` map to the same columns.
 * - Module header (`MODULE`, 10-byte short name, 25-byte long name, u32 length, u32 version,
 *   8-byte date) and the data module's u32 point count, column count and u16 IDs, with points
 *   at body offset 0x195 (version ≤ 2) or 0x196 (version 3), also from biologic-converter.
 * - IDs 0x45, 0x6e, 0x70, 0x73, 0x74 and 0xb6 (`Rwe`, the per-electrode energies, `step time`)
 *   and the rule that IDs sharing a low byte (0xd3 and 0x1d3) are one quantity come from yadg's
 *   EC-Lab table (`yadg/extractors/eclab/mpr_columns.py`, read to learn the layout).
 * - Found here by inspecting the fixture bytes against their `.mpt` exports: the newer module
 *   header (EC-Lab ≥ 11.50) writes 0xFFFFFFFF where the length was, then u32 length, u32 0,
 *   u32 version (10 for settings/log, 11 for data) and the date; data module version 11 stores
 *   the column count as u16 and the points at body offset 0x3EF. These offsets are checked
 *   against the module length (offset + points × row size must fit exactly).
 *
 * @module
 */

import { ParseError } from "./parse_error.ts";
import { type ByteSource, readRange } from "./byte_source.ts";

/** Storage type of one data-module column. */
export type ColumnType = "f32" | "f64" | "u8" | "u16" | "u32" | "flag";

/** One known column ID. */
export interface ColumnDef {
  /** Title as EC-Lab's text export writes it (`"Ewe/V"`). */
  title: string;
  /** Storage type. */
  type: ColumnType;
  /** For flags: the bit mask within the shared flag byte. */
  mask?: number;
}

/** Bytes each storage type takes in a row (flags share one byte). */
export const TYPE_SIZE: Readonly<Record<ColumnType, number>> = {
  f32: 4,
  f64: 8,
  u8: 1,
  u16: 2,
  u32: 4,
  flag: 0,
};

/** Column IDs of the data module. */
export const COLUMN_IDS: ReadonlyMap<number, ColumnDef> = new Map<number, ColumnDef>([
  [0x01, { title: "mode", type: "flag", mask: 0x03 }],
  [0x02, { title: "ox/red", type: "flag", mask: 0x04 }],
  [0x03, { title: "error", type: "flag", mask: 0x08 }],
  [0x15, { title: "control changes", type: "flag", mask: 0x10 }],
  [0x1f, { title: "Ns changes", type: "flag", mask: 0x20 }],
  [0x41, { title: "counter inc.", type: "flag", mask: 0x80 }],
  [0x04, { title: "time/s", type: "f64" }],
  [0x05, { title: "control/V/mA", type: "f32" }],
  [0x06, { title: "Ewe/V", type: "f32" }],
  [0x07, { title: "dq/mA.h", type: "f64" }],
  [0x08, { title: "I/mA", type: "f32" }],
  [0x09, { title: "Ece/V", type: "f32" }],
  [0x0b, { title: "<I>/mA", type: "f64" }],
  [0x0d, { title: "(Q-Qo)/mA.h", type: "f64" }],
  [0x10, { title: "Analog IN 1/V", type: "f32" }],
  [0x11, { title: "Analog IN 2/V", type: "f32" }],
  [0x13, { title: "control/V", type: "f32" }],
  [0x14, { title: "control/mA", type: "f32" }],
  [0x17, { title: "dQ/mA.h", type: "f64" }],
  [0x18, { title: "cycle number", type: "f64" }],
  [0x20, { title: "freq/Hz", type: "f32" }],
  [0x21, { title: "|Ewe|/V", type: "f32" }],
  [0x22, { title: "|I|/A", type: "f32" }],
  [0x23, { title: "Phase(Z)/deg", type: "f32" }],
  [0x24, { title: "|Z|/Ohm", type: "f32" }],
  [0x25, { title: "Re(Z)/Ohm", type: "f32" }],
  [0x26, { title: "-Im(Z)/Ohm", type: "f32" }],
  [0x27, { title: "I Range", type: "u16" }],
  [0x45, { title: "Rwe/Ohm", type: "f32" }],
  [0x46, { title: "P/W", type: "f32" }],
  [0x4a, { title: "|Energy|/W.h", type: "f64" }],
  [0x4b, { title: "Analog OUT/V", type: "f32" }],
  [0x4c, { title: "<I>/mA", type: "f32" }],
  [0x4d, { title: "<Ewe>/V", type: "f32" }],
  [0x4e, { title: "Cs-2/µF-2", type: "f32" }],
  [0x60, { title: "|Ece|/V", type: "f32" }],
  [0x62, { title: "Phase(Zce)/deg", type: "f32" }],
  [0x63, { title: "|Zce|/Ohm", type: "f32" }],
  [0x64, { title: "Re(Zce)/Ohm", type: "f32" }],
  [0x65, { title: "-Im(Zce)/Ohm", type: "f32" }],
  [0x6e, { title: "Energy ce/W.h", type: "f64" }],
  [0x70, { title: "Energy we/W.h", type: "f64" }],
  [0x73, { title: "Energy ce charge/W.h", type: "f64" }],
  [0x74, { title: "Energy ce discharge/W.h", type: "f64" }],
  [0x7b, { title: "Energy charge/W.h", type: "f64" }],
  [0x7c, { title: "Energy discharge/W.h", type: "f64" }],
  [0x7d, { title: "Capacitance charge/µF", type: "f64" }],
  [0x7e, { title: "Capacitance discharge/µF", type: "f64" }],
  [0x83, { title: "Ns", type: "u16" }],
  [0xa3, { title: "|Estack|/V", type: "f32" }],
  [0xb6, { title: "step time/s", type: "f64" }],
  [0xa8, { title: "Rcmp/Ohm", type: "f32" }],
  [0xa9, { title: "Cs/µF", type: "f32" }],
  [0xac, { title: "Cp/µF", type: "f32" }],
  [0xad, { title: "Cp-2/µF-2", type: "f32" }],
  [0xae, { title: "<Ewe>/V", type: "f32" }],
  [0xf1, { title: "|E1|/V", type: "f32" }],
  [0xf2, { title: "|E2|/V", type: "f32" }],
  [0x10f, { title: "Phase(Z1)/deg", type: "f32" }],
  [0x110, { title: "Phase(Z2)/deg", type: "f32" }],
  [0x12d, { title: "|Z1|/Ohm", type: "f32" }],
  [0x12e, { title: "|Z2|/Ohm", type: "f32" }],
  [0x14b, { title: "Re(Z1)/Ohm", type: "f32" }],
  [0x14c, { title: "Re(Z2)/Ohm", type: "f32" }],
  [0x169, { title: "-Im(Z1)/Ohm", type: "f32" }],
  [0x16a, { title: "-Im(Z2)/Ohm", type: "f32" }],
  [0x187, { title: "<E1>/V", type: "f32" }],
  [0x188, { title: "<E2>/V", type: "f32" }],
  [0x1a6, { title: "Phase(Zstack)/deg", type: "f32" }],
  [0x1a7, { title: "|Zstack|/Ohm", type: "f32" }],
  [0x1a8, { title: "Re(Zstack)/Ohm", type: "f32" }],
  [0x1a9, { title: "-Im(Zstack)/Ohm", type: "f32" }],
  [0x1aa, { title: "<Estack>/V", type: "f32" }],
  [0x1ae, { title: "Phase(Zwe-ce)/deg", type: "f32" }],
  [0x1af, { title: "|Zwe-ce|/Ohm", type: "f32" }],
  [0x1b0, { title: "Re(Zwe-ce)/Ohm", type: "f32" }],
  [0x1b1, { title: "-Im(Zwe-ce)/Ohm", type: "f32" }],
  [0x1b2, { title: "(Q-Qo)/C", type: "f32" }],
  [0x1b3, { title: "dQ/C", type: "f32" }],
  [0x1b9, { title: "<Ece>/V", type: "f32" }],
  [0x1ce, { title: "Temperature/°C", type: "f32" }],
  [0x1d3, { title: "Q charge/discharge/mA.h", type: "f64" }],
  [0x1d4, { title: "half cycle", type: "u32" }],
  [0x1d5, { title: "z cycle", type: "u32" }],
  [0x1d7, { title: "<Ece>/V", type: "f32" }],
  [0x1d9, { title: "THD Ewe/%", type: "f32" }],
  [0x1da, { title: "THD I/%", type: "f32" }],
  [0x1dc, { title: "NSD Ewe/%", type: "f32" }],
  [0x1dd, { title: "NSD I/%", type: "f32" }],
  [0x1df, { title: "NSR Ewe/%", type: "f32" }],
  [0x1e0, { title: "NSR I/%", type: "f32" }],
  [0x1e6, { title: "|Ewe h2|/V", type: "f32" }],
  [0x1e7, { title: "|Ewe h3|/V", type: "f32" }],
  [0x1e8, { title: "|Ewe h4|/V", type: "f32" }],
  [0x1e9, { title: "|Ewe h5|/V", type: "f32" }],
  [0x1ea, { title: "|Ewe h6|/V", type: "f32" }],
  [0x1eb, { title: "|Ewe h7|/V", type: "f32" }],
  [0x1ec, { title: "|I h2|/A", type: "f32" }],
  [0x1ed, { title: "|I h3|/A", type: "f32" }],
  [0x1ee, { title: "|I h4|/A", type: "f32" }],
  [0x1ef, { title: "|I h5|/A", type: "f32" }],
  [0x1f0, { title: "|I h6|/A", type: "f32" }],
  [0x1f1, { title: "|I h7|/A", type: "f32" }],
]);

/** How a storage type is described in warnings. */
const TYPE_NAME: Readonly<Record<ColumnType, string>> = {
  f32: "float32",
  f64: "float64",
  u8: "u8",
  u16: "u16",
  u32: "u32",
  flag: "flag",
};

/**
 * Storage type by the low byte of a column ID, for the low bytes whose known IDs agree on one
 * size (flags excluded): the size of an unknown ID that shares its low byte with known ones.
 */
const LOW_BYTE_TYPE: ReadonlyMap<number, ColumnType> = (() => {
  const types = new Map<number, ColumnType | null>();
  for (const [id, def] of COLUMN_IDS) {
    if (def.type === "flag") continue;
    const low = id & 0xff, seen = types.get(low);
    if (seen === undefined) types.set(low, def.type);
    else if (seen !== def.type) types.set(low, null);
  }
  const out = new Map<number, ColumnType>();
  for (const [low, type] of types) if (type) out.set(low, type);
  return out;
})();

/** One module of a `.mpr` file. */
export interface MprModule {
  /** Short name, trimmed (`"VMP data"`). */
  shortName: string;
  /** Long name, trimmed (`"VMP data"`, `"VMP expt. loop indexes"`). */
  longName: string;
  /** Module version from its header. */
  version: number;
  /** Date string of the header (`"02/04/18"`). */
  date: string;
  /** Byte offset of the `MODULE` keyword. */
  offset: number;
  /** Byte offset of the body. */
  body: number;
  /** Body length in bytes. */
  length: number;
  /** `true` for the newer header with the 0xFFFFFFFF marker. */
  extendedHeader: boolean;
}

/** The file magic, padded with spaces to 0x30 bytes, then 4 bytes, then the first module. */
export const MPR_MAGIC = "BIO-LOGIC MODULAR FILE";
const FIRST_MODULE = 0x34;

/** Windows-1252/Latin-1 text of `bytes[start, end)` (the printable range is identical). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** A `.mpr` file in memory or as a {@link ByteSource} (read in parts, never whole). */
export type MprInput = Uint8Array | ByteSource;

/** Size of an input. */
function sizeOf(input: MprInput): number {
  return input instanceof Uint8Array ? input.length : input.size;
}

/**
 * Bytes `[offset, offset + length)` of an input (fewer at its end): a view of bytes in memory,
 * a copy read from a source.
 */
export function bytesAt(input: MprInput, offset: number, length: number): Uint8Array {
  if (input instanceof Uint8Array) {
    return input.subarray(offset, Math.min(input.length, offset + length));
  }
  return readRange(input, offset, length);
}

/**
 * Split a `.mpr` file into its modules; throws {@link ParseError} on a broken structure. Only
 * the module headers are read (a source is not read past them).
 */
export function readModules(input: MprInput, file: string): MprModule[] {
  const size = sizeOf(input);
  const magic = bytesAt(input, 0, FIRST_MODULE);
  if (size < FIRST_MODULE || latin1(magic, 0, MPR_MAGIC.length) !== MPR_MAGIC) {
    throw new ParseError(file, `byte 0: no "${MPR_MAGIC}" signature`, { offset: 0 });
  }
  const modules: MprModule[] = [];
  let pos = FIRST_MODULE;
  while (pos < size) {
    if (pos + 57 > size) {
      throw new ParseError(
        file,
        `byte ${pos}: file ends inside a module header (${size - pos} bytes left)`,
        { offset: pos },
      );
    }
    const h = bytesAt(input, pos, 65); // the header, relative offsets below
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    if (latin1(h, 0, 6) !== "MODULE") {
      throw new ParseError(file, `byte ${pos}: expected "MODULE", found other bytes`, {
        offset: pos,
      });
    }
    const shortName = latin1(h, 6, 16).trim();
    const longName = latin1(h, 16, 41).trim();
    let length = dv.getUint32(41, true);
    let version: number, dateAt: number, body: number;
    const extendedHeader = length === 0xffffffff;
    if (extendedHeader) {
      if (pos + 65 > size) {
        throw new ParseError(file, `byte ${pos}: file ends inside a module header`, {
          offset: pos,
        });
      }
      length = dv.getUint32(45, true);
      if (dv.getUint32(49, true) !== 0) {
        throw new ParseError(
          file,
          `byte ${pos + 49}: module "${shortName}" has a non-zero reserved header field`,
          { offset: pos + 49 },
        );
      }
      version = dv.getUint32(53, true);
      dateAt = 57;
      body = pos + 65;
    } else {
      version = dv.getUint32(45, true);
      dateAt = 49;
      body = pos + 57;
    }
    if (body + length > size) {
      throw new ParseError(
        file,
        `byte ${pos}: module "${shortName}" declares ${length} bytes but the file ends ${
          size - body
        } bytes after its header (truncated file?)`,
        { offset: body + (size - body) },
      );
    }
    modules.push({
      shortName,
      longName,
      version,
      date: latin1(h, dateAt, dateAt + 8),
      offset: pos,
      body,
      length,
      extendedHeader,
    });
    pos = body + length;
  }
  return modules;
}

/** A decoded data module. */
export interface DataModule {
  /** Column titles in file order (`unknown_column_<id>` for IDs not in {@link COLUMN_IDS}). */
  titles: string[];
  /** Column IDs in file order. */
  ids: number[];
  /** One array per column. */
  columns: Float64Array[];
  /** Number of points. */
  length: number;
  /** Warnings (unknown IDs, unseen versions, trailing bytes). */
  warnings: string[];
}

/** Body offset of the first point for the data-module versions seen so far. */
const DATA_START: ReadonlyMap<number, number> = new Map([[0, 0x195], [1, 0x195], [2, 0x195], [
  3,
  0x196,
], [11, 0x3ef]]);

interface Layout {
  id: number;
  title: string;
  type: ColumnType;
  mask: number;
  offset: number;
  idOffset: number;
}

/**
 * Decode the data module: points are fixed-size rows, columns in the order of the ID table, all
 * flag columns sharing one byte at the position of the first flag ID.
 */
export function readDataModule(input: MprInput, module: MprModule, file: string): DataModule {
  const { body, length: moduleLength, version } = module;

  const warnings: string[] = [];
  const need = (n: number, what: string) => {
    if (n > moduleLength) {
      throw new ParseError(
        file,
        `byte ${body}: data module of ${moduleLength} bytes is too short for ${what}`,
        { offset: body },
      );
    }
  };
  need(6, "its point and column counts");
  const counts = bytesAt(input, body, 6);
  const cv = new DataView(counts.buffer, counts.byteOffset, counts.byteLength);
  const n = cv.getUint32(0, true);
  // The column count is a u16 in modules with the extended header (version 11), a u8 before.
  const wideCount = module.extendedHeader;
  const nCol = wideCount ? cv.getUint16(4, true) : counts[4];
  const idsAt = body + (wideCount ? 6 : 5);
  need(idsAt - body + 2 * nCol, `${nCol} column IDs`);
  const ids = bytesAt(input, idsAt, 2 * nCol);
  const iv = new DataView(ids.buffer, ids.byteOffset, ids.byteLength);
  // Pass 1: the type of every column; flags share one byte.
  const layout: Layout[] = [];
  let hasFlags = false;
  const unknown: Layout[] = [];
  for (let c = 0; c < nCol; c++) {
    const idOffset = idsAt + 2 * c;
    const id = iv.getUint16(2 * c, true);
    const def = COLUMN_IDS.get(id);
    const entry: Layout = def
      ? { id, title: def.title, type: def.type, mask: def.mask ?? 0, offset: 0, idOffset }
      : { id, title: `unknown_column_${id}`, type: "u8", mask: 0, offset: 0, idOffset };
    if (def?.type === "flag") hasFlags = true;
    if (!def) unknown.push(entry);
    layout.push(entry);
  }
  let knownSize = hasFlags ? 1 : 0;
  for (const l of layout) if (!unknown.includes(l)) knownSize += TYPE_SIZE[l.type];
  let start = DATA_START.get(version);
  if (start !== undefined && start < idsAt - body + 2 * nCol) {
    throw new ParseError(file, `byte ${body}: column-ID table overlaps the data points`, {
      offset: body,
    });
  }
  // Unknown IDs whose low byte names a known column elsewhere in the table (IDs 0x1d3 and 0xd3
  // are the same quantity in EC-Lab's numbering; yadg keys its table by the low byte alone)
  // take that column's size; their values keep the neutral name `unknown_column_<id>`.
  const sized = unknown.filter((u) => {
    const type = LOW_BYTE_TYPE.get(u.id & 0xff);
    if (type === undefined) return false;
    u.type = type;
    knownSize += TYPE_SIZE[type];
    return true;
  });
  const unsized = unknown.filter((u) => !sized.includes(u));
  for (const u of sized) {
    warnings.push(
      `unknown column ID ${u.id} (0x${u.id.toString(16)}) at byte ${u.idOffset}: read as ` +
        `${TYPE_NAME[u.type]} (the size of known IDs with low byte 0x${
          (u.id & 0xff).toString(16)
        }) into "${u.title}"`,
    );
  }
  if (unsized.length > 1) {
    const u = unsized[0];
    throw new ParseError(
      file,
      `byte ${u.idOffset}: unknown column ID ${u.id} (0x${u.id.toString(16)}) and ${
        unsized.length - 1
      } more of unknown size; their sizes cannot be inferred`,
      { offset: u.idOffset },
    );
  }
  if (
    sized.length > 0 && unsized.length === 0 && start !== undefined &&
    start + n * knownSize !== moduleLength
  ) {
    const u = sized[0];
    throw new ParseError(
      file,
      `byte ${u.idOffset}: unknown column ID ${u.id} (0x${u.id.toString(16)}): with the sizes ` +
        `assumed for ${sized.length} unknown column(s), ${n} points of ${knownSize} bytes do ` +
        `not fill the ${moduleLength - start} bytes of points`,
      { offset: u.idOffset },
    );
  }
  if (unsized.length === 1) {
    // One unknown column: its size is what the module length leaves per point.
    const u = unsized[0];
    const hex = `${u.id} (0x${u.id.toString(16)})`;
    if (start === undefined || n === 0) {
      throw new ParseError(file, `byte ${u.idOffset}: unknown column ID ${hex} of unknown size`, {
        offset: u.idOffset,
      });
    }
    const spare = moduleLength - start - n * knownSize;
    const size = spare / n;
    const type = ({ 8: "f64", 4: "f32", 2: "u16", 1: "u8" } as Record<number, ColumnType>)[size];
    if (!type) {
      throw new ParseError(
        file,
        `byte ${u.idOffset}: unknown column ID ${hex}; the module leaves ${spare} bytes for ${n} ` +
          "points, not 1, 2, 4 or 8 per point",
        { offset: u.idOffset },
      );
    }
    u.type = type;
    knownSize += size;
    warnings.push(
      `unknown column ID ${hex} at byte ${u.idOffset}: ${size} bytes per point, read as ` +
        `${TYPE_NAME[type]} into "${u.title}"`,
    );
  }
  // Pass 2: offsets within a row.
  let rowSize = 0;
  let flagOffset = -1;
  for (const l of layout) {
    if (l.type === "flag") {
      if (flagOffset < 0) {
        flagOffset = rowSize;
        rowSize += 1;
      }
      l.offset = flagOffset;
    } else {
      l.offset = rowSize;
      rowSize += TYPE_SIZE[l.type];
    }
  }
  if (start === undefined) {
    // A version not seen before: the points fill the end of the module.
    start = moduleLength - n * rowSize;
    if (start < idsAt - body + 2 * nCol) {
      throw new ParseError(
        file,
        `byte ${body}: data module version ${version} is unknown and its points do not fit`,
        { offset: body },
      );
    }
    warnings.push(
      `data module version ${version} not seen before; points assumed to end the module ` +
        `(start at body offset 0x${start.toString(16)})`,
    );
  }
  const end = start + n * rowSize;
  if (end > moduleLength) {
    throw new ParseError(
      file,
      `byte ${body + start}: data module holds ${moduleLength - start} bytes of points, ` +
        `${n} points of ${rowSize} bytes need ${n * rowSize} (truncated or corrupt)`,
      { offset: body + moduleLength },
    );
  }
  if (end < moduleLength) {
    warnings.push(`data module has ${moduleLength - end} unused bytes after its ${n} points`);
  }
  const columns = allocColumns(layout.length, n);
  decodePoints(input, body + start, { n, rowSize, layout, columns });
  return {
    titles: layout.map((l) => l.title),
    ids: layout.map((l) => l.id),
    columns,
    length: n,
    warnings,
  };
}

/**
 * Columns of the data module up to this many bytes together share one buffer: a typed array of
 * its own costs an allocation and a tracked backing store each (more than decoding a small
 * file's points); above it each column has its own, so that one no longer used can be freed.
 */
const SHARED_COLUMN_BYTES = 1 << 26;

/** `count` zeroed columns of `n` values: views of one buffer for a small module. */
function allocColumns(count: number, n: number): Float64Array[] {
  const columns: Float64Array[] = new Array(count);
  if (count * n * 8 > SHARED_COLUMN_BYTES) {
    for (let c = 0; c < count; c++) columns[c] = new Float64Array(n);
    return columns;
  }
  const buffer = new ArrayBuffer(count * n * 8);
  for (let c = 0; c < count; c++) columns[c] = new Float64Array(buffer, c * n * 8, n);
  return columns;
}

/** Rows decoded per block (×~60 bytes per row: well inside L2 cache). */
const BLOCK_ROWS = 2048;

/** Rows read from a source at a time (×~60 bytes: about 1 MB, the only buffer held). */
const CHUNK_ROWS = 16 * BLOCK_ROWS;

/**
 * Decode `n` points of `rowSize` bytes starting at byte `at` into `columns`, in blocks of rows
 * that stay in cache, one tight loop per column and block (a column-at-a-time pass over the
 * whole module would stream it from memory once per column). Bytes in memory are decoded where
 * they are; a source is read a chunk at a time into one reused buffer.
 */
function decodePoints(
  input: MprInput,
  at: number,
  plan: { n: number; rowSize: number; layout: Layout[]; columns: Float64Array[] },
): void {
  const { n, rowSize, layout, columns } = plan;
  const decode = (bytes: Uint8Array, firstRow: number, rows: number) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let first = 0; first < rows; first += BLOCK_ROWS) {
      const last = Math.min(rows, first + BLOCK_ROWS);
      for (let c = 0; c < layout.length; c++) {
        const block = first * rowSize;
        decodeBlock(
          dv,
          bytes,
          block,
          rowSize,
          firstRow + first,
          firstRow + last,
          layout[c],
          columns[c],
        );
      }
    }
  };
  if (input instanceof Uint8Array) {
    decode(input.subarray(at, at + n * rowSize), 0, n);
    return;
  }
  const buffer = new Uint8Array(Math.min(n, CHUNK_ROWS) * rowSize);
  for (let row = 0; row < n; row += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, n - row);
    const chunk = buffer.subarray(0, rows * rowSize);
    let got = 0;
    while (got < chunk.length) {
      const k = input.readInto(chunk.subarray(got), at + row * rowSize + got);
      if (k === 0) break;
      got += k;
    }
    if (got < chunk.length) {
      throw new RangeError(`the source ended at byte ${at + row * rowSize + got} while reading`);
    }
    decode(chunk, row, rows);
  }
}

/**
 * Decode one column of a block of rows: the value at byte `p` of the row, every `row` bytes,
 * into `out[first, last)`. One small function per storage type (rather than one switch): each
 * stays monomorphic and is optimized after a few calls, which is most of the cost of a small
 * file (unoptimized, every DataView read allocates its number).
 */
function decodeBlock(
  dv: DataView,
  bytes: Uint8Array,
  blockStart: number,
  row: number,
  first: number,
  last: number,
  l: Layout,
  out: Float64Array,
): void {
  const p = blockStart + l.offset;
  switch (l.type) {
    case "f32":
      return decodeF32(dv, p, row, first, last, out);
    case "f64":
      return decodeF64(dv, p, row, first, last, out);
    case "u16":
      return decodeU16(dv, p, row, first, last, out);
    case "u32":
      return decodeU32(dv, p, row, first, last, out);
    case "u8":
      return decodeFlag(bytes, p, row, first, last, out, 0xff);
    case "flag":
      return decodeFlag(bytes, p, row, first, last, out, l.mask);
  }
}

function decodeF32(
  dv: DataView,
  p: number,
  row: number,
  k: number,
  last: number,
  out: Float64Array,
) {
  for (; k < last; k++, p += row) out[k] = dv.getFloat32(p, true);
}

function decodeF64(
  dv: DataView,
  p: number,
  row: number,
  k: number,
  last: number,
  out: Float64Array,
) {
  for (; k < last; k++, p += row) out[k] = dv.getFloat64(p, true);
}

function decodeU16(
  dv: DataView,
  p: number,
  row: number,
  k: number,
  last: number,
  out: Float64Array,
) {
  for (; k < last; k++, p += row) out[k] = dv.getUint16(p, true);
}

function decodeU32(
  dv: DataView,
  p: number,
  row: number,
  k: number,
  last: number,
  out: Float64Array,
) {
  for (; k < last; k++, p += row) out[k] = dv.getUint32(p, true);
}

/** Bits `mask` of a byte, shifted down (mask 0xff: the byte). */
function decodeFlag(
  bytes: Uint8Array,
  p: number,
  row: number,
  k: number,
  last: number,
  out: Float64Array,
  mask: number,
) {
  const shift = 31 - Math.clz32(mask & -mask);
  for (; k < last; k++, p += row) out[k] = (bytes[p] & mask) >> shift;
}
