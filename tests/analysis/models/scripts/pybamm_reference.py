"""Reference curves from PyBaMM for the TypeScript cell models (tests/analysis/models/).

Writes small CSVs to tests/analysis/models/pybamm/ and a versions.json naming the PyBaMM, NumPy,
SciPy and CasADi versions and the solver settings. Run from the repository root:

    pip install pybamm==26.10.1.1
    python3 tests/analysis/models/scripts/pybamm_reference.py

Every case uses PyBaMM's defaults: the model's default mesh (20 finite volumes per domain and per
particle), default spatial methods and the default solver (IDAKLUSolver, rtol 1e-4, atol 1e-6),
with the parameter set moved to 100 % SOC by ParameterValues.set_initial_state(1.0). With
--tight the same cases are also solved with rtol = atol = 1e-9, to show the default solver's own
time-stepping error (printed, not written).
"""

import json
import os
import sys

import numpy as np
import pybamm

OUT = os.path.join("tests", "analysis", "models", "pybamm")
MODELS = {"spm": pybamm.lithium_ion.SPM, "spme": pybamm.lithium_ion.SPMe, "dfn": pybamm.lithium_ion.DFN}
SETS = ["Chen2020", "Marquis2019"]
RATES = {"0.5C": 0.5, "1C": 1.0, "2C": 2.0}


def params(name):
    pv = pybamm.ParameterValues(name)
    pv.set_initial_state(1.0)
    return pv


