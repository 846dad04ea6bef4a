"""Neware BTSDA XLSX workbooks in the layout navani reads (navani.neware.neware_reader_excel,
navani 0.1.22): a lowercase `record` sheet among others, with the record columns navani requires
(`DataPoint`, `Cycle Index`, `Step Index`, `Step Type`, `Time`, `Total Time`, `Voltage(V)`,
`Capacity(mAh)`, `Energy(Wh)`, `Date`) and one of its two current/capacity variants:

  - standard: `Current(mA)`, `Chg. Cap.(mAh)`, `DChg. Cap.(mAh)` (plus `Chg. Energy(Wh)`,
    `DChg. Energy(Wh)`);
  - mass-normalised (exported when the user gives an active mass): `Current(A)`,
    `Chg. Spec. Cap.(mAh/g)`, `DChg. Spec. Cap.(mAh/g)`, and no `Chg. Cap.` columns (the step
    counter `Capacity(mAh)` is the only capacity).

No such export is among the public sample files, so the rows are real ones: the record rows of
cellpy's BTSDA CSV export tests/fixtures/neware/neware_uio.csv, cycles 1 and 2 (every row of
them), with units converted exactly (A → mA, Ah → mAh) and `Cumulative Time` named `Total Time`;
durations and dates are text, as BTSDA writes them in its CSV. A `cycle` sheet before the record
sheet holds the per-cycle charge and discharge capacity summed from those rows (the reader must
pick the record sheet, not the first one).

Run from the repository root: python3 tests/parsers/scripts/make_neware_navani_xlsx.py
(openpyxl 3.1). Writes tests/fixtures/synthetic/neware/neware_uio_navani_{standard,mass}.xlsx.
With navani installed (`pip install navani==0.1.22` in a separate virtual environment: it
replaces galvani), `--check` reads them back with navani and prints what it read.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "tests" / "fixtures" / "neware" / "neware_uio.csv"
OUT = ROOT / "tests" / "fixtures" / "synthetic" / "neware"


def record_rows() -> pd.DataFrame:
    d = pd.read_csv(SRC, encoding="latin-1", index_col=False, dtype=str, keep_default_na=False)
    return d[d["Cycle Index"].astype(int) <= 2].reset_index(drop=True)


def mul(text: pd.Series, factor: int) -> list[float]:
    # Exact in decimal: shift the decimal point (the CSV has 8 decimals of A and Ah).
    return [float(np.format_float_positional(float(v) * factor, precision=12, unique=True)) for v in text]


def workbook(d: pd.DataFrame, variant: str, path: Path) -> None:
    cols: list[tuple[str, list]] = [
        ("DataPoint", [int(v) for v in d["DataPoint"]]),
        ("Cycle Index", [int(v) for v in d["Cycle Index"]]),
        ("Step Index", [int(v) for v in d["Step Index"]]),
        ("Step Type", list(d["Step Type"])),
        ("Time", list(d["Time"])),
        ("Total Time", list(d["Cumulative Time"])),
    ]
    if variant == "standard":
        cols.append(("Current(mA)", mul(d["Current(A)"], 1000)))
    else:
        cols.append(("Current(A)", [float(v) for v in d["Current(A)"]]))
    cols += [
        ("Voltage(V)", [float(v) for v in d["Voltage(V)"]]),
        ("Capacity(mAh)", mul(d["Capacity(Ah)"], 1000)),
        ("Spec. Cap.(mAh/g)", [float(v) for v in d["Spec. Cap.(mAh/g)"]]),
    ]
    if variant == "standard":
        cols += [
            ("Chg. Cap.(mAh)", mul(d["Chg. Cap.(Ah)"], 1000)),
            ("DChg. Cap.(mAh)", mul(d["DChg. Cap.(Ah)"], 1000)),
        ]
    else:
        cols += [
            ("Chg. Spec. Cap.(mAh/g)", [float(v) for v in d["Chg. Spec. Cap.(mAh/g)"]]),
            ("DChg. Spec. Cap.(mAh/g)", [float(v) for v in d["DChg. Spec. Cap.(mAh/g)"]]),
        ]
    cols.append(("Energy(Wh)", [float(v) for v in d["Energy(Wh)"]]))
    if variant == "standard":
        cols += [
            ("Chg. Energy(Wh)", [float(v) for v in d["Chg. Energy(Wh)"]]),
            ("DChg. Energy(Wh)", [float(v) for v in d["DChg. Energy(Wh)"]]),
        ]
    cols.append(("Date", list(d["Date"])))

    wb = Workbook()
    cyc = wb.active
    cyc.title = "cycle"
    cyc.append(["Cycle Index", "Chg. Cap.(mAh)", "DChg. Cap.(mAh)"])
    for k in sorted(set(int(v) for v in d["Cycle Index"])):
        rows = d[d["Cycle Index"].astype(int) == k]
        last = rows.groupby("Step Index", sort=False).tail(1)  # each step's final counter
        qc = sum(float(v) for v, t in zip(last["Capacity(Ah)"], last["Step Type"]) if "DChg" not in t and "Chg" in t)
        qd = sum(float(v) for v, t in zip(last["Capacity(Ah)"], last["Step Type"]) if "DChg" in t)
        cyc.append([k, round(qc * 1000, 9), round(qd * 1000, 9)])
    rec = wb.create_sheet("record")
    rec.append([name for name, _ in cols])
    for r in range(len(d)):
        rec.append([values[r] for _, values in cols])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def check(path: Path) -> None:
    from navani.neware import neware_reader_excel

    df, _ = neware_reader_excel(path)
    print(path.name, df.shape, "current mA", float(df["Current"].abs().max()),
          "capacity mAh", float(df["Capacity"].max()), "time s", float(df["Time"].iloc[-1]),
          "half cycles", int(df["half cycle"].max()))


def main() -> None:
    d = record_rows()
    for variant in ("standard", "mass"):
        path = OUT / f"neware_uio_navani_{variant}.xlsx"
        if "--check" in sys.argv:
            check(path)
        else:
            workbook(d, variant, path)
            print(f"wrote {path.relative_to(ROOT)}: {len(d)} rows")


if __name__ == "__main__":
    main()
