// Copyright 2026 the battery-analysis authors. MIT license.

import { equal, ok, throws } from "node:assert/strict";
import { compileExpression } from "../../../analysis/models/_expression.ts";
import { compileCell, ocp } from "../../../analysis/models/_cell.ts";
import {
  checkParameterSet,
  CHEN2020,
  electrodeSoh,
  initialState,
  loadParameterSet,
  MARQUIS2019,
  resolveParameterSet,
} from "../../../analysis/models/mod.ts";
import { ParseError } from "../../../parsers/parse_error.ts";
import { assertClose } from "../../_util.ts";

Deno.test("compileExpression() follows the precedence rules and reports positions", () => {
  equal(compileExpression("-x^2", ["x"]).fn([3]), -9);
  equal(compileExpression("2^3^2", []).fn([]), 512);
  equal(compileExpression("2 ** -1", []).fn([]), 0.5);
  equal(compileExpression("max(x, 1) + sech(0)", ["x"]).fn([0.5]), 2);
  throws(() => compileExpression("exp(x", ["x"]), /expected "\)", found the end at position 5/);
  throws(() => compileExpression("sto + y", ["sto"]), /unknown name "y".*position 6/);
  throws(() => compileExpression("constructor(1)", []), /unknown function "constructor"/);
  throws(() => compileExpression("x; 1", ["x"]), /unexpected character ";"/);
});

// Check values from ../shared/spec/physics_models.md (PyBaMM 26.10.1.1).
const OCP_CHECKS: [number, number, number, number, number][] = [
  [0.01, 1.739382, 4.670356, 0.770310, 4.711708],
  [0.10, 0.406516, 4.594483, 0.301025, 4.674763],
  [0.25, 0.195062, 4.336596, 0.222100, 4.526772],
  [0.50, 0.133086, 3.971959, 0.195377, 4.186036],
  [0.75, 0.092028, 3.689615, 0.176979, 3.921367],
  [0.90, 0.092020, 3.568200, 0.130315, 3.906243],
  [0.99, 0.092020, 3.495390, 0.060715, 0.613525],
];

Deno.test("built-in sets reproduce PyBaMM's OCP, transport and kinetics check values", () => {
  const chen = compileCell(CHEN2020), marq = compileCell(MARQUIS2019);
  for (const [sto, un, up, mn, mp] of OCP_CHECKS) {
    assertClose(chen.n.ocpRaw(sto), un, { abs: 1e-6 });
    assertClose(chen.p.ocpRaw(sto), up, { abs: 1e-6 });
    assertClose(marq.n.ocpRaw(sto), mn, { abs: 1e-6 });
    assertClose(marq.p.ocpRaw(sto), mp, { abs: 1e-6 });
  }
  assertClose(chen.De(500, 298.15), 3.095850e-10, { rel: 1e-6 });
  assertClose(chen.kappa(1500, 298.15), 0.820073, { rel: 1e-6 });
  assertClose(marq.De(1000, 298.15), 2.787724e-10, { rel: 1e-6 });
  assertClose(marq.kappa(1000, 298.15), 1.104600, { rel: 1e-6 });
  // The spec's j0 values are the raw functions; inside the models PyBaMM (and so do we)
  // regularizes the powers ((x/s)² + 1e-6)^((a−1)/2): 2.25e-6 relative at these points.
  assertClose(chen.n.j0(1000, 0.5 * 33133, 298.15), 0.339473, { rel: 1e-5 });
  assertClose(chen.p.j0(1000, 0.5 * 63104, 298.15), 3.412346, { rel: 1e-5 });
  assertClose(chen.n.j0(1000, 0.5 * 33133, 313.15), 0.667603, { rel: 1e-5 });
  assertClose(marq.n.j0(1000, 0.5 * marq.n.cMax, 298.15), 7.900401, { rel: 1e-5 });
  assertClose(marq.p.j0(1000, 0.5 * marq.p.cMax, 298.15), 0.485896, { rel: 1e-5 });
  // Near c_max the regularized power keeps a finite slope: j0 is small but not zero.
  ok(chen.n.j0(1000, 33133, 298.15) === 0 && chen.n.j0(1000, 0.9999 * 33133, 298.15) > 0);
  assertClose(marq.n.D(0.5, 313.15), 8.9121e-14, { rel: 1e-4 });
  assertClose(marq.p.D(0.5, 313.15), 1.4311e-13, { rel: 1e-4 });
  // Entropic change only enters U away from the reference temperature.
  const sto = 0.5;
  assertClose(
    ocp(marq.n, sto, 308.15, 298.15) - ocp(marq.n, sto, 298.15, 298.15),
    10 * marq.n.dUdT(sto),
    { rel: 1e-9 },
  );
  // Derived quantities: areas and specific surface areas (spec table).
  assertClose(chen.area, 0.1027, { rel: 1e-12 });
  assertClose(chen.n.a, 383959, { rel: 1e-6 });
  assertClose(chen.p.a, 382184, { rel: 1e-6 });
  assertClose(marq.n.a, 180000, { rel: 1e-12 });
});

