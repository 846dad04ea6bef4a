"""Independent per-cycle numbers for the Arbin Zn symmetric-cell CSV fixtures.

Reads the raw CSV with the csv module (no project code). A cycle starts at the first row of each
run of Step Index 2 (plating, + current) and ends before the next one (the last cycle at the end
of the file); the capacity counters accumulate over the whole test (no resets in these files), so
a cycle's capacity is counter[last row] - counter[row before the cycle]. The time-weighted mean
discharge voltage is the trapezoid integral of V over consecutive rows that both have negative
current, divided by their time span. Prints JSON used by tests/analysis/cycles_fixtures_test.ts.
Run: python3 tests/analysis/scripts/zn_expected.py
"""
import csv, glob, json, os

here = os.path.dirname(__file__)
out = {}
for path in sorted(glob.glob(os.path.join(here, "../../fixtures/arbin/BL_Zn_SymCell_*.CSV"))):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    step = [int(r["Step Index"]) for r in rows]
    t = [float(r["Test Time (s)"]) for r in rows]
    v = [float(r["Voltage (V)"]) for r in rows]
    i = [float(r["Current (A)"]) for r in rows]
    qc = [float(r["Charge Capacity (Ah)"]) for r in rows]
    qd = [float(r["Discharge Capacity (Ah)"]) for r in rows]
    starts = [k for k in range(len(rows)) if step[k] == 2 and (k == 0 or step[k - 1] != 2)]
    ends = starts[1:] + [len(rows)]
    cycles = []
    for s, e in zip(starts, ends):
        c = qc[e - 1] - (qc[s - 1] if s > 0 else 0)
        d = qd[e - 1] - (qd[s - 1] if s > 0 else 0)
        area = span = 0.0
        for k in range(s + 1, e):
            if i[k] < 0 and i[k - 1] < 0 and t[k] > t[k - 1]:
                area += (v[k] + v[k - 1]) / 2 * (t[k] - t[k - 1])
                span += t[k] - t[k - 1]
        cycles.append({"start": s, "end": e, "charge_Ah": c, "discharge_Ah": d,
                       "mean_discharge_V": area / span if span else None})
    out[os.path.basename(path)] = {
        "n_cycles": len(cycles),
        "first": cycles[:3],
        "last": cycles[-1],
        "second_last": cycles[-2] if len(cycles) > 1 else None,
        "sum_charge_Ah": sum(c["charge_Ah"] for c in cycles),
        "sum_discharge_Ah": sum(c["discharge_Ah"] for c in cycles),
    }
print(json.dumps(out, indent=1))
