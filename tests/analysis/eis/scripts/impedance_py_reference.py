# Copyright 2026 the battery-analysis authors. MIT license.
"""Reference values from impedance.py 1.7.1 for tests/analysis/eis/lin_kk_test.ts (REFERENCE)
and tests/parsers/eis_readers_test.ts (exampleDataZPlot_noComments.z).

    pip install impedance==1.7.1
    python3 tests/analysis/eis/scripts/impedance_py_reference.py

Prints, per fixture and fit type, impedance.py's linKK result with its defaults (c = 0.85,
max_M = 50): M, mu, resids_real[0], resids_imag[3] and the largest |residual|; then the first and
last points impedance.py's readZPlot reads from exampleDataZPlot_noComments.z.
"""
import os

import numpy as np
from impedance import preprocessing, validation
from impedance.validation import linKK

# impedance.py 1.7.1 evaluates its lin-KK circuit from a string; with numpy 2 the string holds
# "np.float64(...)" reprs, so the evaluation namespace needs np.
validation.circuit_elements["np"] = np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "..", "fixtures")


def read(path):
    name = os.path.join(FIXTURES, path)
    if path.endswith(".z"):
        return preprocessing.readZPlot(name)
    if path.endswith(".DTA"):
        return preprocessing.readGamry(name)
    if path.endswith("LIB_data.txt"):
        data = np.loadtxt(name)
        return data[:, 0], data[:, 1] + 1j * data[:, 2]
    if "ZARC" in path:
        data = np.genfromtxt(name, delimiter=",", skip_header=1)
        return data[:, 1], data[:, 2] + 1j * data[:, 3]
    return preprocessing.readCSV(name)


CASES = [
    ("eis/exampleData.csv", "real"),
    ("eis/exampleData.csv", "complex"),
    ("eis/Circuit1_EIS_1.z", "complex"),
    ("eis/exampleDataGamry.DTA", "complex"),
    ("eis/LIB_data.txt", "real"),
    ("eis/LIB_data.txt", "complex"),
    ("eis/2ZARC0.csv", "complex"),
]

for path, fit_type in CASES:
    f, Z = read(path)
    M, mu, Z_fit, res_real, res_imag = linKK(f, Z, c=0.85, max_M=50, fit_type=fit_type)
    worst = max(np.max(np.abs(res_real)), np.max(np.abs(res_imag)))
    print(f"{path} {fit_type}: M {M}, mu {mu:.6f}, resids_real[0] {res_real[0]:.5e}, "
          f"resids_imag[3] {res_imag[3]:.5e}, max {worst:.4f}")

f, Z = preprocessing.readZPlot(os.path.join(FIXTURES, "eis/exampleDataZPlot_noComments.z"))
print(f"exampleDataZPlot_noComments.z: {len(f)} points, first ({f[0]}, {Z[0]}), "
      f"last ({f[-1]}, {Z[-1]})")
