# Copyright 2026 the battery-analysis authors. MIT license.
"""The true minima of the seeded synthetic spectra, by impedance.py 1.7.1, for
tests/analysis/eis/fit_circuit_test.ts: tests/analysis/eis/synthetic_reference.json.

    pip install impedance==1.7.1
    python3 tests/analysis/eis/scripts/synthetic_reference.py

The spectra come from synthetic_spectra.ts (run with deno). Each is fitted by impedance.py's
CustomCircuit started from the generating parameters with tight tolerances: the two-arc spectra
with unit weights (impedance.py's default), the blocking-electrode spectra with
weight_by_modulus=True. chi_square is sum |Z - Z_fit|^2 (divided by |Z|^2 with modulus weights).
"""
import json
import os
import subprocess

import numpy as np
from impedance.models.circuits import CustomCircuit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(HERE, "..", "synthetic_reference.json")

spectra = json.loads(subprocess.run(
    ["deno", "run", "--allow-read", os.path.join(HERE, "synthetic_spectra.ts")],
    cwd=ROOT, check=True, capture_output=True, text=True).stdout)

result = {"impedance.py": "1.7.1"}
for key, modulus in (("two_arcs", False), ("blocking", True)):
    group = spectra[key]
    rows = []
    for s in group["spectra"]:
        f = np.array(s["frequency_Hz"])
        Z = np.array(s["z_real_ohm"]) + 1j * np.array(s["z_imag_ohm"])
        c = CustomCircuit(group["circuit"], initial_guess=list(group["params"]))
        c.fit(f, Z, weight_by_modulus=modulus, ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=100000)
        resid = np.abs(Z - c.predict(f)) ** 2
        if modulus:
            resid = resid / np.abs(Z) ** 2
        rows.append({"seed": s["seed"], "chi_square": float(np.sum(resid)),
                     "params": [float(p) for p in c.parameters_]})
    result[key] = {"circuit": group["circuit"], "weighting": "modulus" if modulus else "unit",
                   "fits": rows}

with open(OUT, "w") as out:
    json.dump(result, out, indent=1)
    out.write("\n")
print(json.dumps(result, indent=1))
