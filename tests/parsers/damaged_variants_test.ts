// Copyright 2026 the battery-analysis authors. MIT license.
// The CI-sized subset of the damaged-variants trials (bench/damaged_variants.ts runs every
// fixture): for every registered format, its smallest fixture of at least 1 KiB, and all its
// damaged variants (truncations, zero-filled blocks, duplicated content, bit flips, a lost
// block, swapped blocks). Each must be repaired with a warning, failed with a message naming the
// place, not recognized, or harmless (values outside the damage equal to the intact file's) —
// never silently wrong, never a crash. The judgement is bench/_damaged.ts's.

import { deepEqual, ok } from "node:assert/strict";
import { BAD_VERDICTS, damagedVariants, judge, readLikeImport } from "../../bench/_damaged.ts";
import { fixturesByFormat, readFixtures } from "../../bench/_fuzz.ts";
import { FORMATS } from "../../parsers/_registry.ts";
import { fixturePath } from "../_util.ts";

const byFormat = fixturesByFormat(readFixtures(fixturePath("").replace(/\/$/, "")));

for (const parser of FORMATS) {
  const fixtures = (byFormat.get(parser.id) ?? [])
    .filter((fx) => fx.bytes.length >= 1024)
    .sort((a, b) => a.bytes.length - b.bytes.length);
  const fx = fixtures.find((f) => {
    const r = readLikeImport(f.bytes, f.name.split("/").pop()!);
    return r.ok && r.parser === parser.id;
  });
  if (!fx) continue; // no fixture this format reads (xlsx layouts another reader claims)
  Deno.test(`damaged variants of ${fx.name} (${parser.id}) are never silently good`, () => {
    const fileName = fx.name.split("/").pop()!;
    const original = readLikeImport(fx.bytes, fileName);
    ok(original.ok);
    const bad: string[] = [];
    const variants = damagedVariants(fx.name, fx.bytes, 1);
    ok(variants.length >= 15, `${variants.length} variants`);
    for (const v of variants) {
      const j = judge(original, v, readLikeImport(v.bytes, fileName), fileName);
      if (BAD_VERDICTS.includes(j.verdict)) {
        bad.push(`${v.name} (${v.detail}): ${j.verdict}: ${j.reason}`);
      }
    }
    deepEqual(bad, []);
  });
}
