# Copyright 2026 the battery-analysis authors. MIT license.
"""Known answers for tests/analysis/analyze_test_qa_test.ts, from peer readers and numpy (no
project code). Run from the repository root: python3 tests/analysis/scripts/qa_expected.py

1. arbin/20160805_test001_45_cc_01.res: the per-cycle discharge capacities that mdbtools
   (`mdb-export … Channel_Normal_Table`) gives, as stored in tests/parsers/corpus_reference.json.
   Cycles 1-3 run at 0.15 mA, cycles 4-17 at 0.30 mA (the main protocol), cycle 18 is cut off.
   Retention of cycles 4-17 over cycle 4, the endpoint fade per 100 cycles, and the least-squares
   straight line (slope and its standard error) through the retention.
2. other/batmo_bdf.csv (pandas, raw CSV): per cycle ("Cycle Count / 1"), the mean voltage while
   the current is positive and while it is negative, weighted by the charge passed (|I| dt, the
   trapezoid of the test time), and the charge passed each way; how many cycles pass about the
   same charge each way (ratio 0.9-1.1) and in how many of those the negative-current (discharge,
   by the file's sign) mean voltage is the higher.
3. neware/new_nda_file.ftr (NewareNDA's reference table of new_nda_file.nda, pandas): voltage
   range, and the voltage at rest.
4. Two-sided 95 % critical values of Student's t (scipy.stats.t.ppf(0.975, df)), for the
   significance of a retention slope with n - 2 degrees of freedom.
5. landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv (pandas, raw CSV): the charge passed
   each way by the file's counters (the last value of each step with current of that sign,
   summed) and by the trapezoid integral of its current column (4 decimals in A: 0.2 mA steps),
   over the test time column.
6. other/test_Nova_Form-CH01-01_short.csv (pandas, raw CSV, quotes stripped): rows with negative
   current, and the capacity the file logs in its "Step Type" 8 rows (a constant-voltage hold at
   1.5 V with positive current), which the reader files as discharge.
"""
import json

import numpy as np
import pandas as pd

ref = json.load(open("tests/parsers/corpus_reference.json"))["files"]
cyc = ref["arbin/20160805_test001_45_cc_01.res"]["cycles"]
qd = np.array([c[1] for c in cyc[3:17]])  # cycles 4..17
n = np.arange(4, 18)
ret = qd / qd[0]
fade100 = (1 - ret[-1]) / (17 - 4) * 100
A = np.vstack([np.ones_like(n), n]).T
coef, rss, *_ = np.linalg.lstsq(A, ret, rcond=None)
sxx = ((n - n.mean()) ** 2).sum()
se = np.sqrt(rss[0] / (len(n) - 2) / sxx)
print("1. 20160805_test001_45_cc_01.res, cycles 4-17 (mdbtools capacities)")
print(f"   last retention {ret[-1]:.6f}; endpoint fade per 100 cycles {fade100:.6f}")
print(f"   straight-line slope {coef[1]:.6e} per cycle, standard error {se:.6e}")
print(f"   slope / se = {coef[1] / se:.3f} (falls significantly: slope < -2 se: {coef[1] < -2 * se})")

t = pd.read_csv("tests/fixtures/other/batmo_bdf.csv")
time = t["Test Time / h"].to_numpy() * 3600
cur = t["Current / A"].to_numpy()
volt = t["Voltage / V"].to_numpy()
cc = t["Cycle Count / 1"].to_numpy()
dt = np.diff(time, prepend=time[0])
rows = []
for c in np.unique(cc):
    m = cc == c
    i, v, d = cur[m], volt[m], dt[m]
    pos, neg = i > 1e-6, i < -1e-6
    qp, qn = (i[pos] * d[pos]).sum(), (-i[neg] * d[neg]).sum()
    if qp <= 0 or qn <= 0:
        continue
    vp = (v[pos] * i[pos] * d[pos]).sum() / qp
    vn = (v[neg] * -i[neg] * d[neg]).sum() / qn
    rows.append((int(c), qp / 3600, qn / 3600, vp, vn))
balanced = [r for r in rows if 0.9 <= r[2] / r[1] <= 1.1]
above = [r for r in balanced if r[4] > r[3]]
print("2. batmo_bdf.csv (pandas)")
print(f"   {len(rows)} cycles with both directions; {len(balanced)} pass the same charge each way "
      f"(ratio 0.9-1.1); in {len(above)} of them the negative-current mean voltage is the higher")
dv = np.median([r[4] - r[3] for r in above])
print(f"   median difference {dv * 1000:.1f} mV; cycle 7: positive {rows[6][3]:.4f} V, "
      f"negative {rows[6][4]:.4f} V")

nda = pd.read_feather("tests/fixtures/neware/new_nda_file.ftr")
vcol = [c for c in nda.columns if c.lower().startswith("voltage")][0]
icol = [c for c in nda.columns if c.lower().startswith("current")][0]
rest = nda[nda[icol] == 0][vcol]
print("3. new_nda_file.ftr (NewareNDA)")
print(f"   voltage {nda[vcol].min()} to {nda[vcol].max()} V; at rest {rest.min()} to {rest.max()} V; "
      f"current {nda[icol].min()} to {nda[icol].max()} ({icol})")

from scipy import stats  # noqa: E402

print("4. Student t, two-sided 95 % (scipy)")
print("   " + ", ".join(f"df {df}: {stats.t.ppf(0.975, df):.6f}" for df in [1, 2, 3, 4, 10, 30, 100, 1000]))

lt = pd.read_csv("tests/fixtures/landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
                 skiprows=6, index_col=False)
lt = lt.sort_values("test_time_s")
tt, ii = lt["test_time_s"].to_numpy(), lt["current_A"].to_numpy()
seg = ((ii[1:] + ii[:-1]) / 2) * np.diff(tt)
pos_int = seg[seg > 0].sum() / 3600
neg_int = -seg[seg < 0].sum() / 3600
steps = lt.groupby(["cycle_index", "step_index"]).agg(
    qc=("charge_capacity_Ah", "max"), qd=("discharge_capacity_Ah", "max"))
print("5. Landt (pandas)")
print(f"   counters: charge {steps.qc.sum() * 1000:.4f} mAh, discharge {steps.qd.sum() * 1000:.4f} mAh; "
      f"integral of current: charge {pos_int * 1000:.4f} mAh, discharge {neg_int * 1000:.4f} mAh")

lines = open("tests/fixtures/other/test_Nova_Form-CH01-01_short.csv", encoding="utf-8").read().splitlines()
start = next(k for k, line in enumerate(lines) if line.strip('"').startswith("Date and Time"))
rows = [line.strip('"').split(",") for line in lines[start:]]
nv = pd.DataFrame(rows[1:], columns=rows[0])
for c in ["Step Type", "Current (A)", "Capacity (Ah)", "Run Time (h)"]:
    nv[c] = pd.to_numeric(nv[c])
t8 = nv[nv["Step Type"] == 8]
print("6. Novonix formation file (pandas)")
print(f"   {(nv['Current (A)'] < 0).sum()} rows with negative current; Step Type 8: {len(t8)} rows, current "
      f"{t8['Current (A)'].min():.6g} to {t8['Current (A)'].max():.6g} A, capacity up to "
      f"{t8['Capacity (Ah)'].max() * 1000:.5f} mAh")
