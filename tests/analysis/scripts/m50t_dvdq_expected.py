"""Independent dV/dQ peaks of the LG M50T (NMC811/Si-Gr, 5 Ah) Neware fixture, for
tests/analysis/dvdq_peak_metrics_test.ts.

Reads fastnda's own reading of the file (the .parquet beside the .ndax: no project code), takes
the 5 A CC discharge of instrument cycles 2 and 7 (the first and last full counted cycles of the
project's analysis, whose capacities 4.72047 and 4.71903 Ah match these), interpolates V onto a
uniform grid of discharged capacity (2 mAh: capacity / 1000 rounded down to 1-2-5), takes the
numerical derivative, smooths it with a Gaussian of FWHM 1 % of the discharge's capacity
(scipy.ndimage.gaussian_filter1d), and finds the peaks of |dV/dQ| between 10 % and 90 % of the
capacity with scipy.signal.find_peaks (prominence >= 5 % of the largest |dV/dQ| there). Prints the
positions of the two most prominent peaks of each cycle, in Ah.
Run: python3 tests/analysis/scripts/m50t_dvdq_expected.py
"""
import json, os
import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

here = os.path.dirname(__file__)
d = pd.read_parquet(os.path.join(
    here, "../../fixtures/neware/TESTCELL0001-B2-2025-M50T_NewareNDA_Investigation.parquet"))
out = {}
for cycle in (2, 7):
    rows = d[(d["Cycle Index"] == cycle) & (d["Step Type"] == "CC DChg")]
    q = rows["Capacity(mAs)"].to_numpy() / 3.6e6  # Ah
    v = rows["Voltage(mV)"].to_numpy() / 1000.0
    keep = np.concatenate([[True], np.diff(q) > 0])  # strictly increasing capacity
    q, v = q[keep], v[keep]
    total = q[-1]
    step = 0.002
    grid = np.arange(q[0], q[-1], step)
    vg = np.interp(grid, q, v)
    dvdq = np.gradient(vg, step)
    sigma = 0.01 * total / 2.3548 / step
    smooth = -gaussian_filter1d(dvdq, sigma, mode="nearest")
    window = (grid >= 0.1 * total) & (grid <= 0.9 * total)
    x, y = grid[window], smooth[window]
    peaks, props = find_peaks(y, prominence=0.05 * y.max())
    top = sorted(peaks[np.argsort(props["prominences"])[::-1][:2]])
    out[cycle] = {"capacity_Ah": float(total), "peaks_Ah": [round(float(x[k]), 4) for k in top]}
print(json.dumps(out))
