// Copyright 2026 the battery-analysis authors. MIT license.
// Tests of cli/summarize.ts, run as a subprocess with read permission only (no store).

import { deepEqual, equal, match, ok } from "node:assert/strict";
import { assertClose } from "../_util.ts";
import { jsonLines, runCli } from "./_run.ts";

const ZN = "tests/fixtures/arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV";
const NDA = "tests/fixtures/neware/new_nda_file.nda";
const PEIS =
  "tests/fixtures/biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt";
const MACCOR = "tests/fixtures/maccor/PredictionDiagnostics_000151_test.052";

// From tests/cli/scripts/summarize_expected.py (csv module on the raw file, no project code):
// per cycle [charge Ah, discharge Ah, charge Wh, discharge Wh, CE, EE], cycles delimited by the
// runs of Step Index 2, counters accumulating over the test (value = counter at the cycle's last
// row − counter before the cycle). Rounded to 10 significant digits.
const ZN_CYCLES: (number | null)[][] = [
  [0.00115, 0.00113, 0.00014, 0.00014, 0.9826086957, 1.0],
  [0.00116, 0.00113, 0.0001, 0.00012, 0.974137931, 1.2],
  [0.00115, 0.00113, 8e-05, 0.00011, 0.9826086957, 1.375],
  [0.00119, 0.00113, 8e-05, 0.00011, 0.9495798319, 1.375],
  [0.00119, 0.00114, 9e-05, 0.00011, 0.9579831933, 1.222222222],
  [0.00116, 0.00113, 9e-05, 0.00011, 0.974137931, 1.222222222],
  [0.00116, 0.00113, 9e-05, 0.00012, 0.974137931, 1.333333333],
  [0.00119, 0.00113, 0.0001, 0.00011, 0.9495798319, 1.1],
  [0.00119, 0.00113, 0.0001, 0.00012, 0.9495798319, 1.2],
  [0.00115, 0.00113, 9e-05, 0.00011, 0.9826086957, 1.222222222],
  [0.00116, 0.00113, 3e-05, 2e-05, 0.974137931, 0.6666666667],
  [0.00119, 0.00113, 2e-05, 5e-05, 0.9495798319, 2.5],
  [0.00119, 0.00113, 2e-05, 5e-05, 0.9495798319, 2.5],
  [0.00116, 0.00113, 2e-05, 5e-05, 0.974137931, 2.5],
  [0.00115, 0.00114, 1e-05, 4e-05, 0.9913043478, 4.0],
  [0.00119, 0.00113, 2e-05, 4e-05, 0.9495798319, 2.0],
  [0.00119, 0.00113, 0.0001, 0.00014, 0.9495798319, 1.4],
  [0.00119, 0.00113, 0.00012, 0.00013, 0.9495798319, 1.083333333],
  [0.00115, 0.00113, 0.00011, 0.00013, 0.9826086957, 1.181818182],
  [0.00119, 0.00113, 8e-05, 3e-05, 0.9495798319, 0.375],
  [0.00119, 0.00113, 3e-05, 5e-05, 0.9495798319, 1.666666667],
  [0.00119, 0.00113, 2e-05, 7e-05, 0.9495798319, 3.5],
  [0.00115, 0.00113, 3e-05, 6e-05, 0.9826086957, 2.0],
  [0.00116, 0.00114, 2e-05, 5e-05, 0.9827586207, 2.5],
  [0.00119, 0.00113, 2e-05, 4e-05, 0.9495798319, 2.0],
  [0.00115, 0.00113, 2e-05, 5e-05, 0.9826086957, 2.5],
  [0.00116, 0.00113, 2e-05, 4e-05, 0.974137931, 2.0],
  [0.00115, 0.00113, 2e-05, 3e-05, 0.9826086957, 1.5],
  [0.00119, 0.00113, 2e-05, 2e-05, 0.9495798319, 1.0],
  [0.00115, 0.00113, 2e-05, 3e-05, 0.9826086957, 1.5],
  [0.00116, 0.00113, 1e-05, 3e-05, 0.974137931, 3.0],
  [0.00115, 0.00113, 2e-05, 3e-05, 0.9826086957, 1.5],
  [0.00119, 0.00113, 3e-05, 2e-05, 0.9495798319, 0.6666666667],
  [0.00119, 0.00114, 1e-05, 3e-05, 0.9579831933, 3.0],
  [0.00116, 0.00113, 3e-05, 2e-05, 0.974137931, 0.6666666667],
  [0.00115, 0.00026, 3e-05, 2e-05, 0.2260869565, 0.6666666667],
];

type Json = Record<string, unknown>;
type Cycle = Record<string, number | string | null>;

function checkZnCycles(cycles: Cycle[]): void {
  equal(cycles.length, ZN_CYCLES.length);
  const keys = [
    "charge_capacity_Ah",
    "discharge_capacity_Ah",
    "charge_energy_Wh",
    "discharge_energy_Wh",
    "coulombic_efficiency",
    "energy_efficiency",
  ];
  cycles.forEach((c, k) => {
    equal(c.cycle, k + 1);
    keys.forEach((key, j) => {
      // Counter differences of 5-decimal values: exact to rounding (1e-12 Ah); ratios to 1e-9.
      const opts = j < 4 ? { abs: 1e-12 } : { rel: 1e-9 };
      assertClose(c[key] as number, ZN_CYCLES[k][j] as number, {
        ...opts,
        message: `cycle ${k + 1} ${key}`,
      });
    });
  });
}

