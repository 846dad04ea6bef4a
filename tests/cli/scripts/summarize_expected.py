"""Independent expected values for tests/cli/summarize_test.ts (no project code is used).

- Zn symmetric cell (Arbin CSV, channel 54): the file is read with the csv module. A cycle starts
  at the first row of each run of Step Index 2 (plating, + current) and ends before the next one;
  the Arbin counters (capacity and energy) accumulate over the whole test, so a cycle's value is
  counter[last row] - counter[row before the cycle]. CE = discharge / charge capacity, EE =
  discharge / charge energy. Start time: Date_Time of the first row.
- Neware new_nda_file.nda: the reference table NewareNDA wrote for it (new_nda_file.ftr, read
  with pyarrow). Neware counters restart at every step, so the test's total charge is the sum over
  steps of the step's largest counter value (mAh -> Ah, mWh -> Wh).
- BioLogic PEIS .mpt (RT): points and frequency range from the data lines after the header
  ("Nb header lines" in the file).
- Maccor PredictionDiagnostics_000151_test.052: rows = data lines after the two header lines.
Run: python3 tests/cli/scripts/summarize_expected.py
"""
import csv, json, os
import pyarrow.feather as feather

fx = os.path.join(os.path.dirname(__file__), "../../fixtures")
out = {}

# --- Zn Arbin CSV
path = os.path.join(fx, "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV")
rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
step = [int(r["Step Index"]) for r in rows]
cols = {"qc": "Charge Capacity (Ah)", "qd": "Discharge Capacity (Ah)",
        "ec": "Charge Energy (Wh)", "ed": "Discharge Energy (Wh)"}
val = {k: [float(r[c]) for r in rows] for k, c in cols.items()}
starts = [k for k in range(len(rows)) if step[k] == 2 and (k == 0 or step[k - 1] != 2)]
ends = starts[1:] + [len(rows)]
cycles = []
for s, e in zip(starts, ends):
    d = {k: v[e - 1] - (v[s - 1] if s > 0 else 0) for k, v in val.items()}
    cycles.append([d["qc"], d["qd"], d["ec"], d["ed"],
                   d["qd"] / d["qc"] if d["qc"] else None,
                   d["ed"] / d["ec"] if d["ec"] else None])
m, dd, rest = rows[0]["Date_Time"].split("/")
y, t = rest.split(" ")
out["zn"] = {"rows": len(rows), "start_time": f"{y}-{m}-{dd}T{t}",
             "cycles_qc_qd_ec_ed_ce_ee": cycles}

# --- Neware reference table
t = feather.read_table(os.path.join(fx, "neware/new_nda_file.ftr")).to_pandas()
g = t.groupby(["Cycle", "Step"]).max(numeric_only=True)
out["neware"] = {
    "rows": len(t),
    "charge_Ah": float(g["Charge_Capacity(mAh)"].astype("float64").sum()) / 1000,
    "discharge_Ah": float(g["Discharge_Capacity(mAh)"].astype("float64").sum()) / 1000,
    "charge_Wh": float(g["Charge_Energy(mWh)"].astype("float64").sum()) / 1000,
    "discharge_Wh": float(g["Discharge_Energy(mWh)"].astype("float64").sum()) / 1000,
    "start_time": str(t["Timestamp"].iloc[0]).replace(" ", "T"),
}

# --- BioLogic PEIS text export
path = os.path.join(fx, "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt")
lines = open(path, encoding="latin-1").read().splitlines()
nb = int(next(l for l in lines if l.startswith("Nb header lines")).split(":")[1])
freq = [float(l.split("\t")[0]) for l in lines[nb:] if l.strip()]
out["peis"] = {"points": len(freq), "f_min": min(freq), "f_max": max(freq)}

# --- Maccor text export
path = os.path.join(fx, "maccor/PredictionDiagnostics_000151_test.052")
lines = open(path, encoding="latin-1").read().splitlines()
out["maccor"] = {"rows": sum(1 for l in lines[2:] if l.strip())}

print(json.dumps(out, indent=1))
