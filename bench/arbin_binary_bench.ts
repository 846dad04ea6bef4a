// Copyright 2026 the battery-analysis authors. MIT license.
// Throughput of the Arbin binary readers on the real fixtures: `.res` (an Access database read
// with mdb-reader), `.res.gz`, and the XLSX export (a zip of XML sheets).
//
//   deno bench -A bench/arbin_binary_bench.ts     (deno bench timings)
//   deno run -A bench/arbin_binary_bench.ts       (prints MB/s, best of 10)
// deno-lint-ignore-file no-console

import { parseRecording } from "../parsers/parse_recording.ts";

const FILES = [
  { format: "arbin_res", name: "20160805_test001_45_cc_01.res" },
  { format: "arbin_res", name: "mits7-0.res.gz" },
  { format: "arbin_xlsx", name: "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx" },
];

const inputs = FILES.map((f) => ({
  ...f,
  bytes: Deno.readFileSync(new URL(`../tests/fixtures/arbin/${f.name}`, import.meta.url)),
}));

function parse(input: (typeof inputs)[number]): number {
  return parseRecording(input.bytes, { fileName: input.name, format: input.format }).series!
    .length;
}

if (import.meta.main) {
  for (const input of inputs) {
    let best = Infinity, rows = 0;
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      rows = parse(input);
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `${input.format.padEnd(10)} ${input.name.padEnd(52)} ${
        (input.bytes.length / 1e6).toFixed(2)
      } MB  ${rows} rows  best ${best.toFixed(1)} ms  ${
        (input.bytes.length / 1e6 / (best / 1000)).toFixed(1)
      } MB/s`,
    );
  }
} else {
  for (const input of inputs) {
    Deno.bench(`${input.format} ${input.name}`, () => {
      parse(input);
    });
  }
}
