// Copyright 2026 the battery-analysis authors. MIT license.

import { deepEqual, equal, throws } from "node:assert/strict";
import { parseExperiment, parseStep, profileStep } from "../../../analysis/models/mod.ts";

Deno.test("parseStep() reads PyBaMM's step forms", () => {
  deepEqual(parseStep("Discharge at 1C until 2.5 V"), {
    text: "Discharge at 1C until 2.5 V",
    mode: "c_rate",
    value: -1,
    duration_s: null,
    limits: [{ kind: "voltage", value_V: 2.5 }],
  });
  deepEqual(parseStep("Hold at 4.2 V until C/50").limits, [
    { kind: "current", value_A: null, c_rate: 0.02 },
  ]);
  deepEqual(parseStep("Hold at 4.2V until 50 mA").limits, [
    { kind: "current", value_A: 0.05, c_rate: null },
  ]);
  equal(parseStep("Rest for 1 hour").duration_s, 3600);
  const twoAmps = parseStep("Discharge at 2 A for 10 minutes");
  deepEqual([twoAmps.mode, twoAmps.value, twoAmps.duration_s], ["current", -2, 600]);
  const power = parseStep("Charge at 3 W for 30 s or until 4.1 V");
  deepEqual([power.mode, power.value, power.duration_s, power.limits.length], ["power", 3, 30, 1]);
  equal(parseStep("discharge at C/20 until 3 V").value, -0.05);
  equal(parseStep("Discharge at 500 mA for 2 h").value, -0.5);
  deepEqual(parseStep("Discharge at 2 Ohm for 1 hour").mode, "resistance");
  throws(() => parseStep("Discharge at 1C"), /give a duration/);
  throws(() => parseStep("Charge at 1C until C/50"), /current limit ends a voltage hold only/);
  throws(() => parseStep("Hold at 1C for 1 hour"), /hold at a voltage/);
  throws(() => parseStep("Rest until 4 V"), /expected|rest ends after a duration/);
  throws(() => parseStep("Sleep for 1 hour"), /expected "Discharge at …"/);
  throws(() => parseStep("Discharge at 1 parsec for 1 hour"), /not a value like/);
  throws(() => parseStep("Discharge at 1C for 2 fortnights"), /not a duration/);
});

Deno.test("parseExperiment() numbers cycles and repeats groups", () => {
  const e = parseExperiment([
    "Rest for 10 minutes",
    "(Discharge at 1C until 2.5 V; Charge at C/2 until 4.2 V) x 3",
    "Discharge at C/10 until 2.5 V",
  ]);
  deepEqual(e.cycle, [1, 2, 2, 3, 3, 4, 4, 5]);
  const repeated = parseExperiment(["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V"], {
    cycles: 3,
  });
  deepEqual(repeated.cycle, [1, 1, 2, 2, 3, 3]);
  throws(() => parseExperiment([]), RangeError);
  throws(() => parseExperiment(["Rest for 1 s"], { cycles: 0 }), RangeError);
});

Deno.test("profileStep() shifts time to zero and checks the arrays", () => {
  const s = profileStep([5, 6, 8], [1, -1, 0]);
  deepEqual(s.profile, { time_s: [0, 1, 3], current_A: [1, -1, 0] });
  throws(() => profileStep([0, 1, 0.5], [1, 1, 1]), /time decreases at row 2/);
  throws(() => profileStep([0, 0], [1, 1]), /no duration/);
  throws(() => profileStep([0, 1], [1, NaN]), /finite/);
});
