"""Independent per-cycle numbers for the navani Arbin xlsx (graphite half cell, 50 uA).

Reads the data sheet with openpyxl (no project code). The test starts on discharge (lithiation,
Step 2) and alternates with charge (Step 3); Cycle_Index stays 1. A cycle starts at the first row
of each Step 2 run; the counters accumulate over the test, and an increment of the charge counter
logged on the first discharge row of a cycle belongs to the previous cycle (logged right after
the reversal), so: discharge = Qd[last row] - Qd[row before start]; charge = Qc[first row of the
next cycle] - Qc[first row of this cycle] (Qc[end of file] for the last cycle).
Run: python3 tests/analysis/scripts/navani_xlsx_expected.py
"""
import json, os
import openpyxl

path = os.path.join(os.path.dirname(__file__),
                    "../../fixtures/arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx")
wb = openpyxl.load_workbook(path, read_only=True)
sheet = next(ws for ws in wb.worksheets if ws.title.startswith("Channel"))
rows = list(sheet.iter_rows(values_only=True))
head = list(rows[0])
data = [r for r in rows[1:] if r[0] is not None]
col = lambda name: [float(r[head.index(name)]) for r in data]
step, qc, qd = col("Step_Index"), col("Charge_Capacity(Ah)"), col("Discharge_Capacity(Ah)")
starts = [k for k in range(len(data)) if step[k] == 2 and (k == 0 or step[k - 1] != 2)]
out = []
for j, s in enumerate(starts):
    e = starts[j + 1] if j + 1 < len(starts) else len(data)
    charge = (qc[e] if e < len(data) else qc[-1]) - qc[s]
    out.append({"start": s, "end": e, "discharge_Ah": qd[e - 1] - qd[s - 1], "charge_Ah": charge})
print(json.dumps({"sheet": sheet.title, "rows": len(data), "cycles": out}, indent=1))
