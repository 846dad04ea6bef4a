# Copyright 2026 the battery-analysis authors. MIT license.
# Current levels of other/batmo_bdf.csv per cycle (pandas, raw CSV; no project code): the median
# |current| while current flows, by "Cycle Count / 1", and the cycles at each level (mA).
import sys
import pandas as pd

t = pd.read_csv(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/other/batmo_bdf.csv")
cur = [c for c in t.columns if c.startswith("Current")][0]
cyc = [c for c in t.columns if c.startswith("Cycle Count")][0]
flow = t[t[cur].abs() > 1e-6]
med = (flow.groupby(cyc)[cur].apply(lambda s: s.abs().median()) * 1000).round(2)
levels = {}
for c, i in med.items():
    levels.setdefault(float(i), []).append(int(c))
for i, cs in levels.items():
    print(f"{i} mA: cycles {cs[0]}..{cs[-1]} ({len(cs)})" if cs == list(range(cs[0], cs[-1] + 1)) else f"{i} mA: {cs}")
