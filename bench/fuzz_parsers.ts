// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Fuzz every registered parser with deterministic cases built from the fixtures (truncations,
 * bit flips, random byte runs, insertions, deletions, repeated lines, random bytes and text).
 * Each case must parse or throw a `ParseError`; any other exception, a case slower than the time
 * limit (hang), or a child process dying of memory exhaustion is a failure, printed with the
 * seed, format and case index.
 *
 * Cases run in child processes (`bench/_fuzz_child.ts`, V8 heap capped) so a hang can be killed
 * and an out-of-memory crash attributed to its case; the run then resumes after that case.
 *
 * Usage:
 *   deno run -A bench/fuzz_parsers.ts [--cases 10000] [--seed 1] [--formats a,b]
 *     [--time-limit-ms 10000] [--heap-mb 1024] [--json]
 *   deno run -A bench/fuzz_parsers.ts --format maccor_text --seed 1 --case 123 --dump case.bin
 */

import { FORMATS } from "../parsers/_registry.ts";
import { fixturesByFormat, makeCase, readFixtures } from "./_fuzz.ts";

interface Failure {
  format: string;
  seed: number;
  index: number;
  kind: "exception" | "hang" | "memory" | "crash";
  detail: string;
}

interface FormatReport {
  format: string;
  fixtures: number;
  cases: number;
  ok: number;
  parseErrors: number;
  failures: number;
  slowest: { index: number; ms: number };
  seconds: number;
}

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

async function runFormat(
  format: string,
  seed: number,
  cases: number,
  timeLimitMs: number,
  heapMb: number,
  failures: Failure[],
): Promise<FormatReport> {
  const child = new URL("./_fuzz_child.ts", import.meta.url).pathname;
  const report: FormatReport = {
    format,
    fixtures: 0,
    cases: 0,
    ok: 0,
    parseErrors: 0,
    failures: 0,
    slowest: { index: -1, ms: 0 },
    seconds: 0,
  };
  const t0 = performance.now();
  let next = 0;
  while (next < cases) {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `--v8-flags=--max-old-space-size=${heapMb}`,
        child,
        format,
        String(seed),
        String(next),
        String(cases - next),
        String(heapMb * 2 * 1024 * 1024),
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const proc = cmd.spawn();
    const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let hung = false;
    let lastDone = next - 1;
    let memoryAt = -1;
    const stderrText = new Response(proc.stderr).text();
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeLimitMs + 5000);
      });
      const chunk = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (chunk === "timeout") {
        hung = true;
        try {
          proc.kill("SIGKILL");
        } catch { /* already gone */ }
        break;
      }
      if (chunk.done) break;
      buffer += chunk.value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [tag, idx, a, b] = line.split(" ");
        const index = Number(idx);
        if (tag === "R") {
          lastDone = index;
          report.cases++;
          const ms = Number(b);
          if (a === "ok") report.ok++;
          else if (a === "parse-error") report.parseErrors++;
          else report.failures++;
          if (ms > report.slowest.ms) report.slowest = { index, ms };
          if (ms > timeLimitMs) {
            failures.push({ format, seed, index, kind: "hang", detail: `took ${ms} ms` });
            report.failures++;
          }
        } else if (tag === "F") {
          const info = JSON.parse(line.slice(3 + idx.length));
          failures.push({
            format,
            seed,
            index,
            kind: "exception",
            detail: `${info.mutation} of ${info.fixture || "random input"}: ${info.detail}`,
          });
        } else if (tag === "M") {
          memoryAt = index;
        }
      }
    }
    const status = await proc.status;
    const err = (await stderrText).trim();
    if (status.success && !hung) break;
    const index = memoryAt >= 0 ? memoryAt : lastDone + 1;
    if (index >= cases) break;
    const kind = hung
      ? "hang"
      : memoryAt >= 0 || /out of memory|heap/i.test(err)
      ? "memory"
      : "crash";
    failures.push({
      format,
      seed,
      index,
      kind,
      detail: hung
        ? `no result within ${timeLimitMs + 5000} ms`
        : `child exited with code ${status.code}${
          err ? `: ${err.split("\n").slice(-3).join(" | ")}` : ""
        }`,
    });
    report.cases++;
    report.failures++;
    next = index + 1;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help")) {
    console.log(
      "deno run -A bench/fuzz_parsers.ts [--cases 10000] [--seed 1] [--formats a,b] [--time-limit-ms 10000] [--heap-mb 1024] [--json]\n" +
        "deno run -A bench/fuzz_parsers.ts --format ID --seed S --case I --dump FILE   (write one case's bytes)",
    );
    return 0;
  }
  const seed = Number(flag(args, "seed", "1"));
  const root = new URL("../tests/fixtures", import.meta.url).pathname;
  const byFormat = fixturesByFormat(readFixtures(root));
  if (args.includes("--dump")) {
    const format = flag(args, "format", "");
    const c = makeCase(format, byFormat.get(format) ?? [], seed, Number(flag(args, "case", "0")));
    Deno.writeFileSync(flag(args, "dump", "case.bin"), c.bytes);
    console.log(
      `${c.mutation} of ${
        c.fixture || "random input"
      } (file name ${c.fileName}), ${c.bytes.length} bytes`,
    );
    return 0;
  }
  const cases = Number(flag(args, "cases", "10000"));
  const timeLimitMs = Number(flag(args, "time-limit-ms", "10000"));
  const heapMb = Number(flag(args, "heap-mb", "1024"));
  const wanted = flag(args, "formats", "");
  const formats = FORMATS.filter((f) => !wanted || wanted.split(",").includes(f.id));
  const failures: Failure[] = [];
  const reports: FormatReport[] = [];
  for (const f of formats) {
    const r = await runFormat(f.id, seed, cases, timeLimitMs, heapMb, failures);
    r.fixtures = byFormat.get(f.id)?.length ?? 0;
    reports.push(r);
    if (!args.includes("--json")) {
      console.log(
        `${f.id.padEnd(22)} fixtures ${
          String(r.fixtures).padStart(2)
        }  cases ${r.cases}  ok ${r.ok}  ParseError ${r.parseErrors}  failures ${r.failures}  slowest case ${r.slowest.index} (${
          r.slowest.ms.toFixed(1)
        } ms)  ${r.seconds.toFixed(1)} s`,
      );
    }
  }
  if (args.includes("--json")) {
    console.log(JSON.stringify({ seed, cases, reports, failures }, null, 2));
  } else {
    const total = reports.reduce((n, r) => n + r.cases, 0);
    const slow = reports.reduce((a, r) => (r.slowest.ms > a.slowest.ms ? r : a), reports[0]);
    console.log(
      `\n${total} cases over ${reports.length} formats, seed ${seed}: ${failures.length} failures; slowest case ${slow?.format} #${slow?.slowest.index} (${
        slow?.slowest.ms.toFixed(1)
      } ms)`,
    );
    for (const f of failures) {
      console.log(
        `FAIL ${f.format} seed ${f.seed} case ${f.index} (${f.kind}): ${f.detail}\n  replay: deno run -A bench/fuzz_parsers.ts --format ${f.format} --seed ${f.seed} --case ${f.index} --dump case.bin`,
      );
    }
  }
  return failures.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
