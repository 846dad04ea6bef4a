# Copyright 2026 the battery-analysis authors. MIT license.
# Check-up cycles of neware/nw4-120-1-6-53.ndax from BTSDA's own table of the same test
# (nw4-120-1-6-53.parquet, pandas + pyarrow; no project code): the median discharge current of
# each instrument cycle, the main level (the most frequent current, rounded to 1 µA), and the
# cycles whose discharge current differs from it by more than 15 %. Also the per-cycle
# discharge capacity (mAh) of the first cycles, from the capacity counter that BTSDA resets
# every step (the last value of each discharge step).
import sys
import pandas as pd

t = pd.read_parquet(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/neware/nw4-120-1-6-53.parquet")
dis = t[t["Current(uA)"] < 0]
by = dis.groupby("Cycle Index")["Current(uA)"].median().abs()
main = by.round().mode().iloc[0]
off = [int(c) for c, i in by.items() if max(i / main, main / i) > 1.15]
print("main discharge current uA:", main)
print("check-up cycles (instrument cycle index):", off)
print("their currents uA:", [round(by[c], 1) for c in off])
last = dis.groupby(["Cycle Index", "Step Index"])["Capacity(mAs)"].last() / 3600
print("discharge mAh of cycles 1-3:", [round(v, 6) for v in last.groupby(level=0).sum().iloc[:3]])
