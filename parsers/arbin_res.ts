// Copyright 2026 the battery-analysis authors. MIT license.
// Not browser compatible: mdb-reader needs Node's buffer and stream modules (pure JavaScript
// otherwise; runs in Deno and Node). Every other reader is browser compatible.
//
// Arbin MITS `.res` result files: a Microsoft Access (Jet 4) database, read with the pure
// JavaScript `mdb-reader` package (no mdbtools, no ODBC). Table and column names are Arbin's.

import { Buffer } from "node:buffer";
import { gunzipSync } from "npm:fflate@0.8.3";
import MDBReader from "npm:mdb-reader@3.2.0";
import type { ColumnSource, CyclingColumn } from "../lib/model/cycling_series.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { hexAt } from "./_bytes.ts";
import { crc32 } from "./_zip.ts";
import { makeMeta } from "./_meta.ts";
import { allocSeries, integrateMissingCounters } from "./_series.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

const JET = "Standard Jet DB";
const ACE = "Standard ACE DB";

/** Seconds between the OLE Automation epoch (1899-12-30) and 1970-01-01. */
const OLE_EPOCH_DAYS = 25569;

/** Required columns of Channel_Normal_Table and where they go (original unit, scale). */
const REQUIRED: Record<CyclingColumn, [string, string]> = {
  time_s: ["Test_Time", "s"],
  voltage_V: ["Voltage", "V"],
  current_A: ["Current", "A"],
  charge_capacity_Ah: ["Charge_Capacity", "Ah"],
  discharge_capacity_Ah: ["Discharge_Capacity", "Ah"],
  charge_energy_Wh: ["Charge_Energy", "Wh"],
  discharge_energy_Wh: ["Discharge_Energy", "Wh"],
};

/** Further columns of Channel_Normal_Table kept as extras: name → [extra name, unit, note]. */
const EXTRAS: Record<string, [string, string, string?]> = {
  Data_Point: ["data_point", ""],
  Step_Time: ["step_time_s", "s"],
  DateTime: [
    "local_time_s",
    "OLE days",
    "seconds since 1970 of the tester's local wall clock (no time zone in the file)",
  ],
  "dV/dt": ["dv_dt_V_per_s", "V/s"],
  Internal_Resistance: ["internal_resistance_ohm", "Ohm"],
  AC_Impedance: ["ac_impedance_ohm", "Ohm"],
  ACI_Phase_Angle: ["aci_phase_angle_deg", "deg"],
  ACR: ["acr_ohm", "Ohm"],
  Is_FC_Data: ["is_fc_data", ""],
  PulseStageIndex: ["pulse_stage_index", ""],
  PulseStageTime: ["pulse_stage_time_s", "s"],
};

/**
 * Arbin MITS Pro / MITS 7 `.res` files (a Jet database; `.res.gz` is unpacked first). Reads
 * the first test of `Global_Table` (start time, channel, schedule, mass), its rows of
 * `Channel_Normal_Table` ordered by `Data_Point`, and the auxiliary inputs of
 * `Auxiliary_Table` (described by `Aux_Global_Data_Table`) as extras.
 *
 * @example Usage
 * ```ts
 * import { arbinRes } from "./arbin_res.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * const head = new Uint8Array(64);
 * head.set(new TextEncoder().encode("Standard Jet DB"), 4);
 * equal(arbinRes.detect(head, "cell.res").confidence, 1);
 * throws(() => arbinRes.parse(head, { fileName: "cell.res" }), /cell\.res/);
 * ```
 */