Deno.test("summarize --json on a Zn symmetric-cell Arbin CSV matches the raw file", async () => {
  const run = await runCli("cli/summarize.ts", ["--json", ZN]);
  equal(run.code, 0, run.stderr);
  const [s] = jsonLines(run.stdout) as Json[];
  equal(s.file, ZN);
  equal(s.format, "arbin_csv");
  equal(s.instrument, "Arbin");
  // Sample and channel from the file name rule (…_Channel_54_Wb_1).
  equal(s.sample, "BL_Zn_SymCell_072023_04_1mAh");
  equal(s.channel, 54);
  equal(s.cell_code, null);
  // Python: rows of the csv, Date_Time of the first row.
  equal(s.rows, 1754);
  equal(s.start_time, "2023-07-21T10:02:45.362");
  equal(s.cycle_method, "current_sign");
  deepEqual(s.warnings, []);
  equal("spectra" in s, false);
  checkZnCycles(s.cycles as Cycle[]);
  // Every CycleSummary field is present.
  for (
    const key of [
      "instrument_cycle",
      "first_half",
      "start_row",
      "end_row",
      "duration_s",
      "mean_discharge_voltage_V",
      "internal_resistance_ohm",
    ]
  ) {
    ok(key in (s.cycles as Cycle[])[0], key);
  }
});

Deno.test("summarize --method step and --format generic_csv give the same Zn cycles", async () => {
  // The Python reference delimits cycles by step runs, so the step method must agree too; the
  // generic CSV parser reads the same columns.
  const step = jsonLines(
    (await runCli("cli/summarize.ts", ["--json", "--method", "step", ZN])).stdout,
  );
  equal(step[0].cycle_method, "step");
  checkZnCycles(step[0].cycles as Cycle[]);
  const generic = jsonLines(
    (await runCli("cli/summarize.ts", ["--json", "--format", "generic_csv", ZN])).stdout,
  );
  equal(generic[0].format, "generic_csv");
  checkZnCycles(generic[0].cycles as Cycle[]);
});

Deno.test("summarize --method cycle_index on the Zn CSV gives one cycle with the whole test", async () => {
  // Cycle Index is 1 on every row, so one cycle holds everything: the counters at the last row
  // (Charge Capacity 0.04213 Ah, Discharge Capacity 0.03985 Ah; last line of the file).
  const [s] = jsonLines(
    (await runCli("cli/summarize.ts", ["--json", "--method", "cycle_index", ZN])).stdout,
  );
  const cycles = s.cycles as Cycle[];
  equal(cycles.length, 1);
  assertClose(cycles[0].charge_capacity_Ah as number, 0.04213, { abs: 1e-12 });
  assertClose(cycles[0].discharge_capacity_Ah as number, 0.03985, { abs: 1e-12 });
});

Deno.test("summarize --json on a Neware .nda matches the NewareNDA reference table", async () => {
  const [s] = jsonLines((await runCli("cli/summarize.ts", ["--json", NDA])).stdout);
  equal(s.format, "neware_nda");
  equal(s.instrument, "Neware");
  // From summarize_expected.py: new_nda_file.ftr (written by NewareNDA) has 439 rows; its
  // counters restart at each step, so totals are sums of per-step maxima (float32 → rel 1e-6).
  equal(s.rows, 439);
  equal(s.start_time, "2020-03-25T11:16:50");
  const cycles = s.cycles as Cycle[];
  const sum = (key: string) => cycles.reduce((a, c) => a + (c[key] as number), 0);
  assertClose(sum("charge_capacity_Ah"), 6.965277716517448e-07, { rel: 1e-6 });
  assertClose(sum("discharge_capacity_Ah"), 7.0744997865404e-06, { rel: 1e-6 });
  assertClose(sum("charge_energy_Wh"), 5.952777792117558e-08, { rel: 1e-6 });
  assertClose(sum("discharge_energy_Wh"), 7.02555534644489e-07, { rel: 1e-6 });
});

Deno.test("summarize --json on a BioLogic PEIS .mpt lists the spectrum", async () => {
  const [s] = jsonLines((await runCli("cli/summarize.ts", ["--json", PEIS])).stdout);
  equal(s.format, "biologic_mpt");
  equal(s.instrument, "BioLogic");
  equal(s.channel, 3);
  equal(s.cycle_method, null);
  deepEqual(s.cycles, []);
  // From summarize_expected.py: 48 data lines after the header; frequency column min/max.
  equal(s.rows, 48);
  const spectra = s.spectra as { points: number; frequency_Hz: [number, number] }[];
  equal(spectra.length, 1);
  equal(spectra[0].points, 48);
  assertClose(spectra[0].frequency_Hz[0], 0.010000636);
  assertClose(spectra[0].frequency_Hz[1], 1000019.3);
});

