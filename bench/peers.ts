// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console
/**
 * This toolkit against the tools a lab would pick instead, in one run, on the same files:
 *
 *   deno task bench:peers [--mb 1000] [--runs 3] [--only csv,mpr,ndax,import] [--no-install]
 *
 * - Arbin CSV (generated from the fixtures' layout, `--mb` MB, with `Date_Time` and 10,000+
 *   cycles at 1000 MB): `summarize --json` end to end (process CPU and peak RSS) against polars
 *   `read_csv` and `cat`; the parse alone; the share of cycle building.
 * - BioLogic `.mpr`: a 128 MB synthetic file and the real fixtures against galvani.
 * - Neware `.ndax`: a synthetic 20 MB-of-records file and the real fixtures against NewareNDA.
 * - Import: a folder of generated Arbin CSVs into a fresh SQLite store with the archive on:
 *   MB/s by CPU against the parse alone, database size against the input, 1 vs 2 workers, and
 *   the CPU of each phase (pack for the archive, parse, cycles, analysis, store writes).
 *
 * Python peers are imported if present; a missing one is installed with pip when pip is there
 * (not with `--no-install`), else its comparison is skipped with a message. Every tool runs in
 * its own process under `/usr/bin/time` (CPU = user + system of all threads, peak RSS); the
 * contenders of a section are interleaved run by run and the median is kept, since the machine
 * may be shared. The in-process figures time the work only (no start-up, no module import).
 * The load average is printed before and after.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { writeArbinCsv } from "./_gen_arbin_csv.ts";
import { generateArbinCsv } from "./_gen_arbin_csv.ts";
import { syntheticMpr } from "./_gen_mpr.ts";
import { biologicMpr } from "../parsers/biologic_mpr.ts";
import { bigNdax } from "./_gen_neware.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mb: { type: "string", default: "1000" },
    runs: { type: "string", default: "3" },
    only: { type: "string", default: "csv,mpr,ndax,import" },
    "import-files": { type: "string", default: "10" },
    "import-mb": { type: "string", default: "50" },
    "no-install": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    "deno task bench:peers [--mb 1000] [--runs 3] [--only csv,mpr,ndax,import] " +
      "[--import-files 10] [--import-mb 50] [--no-install]",
  );
  Deno.exit(0);
}
const runs = Number(values.runs);
const only = new Set(values.only.split(","));
const here = (p: string) => new URL(p, import.meta.url).pathname;
const TIME = "/usr/bin/time";

/** What one process measured. */
interface Run {
  /** Process CPU (user + system), seconds, from /usr/bin/time. */
  cpu: number;
  /** Process wall time, seconds. */
  wall: number;
  /** Peak resident set, bytes. */
  rss: number;
  /** The JSON line the child printed (in-process figures), if any. */
  inner: Record<string, number>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Run a command under /usr/bin/time; stdout is parsed as a JSON line when `json`. */
async function timed(cmd: string[], json: boolean): Promise<Run> {
  const report = await Deno.makeTempFile({ prefix: "peers_time_" });
  const out = await new Deno.Command(TIME, {
    args: ["-f", "%U %S %e %M", "-o", report, ...cmd],
    stdout: json ? "piped" : "null",
    stderr: "piped",
  }).output();
  const [u, s, e, m] = (await Deno.readTextFile(report)).trim().split("\n").pop()!.split(" ")
    .map(Number);
  await Deno.remove(report);
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  const text = json ? new TextDecoder().decode(out.stdout).trim().split("\n").pop()! : "{}";
  return { cpu: u + s, wall: e, rss: m * 1024, inner: JSON.parse(text) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Run every contender `runs` times, interleaved; medians of each measure. */
async function interleaved(
  contenders: Record<string, { cmd: string[]; json: boolean }>,
): Promise<Record<string, Run>> {
  const all: Record<string, Run[]> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, c] of Object.entries(contenders)) {
      (all[name] ??= []).push(await timed(c.cmd, c.json));
    }
  }
  const out: Record<string, Run> = {};
  for (const [name, list] of Object.entries(all)) {
    const inner: Record<string, number> = {};
    for (const key of Object.keys(list[0].inner)) {
      inner[key] = median(list.map((x) => x.inner[key]));
    }
    out[name] = {
      cpu: median(list.map((x) => x.cpu)),
      wall: median(list.map((x) => x.wall)),
      rss: median(list.map((x) => x.rss)),
      inner,
    };
  }
  return out;
}

