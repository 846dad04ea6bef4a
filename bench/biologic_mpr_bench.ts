// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * Throughput of the `.mpr` reader on a synthetic large file: the 1501 points (61 bytes each) of
 * `tests/fixtures/biologic/00_test_04_MB_C01.mpr` replicated in memory to about 128 MB, with the
 * point count and module length patched.
 *
 *   deno bench -A bench/biologic_mpr_bench.ts        # deno bench timings
 *   deno run -A bench/biologic_mpr_bench.ts          # prints MB/s of the data module
 *
 * MB/s = data-module bytes / time (1 MB = 1e6 bytes).
 */
import { readDataModule, readModules } from "../parsers/_biologic_mpr.ts";
import { syntheticMpr } from "./_gen_mpr.ts";
import { biologicMpr } from "../parsers/biologic_mpr.ts";

const { bytes, dataBytes } = syntheticMpr();
const dataModule = readModules(bytes, "synthetic.mpr").find((m) => m.shortName === "VMP data")!;

Deno.bench(`readDataModule: ${(dataBytes / 1e6).toFixed(0)} MB data module`, () => {
  readDataModule(bytes, dataModule, "synthetic.mpr");
});

Deno.bench(`biologicMpr.parse: ${(bytes.length / 1e6).toFixed(0)} MB file`, () => {
  biologicMpr.parse(bytes, { fileName: "synthetic.mpr" });
});

if (import.meta.main) {
  const time = (f: () => void): number => {
    f(); // warm-up
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      f();
      runs.push(performance.now() - t0);
    }
    return runs.sort((a, b) => a - b)[2]; // median of 5
  };
  const tData = time(() => readDataModule(bytes, dataModule, "synthetic.mpr"));
  const tFull = time(() => biologicMpr.parse(bytes, { fileName: "synthetic.mpr" }));
  const rows = new DataView(bytes.buffer).getUint32(dataModule.body, true);
  console.log(`synthetic .mpr: ${rows} points, data module ${(dataBytes / 1e6).toFixed(1)} MB`);
  console.log(
    `data module decode: ${tData.toFixed(1)} ms, ${(dataBytes / 1e3 / tData).toFixed(0)} MB/s`,
  );
  console.log(
    `full parse (model, counters): ${tFull.toFixed(1)} ms, ${
      (bytes.length / 1e3 / tFull).toFixed(0)
    } MB/s`,
  );
}