export const arbinRes: FormatParser = checkedFormat("binary", {
  id: "arbin_res",
  name: "Arbin RES (Access database)",
  instrument: "Arbin",
  extensions: [".res", ".res.gz"],
  kind: "cycling",
  detect(head: Uint8Array, fileName: string): Detection {
    const lower = fileName.toLowerCase();
    const res = lower.endsWith(".res");
    const signature = new TextDecoder("latin1").decode(head.subarray(4, 19));
    if (signature === JET || signature === ACE) {
      return {
        confidence: res ? 1 : 0.6,
        reason: `"${signature}" signature${res ? " and .res extension" : ""}`,
      };
    }
    if (head[0] === 0x1f && head[1] === 0x8b && lower.endsWith(".res.gz")) {
      return { confidence: 0.9, reason: "gzip data named .res.gz" };
    }
    return res
      ? { confidence: 0.1, reason: "extension .res but no Jet database signature" }
      : { confidence: 0, reason: "no Jet database signature" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    try {
      return parseRes(bytes, options);
    } catch (error) {
      if (error instanceof ParseError) throw error;
      // mdb-reader reads pages wherever a damaged page pointer says: any other error is damage.
      throw new ParseError(
        options.fileName,
        `cannot read the Jet database (${(error as Error).message}); the file is corrupt`,
        { cause: error },
      );
    }
  },
});

type Row = Record<string, unknown>;

function oleToIso(days: number): string {
  const iso = new Date(Math.round((days - OLE_EPOCH_DAYS) * 86400000)).toISOString();
  return (iso.endsWith(".000Z") ? iso.slice(0, -5) : iso.slice(0, -1));
}

function parseRes(input: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  let bytes = input;
  if (input[0] === 0x1f && input[1] === 0x8b) {
    try {
      bytes = gunzipSync(input);
    } catch (error) {
      throw new ParseError(
        file,
        `cannot gunzip (${(error as Error).message}); expected a complete gzip stream of a ` +
          `.res file (${input.length} bytes read)`,
        { offset: input.length, cause: error },
      );
    }
    // The gzip trailer holds the CRC-32 and length of the content: damage that still inflates
    // (a flipped bit, a block written twice) shows there.
    const n = input.length;
    const stated = (input[n - 8] | (input[n - 7] << 8) | (input[n - 6] << 16) |
      (input[n - 5] << 24)) >>> 0;
    if (n < 18 || crc32(bytes) !== stated) {
      throw new ParseError(
        file,
        `the gzip stream is damaged: the CRC-32 of its ${bytes.length} bytes of content does ` +
          `not match the one its trailer (byte offset ${n - 8}) states`,
        { offset: n - 8 },
      );
    }
  }
  const signature = new TextDecoder("latin1").decode(bytes.subarray(4, 19));
  if (bytes.length < 4096 || (signature !== JET && signature !== ACE)) {
    throw new ParseError(
      file,
      bytes.length < 4096
        ? `file is ${bytes.length} bytes, expected a Jet database of at least one 4096-byte page`
        : `byte offset 4 holds ${hexAt(bytes, 4, 8)}, expected "${JET}"`,
      { offset: bytes.length < 4096 ? bytes.length : 4 },
    );
  }
  // Jet 3 (version byte 0) uses 2048-byte pages, later versions 4096.
  const pageSize = bytes[0x14] === 0 ? 2048 : 4096;
  if (bytes.length % pageSize !== 0) {
    const cut = bytes.length - (bytes.length % pageSize);
    throw new ParseError(
      file,
      `truncated: the database page at byte offset ${cut} has ${bytes.length - cut} bytes, ` +
        `expected ${pageSize}`,
      { offset: cut },
    );
  }
  const warnings: string[] = [];
  const wrap = <T>(what: string, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof ParseError) throw error;
      const page = damagedPage(bytes, pageSize);
      throw new ParseError(
        file,
        `cannot read ${what} from the Jet database (${(error as Error).message}); ` +
          (page
            ? `page ${page.index} (byte offset ${page.offset} of the database) is damaged: it starts with ` +
              `${page.head}, not a Jet page header`
            : "the file is corrupt or not an Arbin result file (every page header is intact: " +
              "the damage is inside a page)"),
        { offset: page?.offset ?? null, cause: error },
      );
    }
  };
  const db = wrap(
    "the table catalog",
    () => new MDBReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  );
  const tables = wrap("the table catalog", () => db.getTableNames());
  for (const t of ["Global_Table", "Channel_Normal_Table"]) {
    if (!tables.includes(t)) {
      throw new ParseError(
        file,
        `the database has no ${t} (tables: ${tables.join(", ")}); expected an Arbin result file`,
      );
    }
  }
  const global = wrap("Global_Table", () => db.getTable("Global_Table").getData()) as Row[];
  if (global.length === 0) throw new ParseError(file, "Global_Table is empty; expected one test");
  const test = global[0];
  const testId = Number(test.Test_ID);
  if (global.length > 1) {
    warnings.push(
      `the file holds ${global.length} tests (Test_ID ${
        global.map((g) => g.Test_ID).join(", ")
      }); only Test_ID ${testId} (channel ${test.Channel_Index}) was read`,
    );
  }
  const header: Record<string, string> = {};
  for (const [k, v] of Object.entries(test)) {
    if (v !== null && v !== undefined && v !== "") header[k] = String(v);
  }
  if (tables.includes("Version_Table")) {
    const version = wrap("Version_Table", () => db.getTable("Version_Table").getData()) as Row[];
    if (version[0]?.Version_Schema_Field) {
      header.Version_Schema_Field = String(version[0].Version_Schema_Field);
    }
  }

  const normal = wrap("Channel_Normal_Table", () => db.getTable("Channel_Normal_Table"));
  const names = normal.getColumnNames();
  for (const need of ["Data_Point", "Test_Time", "Voltage", "Current"]) {
    if (!names.includes(need)) {
      throw new ParseError(
        file,
        `Channel_Normal_Table has no ${need} column (columns: ${names.join(", ")})`,
      );
    }
  }
  const all = wrap("Channel_Normal_Table", () => normal.getData()) as Row[];
  const rows = all.filter((r) => r.Test_ID === undefined || Number(r.Test_ID) === testId);
  // Rows are not always stored in data-point order.
  let sorted = true;
  for (let k = 1; k < rows.length && sorted; k++) {
    sorted = Number(rows[k].Data_Point) > Number(rows[k - 1].Data_Point);
  }
  if (!sorted) rows.sort((a, b) => Number(a.Data_Point) - Number(b.Data_Point));

  const n = rows.length;
  const s = allocSeries(n);
  const columns: Record<string, ColumnSource> = {};
  for (const [field, [name, unit]] of Object.entries(REQUIRED)) {
    if (!names.includes(name)) continue;
    const out = s[field as CyclingColumn];
    for (let k = 0; k < n; k++) out[k] = num(rows[k][name]);
    columns[field] = { original_name: name, original_unit: unit, scale: 1 };
  }
  if (names.includes("Step_Index")) {
    for (let k = 0; k < n; k++) s.step_index[k] = Number(rows[k].Step_Index);
    columns.step_index = { original_name: "Step_Index", original_unit: "", scale: 1 };
  }
  if (names.includes("Cycle_Index")) {
    for (let k = 0; k < n; k++) s.cycle_index[k] = Number(rows[k].Cycle_Index);
    columns.cycle_index = { original_name: "Cycle_Index", original_unit: "", scale: 1 };
  }
  const known = new Set([
    "Test_ID",
    "Step_Index",
    "Cycle_Index",
    ...Object.values(REQUIRED).map(([name]) => name),
  ]);
  for (const name of names) {
    if (known.has(name)) continue;
    const [extra, unit, note] = EXTRAS[name] ??
      [name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, ""), ""];
    const out = new Float64Array(n);
    if (name === "DateTime") {
      for (let k = 0; k < n; k++) out[k] = (num(rows[k][name]) - OLE_EPOCH_DAYS) * 86400;
    } else {
      for (let k = 0; k < n; k++) out[k] = num(rows[k][name]);
    }
    s.extras[extra] = out;
    columns[extra] = {
      original_name: name,
      original_unit: unit,
      scale: name === "DateTime" ? 86400 : 1,
      ...(note ? { note } : {}),
    };
  }
  s.columns = columns;
  readAux(db, tables, testId, rows, s, wrap);
  warnings.push(...integrateMissingCounters(s));
  const start = Number(test.Start_DateTime);
  if (Number.isFinite(start) && start > 0) s.start_time = oleToIso(start);
  const mass = Number(test.MASS);
  const channel = Number(test.Channel_Index);
  const meta = makeMeta(options, {
    format: "arbin_res",
    instrument: "Arbin",
    format_version: header.Version_Schema_Field ?? null,
    start_time: s.start_time,
    device: test.Serial_Number ? String(test.Serial_Number) : null,
    active_mass_g: Number.isFinite(mass) && mass > 0 ? mass : null,
    header,
    warnings,
    techniques: ["Cycling"],
  });
  if (Number.isFinite(channel)) meta.channel = channel;
  if (s.start_time) meta.warnings.push("times are the tester's local time without a time zone");
  return { meta, series: s };
}

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return Number(v);
  return NaN;
}

