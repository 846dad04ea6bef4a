// Copyright 2026 the battery-analysis authors. MIT license.
// The corpus test: `summarize` (the library path of cli/summarize.ts) over EVERY file under
// tests/fixtures/, checked against tests/parsers/corpus_reference.json, which
// tests/parsers/scripts/make_corpus_reference.py made with peer readers (galvani, yadg,
// NewareNDA, fastnda, impedance.py, mdbtools, cellpy, pandas; named per file in the table) and
// the documented cycle definitions written independently in numpy. A new fixture without a
// reference row fails the first test: rerun the script.
import { deepEqual, equal, fail, ok } from "node:assert/strict";
import { join, relative } from "node:path";
import { FileReadError } from "../../lib/summarize/read_recording.ts";
import { summarizeFile } from "../../lib/summarize/summarize_file.ts";
import type { CycleMethod } from "../../analysis/cycles.ts";
import { fixturePath } from "../_util.ts";

interface Reference {
  kind: "cycling" | "eis" | "refused" | "metadata";
  peer?: string;
  why?: string;
  rows?: number;
  method?: CycleMethod;
  /** Per cycle: charge Ah, discharge Ah, slack Ah (the counter's increment at the cycle's ends). */
  cycles?: [number, number, number][];
  points?: number;
  spectra?: number;
}

const TABLE = JSON.parse(
  Deno.readTextFileSync(new URL("./corpus_reference.json", import.meta.url)),
) as { files: Record<string, Reference>; missing: string[] };

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...listFiles(path));
    else if (entry.isFile && entry.name !== "README.md") out.push(path);
  }
  return out;
}

/**
 * Files whose fix is being landed by another part of issue 13: their test is listed as ignored
 * (with the reason) until then. Remove an entry when its fix lands.
 */
const PENDING: Record<string, string> = {};

const ROOT = fixturePath("");
const FILES = listFiles(ROOT).map((p) => relative(ROOT, p).replaceAll("\\", "/")).sort();

Deno.test("corpus: every file under tests/fixtures/ has a reference row made by a peer reader", () => {
  deepEqual(FILES, Object.keys(TABLE.files).sort());
  deepEqual(TABLE.missing, []);
});

for (const name of FILES) {
  const ref = TABLE.files[name];
  if (!ref) continue;
  const pending = PENDING[name];
  const label = `corpus: summarize ${name} (${ref.kind}${ref.peer ? `; ${ref.peer}` : ""})${
    pending ? ` — pending: ${pending}` : ""
  }`;
  Deno.test({ name: label, ignore: pending !== undefined }, async () => {
    const path = fixturePath(name);
    if (ref.kind === "refused") {
      try {
        await summarizeFile(path);
      } catch (error) {
        ok(error instanceof FileReadError, String(error));
        return;
      }
      fail(`${name} was read, but it is ${ref.why}`);
    }
    const s = await summarizeFile(path, ref.method ? { method: ref.method } : {});
    if (ref.kind === "metadata") {
      equal(s.rows, 0);
      equal(s.cycles.length, 0);
      return;
    }
    const points = (s.spectra ?? []).reduce((n, sp) => n + sp.points, 0);
    if (ref.kind === "eis") {
      equal(points, ref.points, "impedance points");
      if (ref.spectra !== undefined) equal(s.spectra?.length, ref.spectra, "spectra");
      return;
    }
    equal(s.rows, ref.rows, "rows of the cycling series");
    if (ref.points !== undefined) {
      equal(points, ref.points, "impedance points");
      equal(s.spectra?.length ?? 0, ref.spectra, "spectra");
    }
    equal(s.cycle_method, ref.method);
    const cycles = ref.cycles!;
    equal(s.cycles.length, cycles.length, "cycles");
    s.cycles.forEach((c, k) => {
      const [qc, qd, slack] = cycles[k];
      const tol = (x: number) => slack + 1e-9 + 1e-6 * Math.abs(x);
      ok(
        Math.abs(c.charge_capacity_Ah - qc) <= tol(qc),
        `cycle ${k + 1} charge: ${c.charge_capacity_Ah} Ah, reference ${qc} ± ${tol(qc)}`,
      );
      ok(
        Math.abs(c.discharge_capacity_Ah - qd) <= tol(qd),
        `cycle ${k + 1} discharge: ${c.discharge_capacity_Ah} Ah, reference ${qd} ± ${tol(qd)}`,
      );
    });
  });
}
