// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FileMeta, Recording } from "../lib/model/file_meta.ts";
import { buildBiologicRecording, isoLocal } from "./_biologic.ts";
import {
  bytesAt,
  latin1,
  MPR_MAGIC,
  type MprInput,
  type MprModule,
  readDataModule,
  readModules,
} from "./_biologic_mpr.ts";
import { makeMeta } from "./_meta.ts";
import { extensionOf } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import type { ByteSource } from "./byte_source.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/**
 * Technique IDs of the settings module (first body byte). Learned from cheminfo/biologic-converter
 * (MIT, `techniqueFromId`) and checked against the fixtures' text exports.
 */
const TECHNIQUE_IDS: ReadonlyMap<number, string> = new Map([
  [0x04, "GCPL"],
  [0x06, "CV"],
  [0x0b, "OCV"],
  [0x18, "CA"],
  [0x19, "CP"],
  [0x1c, "WAIT"],
  [0x1d, "PEIS"],
  [0x1e, "GEIS"],
  [0x32, "ZIR"],
  [0x6c, "LSV"],
  [0x7f, "MB"],
]);

/**
 * Device codes at LOG body offset 0x3CE, numbered like the `KBIO_DEV_*` constants of BioLogic's
 * EC-Lab Development Package (codes 0–22, stable across its versions). Checked on
 * `exampleDataBioLogic.mpr`: code 14 ↔ "Device : SP-150" in its `.mpt` export.
 */
const DEVICES = [
  "VMP",
  "VMP2",
  "MPG",
  "BISTAT",
  "MCS-200",
  "VMP3",
  "VSP",
  "HCP-803",
  "EPP-400",
  "EPP-4000",
  "BISTAT2",
  "FCT-150S",
  "VMP-300",
  "SP-50",
  "SP-150",
  "FCT-50S",
  "SP-300",
  "CLB-500",
  "HCP-1005",
  "CLB-2000",
  "VSP-300",
  "SP-200",
  "MPG2",
];

/** Milliseconds from the OLE automation epoch (1899-12-30) to the Unix epoch. */
const OLE_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * BioLogic EC-Lab binary files (`.mpr`, "BIO-LOGIC MODULAR FILE").
 *
 * A `.mpr` file is a list of modules: "VMP settings" (technique, cell characteristics), "VMP
 * data" (the points, as fixed-size rows described by a column-ID table), "VMP LOG" (channel,
 * software versions, device, start time as an OLE date) and optionally "VMP loop" (first point
 * of each loop). The data module gives the same table an EC-Lab text export would, titled the
 * same way, so the result equals {@link biologicMpt}'s for the same measurement (point values
 * are the stored float32/float64 numbers; the text export rounds them to 8 digits).
 *
 * An unknown column ID is read when its size can be inferred (it is the only unknown one: the
 * module length leaves 1, 2, 4 or 8 bytes per point for it), named `unknown_column_<id>`, and
 * reported in `meta.warnings`; otherwise a {@link ParseError} names the ID and its byte offset.
 * Truncated or corrupt structure gives a `ParseError` with the byte offset.
 *
 * @example Usage
 * ```ts
 * import { biologicMpr } from "./biologic_mpr.ts";
 * import { equal, throws } from "node:assert/strict";
 *
 * const header = new TextEncoder().encode("BIO-LOGIC MODULAR FILE\x1a");
 * equal(biologicMpr.detect(header, "x.mpr").confidence, 1);
 * throws(() => biologicMpr.parse(header, { fileName: "x.mpr" }), /byte 0/);
 * ```
 */
