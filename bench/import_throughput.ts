// Copyright 2026 the battery-analysis authors. MIT license.
// End-to-end import throughput: generate a folder of Arbin-style CSV files (default 20 × 55 MB
// ≈ 1.1 GB), import it into a fresh SQLite store with archiving on, and report files/s and MB/s.
//
//   deno run -A bench/import_throughput.ts [--files 20] [--mb 55] [--workers 2] [--no-archive]
//
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { join } from "node:path";
import { generateArbinCsv } from "./_gen_arbin_csv.ts";
import { importDirectory } from "../lib/import/import_directory.ts";
import { SqliteStore } from "../lib/store/sqlite_store.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    files: { type: "string", default: "20" },
    mb: { type: "string", default: "55" },
    workers: { type: "string", default: "2" },
    "no-archive": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const files = Number(values.files), mb = Number(values.mb), workers = Number(values.workers);
const dir = await Deno.makeTempDir({ prefix: "import_bench_" });
const data = join(dir, "data");
await Deno.mkdir(data);
const { bytes, rows } = generateArbinCsv(mb * 1e6);
for (let i = 0; i < files; i++) {
  // Vary the first data byte so every file has its own SHA-256 (no dedup shortcut).
  const copy = bytes.slice();
  const header = copy.indexOf(10) + 1;
  copy[header] = 0x30 + (i % 10);
  copy[header + 1] = 0x30 + Math.floor(i / 10) % 10;
  await Deno.writeFile(
    join(data, `bench_cell_${String(i).padStart(3, "0")}_Channel_${i}_Wb_1.CSV`),
    copy,
  );
}
const total = files * bytes.length;
console.log(
  `generated ${files} files × ${(bytes.length / 1e6).toFixed(1)} MB (${rows} rows each) = ${
    (total / 1e9).toFixed(2)
  } GB in ${data}`,
);
const store = await SqliteStore.open({ path: join(dir, "bench.db") });
const t0 = performance.now();
const summary = await importDirectory(store, [data], {
  workers,
  archive: !values["no-archive"],
});
const seconds = (performance.now() - t0) / 1000;
await store.close();
const dbSize = (await Deno.stat(join(dir, "bench.db"))).size;
console.log(
  `imported ${summary.created} created / ${summary.failed} failed in ${seconds.toFixed(2)} s: ` +
    `${(files / seconds).toFixed(2)} files/s, ${(total / 1e6 / seconds).toFixed(1)} MB/s ` +
    `(workers ${workers}, archive ${!values["no-archive"]}, database ${
      (dbSize / 1e9).toFixed(2)
    } GB)`,
);
if (!values.keep) await Deno.remove(dir, { recursive: true });
