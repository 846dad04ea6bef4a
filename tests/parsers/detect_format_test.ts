// Copyright 2026 the battery-analysis authors. MIT license.
import { equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { DETECT_HEAD_BYTES, detectFormat } from "../../parsers/detect_format.ts";
import { FORMATS } from "../../parsers/mod.ts";
import { fixturePath, readFixture } from "../_util.ts";

/** Every file under tests/fixtures (relative paths), README and provenance notes aside. */
function fixtureFiles(dir = fixturePath("")): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...fixtureFiles(path));
    else if (entry.isFile && !entry.name.endsWith(".md")) out.push(path);
  }
  return out.sort();
}

Deno.test("detectFormat() stopping at the first certain parser chooses what asking every parser chooses, for every fixture", () => {
  let files = 0, stopped = 0;
  for (const path of fixtureFiles()) {
    const head = Deno.readFileSync(path).subarray(0, DETECT_HEAD_BYTES);
    let all: string, first: string;
    try {
      all = detectFormat(head, path, { all: true }).parser.id;
    } catch {
      all = "none";
    }
    try {
      const d = detectFormat(head, path);
      first = d.parser.id;
      if (d.candidates.length < detectFormat(head, path, { all: true }).candidates.length) {
        stopped++;
      }
    } catch {
      first = "none";
    }
    equal(first, all, path);
    files++;
  }
  ok(files > 100, `${files} fixture files`);
  ok(stopped >= 5, `${stopped} files decided before every parser was asked`);
});

Deno.test("detectFormat() asks no text parser about a file with a binary signature", () => {
  const bytes = readFixture("biologic/GCPL-0.mpr");
  const d = detectFormat(bytes, "GCPL-0.mpr");
  equal(d.parser.id, "biologic_mpr");
  equal(d.candidates.length, 1); // biologic_mpr is asked first and is certain
  const every = detectFormat(bytes, "GCPL-0.mpr", { all: true });
  equal(every.parser.id, "biologic_mpr");
  equal(every.candidates[0].parser.id, "biologic_mpr");
  equal(FORMATS[0].id, "biologic_mpr");
});
