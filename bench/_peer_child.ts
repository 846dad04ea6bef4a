// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
//
// Child process of bench/peers.ts: runs one of this toolkit's paths on files and prints one JSON
// line with the CPU time (this process, every thread, user + system) and wall time of the work.
//
//   deno run -A bench/_peer_child.ts MODE REPEAT FILE...
//
// MODE:
//   phases   read the file, parse it (detected format), build the cycles: CPU of each phase
//   read     `read(path)` (file → Recording, format detected), REPEAT times per file
//   import   import the folder FILE into a fresh SQLite store, archive on (workers: REPEAT)
import { cpuUsage } from "node:process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { read } from "../lib/summarize/read.ts";
import { detectFormat } from "../parsers/detect_format.ts";
import { summarizeCycles } from "../analysis/cycles.ts";
import { importDirectory } from "../lib/import/import_directory.ts";
import { SqliteStore } from "../lib/store/sqlite_store.ts";

/** CPU seconds (user + system, all threads) since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const c = cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

const [mode, repeatText, ...files] = Deno.args;
const repeat = Number(repeatText);
const c0 = cpuUsage();
const t0 = performance.now();
const out: Record<string, number> = {};
if (mode === "phases") {
  const path = files[0];
  const buffer = await readFile(path);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  out.read_cpu_s = cpuSince(c0);
  const c1 = cpuUsage();
  const parser = detectFormat(bytes.subarray(0, 65536), path).parser;
  const recording = parser.parse(bytes, { fileName: path });
  out.parse_cpu_s = cpuSince(c1);
  const c2 = cpuUsage();
  const table = summarizeCycles(recording.series!);
  out.cycles_cpu_s = cpuSince(c2);
  out.rows = recording.series!.length;
  out.cycles = table.length;
} else if (mode === "read") {
  let rows = 0;
  for (let k = 0; k < repeat; k++) {
    for (const path of files) rows += (await read(path)).series?.length ?? 0;
  }
  out.rows = rows;
} else if (mode === "import") {
  const dir = await Deno.makeTempDir({ prefix: "peers_import_" });
  const store = await SqliteStore.open({ path: join(dir, "bench.db") });
  const summary = await importDirectory(store, [files[0]], { workers: repeat, archive: true });
  await store.close();
  out.created = summary.created;
  out.failed = summary.failed;
  out.db_bytes = (await Deno.stat(join(dir, "bench.db"))).size;
  await Deno.remove(dir, { recursive: true });
} else {
  throw new Error(`unknown mode ${mode}`);
}
out.cpu_s = cpuSince(c0);
out.wall_s = (performance.now() - t0) / 1000;
console.log(JSON.stringify(out));
