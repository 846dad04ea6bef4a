// Copyright 2026 the battery-analysis authors. MIT license.
// Throughput of the Neware .nda and .ndax readers on large synthetic files built from the real
// records of the fixtures (record indices renumbered so that every record is new).
//
//   deno bench -A bench/neware_bench.ts      (deno bench timings)
//   deno run -A bench/neware_bench.ts        (prints MB/s)

import { cpuUsage } from "node:process";
import { newareNda } from "../parsers/neware_nda.ts";
import { newareNdax } from "../parsers/neware_ndax.ts";
import { bigNda, bigNdax } from "./_gen_neware.ts";

const nda = bigNda(50);
const ndax = bigNdax(20);

Deno.bench("neware .nda v29, 50 MB synthetic", { n: 5, warmup: 1 }, () => {
  newareNda.parse(nda, { fileName: "big.nda" });
});
Deno.bench("neware .ndax ndc v5, 20 MB data.ndc", { n: 5, warmup: 1 }, () => {
  newareNdax.parse(ndax.zip, { fileName: "big.ndax" });
});

if (import.meta.main) {
  // Wall time and this process's CPU time (user + system) per run; on a busy machine the CPU
  // time is the fairer figure. Median and best of 9 runs after one warm-up.
  const rate = (bytes: number, run: () => unknown) => {
    run();
    const wall: number[] = [], cpu: number[] = [];
    for (let i = 0; i < 9; i++) {
      const c0 = cpuUsage();
      const t0 = performance.now();
      run();
      wall.push(performance.now() - t0);
      const c = cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const mbs = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
    return `median ${wall[4].toFixed(0)} ms wall = ${mbs(wall[4])} MB/s (best ${mbs(wall[0])}), ` +
      `median CPU ${cpu[4].toFixed(0)} ms = ${mbs(cpu[4])} MB/s`;
  };
  const a = rate(nda.length, () => newareNda.parse(nda, { fileName: "big.nda" }));
  const b = rate(ndax.zip.length, () => newareNdax.parse(ndax.zip, { fileName: "big.ndax" }));
  const c = rate(ndax.ndcBytes, () => newareNdax.parse(ndax.zip, { fileName: "big.ndax" }));
  // deno-lint-ignore no-console
  console.log(
    `.nda v29, ${(nda.length / 1e6).toFixed(1)} MB: ${a}\n` +
      `.ndax v5, ${(ndax.zip.length / 1e6).toFixed(1)} MB archive: ${b}\n` +
      `.ndax v5, same, per MB of data.ndc (${(ndax.ndcBytes / 1e6).toFixed(1)} MB): ${c}`,
  );
}
