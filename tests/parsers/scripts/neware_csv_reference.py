"""Per-cycle reference values of the Neware BTSDA CSV fixtures, computed with pandas.

Run from the repository root: python3 tests/parsers/scripts/neware_csv_reference.py
Writes tests/parsers/neware_csv_reference.json, read by tests/parsers/neware_csv_test.ts.

- neware_uio.csv (record layout): per cycle, the sum over its steps of each step's largest
  `Chg. Cap.(Ah)`, `DChg. Cap.(Ah)`, `Chg. Energy(Wh)`, `DChg. Energy(Wh)` (the counters restart
  at every step); rows and the last `Cumulative Time`.
- nw_regular_export_ife_example.csv (cycle/step/record layout): the cycle lines' own
  `Chg. Cap.(Ah)`, `DChg. Cap.(Ah)`, `DChg. Energy(Wh)`, and the same sums computed from the
  record lines (largest `Capacity(Ah)` of each step, by the step line's `Step Type`).
"""

import csv
import io
import json

import pandas as pd

DIR = "tests/fixtures/neware/"


def clock(text: str) -> float:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def record_layout(name: str) -> dict:
    df = pd.read_csv(DIR + name, encoding="latin-1")
    df["step"] = ((df["Cycle Index"] != df["Cycle Index"].shift()) |
                  (df["Step Index"] != df["Step Index"].shift())).cumsum()
    per_step = df.groupby("step").agg(
        cycle=("Cycle Index", "first"),
        qc=("Chg. Cap.(Ah)", "max"),
        qd=("DChg. Cap.(Ah)", "max"),
        ec=("Chg. Energy(Wh)", "max"),
        ed=("DChg. Energy(Wh)", "max"),
    )
    cycles = per_step.groupby("cycle").sum()
    return {
        "rows": len(df),
        "steps": int(df["step"].max()),
        "last_time_s": clock(df["Cumulative Time"].iloc[-1]),
        "cycles": [
            {"cycle": int(c), "charge_Ah": r.qc, "discharge_Ah": r.qd, "charge_Wh": r.ec,
             "discharge_Wh": r.ed}
            for c, r in cycles.iterrows()
        ],
    }


def nested_layout(name: str) -> dict:
    with open(DIR + name, encoding="latin-1") as f:
        lines = list(csv.reader(f))
    cycle_lines, records = [], []
    cycle = step = step_type = None
    for f in lines[3:]:
        if f[0]:
            cycle = int(f[0])
            cycle_lines.append({"cycle": cycle, "charge_Ah": float(f[1]),
                                "discharge_Ah": float(f[2]), "discharge_Wh": float(f[5])})
            if len(f) > 8:
                step, step_type = int(f[9]), f[10]
        elif f[1]:
            step, step_type = int(f[2]), f[3]
        else:
            records.append((cycle, step, step_type, float(f[7]), float(f[8]), f[4]))
    df = pd.DataFrame(records, columns=["cycle", "step", "type", "q", "e", "total"])
    per_step = df.groupby("step").agg(cycle=("cycle", "first"), type=("type", "first"),
                                      q=("q", "max"), e=("e", "max"))
    chg = per_step[per_step["type"].str.endswith("Chg") & ~per_step["type"].str.contains("DChg")]
    dchg = per_step[per_step["type"].str.contains("DChg")]
    return {
        "rows": len(df),
        "steps": int(df["step"].nunique()),
        "last_time_s": clock(df["total"].iloc[-1]),
        "cycle_lines": cycle_lines,
        "from_records": [
            {"cycle": int(c),
             "charge_Ah": float(chg[chg["cycle"] == c]["q"].sum()),
             "discharge_Ah": float(dchg[dchg["cycle"] == c]["q"].sum()),
             "discharge_Wh": float(dchg[dchg["cycle"] == c]["e"].sum())}
            for c in sorted(df["cycle"].unique())
        ],
    }


out = {
    "neware_uio.csv": record_layout("neware_uio.csv"),
    "nw_regular_export_ife_example.csv": nested_layout("nw_regular_export_ife_example.csv"),
}
with open("tests/parsers/neware_csv_reference.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
