// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, match, throws } from "node:assert/strict";
import { joinRecordings } from "../../parsers/join_recordings.ts";
import { maccorText } from "../../parsers/maccor_text.ts";
import type { Recording } from "../../lib/model/file_meta.ts";
import { assertClose, readFixture } from "../_util.ts";

const read = (name: string): Recording =>
  maccorText.parse(readFixture(`maccor/${name}`), { fileName: name });

Deno.test("joinRecordings joins maccor_example.001/.002 by absolute start times", () => {
  // Given in the wrong order on purpose: parts are ordered by meta.part.
  const j = joinRecordings([read("maccor_example.002"), read("maccor_example.001")]);
  const s = j.series!;
  equal(s.length, 16);
  equal(j.meta.part, null);
  equal(j.meta.base_name, "maccor_example");
  // Part 1 starts 2016-03-31 16:05:31 (Date of Test + DPt Time), part 2 2016-04-01 16:05:31
  // (Date of Test 04/01/2016 + time-only DPt Time): 86400 s apart; both restart Test (Min) at 0.
  assertClose(s.time_s[7], 1.1667 * 60);
  assertClose(s.time_s[8], 86400);
  assertClose(s.time_s[15], 86400 + 1.1667 * 60);
  assertClose(s.extras.wall_clock_s[8], 86400);
  equal(s.cycle_index[8], 0); // 0 → 0 is not a restart
  equal(j.series!.start_time, "2016-03-31T16:05:31");
  match(j.meta.header["join.part.1"], /^maccor_example\.001: rows 0–7/);
  match(j.meta.header["join.part.2"], /placed by absolute start times, time offset 86400 s/);
});

Deno.test("joinRecordings offsets restarted counters and falls back to the previous end", () => {
  const a = read("maccor_example.001"), b = read("maccor_example.002");
  // Without absolute start times the second part starts at the first part's last time.
  a.series!.start_time = null;
  b.series!.start_time = null;
  b.series!.cycle_index.fill(0);
  a.series!.cycle_index.fill(3);
  b.series!.step_index.fill(1);
  a.series!.step_index.fill(5);
  const s = joinRecordings([a, b]).series!;
  assertClose(s.time_s[8], 1.1667 * 60);
  equal(s.cycle_index[8], 4); // restarted at 0 after 3 → 0 + 4
  equal(s.step_index[8], 6); // restarted at 1 after 5 → 1 + 5
  // Capacity counters are per part, untouched.
  equal(s.charge_capacity_Ah[8], b.series!.charge_capacity_Ah[0]);
});

Deno.test("joinRecordings refuses duplicates, other tests and empty input", () => {
  const a = read("maccor_example.001");
  throws(() => joinRecordings([]), RangeError);
  throws(() => joinRecordings([a, read("maccor_example.001")]), /both part 1/);
  throws(() => joinRecordings([a, read("maccor_two.txt")]), /different tests/);
});
