// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FileMeta, Recording } from "../lib/model/file_meta.ts";
import {
  areaCm2,
  type BiologicTable,
  buildBiologicRecording,
  isoLocal,
  massG,
  parseEcLabDate,
  repairTitle,
  techniqueShortName,
} from "./_biologic.ts";
import { makeMeta } from "./_meta.ts";
import { decodeHead, decodeText, extensionOf, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/** Column titles that identify a header-less EC-Lab export by its first line. */
const TITLE_MARKERS =
  /(^|\t)(time\/s|freq\/Hz|Ewe\/V|Ecell\/V|I\/mA|<I>\/mA|cycle number|Ns)(\t|$)/;

/**
 * BioLogic EC-Lab / BT-Lab text exports (`.mpt`, and the `.txt` variant).
 *
 * Layout: `EC-Lab ASCII FILE` (or `BT-Lab ASCII FILE`), `Nb header lines : N`, header lines,
 * then the tab-separated column titles on line N and one row per line. Files exported without
 * header start directly with the title line. Latin-1 bytes (`µ`, `²`, `°`) are decoded as
 * Windows-1252; a decimal comma (some EC-Lab locales) is accepted when the first data row uses
 * it. A `time/s` column holding timestamps (`MM/DD/YYYY HH:MM:SS.fff`, BT-Lab's "absolute time"
 * export) becomes seconds since the first row.
 *
 * Metadata: techniques (line 4, or the `Technique : n` blocks of linked techniques), `Run on
 * channel`, `Acquisition started on` (local wall-clock time of the acquisition PC, written as
 * ISO 8601 without zone offset), `Device`, `Electrode surface area`, `Characteristic mass`
 * (→ `active_mass_g`); every `key : value` line and every technique parameter line is kept in
 * `meta.header`. Rows with `freq/Hz` > 0 become impedance spectra (one per `cycle number` or
 * sweep); the other rows the cycling series (see `docs/biologic.md` for the column mapping).
 *
 * @example Usage
 * ```ts
 * import { biologicMpt } from "./biologic_mpt.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = [
 *   "EC-Lab ASCII FILE", "Nb header lines : 5", "", "Galvanostatic Cycling with Potential Limitation",
 *   "time/s\tEwe/V\tI/mA\tQ charge/mA.h\tQ discharge/mA.h\tcycle number",
 *   "0\t3.50\t100\t0\t0\t0", "36\t3.60\t100\t1\t0\t0",
 * ].join("\r\n");
 * const rec = biologicMpt.parse(new TextEncoder().encode(text), { fileName: "cell_C01.mpt" });
 * equal(rec.meta.techniques[0], "GCPL");
 * equal(rec.series!.current_A[1], 0.1);
 * equal(rec.series!.charge_capacity_Ah[1], 0.001);
 * ```
 */
export const biologicMpt: FormatParser = checkedFormat("text", {
  id: "biologic_mpt",
  name: "BioLogic EC-Lab text export",
  instrument: "BioLogic",
  extensions: [".mpt", ".txt"],
  kind: "cycling+eis",
  detect(head: Uint8Array, fileName: string): Detection {
    const text = decodeHead(head);
    if (/^(EC|BT)-Lab ASCII FILE/i.test(text)) {
      return { confidence: 1, reason: "EC-Lab ASCII FILE marker" };
    }
    const first = text.split(/\r\n|\n|\r/, 1)[0] ?? "";
    const ext = extensionOf(fileName);
    if (first.includes("\t") && TITLE_MARKERS.test(first)) {
      const ecLabish = /(^|\t)(mode|ox\/red|control\/V\/mA|Ns changes|Re\(Z\)\/Ohm)(\t|$)/
        .test(first);
      if (ecLabish) return { confidence: 0.9, reason: "EC-Lab column titles without header" };
      return ext === ".mpt"
        ? { confidence: 0.7, reason: "EC-Lab-like column titles and .mpt extension" }
        : { confidence: 0.3, reason: "EC-Lab-like column titles" };
    }
    return ext === ".mpt"
      ? { confidence: 0.1, reason: ".mpt extension only" }
      : { confidence: 0, reason: "no EC-Lab marker" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    return parseMpt(bytes, options);
  },
});

function parseMpt(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  if (bytes.length === 0) throw new ParseError(file, "the file is empty", { offset: 0 });
  const lines = splitLines(decodeText(bytes));
  let titleLine: number;
  const headerLines: string[] = [];
  const hasHeader = /^(EC|BT)-Lab ASCII FILE/i.test(lines[0] ?? "");
  if (hasHeader) {
    const m = /^\s*Nb header lines\s*:\s*(\d+)/i.exec(lines[1] ?? "");
    if (!m) throw new ParseError(file, 'line 2: expected "Nb header lines : N"', { line: 2 });
    const nHeader = Number(m[1]);
    // Line N (1-based) is the column-title row: N counts the title row itself.
    if (nHeader < 3 || nHeader > lines.length) {
      throw new ParseError(
        file,
        `line 2 announces ${nHeader} header lines but the file has ${lines.length} lines`,
        { line: 2 },
      );
    }
    titleLine = nHeader - 1;
    for (let i = 0; i < titleLine; i++) headerLines.push(lines[i]);
  } else {
    if (!TITLE_MARKERS.test(lines[0] ?? "")) {
      throw new ParseError(file, "line 1: neither an EC-Lab header nor EC-Lab column titles", {
        line: 1,
      });
    }
    titleLine = 0;
  }
  const original = lines[titleLine].split("\t");
  while (original.length > 0 && original[original.length - 1].trim() === "") original.pop();
  if (original.length === 0) {
    throw new ParseError(file, `line ${titleLine + 1}: no column titles`, { line: titleLine + 1 });
  }
  const headerOnly = titlesWithoutValues(lines, titleLine, original);
  const titles = original.map(repairTitle);
  const { meta, startMs: headerStart } = metaFromHeader(headerLines, options, hasHeader);
  if (headerOnly.length > 0) {
    meta.warnings.push(
      `line ${titleLine + 1}: ${
        headerOnly.map((t) => `"${t}"`).join(", ")
      } listed after an empty column title but without values in the rows; left out`,
    );
  }
  const table = readRows(lines, titleLine, titles, original, file, meta);
  if (table.timestampStart !== null) {
    meta.header["first timestamp"] = isoLocal(table.timestampStart);
    if (meta.start_time === null) meta.start_time = isoLocal(table.timestampStart);
  }
  // Timestamped rows: time_s counts from the first row, so that row is the origin.
  const startMs = table.timestampStart ?? headerStart;
  return buildBiologicRecording(table, meta, { startMs });
}

/**
 * EC-Lab files that record Ece end their title line with an empty title and more titles
 * (`…\tRwe-ce/Ohm\t\tEwe-Ece/V`) for which the rows hold no values. When the first data row
 * ends where the empty title stands, those titles are cut from `original` (in place) and
 * returned; otherwise nothing changes.
 */
function titlesWithoutValues(lines: string[], titleLine: number, original: string[]): string[] {
  const gap = original.indexOf("");
  if (gap < 0) return [];
  let row = titleLine + 1;
  while (row < lines.length && lines[row].trim() === "") row++;
  if (row >= lines.length) return [];
  const fields = lines[row].split("\t");
  while (fields.length > 0 && fields[fields.length - 1].trim() === "") fields.pop();
  if (fields.length > gap) return [];
  return original.splice(gap).filter((t) => t.trim() !== "");
}

interface ReadTable extends BiologicTable {
  timestampStart: number | null;
}

/** Fields of a decimal-comma number: `-1,234E+003`. */
const COMMA_NUMBER = /^[-+]?\d+,\d*(?:[eE][-+]?\d+)?$/;

function readRows(
  lines: string[],
  titleLine: number,
  titles: string[],
  original: string[],
  file: string,
  meta: FileMeta,
): ReadTable {
  const nCol = titles.length;
  let last = lines.length;
  while (last > titleLine + 1 && lines[last - 1].trim() === "") last--;
  const first = titleLine + 1;
  const nRows = last - first;
  const columns = titles.map(() => new Float64Array(nRows));
  // Decimal comma: decided once from the first data row.
  let comma = false;
  if (nRows > 0) {
    const fields = lines[first].split("\t");
    comma = fields.some((f) => COMMA_NUMBER.test(f.trim())) &&
      !fields.some((f) => /^[-+]?\d*\.\d+(?:[eE][-+]?\d+)?$/.test(f.trim()));
    if (comma) meta.warnings.push("decimal commas read as decimal points");
  }
  const timeCol = titles.indexOf("time/s");
  let timestampStart: number | null = null;
  let rows = 0;
  for (let i = first; i < last; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      meta.warnings.push(`line ${i + 1} is empty and was skipped`);
      continue;
    }
    const fields = line.split("\t");
    if (fields.length < nCol) {
      throw new ParseError(file, `line ${i + 1} has ${fields.length} fields, expected ${nCol}`, {
        line: i + 1,
      });
    }
    for (let c = 0; c < nCol; c++) {
      let s = fields[c];
      if (comma) s = s.replace(",", ".");
      let v = s === "" ? NaN : Number(s);
      if (Number.isNaN(v) && s.trim() !== "" && !/^\s*nan\s*$/i.test(s)) {
        const stamp = c === timeCol ? parseEcLabDate(s) : null;
        if (stamp === null) {
          throw new ParseError(
            file,
            `line ${i + 1}: "${fields[c]}" in column "${original[c]}" is not a number`,
            { line: i + 1 },
          );
        }
        if (timestampStart === null) timestampStart = stamp;
        v = (stamp - timestampStart) / 1000;
      }
      columns[c][rows] = v;
    }
    rows++;
  }
  const trimmed = rows === nRows ? columns : columns.map((a) => a.slice(0, rows));
  return {
    titles,
    original,
    columns: trimmed,
    length: rows,
    timestampStart,
  };
}

/** Header `key : value` line (the key may be indented by a tab). */
const KEY_VALUE = /^\s*([^:\t][^:]*?)\s+:\s*(.*?)\s*$/;

function metaFromHeader(
  headerLines: string[],
  options: ParseOptions,
  hasHeader: boolean,
): { meta: FileMeta; startMs: number | null } {
  const header: Record<string, string> = {};
  const put = (key: string, value: string) => {
    let k = key;
    for (let s = 2; k in header; s++) k = `${key} [${s}]`;
    header[k] = value;
  };
  const techniques: string[] = [];
  const warnings: string[] = [];
  let formatVersion: string | null = null;
  for (let i = 0; i < headerLines.length; i++) {
    const line = headerLines[i];
    const block = /^\s*Technique\s*:\s*(\d+)\s*$/.exec(line);
    if (block) {
      put("Technique", block[1]);
      const name = (headerLines[i + 1] ?? "").trim();
      if (name) techniques.push(techniqueShortName(name));
      continue;
    }
    const version = /^\s*((?:EC|BT)-Lab)\s+for windows\s+v([\d.]+)/i.exec(line);
    if (version && formatVersion === null) {
      formatVersion = `${/^ec/i.test(version[1]) ? "EC-Lab" : "BT-Lab"} ${version[2]}`;
    }
    const kv = KEY_VALUE.exec(line);
    if (kv && line.includes(" : ")) {
      put(kv[1].trim(), kv[2]);
      continue;
    }
    // Technique parameter table: 20-character key column, then 20-character value columns.
    if (line.length > 20 && line[19] === " " && /^\S/.test(line) && !line.includes(" : ")) {
      const key = line.slice(0, 20).trim();
      const values: string[] = [];
      for (let p = 20; p < line.length; p += 20) values.push(line.slice(p, p + 20).trim());
      while (values.length > 0 && values[values.length - 1] === "") values.pop();
      if (key && values.length > 0) put(key, values.join("\t"));
    }
  }
  if (hasHeader && techniques.length === 0) {
    const name = (headerLines[3] ?? "").trim();
    if (name) techniques.push(techniqueShortName(name));
  }
  const fields: Partial<FileMeta> & Pick<FileMeta, "format" | "instrument"> = {
    format: "biologic_mpt",
    instrument: "BioLogic",
    format_version: formatVersion,
    header,
    warnings,
  };
  if (techniques.length > 0) fields.techniques = techniques;
  const channel = /^\s*(\d+)\b/.exec(header["Run on channel"] ?? "");
  if (channel) fields.channel = Number(channel[1]);
  let startMs: number | null = null;
  const started = header["Acquisition started on"];
  if (started !== undefined) {
    startMs = parseEcLabDate(started);
    if (startMs === null) warnings.push(`"Acquisition started on : ${started}" is not a date`);
    else fields.start_time = isoLocal(startMs);
  }
  if (header["Device"]) fields.device = header["Device"];
  fields.electrode_area_cm2 = areaCm2(header["Electrode surface area"]);
  fields.active_mass_g = massG(header["Characteristic mass"]);
  if (!hasHeader) {
    warnings.push("no header block: technique, channel and start time come from the file name");
  }
  return { meta: makeMeta(options, fields), startMs };
}
