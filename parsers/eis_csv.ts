// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { FormatParser, ParseOptions } from "./format_parser.ts";
import type { Recording } from "../lib/model/file_meta.ts";
import { readPoints } from "./_eis.ts";
import { makeMeta } from "./_meta.ts";
import { ParseError } from "./parse_error.ts";
import { decodeHead, decodeText, extensionOf, splitLines } from "./_text.ts";
import { checkedFormat } from "./_damage.ts";

/** Delimiter of a table line: tab, semicolon, comma or runs of spaces. */
function splitter(sample: string): (line: string) => string[] {
  if (sample.includes("\t")) return (l) => l.trim().split(/\s*\t\s*/);
  if (sample.includes(";")) return (l) => l.split(";");
  if (sample.includes(",")) return (l) => l.split(",");
  return (l) => l.trim().split(/\s+/);
}

const isNumeric = (s: string): boolean => s.trim() !== "" && Number.isFinite(Number(s.trim()));

/** What the first lines of a text look like as a numeric EIS table. */
function sniff(lines: string[]): {
  header: string[] | null;
  dataStart: number;
  split: (line: string) => string[];
} | null {
  const nonEmpty = lines.findIndex((l) => l.trim() !== "");
  if (nonEmpty < 0) return null;
  const firstData = lines.findIndex((l, i) => i >= nonEmpty && /^\s*[-+.\d]/.test(l));
  if (firstData < 0) return null;
  const split = splitter(lines[firstData]);
  const fields = split(lines[firstData]);
  if (fields.length < 3 || !fields.every(isNumeric)) return null;
  if (firstData === nonEmpty) return { header: null, dataStart: firstData, split };
  if (firstData !== nonEmpty + 1) return null;
  const header = split(lines[nonEmpty]).map((s) => s.trim().replace(/^"|"$/g, ""));
  if (header.length !== fields.length) return null;
  return { header, dataStart: firstData, split };
}

interface Layout {
  f: number;
  re: number;
  im: number;
  /** −1 when the column holds −Im Z, +1 for Im Z, 0 when unknown (decided from the data). */
  sign: number;
  names: [string, string, string];
}

function layoutOf(header: string[] | null, nFields: number): Layout | null {
  if (!header) {
    // Without a header: f, Re, Im; a leading 0, 1, 2, ... index column is checked by the caller.
    const off = nFields >= 4 ? 1 : 0;
    return {
      f: off,
      re: off + 1,
      im: off + 2,
      sign: 0,
      names: ["column 1", "column 2", "column 3"],
    };
  }
  const lower = header.map((h) => h.toLowerCase());
  const f = lower.findIndex((h) => /freq|^f\b|hz/.test(h));
  const im = lower.findIndex((h) => /im|z''|z"|zimg|imag|x\b/.test(h) && !/time/.test(h));
  const re = lower.findIndex((h, i) =>
    i !== f && i !== im && /re|z'|zreal|real|r\b/.test(h) && !/time|range/.test(h)
  );
  if (f < 0 || re < 0 || im < 0) return null;
  const sign = /^\s*-/.test(header[im]) ? -1 : 0;
  return { f, re, im, sign, names: [header[f], header[re], header[im]] };
}

/** Unit in a column name: `Re(Z)/Ohm` → `Ohm`, `freq (Hz)` → `Hz`, else `""`. */
function unitOf(name: string): string {
  return name.match(/\/\s*([^/()]+)$/)?.[1]?.trim() ?? name.match(/[([]([^)\]]+)[)\]]\s*$/)?.[1] ??
    "";
}

/**
 * Plain delimited text of frequency, real and imaginary impedance (comma, semicolon, tab or
 * space separated; with or without a header line; an optional leading index column). With a
 * header the columns are found by name (`freq…`, `re…`/`Z'`, `im…`/`Z''`); a name starting with
 * `-` (`-Im(Z)/Ohm`) marks a column of −Im Z. Without a header the columns are f, Re, Im; when
 * the sign convention is not stated and most imaginary values are positive the column is read
 * as −Im Z (the usual way to store capacitive data as positive numbers) and a warning says so.
 *
 * @example Usage
 * ```ts
 * import { eisCsv } from "./eis_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = "1000,1.5,-0.2\n100,2.5,-0.9\n10,3.1,-0.4\n";
 * const rec = eisCsv.parse(new TextEncoder().encode(text), { fileName: "d.csv" });
 * equal(rec.spectra![0].length, 3);
 * equal(rec.spectra![0].z_imag_ohm[1], -0.9);
 * ```
 */
