// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, match, ok } from "node:assert/strict";
import { explainDetection } from "../../parsers/explain_detection.ts";
import { detectFormat } from "../../parsers/detect_format.ts";
import { readFixture } from "../_util.ts";

Deno.test("explainDetection lists candidates, confidences and the winner", () => {
  const bytes = readFixture("maccor/maccor_example.001");
  const lines = explainDetection(bytes, "maccor_example.001");
  match(lines[0], /^Format detection for "maccor_example.001" \(\d+ parsers asked\):$/);
  match(lines[1], /^ {2}1\.00 {2}maccor_text \(Maccor text export\): Maccor header line/);
  match(lines.at(-1)!, /^Chosen: maccor_text \(Maccor text export\) with confidence 1\.00$/);
  ok(lines.some((l) => /other parser\(s\): not this format/.test(l)));
  // Agrees with detectFormat.
  equal(detectFormat(bytes, "maccor_example.001").parser.id, "maccor_text");
});

Deno.test("explainDetection says when nothing matches", () => {
  const lines = explainDetection(new TextEncoder().encode("just some notes"), "notes.txt");
  equal(lines.at(-1), "Chosen: none; no parser recognizes this file");
});