/** Whether `python3 -c "import MODULE"` works; installs PACKAGE with pip first if allowed. */
async function python(module: string, pkg: string): Promise<boolean> {
  const ok = async () =>
    (await new Deno.Command("python3", {
      args: ["-c", `import ${module}`],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => ({ success: false }))).success;
  if (await ok()) return true;
  const pip = (await new Deno.Command("python3", {
    args: ["-m", "pip", "--version"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }))).success;
  if (!pip || values["no-install"]) {
    console.log(
      `  skipped: python3 module ${module} not found` +
        (pip ? " (--no-install)" : " and no pip to install it"),
    );
    return false;
  }
  console.log(`  installing ${pkg} with pip ...`);
  await new Deno.Command("python3", {
    args: ["-m", "pip", "install", "--quiet", pkg],
    stdout: "null",
    stderr: "inherit",
  }).output().catch(() => null);
  if (await ok()) return true;
  console.log(`  skipped: pip could not install ${pkg}`);
  return false;
}

const load = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const mbps = (bytes: number, s: number) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`;
const sec = (s: number) => `${s.toFixed(2)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const deno = Deno.execPath();
const child = (mode: string, repeat: number, files: string[]) => ({
  cmd: [deno, "run", "-A", here("./_peer_child.ts"), mode, String(repeat), ...files],
  json: true,
});
const py = (mode: string, repeat: number, files: string[]) => ({
  cmd: ["python3", here("./scripts/peers.py"), mode, String(repeat), ...files],
  json: true,
});

if (!(await exists(TIME))) {
  console.log(`${TIME} not found (apt-get install time): cannot measure processes`);
  Deno.exit(1);
}
const cpus = navigator.hardwareConcurrency;
console.log(
  `bench:peers — ${cpus} logical CPUs, Deno ${Deno.version.deno}, load average ${await load()}`,
);
console.log(
  `medians of ${runs} interleaved runs; CPU = user + system of the process (all threads)\n`,
);
const tmp = await Deno.makeTempDir({ prefix: "peers_" });
try {
  if (only.has("csv")) {
    const mb = Number(values.mb);
    console.log(`## Arbin CSV, ${mb} MB generated (bench/_gen_arbin_csv.ts)`);
    const { path, rows } = await writeArbinCsv(mb);
    const size = (await Deno.stat(path)).size;
    const hasPolars = await python("polars", "polars");
    const contenders: Record<string, { cmd: string[]; json: boolean }> = {
      summarize: {
        cmd: [deno, "run", "--allow-read", here("../cli/summarize.ts"), "--json", path],
        json: false,
      },
      phases: child("phases", 1, [path]),
      cat: { cmd: ["cat", path], json: false },
    };
    if (hasPolars) contenders.polars = py("polars_csv", 1, [path]);
    const r = await interleaved(contenders);
    const { summarize, phases, cat, polars } = r;
    const parse = phases.inner.parse_cpu_s, cyc = phases.inner.cycles_cpu_s;
    console.log(
      `file ${(size / 1e6).toFixed(0)} MB, ${rows} rows, ${phases.inner.cycles} cycles`,
    );
    console.log(
      `summarize --json end to end: ${sec(summarize.cpu)} CPU = ${mbps(size, summarize.cpu)}, ` +
        `wall ${sec(summarize.wall)}, peak RSS ${mib(summarize.rss)} (${
          ratio(summarize.rss, size)
        } the file)`,
    );
    console.log(
      `  in process: read ${sec(phases.inner.read_cpu_s)}, parse ${sec(parse)} = ${
        mbps(size, parse)
      }, cycles ${sec(cyc)} (${
        (100 * cyc / (phases.inner.read_cpu_s + parse + cyc)).toFixed(0)
      } %` +
        ` of read + parse + cycles)`,
    );
    console.log(
      `cat: ${sec(cat.cpu)} CPU, wall ${sec(cat.wall)}; summarize / cat (CPU, 0.01 s floor): ${
        ratio(summarize.cpu, Math.max(cat.cpu, 0.01))
      }`,
    );
    if (polars) {
      console.log(
        `polars read_csv: process ${sec(polars.cpu)} CPU, wall ${sec(polars.wall)}, peak RSS ${
          mib(polars.rss)
        } (${ratio(polars.rss, size)} the file); read_csv alone ${sec(polars.inner.cpu_s)} CPU = ${
          mbps(size, polars.inner.cpu_s)
        }, wall ${sec(polars.inner.wall_s)}`,
      );
      console.log(
        `RATIO summarize end to end vs polars read_csv (process CPU): ${
          ratio(polars.cpu, summarize.cpu)
        } (target ≥ 2×); parse alone vs read_csv alone (CPU): ${ratio(polars.inner.cpu_s, parse)}`,
      );
    }
    await Deno.remove(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    console.log();
  }

  if (only.has("mpr")) {
    console.log("## BioLogic .mpr");
    const hasGalvani = await python("galvani", "galvani");
    const { bytes } = syntheticMpr(128e6);
    const big = join(tmp, "synthetic.mpr");
    await Deno.writeFile(big, bytes);
    const real = [...Deno.readDirSync(here("../tests/fixtures/biologic/"))]
      .filter((e) => e.name.endsWith(".mpr")).map((e) =>
        here(`../tests/fixtures/biologic/${e.name}`)
      )
      .sort();
    const realBytes = real.reduce((n, p) => n + Deno.statSync(p).size, 0);
    const repeat = Math.max(1, Math.round(20e6 / realBytes));
    // The floor: as many 8-byte values as the recording's columns hold, allocated and written
    // in a process of their own (nothing read or decoded).
    const series = biologicMpr.parse(bytes, { fileName: big }).series!;
    const columnBytes = [
      series.time_s,
      series.voltage_V,
      series.current_A,
      series.charge_capacity_Ah,
      series.discharge_capacity_Ah,
      series.charge_energy_Wh,
      series.discharge_energy_Wh,
      series.step_index,
      series.cycle_index,
      ...(series.temperature_C ? [series.temperature_C] : []),
      ...Object.values(series.extras),
    ].reduce((n, a) => n + a.byteLength, 0);
    const columns = Math.round(columnBytes / 8 / series.length);
    const contenders: Record<string, { cmd: string[]; json: boolean }> = {
      ours_big: child("read", 1, [big]),
      floor_big: child("alloc", columns, [String(series.length)]),
      ours_real: child("read", repeat, real),
    };
    if (hasGalvani) {
      contenders.galvani_big = py("galvani", 1, [big]);
      contenders.galvani_real = py("galvani", repeat, real);
    }
    const r = await interleaved(contenders);
    console.log(
      `synthetic ${(bytes.length / 1e6).toFixed(0)} MB: ours ${sec(r.ours_big.inner.cpu_s)} CPU ` +
        `in process, process peak RSS ${mib(r.ours_big.rss)} (${
          ratio(r.ours_big.rss, bytes.length)
        } the file)`,
    );
    console.log(
      `floor: ${columns} columns of ${series.length} float64 (${
        (columnBytes / 1e6).toFixed(0)
      } MB, the recording's columns) allocated and written alone: ${
        sec(r.floor_big.inner.cpu_s)
      } CPU in process`,
    );
    console.log(
      `${real.length} real fixtures (${(realBytes / 1e3).toFixed(0)} kB) × ${repeat}: ours ${
        sec(r.ours_real.inner.cpu_s)
      } CPU in process`,
    );
    if (hasGalvani) {
      console.log(
        `galvani: synthetic ${sec(r.galvani_big.inner.cpu_s)} CPU, peak RSS ${
          mib(r.galvani_big.rss)
        }; real ${sec(r.galvani_real.inner.cpu_s)} CPU`,
      );
      console.log(
        `RATIO .mpr vs galvani (CPU in process): synthetic ${
          ratio(r.galvani_big.inner.cpu_s, r.ours_big.inner.cpu_s)
        }, real fixtures ${ratio(r.galvani_real.inner.cpu_s, r.ours_real.inner.cpu_s)} ` +
          `(target ≥ 2×)`,
      );
    }
    console.log();
  }

  if (only.has("ndax")) {
    console.log("## Neware .ndax");
    const hasNda = await python("NewareNDA", "NewareNDA");
    const { zip, ndcBytes } = bigNdax(20);
    const big = join(tmp, "synthetic.ndax");
    await Deno.writeFile(big, zip);
    const real = [...Deno.readDirSync(here("../tests/fixtures/neware/"))]
      .filter((e) => e.name.endsWith(".ndax")).map((e) =>
        here(`../tests/fixtures/neware/${e.name}`)
      )
      .sort();
    // Only the files NewareNDA reads (it raises on some layouts we read).
    const readable: string[] = [];
    for (const p of real) {
      if (!hasNda) break;
      const ok = (await new Deno.Command("python3", {
        args: [here("./scripts/peers.py"), "newarenda", "1", p],
        stdout: "null",
        stderr: "null",
      }).output()).success;
      if (ok) readable.push(p);
    }
    const files = hasNda ? readable : real;
    const realBytes = files.reduce((n, p) => n + Deno.statSync(p).size, 0);
    const repeat = Math.max(1, Math.round(5e6 / realBytes));
    const contenders: Record<string, { cmd: string[]; json: boolean }> = {
      ours_big: child("read", 1, [big]),
      ours_real: child("read", repeat, files),
    };
    if (hasNda) {
      contenders.nda_big = py("newarenda", 1, [big]);
      contenders.nda_real = py("newarenda", repeat, files);
    }
    const r = await interleaved(contenders);
    console.log(
      `synthetic ${(zip.length / 1e6).toFixed(1)} MB (${(ndcBytes / 1e6).toFixed(0)} MB of ` +
        `records): ours ${sec(r.ours_big.inner.cpu_s)} CPU in process, peak RSS ${
          mib(r.ours_big.rss)
        }`,
    );
    console.log(
      `${files.length} real fixtures (${(realBytes / 1e3).toFixed(0)} kB) × ${repeat}: ours ${
        sec(r.ours_real.inner.cpu_s)
      } CPU in process`,
    );
    if (hasNda) {
      console.log(
        `NewareNDA: synthetic ${sec(r.nda_big.inner.cpu_s)} CPU, peak RSS ${mib(r.nda_big.rss)}; ` +
          `real ${sec(r.nda_real.inner.cpu_s)} CPU`,
      );
      console.log(
        `RATIO .ndax vs NewareNDA (CPU in process): synthetic ${
          ratio(r.nda_big.inner.cpu_s, r.ours_big.inner.cpu_s)
        }, real fixtures ${ratio(r.nda_real.inner.cpu_s, r.ours_real.inner.cpu_s)} ` +
          `(target ≥ 2×)`,
      );
    }
    console.log();
  }

  if (only.has("import")) {
    const count = Number(values["import-files"]), mb = Number(values["import-mb"]);
    console.log(`## Import ${count} × ${mb} MB generated Arbin CSVs into SQLite, archive on`);
    const dir = join(tmp, "import");
    await Deno.mkdir(dir);
    const { bytes } = generateArbinCsv(mb * 1e6);
    for (let i = 0; i < count; i++) {
      const copy = bytes.slice(); // a distinct first data row: no hash shortcut
      const header = copy.indexOf(10) + 1;
      copy[header] = 0x30 + (i % 10);
      copy[header + 1] = 0x30 + Math.floor(i / 10) % 10;
      await Deno.writeFile(join(dir, `cell_${i}_Channel_${i}_Wb_1.CSV`), copy);
    }
    const total = count * bytes.length;
    const one = join(dir, "cell_0_Channel_0_Wb_1.CSV");
    const r = await interleaved({
      parse: child("phases", 1, [one]),
      import1: child("import", 1, [dir]),
      import2: child("import", 2, [dir]),
      phases: child("import_phases", 1, [dir]),
    });
    const parseRate = bytes.length / (r.parse.inner.parse_cpu_s + r.parse.inner.cycles_cpu_s);
    const rate1 = total / r.import1.inner.cpu_s;
    console.log(
      `parse + cycles of one file: ${
        mbps(bytes.length, r.parse.inner.parse_cpu_s + r.parse.inner.cycles_cpu_s)
      } CPU`,
    );
    for (const [name, run] of [["1 worker", r.import1], ["2 workers", r.import2]] as const) {
      console.log(
        `import, ${name}: ${sec(run.inner.cpu_s)} CPU = ${mbps(total, run.inner.cpu_s)}, wall ${
          sec(run.inner.wall_s)
        } = ${mbps(total, run.inner.wall_s)}, peak RSS ${mib(run.rss)}, database ${
          ratio(run.inner.db_bytes, total)
        } the input`,
      );
    }
    const ph = r.phases.inner;
    const phaseTotal = ph.pack_cpu_s + ph.parse_cpu_s + ph.cycles_cpu_s + ph.analysis_cpu_s +
      ph.store_cpu_s;
    console.log(
      `import phases, in process, ${ph.files} files after a warm-up one (CPU, share): ` +
        (["pack", "parse", "cycles", "analysis", "store"] as const).map((name) =>
          `${name} ${sec(ph[`${name}_cpu_s`])} (${
            (100 * ph[`${name}_cpu_s`] / phaseTotal).toFixed(0)
          } %)`
        ).join(", ") +
        " — pack: read, SHA-256 and zstd of the raw file; store: series encoding (zstd) and " +
        "SQLite writes",
    );
    console.log(
      `RATIO import (1 worker, CPU) vs parse: ${(100 * rate1 / parseRate).toFixed(0)} % ` +
        `(target ≥ 80 %); database / input ${ratio(r.import1.inner.db_bytes, total)} ` +
        `(target ≤ 0.6×); 2 workers vs 1 (wall): ${
          ratio(r.import1.inner.wall_s, r.import2.inner.wall_s)
        }`,
    );
    console.log();
  }
} finally {
  await Deno.remove(tmp, { recursive: true });
}
console.log(`load average at the end: ${await load()}`);