export const eisCsv: FormatParser = checkedFormat("text", {
  id: "eis_csv",
  name: "Impedance table (frequency, Re Z, Im Z) as CSV/TSV",
  instrument: "Other",
  extensions: [".csv", ".txt", ".tsv", ".dat"],
  kind: "eis",
  detect(head: Uint8Array, fileName: string) {
    const lines = splitLines(decodeHead(head)).slice(0, 20);
    if (lines.length > 1 && head.length >= 65536) lines.pop();
    const s = sniff(lines);
    if (!s) return { confidence: 0, reason: "not a numeric table of three or more columns" };
    const rows = lines.slice(s.dataStart).filter((l) => l.trim() !== "").map(s.split);
    const width = rows[0].length;
    if (!rows.every((r) => r.length === width && r.every(isNumeric))) {
      return { confidence: 0, reason: "rows of unequal width or non-numeric fields" };
    }
    const layout = layoutOf(s.header, width);
    if (!layout) return { confidence: 0, reason: "no frequency / real / imaginary columns" };
    if (!rows.every((r) => Number(r[layout.f]) > 0)) {
      return { confidence: 0, reason: "first column is not a positive frequency" };
    }
    if (s.header) return { confidence: 0.4, reason: "table with frequency, Re and Im headers" };
    const known = [".csv", ".txt", ".tsv", ".dat"].includes(extensionOf(fileName));
    return width <= 4
      ? { confidence: known ? 0.3 : 0.2, reason: "numeric table of f, Re, Im without header" }
      : { confidence: 0, reason: "headerless table with more than four columns" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const file = options.fileName;
    const lines = splitLines(decodeText(bytes));
    const s = sniff(lines);
    if (!s) {
      throw new ParseError(file, "not a numeric table of frequency, Re Z and Im Z", { line: 1 });
    }
    const firstFields = s.split(lines[s.dataStart]);
    const layout = layoutOf(s.header, firstFields.length);
    if (!layout) {
      throw new ParseError(
        file,
        `line ${s.dataStart}: cannot find frequency, real and imaginary columns in "${
          lines[s.dataStart - 1]
        }"`,
        { line: s.dataStart },
      );
    }
    const index: number[] = [];
    const [fName, reName, imName] = layout.names;
    const { builder, columns } = readPoints(lines, s.dataStart, {
      file,
      split: s.split,
      fields: firstFields.length,
      exact: true,
      columns: [
        {
          key: "frequency_Hz",
          index: layout.f,
          name: fName,
          unit: unitOf(fName),
          what: "frequency",
        },
        {
          key: "z_real_ohm",
          index: layout.re,
          name: reName,
          unit: unitOf(reName),
          what: "real part",
        },
        {
          key: "z_imag_ohm",
          index: layout.im,
          name: imName,
          unit: unitOf(imName),
          what: "imaginary part",
        },
      ],
      row: (f) => {
        if (!s.header && firstFields.length >= 4) index.push(Number(f[0]));
      },
      frequency: (freq, n) => {
        if (freq > 0) return true;
        throw new ParseError(file, `line ${n}: frequency ${freq} is not positive`, { line: n });
      },
      where: "",
    });
    if (index.length > 0 && !index.every((v, k) => v === k || v === k + 1)) {
      throw new ParseError(
        file,
        `line ${s.dataStart + 1}: ${firstFields.length} columns without a header and the first ` +
          "is not a row index; cannot tell which columns are f, Re and Im",
        { line: s.dataStart + 1 },
      );
    }
    const warnings: string[] = [];
    let sign = layout.sign;
    if (sign === 0) {
      let pos = 0, neg = 0;
      for (const v of builder.imag) v > 0 ? pos++ : v < 0 ? neg++ : 0;
      sign = pos > neg ? -1 : 1;
      if (sign < 0) {
        warnings.push(
          `imaginary column "${
            layout.names[2]
          }" is mostly positive (${pos} of ${builder.length}): ` +
            "read as -Im Z and negated",
        );
      }
    }
    if (sign < 0) {
      for (let k = 0; k < builder.imag.length; k++) {
        builder.imag[k] = -builder.imag[k];
      }
    }
    columns.z_imag_ohm.scale = sign;
    const meta = makeMeta(options, {
      format: "eis_csv",
      instrument: "Other",
      techniques: ["EIS"],
      header: s.header ? { columns: s.header.join(", ") } : {},
      warnings,
    });
    return { meta, spectra: [builder.build(columns)] };
  },
});
