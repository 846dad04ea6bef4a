// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
//
// Throughput of the Arbin CSV parser on a generated Arbin-style export.
//
//   deno task bench:csv            100 MB file, best of 5 parses, prints MB/s
//   deno run -A bench/arbin_csv_bench.ts 100 5
//   deno bench -A bench/arbin_csv_bench.ts   (10 MB file, deno bench statistics)
//
// The file is generated into a fresh temporary directory, read into memory once, then parsed;
// only the parse (bytes → CyclingSeries) is timed.

import { writeArbinCsv } from "./_gen_arbin_csv.ts";
import { parseArbinCsv } from "../parsers/arbin_csv.ts";
import { readNumericCsv } from "../parsers/_csv_numeric.ts";

async function load(megabytes: number): Promise<{ bytes: Uint8Array; rows: number }> {
  const { path, rows } = await writeArbinCsv(megabytes);
  const bytes = await Deno.readFile(path);
  await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  return { bytes, rows };
}

if (import.meta.main) {
  const megabytes = Number(Deno.args[0] ?? 100);
  const runs = Number(Deno.args[1] ?? 5);
  const { bytes, rows } = await load(megabytes);
  const mb = bytes.length / 1e6;
  console.log(`file: ${mb.toFixed(1)} MB, ${rows} rows, 14 columns`);
  for (
    const [label, parse] of [
      [
        "parseArbinCsv (bytes → CyclingSeries)",
        () => parseArbinCsv(bytes, { fileName: "synthetic_Channel_1_Wb_1.CSV" }).series!.length,
      ],
      [
        "readNumericCsv core (all 13 numeric columns)",
        () =>
          readNumericCsv(bytes, {
            fileName: "x.csv",
            kinds: (h) => h.map((x) => (x === "Date_Time" ? "skip" : "float")),
          }).length,
      ],
    ] as const
  ) {
    let best = Infinity;
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      const n = parse();
      const dt = performance.now() - t0;
      if (n !== rows) throw new Error(`${label}: read ${n} rows, generated ${rows}`);
      best = Math.min(best, dt);
      console.log(
        `  ${label}: run ${run + 1}: ${dt.toFixed(0)} ms, ${(mb / (dt / 1000)).toFixed(0)} MB/s`,
      );
    }
    console.log(`${label}: best ${best.toFixed(0)} ms = ${(mb / (best / 1000)).toFixed(0)} MB/s`);
  }
} else {
  const { bytes } = await load(10);
  Deno.bench("parseArbinCsv, 10 MB generated Arbin CSV", () => {
    parseArbinCsv(bytes, { fileName: "synthetic_Channel_1_Wb_1.CSV" });
  });
}
