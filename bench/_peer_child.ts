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
//   alloc    allocate and write REPEAT Float64Arrays of FILE (a number) values each: what the
//            columns of a recording cost in memory traffic and page faults alone
//   import_phases  the same import one file at a time in this thread, CPU of each phase summed
//            over the files after the first (a warm-up): pack (read, hash, zstd for the
//            archive), parse, cycles, analysis (analyzeTest as the import runs it) and store
//            (importParsed, whose CPU includes the analysis again: store = importParsed −
//            analysis, i.e. the series encoding with its zstd and the SQLite writes)
import { cpuUsage } from "node:process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { read } from "../lib/summarize/read.ts";
import { detectFormat } from "../parsers/detect_format.ts";
import { summarizeCycles } from "../analysis/cycles.ts";
import { importDirectory } from "../lib/import/import_directory.ts";
import { SqliteStore } from "../lib/store/sqlite_store.ts";
import { packFile } from "../lib/import/_pack_file.ts";
import { importParsed } from "../lib/import/import_parsed.ts";
import { openFileSource } from "../lib/file_source.ts";
import { analyzeTest } from "../analysis/analyze_test.ts";

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
} else if (mode === "alloc") {
  const rows = Number(files[0]);
  const keep: Float64Array[] = [];
  for (let c = 0; c < repeat; c++) {
    const column = new Float64Array(rows);
    for (let k = 0; k < rows; k++) column[k] = k;
    keep.push(column);
  }
  out.bytes = keep.length * rows * 8;
} else if (mode === "import_phases") {
  const dir = await Deno.makeTempDir({ prefix: "peers_phases_" });
  const store = await SqliteStore.open({ path: join(dir, "bench.db") });
  const paths = [...Deno.readDirSync(files[0])].filter((e) => e.isFile)
    .map((e) => join(files[0], e.name)).sort();
  const phases = { pack: 0, parse: 0, cycles: 0, analysis: 0, store: 0 };
  const timed = <T>(f: () => T): [T, number] => {
    const c = cpuUsage();
    const value = f();
    return [value, cpuSince(c)];
  };
  for (const [k, path] of paths.entries()) {
    const [packed, pack] = timed(() => packFile(path));
    const [recording, parse] = timed(() => {
      const head = new Uint8Array(65536);
      const source = openFileSource(path);
      try {
        source.readInto(head, 0);
        return detectFormat(head, path).parser.parseSource!(source, { fileName: path });
      } finally {
        source.close();
      }
    });
    const [table, cycles] = timed(() => summarizeCycles(recording.series!));
    const [, analysis] = timed(() =>
      analyzeTest({
        series: recording.series!,
        cycles: table.cycles,
        cycleMethod: table.method,
        spectra: [],
        label: path,
        sample: {},
        warnings: recording.meta.warnings,
      }).toJSON()
    );
    const parsed = {
      path,
      sha256: packed.sha256,
      bytes: new Uint8Array(0),
      packed,
      recording,
      cycles: [...table.cycles],
      cycle_method: table.method,
      error: null,
    };
    const c = cpuUsage();
    await importParsed(store, parsed, { archive: true, parse: { pack: true } });
    const write = cpuSince(c) - analysis;
    if (k === 0) continue; // warm-up
    phases.pack += pack;
    phases.parse += parse;
    phases.cycles += cycles;
    phases.analysis += analysis;
    phases.store += write;
  }
  await store.close();
  await Deno.remove(dir, { recursive: true });
  for (const [name, cpu] of Object.entries(phases)) out[`${name}_cpu_s`] = cpu;
  out.files = paths.length - 1;
} else {
  throw new Error(`unknown mode ${mode}`);
}
out.cpu_s = cpuSince(c0);
out.wall_s = (performance.now() - t0) / 1000;
console.log(JSON.stringify(out));