/** Auxiliary inputs (Data_Type 0 = voltage, 1 = temperature) joined on Data_Point. */
function readAux(
  db: MDBReader,
  tables: string[],
  testId: number,
  rows: Row[],
  s: ReturnType<typeof allocSeries>,
  wrap: <T>(what: string, run: () => T) => T,
): void {
  if (!tables.includes("Auxiliary_Table")) return;
  const aux = wrap("Auxiliary_Table", () => db.getTable("Auxiliary_Table").getData()) as Row[];
  if (aux.length === 0) return;
  const units = new Map<string, { unit: string; nickname: string }>();
  if (tables.includes("Aux_Global_Data_Table")) {
    const g = wrap(
      "Aux_Global_Data_Table",
      () => db.getTable("Aux_Global_Data_Table").getData(),
    ) as Row[];
    for (const r of g) {
      units.set(`${r.Data_Type}:${r.Auxiliary_Index}`, {
        unit: String(r.Unit ?? ""),
        nickname: String(r.Nickname ?? ""),
      });
    }
  }
  const position = new Map<number, number>();
  rows.forEach((r, k) => position.set(Number(r.Data_Point), k));
  const channels = new Map<string, Float64Array>();
  for (const r of aux) {
    if (r.Test_ID !== undefined && Number(r.Test_ID) !== testId) continue;
    const k = position.get(Number(r.Data_Point));
    if (k === undefined) continue;
    const type = Number(r.Data_Type), index = Number(r.Auxiliary_Index);
    const name = type === 0
      ? `aux_voltage_${index}_V`
      : type === 1
      ? `aux_temperature_${index}_C`
      : `aux_type${type}_${index}`;
    let col = channels.get(name);
    if (!col) {
      channels.set(name, col = new Float64Array(rows.length).fill(NaN));
      const u = units.get(`${type}:${index}`);
      s.columns[name] = {
        original_name: `X (Auxiliary_Table, Data_Type ${type}, Auxiliary_Index ${index}` +
          `${u?.nickname ? `, "${u.nickname}"` : ""})`,
        original_unit: u?.unit ?? "",
        scale: 1,
      };
    }
    col[k] = num(r.X);
  }
  for (const [name, col] of channels) s.extras[name] = col;
  const firstT = [...channels.keys()].find((k) => k.startsWith("aux_temperature_"));
  if (firstT) {
    s.temperature_C = channels.get(firstT);
    s.columns.temperature_C = { ...s.columns[firstT], note: `first auxiliary temperature` };
  }
}

/**
 * The first page after the header page whose first two bytes are not a Jet page header (type 1–5
 * or 9, then 0x01): a zero-filled or overwritten page.
 */
function damagedPage(
  bytes: Uint8Array,
  pageSize: number,
): { index: number; offset: number; head: string } | null {
  for (let at = pageSize, index = 1; at + pageSize <= bytes.length; at += pageSize, index++) {
    const type = bytes[at];
    if (((type >= 1 && type <= 5) || type === 9) && bytes[at + 1] === 1) continue;
    return { index, offset: at, head: hexAt(bytes, at, 2) };
  }
  return null;
}
