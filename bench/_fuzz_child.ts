// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Child process of `bench/fuzz_parsers.ts`: runs cases `from` … `from + count - 1` of one
 * format and prints one line per case (`R <index> <status> <ms>`, failures also
 * `F <index> <json>`), so that the parent knows which case was running if this process hangs or
 * dies of memory exhaustion.
 */

import { FORMATS } from "../parsers/_registry.ts";
import { fixturesByFormat, makeCase, readFixtures, runCase } from "./_fuzz.ts";

const [format, seedText, fromText, countText, rssText] = Deno.args;
const parser = FORMATS.find((f) => f.id === format);
if (!parser) {
  console.error(`unknown format ${format}`);
  Deno.exit(2);
}
const seed = Number(seedText), from = Number(fromText), count = Number(countText);
const rssLimit = Number(rssText ?? 2 ** 31);
const root = new URL("../tests/fixtures", import.meta.url).pathname;
const fixtures = fixturesByFormat(readFixtures(root)).get(format) ?? [];
const enc = new TextEncoder();
const out = (s: string): void => {
  Deno.stdout.writeSync(enc.encode(s + "\n"));
};
for (let i = from; i < from + count; i++) {
  const c = makeCase(format, fixtures, seed, i);
  const r = runCase(parser, c);
  if (r.status === "failure") {
    out(`F ${i} ${JSON.stringify({ mutation: c.mutation, fixture: c.fixture, detail: r.detail })}`);
  }
  out(`R ${i} ${r.status} ${r.ms.toFixed(2)}`);
  const rss = Deno.memoryUsage().rss;
  if (rss > rssLimit) {
    out(`M ${i} ${rss}`);
    Deno.exit(3);
  }
}
