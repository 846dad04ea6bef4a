"""Read the exports of `summarize --parquet --arrow --xlsx` with pandas, polars and pyarrow, and
print what they hold as JSON (used by tests/cli/export_python_test.ts, which compares it with the
known answers of the fixture and with `summarize --json`).

Run: python3 tests/cli/scripts/read_exports.py DIR STEM
"""
import json
import math
import sys

import pandas as pd
import polars as pl
import pyarrow.parquet as pq

folder, stem = sys.argv[1], sys.argv[2]
path = lambda suffix: f"{folder}/{stem}{suffix}"


def plain(values):
    return [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]


cycles = pd.read_parquet(path(".cycles.parquet"))
series = pl.read_parquet(path(".series.parquet"))
feather = pd.read_feather(path(".cycles.arrow"))
ipc = pl.read_ipc(path(".series.arrow"))
out = {
    "pandas": {
        "rows": len(cycles),
        "dtypes": {c: str(t) for c, t in cycles.dtypes.items() if c in (
            "cycle", "role", "retention", "complete", "discharge_capacity_mAh")},
        "role": cycles["role"].tolist(),
        "discharge_capacity_mAh": plain(cycles["discharge_capacity_mAh"].tolist()),
        "discharge_capacity_mAh_per_g": plain(cycles["discharge_capacity_mAh_per_g"].tolist()),
        "retention": plain(cycles["retention"].tolist()),
        "flags": cycles["flags"].tolist(),
    },
    "polars": {
        "rows": series.height,
        "columns": series.columns,
        "cycle_nulls": series["cycle"].null_count(),
        "rows_of_cycle_1": series.filter(pl.col("cycle") == 1).height,
        "current_mA_sum": series["current_mA"].sum(),
        "dtypes": {c: str(series.schema[c]) for c in ("time_s", "cycle", "step_index")},
    },
    "arrow": {
        "feather_equals_parquet": bool(feather.equals(cycles)),
        "ipc_equals_parquet": bool(ipc.equals(series)),
    },
    "metadata": json.loads(pq.read_schema(path(".cycles.parquet")).metadata[b"battery_analysis"]),
}
try:
    import openpyxl  # noqa: F401  (pd.read_excel needs it)

    sheets = pd.read_excel(path(".xlsx"), sheet_name=None)
    out["xlsx"] = {
        "sheets": list(sheets),
        "cycles_equal": bool(
            sheets["cycles"][["cycle", "role"]].equals(cycles[["cycle", "role"]].astype({"cycle": "int64"}))
        ),
        "discharge_capacity_mAh": plain(sheets["cycles"]["discharge_capacity_mAh"].tolist()),
    }
except ImportError:
    out["xlsx"] = None
print(json.dumps(out))
