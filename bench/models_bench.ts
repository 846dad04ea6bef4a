// Copyright 2026 the battery-analysis authors. MIT license.
// deno-lint-ignore-file no-console

/**
 * Speed of the cell models (`deno task bench:models`), next to PyBaMM's on the same machine in
 * the same run when `python3` with `pybamm` is available (bench/pybamm_models_bench.py):
 *
 * - a 1C discharge of Chen2020 from 100 % SOC to 2.5 V, built and solved from scratch
 *   (`simulate`, parameter set compiled, electrode SOH, model, solver), DFN, SPMe and SPM;
 * - a 500-cycle SEI ageing run of the SPM (1C discharge, 1C charge, CV hold to C/20).
 *
 * Times are the best of several runs (wall clock and process CPU time); the CPU time covers
 * every thread of the process (the compiler and garbage collector too), so on a loaded machine
 * the wall-clock figure overstates and the CPU figure bounds the single-core cost.
 *
 * ```sh
 * deno task bench:models [repeats] [sei_cycles]   # the table, with PyBaMM
 * deno bench -A bench/models_bench.ts             # the same cases as deno bench entries
 * ```
 *
 * @module
 */

import process from "node:process";
import { simulate, type SimulateOptions } from "../analysis/models/mod.ts";

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function best(
  options: SimulateOptions,
  n: number,
): { wall: number; cpu: number; capacity: number; fade: string } {
  let wall = Infinity, cpu = Infinity, capacity = NaN, fade = "";
  for (let k = 0; k < n; k++) {
    const c0 = cpuMs(), t0 = performance.now();
    const sim = simulate(options);
    const t1 = performance.now(), c1 = cpuMs();
    wall = Math.min(wall, t1 - t0);
    cpu = Math.min(cpu, c1 - c0);
    capacity = sim.summary.discharge_capacity_Ah;
    const c = sim.cycles;
    fade = `${c[0].discharge_capacity_Ah.toFixed(4)} → ${
      c[c.length - 1].discharge_capacity_Ah.toFixed(4)
    }`;
  }
  return { wall, cpu, capacity, fade };
}

const discharge = { parameters: "Chen2020", experiment: ["Discharge at 1C until 2.5 V"] };
const SEI_CYCLE =
  "(Discharge at 1C until 2.5 V, Charge at 1C until 4.2 V, Hold at 4.2 V until C/20)";

for (const model of ["dfn", "spme", "spm"] as const) {
  Deno.bench(`${model.toUpperCase()} 1C discharge of Chen2020, built and solved`, {
    group: "discharge",
  }, () => {
    simulate({ ...discharge, model });
  });
}
Deno.bench("SPM with SEI, 50 CC-CCCV cycles", { group: "sei" }, () => {
  simulate({ model: "spm", sei: true, period_s: 600, experiment: [`${SEI_CYCLE} × 50`] });
});

if (import.meta.main) {
  const repeats = Number(Deno.args[0] ?? 15);
  const seiCycles = Number(Deno.args[1] ?? 500);
  // Warm-up (JIT) before measuring.
  for (const model of ["dfn", "spme", "spm"] as const) best({ ...discharge, model }, 3);
  const rows: [string, string, string, string][] = [];
  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  for (const model of ["dfn", "spme", "spm"] as const) {
    const r = best({ ...discharge, model }, repeats);
    rows.push([
      `${model.toUpperCase()} 1C discharge, built and solved`,
      fmt(r.wall),
      fmt(r.cpu),
      r.capacity.toFixed(4),
    ]);
  }
  const sei = best({
    model: "spm",
    parameters: "Chen2020",
    sei: true,
    period_s: 600,
    experiment: [
      `${SEI_CYCLE} × ${seiCycles}`,
    ],
  }, 1);
  rows.push([`SPM + SEI, ${seiCycles} cycles`, fmt(sei.wall), fmt(sei.cpu), sei.fade]);

  console.log(
    `battery-analysis models (Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch})`,
  );
  console.log("| case | wall (ms) | CPU (ms) | discharge capacity (Ah) |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);

  // PyBaMM, same machine, same run.
  try {
    const out = await new Deno.Command("python3", {
      args: [new URL("./pybamm_models_bench.py", import.meta.url).pathname, "5", String(seiCycles)],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) throw new Error("python3 failed (is pybamm installed?)");
    const p = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    console.log(`\nPyBaMM ${p.pybamm} (process time, best of ${p.repeats})`);
    console.log("| case | CPU (ms) | discharge capacity (Ah) |");
    console.log("| --- | ---: | ---: |");
    console.log(
      `| DFN 1C discharge, built and solved | ${fmt(p.dfn_build_solve_s * 1000)} | ${
        p.dfn_capacity_Ah.toFixed(4)
      } |`,
    );
    console.log(`| DFN 1C discharge, solve of the built model | ${fmt(p.dfn_solve_s * 1000)} | |`);
    console.log(
      `| SPM 1C discharge, built and solved | ${fmt(p.spm_build_solve_s * 1000)} | ${
        p.spm_capacity_Ah.toFixed(4)
      } |`,
    );
    console.log(`| SPM 1C discharge, solve of the built model | ${fmt(p.spm_solve_s * 1000)} | |`);
    console.log(
      `| SPM + SEI, ${p.sei_cycles} cycles | ${fmt(p.sei_s * 1000)} | ` +
        `${p.sei_first_discharge_Ah.toFixed(4)} → ${p.sei_last_discharge_Ah.toFixed(4)} |`,
    );
  } catch (error) {
    console.log(`\nPyBaMM not measured: ${(error as Error).message}`);
  }
}
