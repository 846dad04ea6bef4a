// Copyright 2026 the battery-analysis authors. MIT license.
// Damaged input is never silently good (issue 12, item 4): the checks of parsers/_damage.ts on
// real fixtures with one known damage each. Expected counts come from the fixtures' own line
// offsets (computed here, as a comment says), never from a run of the code under test.

import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { analyzeTest, FLAG_CODES } from "../../analysis/analyze_test.ts";
import { DAMAGE_CODES, lastLineCheck } from "../../parsers/_damage.ts";
import { arbinCsv, parseArbinCsv } from "../../parsers/arbin_csv.ts";
import { arbinRes } from "../../parsers/arbin_res.ts";
import { biologicMpt } from "../../parsers/biologic_mpt.ts";
import { byteSource } from "../../parsers/byte_source.ts";
import { eisCsv } from "../../parsers/eis_csv.ts";
import { newareNdax } from "../../parsers/neware_ndax.ts";
import { novonixCsv } from "../../parsers/novonix_csv.ts";
import { ParseError } from "../../parsers/parse_error.ts";
import { pecCsv } from "../../parsers/pec_csv.ts";
import { readFixture } from "../_util.ts";

/** Offsets just after each `\n`, 0 first: line k (1-based) starts at `starts[k - 1]`. */
function lineStarts(bytes: Uint8Array): number[] {
  const out = [0];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) out.push(i + 1);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const codes = (warnings: readonly string[]) => warnings.map((w) => w.slice(0, w.indexOf(":")));

Deno.test("every damaged-input warning code is a documented data-quality flag", () => {
  for (const code of DAMAGE_CODES) ok(Object.hasOwn(FLAG_CODES, code), code);
  const flags = analyzeTest({ warnings: ["nul_bytes: 4 bytes are zero", "a plain note"] }).flags;
  deepEqual(flags.map((f) => [f.code, f.message]), [
    ["nul_bytes", "4 bytes are zero"],
    ["parser_warning", "a plain note"],
  ]);
});

Deno.test("lastLineCheck(): a cut is told from a complete line by the column's form", () => {
  const prev = ["1.0e-01,2.5e-02,-3.1e-03", "2.0e-01,2.4e-02,-2.9e-03"];
  equal(lastLineCheck("3.0e-01,2.3e-02,-2.7e-03", prev).status, "complete");
  // %.1e cut inside the exponent or the mantissa: a prefix of the column's form.
  equal(lastLineCheck("3.0e-01,2.3e-02,-2.7e-0", prev).status, "cut");
  equal(lastLineCheck("3.0e-01,2.3e-02,-2.", prev).status, "cut");
  equal(lastLineCheck("3.0e-01,2.3e-02,", prev).status, "cut");
  equal(lastLineCheck("3.0e-01,2.3e-02", prev).status, "cut"); // 2 of 3 fields
  // Counters of one width: the same width is complete, a shorter one a cut.
  const counters = ["1\t12", "2\t12", "3\t12"];
  equal(lastLineCheck("4\t12", counters).status, "complete");
  equal(lastLineCheck("4\t1", counters).status, "cut");
  // Values of varying form (shortest round-trip numbers) cannot be checked: kept, flagged.
  const free = ["0.1,0.25", "0.2,0.125"];
  equal(lastLineCheck("0.3,0.5", free).status, "unverified");
  equal(lastLineCheck("0.3,0.5", []).status, "unverified");
});

Deno.test("head -c 1509 exampleData.csv: the cut last point is left out, never -2.751", () => {
  const bytes = readFixture("eis/exampleData.csv");
  const cut = bytes.subarray(0, 1509);
  // 1509 bytes hold 19 complete lines (numpy %.18e rows of 74-75 bytes); line 20 starts at the
  // byte after the 19th "\n" and ends in "-2.751082138962" (of -2.751082138962…e-03).
  const starts = lineStarts(cut);
  equal(starts.length - 1, 19);
  const rec = eisCsv.parse(cut, { fileName: "exampleData.csv" });
  const full = eisCsv.parse(bytes, { fileName: "exampleData.csv" });
  equal(rec.spectra![0].length, 19);
  deepEqual([...rec.spectra![0].z_imag_ohm], [...full.spectra![0].z_imag_ohm.subarray(0, 19)]);
  ok(![...rec.spectra![0].z_imag_ohm].some((v) => Math.abs(Math.abs(v) - 2.751) < 0.01));
  equal(rec.meta.warnings.length, 1);
  ok(
    rec.meta.warnings[0].startsWith(
      `truncated_last_line: line 20 (byte ${starts[19]}) is cut short (no line end; its last ` +
        `value "-2.751082138962" is a cut-off form of the column's values`,
    ),
    rec.meta.warnings[0],
  );
  // The intact file (it ends with a line end) has no warning.
  deepEqual(full.meta.warnings, []);
});