Deno.test("electrodeSoh() finds PyBaMM's stoichiometry window of both sets", () => {
  // ../shared/spec/physics_models.md, "Derived quantities".
  const c = electrodeSoh(CHEN2020);
  assertClose(c.x_0, 0.0263458, { abs: 1e-7 });
  assertClose(c.x_100, 0.9106180, { abs: 1e-7 });
  assertClose(c.y_100, 0.2638452, { abs: 1e-7 });
  assertClose(c.y_0, 0.8539747, { abs: 1e-7 });
  assertClose(c.negative_capacity_Ah, 5.82762, { rel: 1e-5 });
  assertClose(c.positive_capacity_Ah, 8.73232, { rel: 1e-5 });
  assertClose(c.cyclable_lithium_mol, 0.283966, { rel: 1e-5 });
  assertClose(c.capacity_Ah, 5.15320, { rel: 1e-5 });
  assertClose(c.x_100 * 33133, 30171.507739734283, { rel: 1e-9 });
  const m = electrodeSoh(MARQUIS2019);
  assertClose(m.x_0, 0.1832225, { abs: 1e-7 });
  assertClose(m.x_100, 0.9493210, { abs: 1e-7 });
  assertClose(m.y_100, 0.5125964, { abs: 1e-7 });
  assertClose(m.y_0, 0.9610247, { abs: 1e-7 });
  assertClose(m.capacity_Ah, 0.872840, { rel: 1e-5 });
});

Deno.test("initialState() interpolates SOC linearly and inverts an OCV", () => {
  const half = initialState(CHEN2020, 0.5);
  const soh = electrodeSoh(CHEN2020);
  assertClose(half.x, (soh.x_0 + soh.x_100) / 2, { rel: 1e-12 });
  const byVoltage = initialState(CHEN2020, `${half.ocv_V} V`);
  assertClose(byVoltage.soc, 0.5, { abs: 1e-9 });
  assertClose(initialState(CHEN2020, 0).ocv_V, 2.5, { abs: 1e-9 });
  throws(() => initialState(CHEN2020, 1.5), RangeError);
  throws(() => initialState(CHEN2020, "5 V"), /outside/);
  throws(() => initialState(CHEN2020, "full"), /fraction 0-1/);
});

Deno.test("loadParameterSet() reads a lab's JSON with tables and reports bad entries", () => {
  const own = structuredClone(CHEN2020) as unknown as Record<string, unknown>;
  own.name = "Tabulated";
  const stos = Array.from({ length: 101 }, (_, i) => i / 100);
  const chen = compileCell(CHEN2020);
  (own.negative as Record<string, unknown>).ocp_V = {
    x: stos,
    y: stos.map((s) => chen.n.ocpRaw(s)),
  };
  const set = loadParameterSet(JSON.stringify(own), "lab.json");
  const cell = compileCell(set);
  // Linear interpolation of a 0.01-spaced table: exact at the nodes, close between them.
  assertClose(cell.n.ocpRaw(0.5), chen.n.ocpRaw(0.5), { abs: 1e-15 });
  ok(Math.abs(cell.n.ocpRaw(0.505) - chen.n.ocpRaw(0.505)) < 2e-3);
  throws(() => loadParameterSet("{", "lab.json"), ParseError);
  const bad = structuredClone(own);
  (bad.positive as Record<string, unknown>).porosity = -1;
  throws(
    () => loadParameterSet(JSON.stringify(bad), "lab.json"),
    /Cannot parse "lab.json": positive.porosity: must not be negative/,
  );
  const typo = { ...own, negativ: {} };
  throws(() => loadParameterSet(JSON.stringify(typo), "lab.json"), /negativ: unknown entry/);
  const table = structuredClone(own);
  (table.electrolyte as Record<string, unknown>).conductivity_S_m = { x: [1, 1], y: [1, 2] };
  throws(() => checkParameterSet(table), /x must increase strictly/);
  equal(resolveParameterSet("CHEN2020").name, "Chen2020");
  throws(() => resolveParameterSet("Ai2020"), /Unknown parameter set "Ai2020"/);
});
