"""Independent per-cycle numbers for tests/fixtures/arbin/arbin_example.csv (battery-data-toolkit).

Reads the raw CSV with the csv module. Cycles are the runs of Cycle_Index (1 and 2). Arbin resets
the counters at the start of each cycle index (cycle 2's first row is 0), and the file starts in
the middle of cycle 1, so a cycle's capacity is counter[last row] - counter[first row]. The
internal resistance is the median of the positive Internal_Resistance values of the cycle.
Run: python3 tests/analysis/scripts/arbin_example_expected.py
"""
import csv, json, os, statistics

path = os.path.join(os.path.dirname(__file__), "../../fixtures/arbin/arbin_example.csv")
rows = list(csv.DictReader(open(path)))
out = []
for c in sorted({int(r["Cycle_Index"]) for r in rows}):
    g = [r for r in rows if int(r["Cycle_Index"]) == c]
    f = lambda k: float(g[-1][k]) - float(g[0][k])
    ir = [float(r["Internal_Resistance"]) for r in g if float(r["Internal_Resistance"]) > 0]
    out.append({"cycle": c, "rows": len(g), "charge_Ah": f("Charge_Capacity"),
                "discharge_Ah": f("Discharge_Capacity"), "charge_Wh": f("Charge_Energy"),
                "discharge_Wh": f("Discharge_Energy"), "ir_ohm": statistics.median(ir),
                "max_V": max(float(r["Voltage"]) for r in g), "min_V": min(float(r["Voltage"]) for r in g)})
print(json.dumps(out, indent=1))