export const biologicMpr: FormatParser = checkedFormat("binary", {
  id: "biologic_mpr",
  name: "BioLogic EC-Lab binary file",
  instrument: "BioLogic",
  extensions: [".mpr"],
  kind: "cycling+eis",
  detect(head: Uint8Array, fileName: string): Detection {
    if (latin1(head, 0, MPR_MAGIC.length) === MPR_MAGIC) {
      return { confidence: 1, reason: "BIO-LOGIC MODULAR FILE marker" };
    }
    return extensionOf(fileName) === ".mpr"
      ? { confidence: 0.1, reason: ".mpr extension only" }
      : { confidence: 0, reason: "no BIO-LOGIC MODULAR FILE marker" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    return parseMpr(bytes, options);
  },
  parseSource(source: ByteSource, options: ParseOptions): Recording {
    return parseMpr(source, options);
  },
});

function parseMpr(input: MprInput, options: ParseOptions): Recording {
  const file = options.fileName;
  const modules = readModules(input, file);
  const find = (re: RegExp) => modules.find((m) => re.test(m.shortName));
  const data = find(/^VMP data$/i);
  if (!data) {
    throw new ParseError(
      file,
      `no "VMP data" module (modules: ${modules.map((m) => m.shortName).join(", ") || "none"})`,
      { offset: 0x34 },
    );
  }
  const header: Record<string, string> = {};
  const warnings: string[] = [];
  const fields: Partial<FileMeta> & Pick<FileMeta, "format" | "instrument"> = {
    format: "biologic_mpr",
    instrument: "BioLogic",
    header,
    warnings,
  };
  header["modules"] = modules.map((m) => `${m.shortName} v${m.version}`).join(", ");
  header["data module version"] = String(data.version);
  const settings = find(/^VMP Set$/i);
  if (settings) readSettings(moduleBody(input, settings), fields, header, warnings);
  else warnings.push('no "VMP settings" module: technique and cell characteristics unknown');
  let startMs: number | null = null;
  const log = find(/^VMP LOG$/i);
  if (log) startMs = readLog(moduleBody(input, log), fields, header, warnings);
  else warnings.push('no "VMP LOG" module: channel, device and start time unknown');
  const loop = find(/^VMP loop$/i);
  if (loop) readLoop(moduleBody(input, loop), header, warnings);
  const table = readDataModule(input, data, file);
  warnings.push(...table.warnings);
  if (startMs !== null) fields.start_time = isoLocal(startMs);
  const meta = makeMeta(options, fields);
  return buildBiologicRecording(
    {
      titles: table.titles,
      original: [...table.titles],
      columns: table.columns,
      length: table.length,
    },
    meta,
    { startMs },
  );
}

/** The body of a (small) module. */
function moduleBody(input: MprInput, m: MprModule): Uint8Array {
  return bytesAt(input, m.body, m.length);
}

/** Decoder of the header strings (one for every file: creating one costs more than a parse). */
let cp1252: TextDecoder | null = null;

/** Reader of fixed offsets in one module body; `null` when the module is too short. */
function bodyReader(body: Uint8Array) {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const fits = (offset: number, size: number) => offset + size <= body.length;
  return {
    u8: (o: number) => (fits(o, 1) ? body[o] : null),
    u16: (o: number) => (fits(o, 2) ? dv.getUint16(o, true) : null),
    f32: (o: number) => (fits(o, 4) ? dv.getFloat32(o, true) : null),
    f64: (o: number) => (fits(o, 8) ? dv.getFloat64(o, true) : null),
    /** Pascal string: length byte at `o`, text after it (at most `max` bytes). */
    text: (o: number, max = 255) => {
      if (!fits(o, 1)) return null;
      const len = Math.min(body[o], max);
      if (!fits(o + 1, len)) return null;
      let ascii = "";
      for (let i = o + 1; i < o + 1 + len; i++) {
        const b = body[i];
        if (b >= 0x80) { // not ASCII: the one decoder of Windows-1252
          cp1252 ??= new TextDecoder("windows-1252");
          return cp1252.decode(body.subarray(o + 1, o + 1 + len)).trim();
        }
        ascii += String.fromCharCode(b);
      }
      return ascii.trim();
    },
  };
}

/** float32 header values to 7 significant digits (0.0010000000474974513 → 0.001). */
const f32Value = (v: number | null): number | null =>
  v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(7));

/**
 * Settings module body offsets (checked on the fixtures against their `.mpt` headers): technique
 * ID 0x000; comments 0x007 (Pascal); active material mass 0x107 (f32, mg); electrode material
 * 0x11E; electrolyte 0x1C0; electrode surface area 0x211 (f32, cm²); reference electrode 0x215;
 * characteristic mass 0x24C (f32, g).
 */
