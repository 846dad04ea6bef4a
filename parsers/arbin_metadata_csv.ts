// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

import type { Recording } from "../lib/model/file_meta.ts";
import { splitFields } from "./_csv_numeric.ts";
import { makeMeta } from "./_meta.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat } from "./_damage.ts";

/** What an Arbin `*_Metadata.csv` sidecar (BEEP / MITS Pro SQL export) says about a test. */
export interface ArbinMetadata {
  /** Every named field exactly as written (trimmed). */
  fields: Record<string, string>;
  /** `test_id`, or `null`. */
  test_id: string | null;
  /** `device_id` (the tester's serial), or `null`. */
  device: string | null;
  /** `iv_ch_id` as written (Arbin's channel index; its base is not documented), or `null`. */
  channel_index: number | null;
  /** `first_start_datetime` (Unix seconds) as ISO 8601 UTC, or `null`. */
  start_time: string | null;
  /** `schedule_file_name`, or `null`. */
  schedule: string | null;
  /** `item_id` (often the cell barcode), or `null`. */
  item_id: string | null;
}

const FIRST_FIELDS = ["test_id", "device_id", "iv_ch_id"];

/**
 * Read the metadata sidecar that BEEP-style Arbin exports put next to the data file
 * (`FastCharge_000025_CH8_Metadata.csv` next to `FastCharge_000025_CH8.csv`): one header line
 * and one line of values. Attach the result to the data with
 * `parseArbinCsv(dataBytes, { fileName, metadata })`.
 *
 * @param bytes The sidecar file.
 * @param fileName File name for messages.
 * @returns The fields and the ones the toolkit uses.
 * @throws {ParseError} When the file is not such a sidecar.
 *
 * @example Usage
 * ```ts
 * import { parseArbinMetadataCsv } from "./arbin_metadata_csv.ts";
 * import { equal } from "node:assert/strict";
 *
 * const text = ",test_id,device_id,iv_ch_id,first_start_datetime,schedule_file_name,item_id\r\n" +
 *   '0,153,60369369,7,1494645214,"a\\b.SDU",EL1\r\n';
 * const md = parseArbinMetadataCsv(new TextEncoder().encode(text), "x_Metadata.csv");
 * equal(md.device, "60369369");
 * equal(md.start_time, "2017-05-13T03:13:34.000Z");
 * equal(md.schedule, "a\\b.SDU");
 * ```
 */
export function parseArbinMetadataCsv(bytes: Uint8Array, fileName: string): ArbinMetadata {
  const lines = splitLines(decodeText(bytes)).filter((l) => l.trim() !== "");
  const names = lines.length > 0 ? splitFields(lines[0], ",") : [];
  if (!FIRST_FIELDS.every((f) => names.includes(f))) {
    throw new ParseError(
      fileName,
      `not an Arbin metadata file: the header line lacks ${FIRST_FIELDS.join(", ")}`,
      { line: 1, offset: 0 },
    );
  }
  if (lines.length < 2) {
    throw new ParseError(fileName, "the metadata file has a header but no values", { line: 2 });
  }
  if (lines.length > 2) {
    throw new ParseError(
      fileName,
      `line 3: expected one line of values, found ${lines.length - 1}`,
      {
        line: 3,
      },
    );
  }
  const values = splitFields(lines[1], ",");
  if (values.length !== names.length) {
    throw new ParseError(
      fileName,
      `line 2 has ${values.length} fields, expected ${names.length}`,
      { line: 2 },
    );
  }
  const fields: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== "") fields[name] = values[i];
  });
  const text = (key: string): string | null => (fields[key] ? fields[key] : null);
  const epoch = Number(fields.first_start_datetime);
  const channel = Number(fields.iv_ch_id);
  return {
    fields,
    test_id: text("test_id"),
    device: text("device_id"),
    channel_index: fields.iv_ch_id !== "" && Number.isInteger(channel) ? channel : null,
    start_time: fields.first_start_datetime && Number.isFinite(epoch) && epoch > 0
      ? new Date(epoch * 1000).toISOString()
      : null,
    schedule: text("schedule_file_name"),
    item_id: text("item_id"),
  };
}

/**
 * The sidecar as a registry format, so that detection names it instead of failing: parsing it
 * gives a {@link Recording} with metadata only (no series) and a warning that says how to attach
 * it to its data file.
 */
export const arbinMetadataCsv: FormatParser = checkedFormat("text", {
  id: "arbin_metadata_csv",
  name: "Arbin metadata sidecar (*_Metadata.csv)",
  instrument: "Arbin",
  extensions: [".csv"],
  kind: "cycling",
  detect(head: Uint8Array): Detection {
    const first = decodeHead(head).split(/\r\n|\n|\r/)[0] ?? "";
    const names = splitFields(first, ",");
    return FIRST_FIELDS.every((f) => names.includes(f))
      ? { confidence: 0.95, reason: "Arbin metadata header (test_id, device_id, iv_ch_id)" }
      : { confidence: 0, reason: "no Arbin metadata header" };
  },
  parse(bytes: Uint8Array, options: ParseOptions): Recording {
    const md = parseArbinMetadataCsv(bytes, options.fileName);
    const base = options.fileName.split(/[\\/]/).pop() ?? options.fileName;
    const dataFile = base.replace(/_Metadata(\.csv)$/i, "$1");
    // Sample, channel and base name from the data file's name, so the two group together.
    const meta = makeMeta({ ...options, fileName: dataFile }, {
      file_name: base,
      format: "arbin_metadata_csv",
      instrument: "Arbin",
      device: md.device,
      start_time: md.start_time,
      header: { ...md.fields },
      warnings: [
        `metadata sidecar without data: read the data file${
          dataFile !== base ? ` "${dataFile}"` : ""
        } and attach this one with parseArbinCsv(bytes, { fileName, metadata: parseArbinMetadataCsv(sidecar, name) })`,
      ],
    });
    return { meta };
  },
});