Deno.test("an EC-Lab .mpt without a final line end is not flagged: its last value is complete", () => {
  // EC-Lab writes no line end after the last row; every value is %.7E, so the last one is
  // checked complete.
  const bytes = readFixture("biologic/exampleDataBioLogic.mpt");
  ok(bytes[bytes.length - 1] !== 10);
  deepEqual(biologicMpt.parse(bytes, { fileName: "x.mpt" }).meta.warnings, []);
});

Deno.test("a zero-filled 52 KiB block in an Arbin CSV: its lines are left out with a warning", () => {
  const name = "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
  const bytes = readFixture(`arbin/${name}`);
  const from = 100_000, to = from + 52 * 1024;
  const damaged = bytes.slice();
  damaged.fill(0, from, to);
  // Lines wholly before `from` or wholly after `to` survive: line k is data row k - 1 (line 1
  // is the header). The line holding `from` and the one holding `to` are lost with the block.
  const starts = lineStarts(bytes);
  const firstLost = starts.findLastIndex((s) => s <= from); // 0-based line of byte `from`
  const lastLost = starts.findLastIndex((s) => s < to); // 0-based line of the block's end
  const rowsBefore = firstLost - 1, rowsAfter = starts.length - 1 - lastLost - 1;
  const original = parseArbinCsv(bytes, { fileName: name }).series!;
  for (const input of [damaged, byteSource(damaged)]) {
    const rec = parseArbinCsv(input, { fileName: name });
    const s = rec.series!;
    equal(s.length, rowsBefore + rowsAfter);
    equal(original.length - s.length, lastLost - firstLost + 1);
    deepEqual([...s.time_s.subarray(0, rowsBefore)], [...original.time_s.subarray(0, rowsBefore)]);
    deepEqual(
      [...s.voltage_V.subarray(rowsBefore)],
      [...original.voltage_V.subarray(original.length - rowsAfter)],
    );
    equal(rec.meta.warnings.length, 1, rec.meta.warnings.join("\n"));
    equal(
      rec.meta.warnings[0],
      `nul_bytes: 53,248 bytes are zero (NUL) at bytes ${from}–${to}: the data written there ` +
        "is lost (damaged file, e.g. after a crash); the lines holding them were left out",
    );
  }
});

