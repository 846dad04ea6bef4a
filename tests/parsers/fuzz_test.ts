// Copyright 2026 the battery-analysis authors. MIT license.
// A small deterministic slice of bench/fuzz_parsers.ts: for every registered parser, 200 cases
// built from the fixtures (truncations, bit flips, byte runs, random bytes, ...) must each parse
// or throw a ParseError. Replay a failure with
//   deno run -A bench/fuzz_parsers.ts --format <id> --seed 7 --case <n> --dump case.bin

import { deepEqual } from "node:assert/strict";
import { FORMATS } from "../../parsers/_registry.ts";
import { fixturesByFormat, makeCase, readFixtures, runCase } from "../../bench/_fuzz.ts";
import { fixturePath } from "../_util.ts";

const SEED = 7;
const CASES = 200;
const byFormat = fixturesByFormat(readFixtures(fixturePath("").replace(/\/$/, "")));

for (const parser of FORMATS) {
  Deno.test(`fuzz: ${parser.id} parses or throws ParseError on ${CASES} mutated inputs`, () => {
    const fixtures = byFormat.get(parser.id) ?? [];
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(parser.id, fixtures, SEED, i);
      const r = runCase(parser, c);
      if (r.status === "failure") {
        failures.push(`case ${i} (${c.mutation} of ${c.fixture || "random input"}): ${r.detail}`);
      }
    }
    deepEqual(failures, []);
  });
}