def write_csv(path, columns):
    names = list(columns)
    n = len(columns[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join("%.10g" % float(columns[k][i]) for k in names) + "\n")


def solver(tight):
    if tight:
        return pybamm.IDAKLUSolver(rtol=1e-9, atol=1e-9)
    return None  # the model's default solver


def cc_discharge(set_name, model_name, rate, thermal=False, tight=False):
    options = {"thermal": "lumped"} if thermal else {}
    model = MODELS[model_name](options)
    pv = params(set_name)
    current = rate * pv["Nominal cell capacity [A.h]"]
    pv["Current function [A]"] = current
    t_end = 3600.0 / rate * 1.3
    sim = pybamm.Simulation(model, parameter_values=pv, solver=solver(tight))
    sol = sim.solve([0, t_end], t_interp=np.linspace(0, t_end, 261))
    cols = {
        "time_s": sol["Time [s]"].entries,
        "voltage_V": sol["Voltage [V]"].entries,
        "discharge_capacity_Ah": sol["Discharge capacity [A.h]"].entries,
    }
    if thermal:
        cols["temperature_K"] = sol["Volume-averaged cell temperature [K]"].entries
        cols["ohmic_heating_W"] = sol["Ohmic heating [W]"].entries
        cols["irreversible_heating_W"] = sol["Irreversible electrochemical heating [W]"].entries
        cols["reversible_heating_W"] = sol["Reversible heating [W]"].entries
    return cols, sol.termination


def cccv_steps(pv):
    low = pv["Lower voltage cut-off [V]"]
    high = pv["Upper voltage cut-off [V]"]
    return [
        f"Discharge at 1C until {low} V",
        "Rest for 20 minutes",
        f"Charge at 0.5C until {high} V",
        f"Hold at {high} V until C/20",
        "Rest for 20 minutes",
    ]


def cccv(set_name, model_name, tight=False):
    model = MODELS[model_name]()
    pv = params(set_name)
    steps = cccv_steps(pv)
    experiment = pybamm.Experiment(steps, period="30 seconds")
    sim = pybamm.Simulation(model, parameter_values=pv, experiment=experiment, solver=solver(tight))
    sol = sim.solve()
    step_of_row = []
    for k, step in enumerate(sol.sub_solutions):
        step_of_row.extend([k] * len(step.t))
    return {
        "time_s": sol["Time [s]"].entries,
        "voltage_V": sol["Voltage [V]"].entries,
        "current_A": sol["Current [A]"].entries,
        "discharge_capacity_Ah": sol["Discharge capacity [A.h]"].entries,
        "step": np.array(step_of_row[: len(sol["Time [s]"].entries)]),
    }, steps


SEI_STEPS = ["Discharge at 1C until 2.5 V", "Charge at 1C until 4.2 V", "Hold at 4.2 V until C/20"]


def sei_cycles(model_name):
    """Three 1C CC-CV cycles of Chen2020 with solvent-diffusion-limited SEI (60 s period)."""
    model = MODELS[model_name]({"SEI": "solvent-diffusion limited"})
    pv = params("Chen2020")
    experiment = pybamm.Experiment([tuple(SEI_STEPS)] * 3, period="60 seconds")
    sol = pybamm.Simulation(model, parameter_values=pv, experiment=experiment).solve()
    step_of_row = []
    k = 0
    for cycle in sol.cycles:
        for step in cycle.steps:
            step_of_row.extend([k] * len(step.t))
            k += 1
    return {
        "time_s": sol["Time [s]"].entries,
        "voltage_V": sol["Voltage [V]"].entries,
        "current_A": sol["Current [A]"].entries,
        "discharge_capacity_Ah": sol["Discharge capacity [A.h]"].entries,
        "step": np.array(step_of_row[: len(sol["Time [s]"].entries)]),
        "loss_of_lithium_mol": sol["Loss of lithium to negative SEI [mol]"].entries,
    }


def pulse_profile():
    """A drive-cycle-like current (A, positive on discharge as PyBaMM counts it): 10 minutes of
    2C/0/-1C/1C pulses of 30 s joined by 1 s ramps, sampled every second."""
    levels = [10.0, 0.0, -5.0, 5.0]
    t = np.arange(0.0, 601.0)
    i = np.array([levels[int(x // 31) % 4] if (x % 31) >= 1 else
                  levels[(int(x // 31) - 1) % 4] + (levels[int(x // 31) % 4] -
                  levels[(int(x // 31) - 1) % 4]) * (x % 31) for x in t])
    i[0] = levels[0]
    return t, i


def profile_case(model_name):
    t, i = pulse_profile()
    model = MODELS[model_name]()
    pv = pybamm.ParameterValues("Chen2020")
    pv.set_initial_state(0.5)
    pv["Current function [A]"] = pybamm.Interpolant(t, i, pybamm.t)
    sol = pybamm.Simulation(model, parameter_values=pv).solve(
        [0, 600], t_interp=np.linspace(0, 600, 601))
    return {
        "time_s": sol["Time [s]"].entries,
        "voltage_V": sol["Voltage [V]"].entries,
        "current_A": sol["Current [A]"].entries,
        "discharge_capacity_Ah": sol["Discharge capacity [A.h]"].entries,
    }


def main():
    tight = "--tight" in sys.argv
    os.makedirs(OUT, exist_ok=True)
    index = []
    for set_name in SETS:
        for model_name in MODELS:
            for label, rate in RATES.items():
                cols, term = cc_discharge(set_name, model_name, rate)
                name = f"{set_name}_{model_name}_{label}_discharge.csv"
                write_csv(os.path.join(OUT, name), cols)
                index.append({"file": name, "case": "CC discharge from 100 % SOC", "rate_C": rate,
                              "set": set_name, "model": model_name, "termination": term})
                if tight:
                    tcols, _ = cc_discharge(set_name, model_name, rate, tight=True)
                    v = np.interp(cols["time_s"], tcols["time_s"], tcols["voltage_V"])
                    print(name, "default vs tight: max |dV| =", np.max(np.abs(v - cols["voltage_V"])),
                          "capacity", cols["discharge_capacity_Ah"][-1], tcols["discharge_capacity_Ah"][-1])
            cols, steps = cccv(set_name, model_name)
            name = f"{set_name}_{model_name}_cccv.csv"
            write_csv(os.path.join(OUT, name), cols)
            index.append({"file": name, "case": "experiment from 100 % SOC", "steps": steps,
                          "period_s": 30, "set": set_name, "model": model_name})
            cols, term = cc_discharge(set_name, model_name, 2.0, thermal=True)
            name = f"{set_name}_{model_name}_2C_lumped.csv"
            write_csv(os.path.join(OUT, name), cols)
            index.append({"file": name, "case": "CC discharge at 2C from 100 % SOC, lumped thermal",
                          "rate_C": 2.0, "set": set_name, "model": model_name, "termination": term})
            print(set_name, model_name, "done", flush=True)
    for model_name in MODELS:
        name = f"Chen2020_{model_name}_pulses.csv"
        write_csv(os.path.join(OUT, name), profile_case(model_name))
        index.append({"file": name, "case": "10 minutes of 30 s current pulses (2C, rest, 1C "
                      "charge, 1C) joined by 1 s ramps, as an Interpolant of time, from 50 % SOC",
                      "initial_soc": 0.5, "set": "Chen2020", "model": model_name})
    for model_name in MODELS:
        name = f"Chen2020_{model_name}_sei_3cycles.csv"
        write_csv(os.path.join(OUT, name), sei_cycles(model_name))
        index.append({"file": name, "case": "3 x (1C discharge, 1C charge, CV to C/20) with "
                      "solvent-diffusion-limited SEI, from 100 % SOC", "period_s": 60,
                      "set": "Chen2020", "model": model_name})
        print("SEI", model_name, "done", flush=True)
    import casadi
    import scipy
    versions = {
        "pybamm": pybamm.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "casadi": casadi.__version__,
        "python": sys.version.split()[0],
        "solver": "IDAKLUSolver defaults (rtol 1e-4, atol 1e-6)",
        "mesh": "model defaults: 20 finite volumes in x_n, x_s, x_p, r_n, r_p",
        "initial_state": "ParameterValues.set_initial_state(1.0)",
        "cases": index,
    }
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