Deno.test("summarize prints the cycle table in mAh and % and spectra as text", async () => {
  const run = await runCli("cli/summarize.ts", [ZN, PEIS, MACCOR]);
  equal(run.code, 0, run.stderr);
  match(run.stdout, /^== tests\/fixtures\/arbin\/BL_Zn/m);
  match(run.stdout, /^channel\s+54$/m);
  match(run.stdout, /^36 cycles \(method: current_sign\)$/m);
  // Cycle 1: 1.15 mAh charged, 1.13 mAh discharged, CE 1.13/1.15 = 98.26 %, EE 100 %.
  match(run.stdout, /^\s+1\s+charge\s+1\.15\s+1\.13\s+98\.26\s+100\s/m);
  match(run.stdout, /^spectra\s+1$/m);
  // From summarize_expected.py: the Maccor file has 333 data lines.
  match(run.stdout, /^format\s+maccor_text /m);
  match(run.stdout, /^rows\s+333$/m);
});

Deno.test("summarize goes on after a bad file, names it, and exits with 1", async () => {
  const bad = "tests/fixtures/bad/custom_missing_column.csv";
  const run = await runCli("cli/summarize.ts", ["--json", "no_such_file.csv", bad, PEIS]);
  equal(run.code, 1);
  const lines = jsonLines(run.stdout);
  equal(lines.length, 3);
  equal(lines[0].file, "no_such_file.csv");
  match(lines[0].error as string, /Cannot read "no_such_file.csv"/);
  equal(lines[1].file, bad);
  match(lines[1].error as string, /custom_missing_column\.csv.*no voltage column/);
  equal(lines[2].format, "biologic_mpt");
  match(run.stderr, /summarize: Cannot read "no_such_file.csv"/);
  match(run.stderr, /summarize: Cannot parse "tests\/fixtures\/bad\/custom_missing_column.csv"/);
});

Deno.test("summarize --explain shows every candidate parser and the winner", async () => {
  const text = await runCli("cli/summarize.ts", ["--explain", ZN]);
  match(text.stdout, /Format detection for ".*BL_Zn.*" \(\d+ parsers asked\):/);
  match(text.stdout, /^\s+0\.\d\d\s+arbin_csv \(Arbin CSV export\): /m);
  match(text.stdout, /^Chosen: arbin_csv/m);
  const [s] = jsonLines((await runCli("cli/summarize.ts", ["--json", "--explain", ZN])).stdout);
  const d = s.detection as { chosen: string; candidates: { id: string; confidence: number }[] };
  equal(d.chosen, "arbin_csv");
  equal(d.candidates[0].id, "arbin_csv");
  // The generic CSV parser also recognizes the file, with a lower confidence.
  const generic = d.candidates.find((c) => c.id === "generic_csv");
  ok(generic && generic.confidence < d.candidates[0].confidence);
  // An unrecognized file (an Arrow IPC table): no candidate, the reason is shown, exit 1.
  const none = await runCli("cli/summarize.ts", [
    "--explain",
    "tests/fixtures/neware/new_nda_file.ftr",
  ]);
  equal(none.code, 1);
  match(none.stdout, /Chosen: none; no parser recognizes this file/);
  match(none.stderr, /not a supported format/);
});

Deno.test("summarize rejects bad arguments with exit code 2", async () => {
  const noFile = await runCli("cli/summarize.ts", []);
  equal(noFile.code, 2);
  match(noFile.stderr, /give at least one file/);
  const method = await runCli("cli/summarize.ts", ["--method", "halves", ZN]);
  equal(method.code, 2);
  match(method.stderr, /--method must be/);
  const format = await runCli("cli/summarize.ts", ["--format", "nope", ZN]);
  equal(format.code, 2);
  match(format.stderr, /--format "nope" is not a known format id/);
  const help = await runCli("cli/summarize.ts", ["--help"]);
  equal(help.code, 0);
  match(help.stdout, /Usage:/);
});

Deno.test("summarize --mapping reads the Zn CSV with a user-defined column mapping like the Arbin reader", async () => {
  // tests/fixtures/mappings/arbin_as_custom.toml names the Arbin columns; read with it, the file
  // must give the cycles of the Python reference above (step runs), and the mapping's format.
  const run = await runCli("cli/summarize.ts", [
    "--json",
    "--method",
    "step",
    "--mapping",
    "tests/fixtures/mappings/arbin_as_custom.toml",
    ZN,
  ]);
  equal(run.code, 0, run.stderr);
  const [s] = jsonLines(run.stdout) as Json[];
  equal(s.format, "mapped_csv");
  equal(s.instrument, "Arbin export read by a mapping");
  checkZnCycles(s.cycles as Cycle[]);
  const bad = await runCli("cli/summarize.ts", [
    "--mapping",
    "tests/fixtures/mappings/none.toml",
    ZN,
  ]);
  equal(bad.code, 2);
  match(bad.stderr, /Cannot read the column mapping "tests\/fixtures\/mappings\/none.toml"/);
});