function readSettings(
  body: Uint8Array,
  fields: Partial<FileMeta>,
  header: Record<string, string>,
  warnings: string[],
): void {
  const r = bodyReader(body);
  const id = r.u8(0);
  if (id !== null) {
    const technique = TECHNIQUE_IDS.get(id);
    header["technique id"] = `0x${id.toString(16).padStart(2, "0")}`;
    if (technique) fields.techniques = [technique];
    else warnings.push(`technique ID 0x${id.toString(16)} is not known; techniques left empty`);
  }
  const put = (key: string, value: string | number | null) => {
    if (value !== null && value !== "") header[key] = String(value);
  };
  put("Comments", r.text(0x07));
  put("Mass of active material (mg)", f32Value(r.f32(0x107)));
  put("Electrode material", r.text(0x11e));
  put("Electrolyte", r.text(0x1c0));
  const area = f32Value(r.f32(0x211));
  put("Electrode surface area (cm²)", area);
  put("Reference electrode", r.text(0x215));
  const mass = f32Value(r.f32(0x24c));
  put("Characteristic mass (g)", mass);
  fields.electrode_area_cm2 = area;
  fields.active_mass_g = mass;
}

/**
 * LOG module body offsets: channel index 0x009 (0-based; "Run on channel" = index + 1), channel
 * serial 0x0AB (u16), Ewe control range 0x1F8 (2 × f32), start as OLE date 0x249 (f64, days since
 * 1899-12-30 in the local time of the acquisition PC), saved file name 0x251, host 0x351,
 * address 0x384, software version 0x3B7, server version 0x3BE, interpreter version 0x3C5 (Pascal
 * strings), device code 0x3CE, device serial 0x3CF. Offsets of the strings and the OLE date
 * follow biologic-converter (MIT, `parseLogs`); channel, device code and all values were checked
 * against the fixtures' text exports.
 */
function readLog(
  body: Uint8Array,
  fields: Partial<FileMeta>,
  header: Record<string, string>,
  warnings: string[],
): number | null {
  const r = bodyReader(body);
  const put = (key: string, value: string | number | null) => {
    if (value !== null && value !== "") header[key] = String(value);
  };
  const channel = r.u8(0x09);
  const channelSerial = r.u16(0xab);
  if (channel !== null) {
    fields.channel = channel + 1;
    put(
      "Run on channel",
      `${channel + 1}${channelSerial !== null ? ` (SN ${channelSerial})` : ""}`,
    );
  }
  const eMin = f32Value(r.f32(0x1f8)), eMax = f32Value(r.f32(0x1fc));
  if (eMin !== null && eMax !== null) put("Ewe ctrl range", `min = ${eMin} V, max = ${eMax} V`);
  put("File", r.text(0x251));
  put("Host", r.text(0x351));
  put("Address", r.text(0x384));
  const software = r.text(0x3b7);
  put("Software version", software);
  put("Server version", r.text(0x3be));
  put("Interpreter version", r.text(0x3c5));
  const code = r.u8(0x3ce);
  const serial = r.text(0x3cf);
  if (code !== null) {
    put("Device code", code);
    const name = DEVICES[code] ?? `device code ${code}`;
    fields.device = serial ? `${name} (SN ${serial})` : name;
  }
  if (software) {
    fields.format_version = `software ${software}, data module v${header["data module version"]}`;
  }
  const ole = r.f64(0x249);
  if (ole === null) {
    warnings.push('"VMP LOG" module too short for the start time');
    return null;
  }
  if (!Number.isFinite(ole) || ole < 1 || ole > 200000) {
    warnings.push(`start time in "VMP LOG" is not a plausible OLE date (${ole})`);
    return null;
  }
  const ms = Math.round(OLE_EPOCH_MS + ole * 86400000);
  put("Acquisition started on", isoLocal(ms));
  return ms;
}

/** Loop module: u32 count, then that many u32 first-point indexes. */
function readLoop(
  body: Uint8Array,
  header: Record<string, string>,
  warnings: string[],
): void {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body.length < 4) return;
  const count = dv.getUint32(0, true);
  if (4 + 4 * count > body.length) {
    warnings.push(`"VMP loop" module announces ${count} indexes but holds fewer; ignored`);
    return;
  }
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(dv.getUint32(4 + 4 * i, true));
  header["loop indexes"] = indexes.join(", ");
}