Deno.test("a file concatenated with itself: the repeated copy is found and left out", () => {
  const name = "FastCharge_000025_CH8.csv";
  const bytes = readFixture(`arbin/${name}`);
  // 249 lines (header + 248 rows): the second copy is lines 250–498, from byte bytes.length.
  equal(lineStarts(bytes).length - 1, 249);
  const original = arbinCsv.parse(bytes, { fileName: name });
  const rec = arbinCsv.parse(concat(bytes, bytes), { fileName: name });
  deepEqual(rec.series, original.series);
  deepEqual(rec.meta.warnings, [
    `repeated_header: lines 250–498 (byte ${bytes.length}) repeat lines 1–249 of the file (two ` +
    "files joined, or a block written twice) and were left out",
  ]);
  // Another file of the same layout appended: its header is left out, its rows are kept and
  // time goes backwards where they start (row 249), and so does Data_Point. Here: the header
  // and rows 101–200.
  const starts = lineStarts(bytes);
  const other = concat(bytes.subarray(0, starts[1]), bytes.subarray(starts[101], starts[201]));
  const joined = concat(bytes, other);
  const two = arbinCsv.parse(joined, { fileName: name });
  equal(two.series!.length, 248 + 100);
  deepEqual(codes(two.meta.warnings), [
    "repeated_header",
    "time_not_monotonic",
    "row_count_mismatch",
  ]);
  match(two.meta.warnings[1], /first at row 249 \(/);
  // The analysis raises each as its own flag, time going backwards once.
  const flags = analyzeTest({ series: two.series, warnings: two.meta.warnings }).flags;
  equal(flags.filter((f) => f.code === "time_not_monotonic").length, 1);
  ok(flags.some((f) => f.code === "repeated_header"));
  ok(!flags.some((f) => f.code === "parser_warning"));
});

Deno.test("a headerless spectrum written twice: the sweep turns back", () => {
  const bytes = readFixture("eis/exampleData.csv");
  const rec = eisCsv.parse(concat(bytes, bytes), { fileName: "exampleData.csv" });
  // 66 lines: 66 points; the second copy starts again at the first (lowest) frequency.
  equal(rec.spectra![0].length, 2 * 66);
  deepEqual(codes(rec.meta.warnings), ["rows_out_of_order"]);
  match(rec.meta.warnings[0], /changes direction 2 time\(s\), first at point 67 /);
});

Deno.test("a lost block of an Arbin CSV with Data_Point: the record numbers jump", () => {
  const name = "arbin_example.csv";
  const bytes = readFixture(`arbin/${name}`);
  const starts = lineStarts(bytes);
  // Lines 101–110 (data points 100–109: Data_Point starts at 1 on line 2) removed.
  const damaged = concat(bytes.subarray(0, starts[100]), bytes.subarray(starts[110]));
  const rec = arbinCsv.parse(damaged, { fileName: name });
  deepEqual(codes(rec.meta.warnings), ["row_count_mismatch"]);
  match(rec.meta.warnings[0], /first at row 100 \(99 → 110\)/);
});

Deno.test("data rows before the column header (blocks swapped) are reported", () => {
  const bytes = readFixture("other/Test25195.csv");
  const starts = lineStarts(bytes);
  // Swap the header line (line 46) with the three data lines after it.
  const header = bytes.subarray(starts[45], starts[46]);
  const rows = bytes.subarray(starts[46], starts[49]);
  const damaged = concat(
    concat(bytes.subarray(0, starts[45]), rows),
    concat(header, bytes.subarray(starts[49])),
  );
  const rec = pecCsv.parse(damaged, { fileName: "Test25195.csv" });
  deepEqual(codes(rec.meta.warnings), ["rows_out_of_order"]);
  match(rec.meta.warnings[0], /^rows_out_of_order: lines 46, 47, 48 before the column header/);
});

Deno.test("one frequency out of order stays in its EC-Lab sweep and is reported", () => {
  const bytes = readFixture("biologic/exampleDataBioLogic.mpt");
  const text = new TextDecoder("latin1").decode(bytes);
  // The 10th point's frequency "3.1622775E+002"-like value gets a larger exponent: one point
  // out of a descending sweep, not a new sweep.
  const lines = text.split("\n");
  const header = lines.findIndex((l) => l.startsWith("freq/Hz"));
  const fields = lines[header + 10].split("\t");
  fields[0] = fields[0].replace(/E\+00(\d)$/, (_, d) => `E+00${Number(d) + 2}`);
  lines[header + 10] = fields.join("\t");
  const rec = biologicMpt.parse(new TextEncoder().encode(lines.join("\n")), { fileName: "x.mpt" });
  equal(rec.spectra!.length, 1);
  equal(rec.spectra![0].length, 43);
  deepEqual(codes(rec.meta.warnings), ["rows_out_of_order"]);
  match(rec.meta.warnings[0], /first at point 10 /);
});

Deno.test("one damaged byte in a UTF-8 file does not change how the other lines read", () => {
  const name = "test_Nova_Form-CH01-01_short.csv";
  const bytes = readFixture(`other/${name}`).slice();
  // Byte 130631 (line 961, in "39.2444191" of the Temperature (°C) column) set to 0xB0, not
  // valid UTF-8 alone: the file still reads as UTF-8 (the header's "°C" stays "°C") and the bad
  // value is a ParseError at its line.
  bytes[130631] = 0xb0;
  throws(
    () => novonixCsv.parse(bytes, { fileName: name }),
    (e: unknown) =>
      e instanceof ParseError && /line 961: .* in column "Temperature \(°C\)"/.test(e.message),
  );
});

Deno.test("damaged archives fail naming the place: gzip CRC, zip CRC, Jet page", () => {
  const gz = readFixture("arbin/mits7-0.res.gz").slice();
  gz[gz.length - 8] ^= 1; // the CRC-32 the gzip trailer states
  throws(
    () => arbinRes.parse(gz, { fileName: "mits7-0.res.gz" }),
    (e: unknown) =>
      e instanceof ParseError && e.offset === gz.length - 8 && /CRC-32/.test(e.message),
  );
  // A zip entry's CRC-32 as its central directory states it (offset 16 of the first entry).
  const ndax = readFixture("neware/test.ndax").slice();
  const view = new DataView(ndax.buffer);
  let eocd = ndax.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const dir = view.getUint32(eocd + 16, true);
  ndax[dir + 16] ^= 1;
  throws(
    () => newareNdax.parse(ndax, { fileName: "test.ndax" }),
    (e: unknown) =>
      e instanceof ParseError && /compressed bytes \d+–\d+\) is damaged/.test(e.message),
  );
  // A zero-filled Jet page of an Arbin .res (page 2, bytes 8192–12288): the reader fails on
  // the catalog and names the page.
  const res = readFixture("arbin/20160805_test001_45_cc_01.res").slice();
  res.fill(0, 2 * 4096, 3 * 4096);
  throws(
    () => arbinRes.parse(res, { fileName: "x.res" }),
    (e: unknown) =>
      e instanceof ParseError &&
      /page 2 \(byte offset 8192 of the database\) is damaged/.test(e.message),
  );
});
