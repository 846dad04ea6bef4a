"""PyBaMM timings for bench/models_bench.ts (the same cases, measured in the same run).

Prints one JSON object: process (CPU) time per case, best of `repeats`. Cases: 1C discharge of
Chen2020 from 100 % SOC to 2.5 V with the DFN and the SPM, each built and solved from scratch
(pybamm.Simulation + solve) and solved again on the built model; and an SEI ageing run of the
SPM (1C discharge, 1C charge, CV hold to C/20) for `sei_cycles` cycles.
"""

import json
import sys
import time

import pybamm

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
sei_cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 50


def params():
    pv = pybamm.ParameterValues("Chen2020")
    pv.set_initial_state(1.0)
    pv["Current function [A]"] = 5.0
    return pv


def cpu(fn):
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t0)
    return best, out


result = {"pybamm": pybamm.__version__, "repeats": repeats}
for name, model in [("dfn", pybamm.lithium_ion.DFN), ("spm", pybamm.lithium_ion.SPM)]:
    def build_and_solve():
        sim = pybamm.Simulation(model(), parameter_values=params())
        return sim.solve([0, 4000])

    t, sol = cpu(build_and_solve)
    result[f"{name}_build_solve_s"] = t
    result[f"{name}_capacity_Ah"] = float(sol["Discharge capacity [A.h]"].entries[-1])
    sim = pybamm.Simulation(model(), parameter_values=params())
    sim.solve([0, 4000])
    result[f"{name}_solve_s"], _ = cpu(lambda: sim.solve([0, 4000]))

steps = ["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V", "Hold at 4.2 V until C/20"]
experiment = pybamm.Experiment([tuple(steps)] * sei_cycles)
model = pybamm.lithium_ion.SPM({"SEI": "solvent-diffusion limited"})
pv = pybamm.ParameterValues("Chen2020")
pv.set_initial_state(1.0)
t0 = time.process_time()
sim = pybamm.Simulation(model, parameter_values=pv, experiment=experiment)
sol = sim.solve()
result["sei_cycles"] = sei_cycles
result["sei_s"] = time.process_time() - t0
def discharged(cycle):
    q = cycle.steps[0]["Discharge capacity [A.h]"].entries
    return float(q[-1] - q[0])


result["sei_first_discharge_Ah"] = discharged(sol.cycles[0])
result["sei_last_discharge_Ah"] = discharged(sol.cycles[-1])
print(json.dumps(result))
