// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Damaged variants of every fixture (the damaged-input part of the fault-injection suite, issue
 * 12): truncations at several offsets, zero-filled blocks, duplicated content, bit flips, a lost
 * block, swapped blocks — each read the way an import reads it and judged against the intact
 * fixture by `bench/_damaged.ts` (repaired with a warning, failed naming the place, not
 * recognized, harmless — or silently wrong / crash, the failures). The CI-sized subset is
 * `tests/parsers/damaged_variants_test.ts`; counts are reported in docs/reliability.md.
 *
 * ```sh
 * deno run -A bench/damaged_variants.ts [--seed 1] [--formats a,b] [--json out.json] [--verbose]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FORMATS } from "../parsers/_registry.ts";
import { BAD_VERDICTS, damagedVariants, judge, readLikeImport, type Verdict } from "./_damaged.ts";
import { fixturesByFormat, readFixtures } from "./_fuzz.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seed: { type: "string", default: "1" },
    formats: { type: "string", default: "" },
    json: { type: "string" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(
    "deno run -A bench/damaged_variants.ts [--seed 1] [--formats a,b] [--json out.json] [--verbose]",
  );
  Deno.exit(0);
}
const seed = Number(values.seed);
const wanted = values.formats ? values.formats.split(",") : null;
const root = new URL("../tests/fixtures", import.meta.url).pathname;
const byFormat = fixturesByFormat(readFixtures(root));

interface Row {
  format: string;
  fixture: string;
  variant: string;
  kind: string;
  verdict: Verdict;
  reason: string;
}
const rows: Row[] = [];
const originalsUnreadable: string[] = [];
const t0 = performance.now();
for (const f of FORMATS) {
  if (wanted && !wanted.includes(f.id)) continue;
  const fixtures = byFormat.get(f.id) ?? [];
  const counts = new Map<Verdict, number>();
  let variants = 0;
  const t = performance.now();
  for (const fx of fixtures) {
    const fileName = fx.name.split("/").pop()!;
    const original = readLikeImport(fx.bytes, fileName);
    if (!original.ok || original.parser !== f.id) {
      originalsUnreadable.push(`${f.id}: ${fx.name}`);
      continue;
    }
    for (const v of damagedVariants(fx.name, fx.bytes, seed)) {
      const j = judge(original, v, readLikeImport(v.bytes, fileName), fileName);
      rows.push({
        format: f.id,
        fixture: fx.name,
        variant: v.name,
        kind: v.kind,
        verdict: j.verdict,
        reason: j.reason,
      });
      counts.set(j.verdict, (counts.get(j.verdict) ?? 0) + 1);
      variants++;
      if (BAD_VERDICTS.includes(j.verdict) || values.verbose) {
        console.log(`  ${j.verdict.padEnd(15)} ${fx.name} ${v.name} (${v.detail}): ${j.reason}`);
      }
    }
  }
  console.log(
    `${f.id.padEnd(20)} ${String(variants).padStart(4)} variants: ${
      [...counts].sort().map(([k, c]) => `${k} ${c}`).join(", ")
    } (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
}
const total = new Map<Verdict, number>();
for (const r of rows) total.set(r.verdict, (total.get(r.verdict) ?? 0) + 1);
const formats = new Set(rows.map((r) => r.format)).size;
console.log(
  `\n${rows.length} variants of ${
    new Set(rows.map((r) => r.fixture)).size
  } fixtures, ${formats} formats, seed ${seed} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);
for (const [k, c] of [...total].sort()) console.log(`  ${k.padEnd(24)} ${c}`);
const bad = rows.filter((r) => BAD_VERDICTS.includes(r.verdict)).length;
console.log(`  ${"failures".padEnd(24)} ${bad}`);
if (originalsUnreadable.length) {
  console.log(`fixtures not read by their format (left out): ${originalsUnreadable.join("; ")}`);
}
if (values.json) {
  await Deno.writeTextFile(values.json, JSON.stringify({ seed, rows }, null, 1));
}
Deno.exit(bad === 0 ? 0 : 1);
