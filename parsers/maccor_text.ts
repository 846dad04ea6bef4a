// Copyright 2026 the battery-analysis authors. MIT license.
// This module is browser compatible.

/**
 * Maccor tab-separated text exports (`test.001`, `test.052`, MIMS Client `.txt`).
 *
 * Layouts learned from BEEP (`beep/structure/maccor.py`, Apache-2.0), battery-data-toolkit
 * (`battdat/io/maccor.py`, Apache-2.0) and cellpy (`maccor_txt_two.py`, MIT); the code is ours.
 *
 * @module
 */

import type { Recording } from "../lib/model/file_meta.ts";
import { decodeHead, decodeText, splitLines } from "./_text.ts";
import { finishCounters } from "./_columns.ts";
import { parseNaiveDateTime } from "./_delimited.ts";
import {
  assembleMaccorSeries,
  findMaccorHeader,
  HEADER_SCAN_LINES,
  maccorColumns,
  readMaccorHeaderLines,
  readMaccorRows,
  resolveTestTime,
  rowWarnings,
  wallClockAndPauses,
} from "./_maccor.ts";
import { makeMeta } from "./_meta.ts";
import type { Detection, FormatParser, ParseOptions } from "./format_parser.ts";
import { ParseError } from "./parse_error.ts";
import { checkedFormat, rowsBeforeHeader } from "./_damage.ts";

/** Wall-clock time beyond test time (seconds) between two rows that counts as a pause. */
export const MACCOR_PAUSE_THRESHOLD_S = 60;

function detect(head: Uint8Array, fileName: string): Detection {
  const text = decodeHead(head);
  const lines = splitLines(text.slice(0, 32768));
  const header = findMaccorHeader(lines, HEADER_SCAN_LINES);
  if (header) {
    const first = lines[0] ?? "";
    if (/^Today's Date/.test(first) && /Date of Test:/.test(first)) {
      return {
        confidence: 1,
        reason:
          "Maccor header line (Today's Date / Date of Test) and Rec#/State/Amps/Volts columns",
      };
    }
    return {
      confidence: 0.95,
      reason: "tab-separated Maccor columns (Rec, State or Md, current, voltage)",
    };
  }
  if (/^Today's Date.*Date of Test:/.test(lines[0] ?? "")) {
    return { confidence: 0.6, reason: "Maccor header line but no recognizable column header" };
  }
  return { confidence: 0, reason: /\.\d{3}$/.test(fileName) ? "numbered extension only" : "" };
}

/**
 * The Maccor text export reader.
 *
 * - Current is written unsigned by most Maccor exports (some write it signed); the `State`
 *   (`Md`) column decides the sign: `C` positive, `D` negative; other states (`R` rest, `O`, `P`,
 *   `S`, `E`, `FRA`, ...) keep the value as written. Unknown states are listed in `warnings`.
 * - `Amp-hr` / `Watt-hr` reset at every step; they become the charge counters on `C` rows and the
 *   discharge counters on `D` rows (0 elsewhere); waveform columns (`WF Chg Cap`, ...) win when
 *   the row has them. A drop is a reset, which is how analysis reads counters.
 * - Test time units come from the header (`Test (Sec)`, `Test (Min)`, `Test (Hr)`) or the
 *   `0d 00:00:00.0000` form; a bare `TestTime` gets its unit from the `DPt Time` clock (seconds,
 *   minutes or hours, whichever matches; reported in `warnings`).
 * - `DPt Time` gives `start_time` and the extra `wall_clock_s` (seconds since the first row). A
 *   time-only `DPt Time` is dated from `Date of Test`, a day added when the clock wraps.
 * - Pauses: a test paused on the cycler stops the test clock but not the wall clock. Where the
 *   wall clock advances more than {@link MACCOR_PAUSE_THRESHOLD_S} beyond the test time between
 *   two rows, the pause is reported in `warnings`; `time_s` stays the instrument's test time and
 *   `wall_clock_s` keeps the real elapsed time.
 * - A last line cut short (file copied while being written) is dropped with a warning; a short
 *   line elsewhere is a {@link ParseError}.
 */
export const maccorText: FormatParser = checkedFormat("text", {
  id: "maccor_text",
  name: "Maccor text export",
  instrument: "Maccor",
  extensions: [".nnn", ".txt"],
  kind: "cycling",
  detect,
  parse: parseMaccorText,
});

function parseMaccorText(bytes: Uint8Array, options: ParseOptions): Recording {
  const file = options.fileName;
  const lines = splitLines(decodeText(bytes));
  const header = findMaccorHeader(lines, HEADER_SCAN_LINES);
  if (!header) {
    throw new ParseError(
      file,
      `no Maccor column header (Rec#, State, Amps, Volts) in the first ${HEADER_SCAN_LINES} lines`,
      { line: 1 },
    );
  }
  const headerInfo = readMaccorHeaderLines(lines, header.index);
  const warnings: string[] = [];
  const early = rowsBeforeHeader(
    lines,
    { index: header.index, width: header.fields.length },
    (line) => line.split("\t"),
  );
  if (early) warnings.push(early);
  const col = maccorColumns(header.fields, file, header.index + 1);
  const testDate = headerInfo["Date of Test"]
    ? parseNaiveDateTime(headerInfo["Date of Test"], "mdy")
    : undefined;
  const rows = readMaccorRows(lines, { file, header, col, testDate, warnings });
  const time = resolveTestTime(rows, col, warnings);
  const startTime = wallClockAndPauses(rows, MACCOR_PAUSE_THRESHOLD_S, warnings);
  warnings.push(...rowWarnings(rows));
  const series = assembleMaccorSeries(rows, col, { header: header.fields, time, startTime });
  if (col.cycle < 0) warnings.push("no cycle column; cycle_index is 0");
  warnings.push(...finishCounters(series));
  const channel = /^(\d+)$/.exec(headerInfo["Channel"] ?? headerInfo["Tester Channel"] ?? "")
    ?.[1];
  const meta = makeMeta(options, {
    format: "maccor_text",
    instrument: "Maccor",
    start_time: startTime,
    header: { ...headerInfo },
    warnings,
    techniques: ["Cycling"],
    device: headerInfo["Tester"] ?? null,
  });
  if (channel) meta.channel = Number(channel);
  return { meta, series };
}
