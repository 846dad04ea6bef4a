"""Reference table for tests/parsers/corpus_test.ts: every file under tests/fixtures/, read by a
peer reader (not by this project's code), with its row count and, for cycling data, its cycles
and per-cycle charge and discharge capacities.

Peer readers: galvani 0.5.0 and yadg 7.0.1 (BioLogic .mpr/.mpt), NewareNDA 2026.06.11 (Neware
.nda/.ndax), impedance.py 1.7.1 (impedance exports it reads), mdbtools (Arbin .res, an Access
database: `mdb-export … Channel_Normal_Table`), cellpy 1.0.3 (Maccor layouts it reads), and
pandas 2.3 read_csv/read_excel for plain tables (Arbin, Landt, BatteryData, Novonix, Basytec, PEC,
Battery Archive, BDF, BTSDA CSV, Ivium, the generic and mapped files), as noted per file.

Cycles and capacities are computed here, from the peer's columns, by the definitions the
project documents (docs/cycling_analysis.md), written independently in numpy:
  - method "cycle_index": each contiguous run of the instrument's cycle counter is a cycle; runs
    in which no current flows are merged into the previous cycle;
  - method "current_sign": rows whose |current| exceeds 1e-3 × the 99th percentile of |current|
    take its sign; half cycles are runs of one sign (rows at rest between two rows of the same
    sign do not break a run); halves passing less than 0.1 % of the largest half's charge are
    noise; a cycle is a half and the following half of the other direction, the test's first half
    deciding which opens a cycle; a cycle spans from its first half's first row to the next
    cycle's first row;
  - capacity of a cycle: the sum, over its rows, of the increments of the file's charge (and
    discharge) counter (`increments` below: on the magnitude, the difference to the previous
    value, or the value itself where the counter drops to at most half the previous value from
    the upper half of its run (a reset; a smaller drop is a decrease); signed differences for a
    counter passing through zero); a file without counters gets them from the trapezoidal
    integral of current (the positive part charge, the negative part discharge).
The instruments log the charge passed around a current reversal on either side of it, so a
cycle's capacity may differ from the project's by the counter's increment on its first or last
row: the table carries that slack per cycle (`tol`), and the test allows it.

Run from the repository root: python3 tests/parsers/scripts/make_corpus_reference.py, then
`deno fmt tests/parsers/corpus_reference.json`. It writes tests/parsers/corpus_reference.json and
lists any fixture it has no reader for (the corpus test fails until it has one).
"""

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parents[3]
FIX = ROOT / "tests" / "fixtures"
OUT = ROOT / "tests" / "parsers" / "corpus_reference.json"


# ---------------------------------------------------------------------------------------------
# cycles and capacities


def increments(q: np.ndarray) -> np.ndarray:
    """Per-row increments of a counter (docs/cycling_analysis.md), 0 on the first row and on missing
    values. The counter is read in runs from one reset to the next. On the magnitude: a rise adds
    the difference, a drop subtracts it, and a drop to at most half the previous magnitude from the
    upper half of the run's largest magnitude is a reset (the new magnitude is the increment). A
    change of sign after the magnitude had come back to at most half the run's largest is a pass
    through zero: from the start of the run it leaves until the next reset the counter counts with
    its sign (value differences); any other change of sign is a reset."""
    q = np.asarray(q, dtype=float)
    inc = np.zeros(len(q))
    run = None  # {"start", "peak", "sign", "last_nonzero", "signed"}
    prev = np.nan
    for k, v in enumerate(q):
        if not np.isfinite(v):
            continue
        m, s = abs(v), int(np.sign(v))
        if run is None:
            run = {"start": k, "peak": m, "sign": s, "last_nonzero": m, "signed": False}
            prev = v
            continue
        p = abs(prev)
        if s != 0 and run["sign"] != 0 and s != run["sign"]:
            if run["last_nonzero"] <= run["peak"] - run["last_nonzero"]:
                if not run["signed"] and run["sign"] < 0:
                    inc[run["start"]:k] *= -1  # the negative run counted on its magnitude, now signed
                inc[k] = v - prev
                run = {"start": k, "peak": m, "sign": s, "last_nonzero": m, "signed": True}
            else:
                inc[k] = m
                run = {"start": k, "peak": m, "sign": s, "last_nonzero": m, "signed": False}
        elif m < p and m <= p - m and p > run["peak"] - p:  # the same expressions as the TypeScript
            inc[k] = m
            run = {"start": k, "peak": m, "sign": s, "last_nonzero": m, "signed": False}
        else:
            inc[k] = (v - prev) if run["signed"] else (m - p)
            run["peak"] = max(run["peak"], m)
            if s != 0:
                run["sign"] = s
                run["last_nonzero"] = m
        prev = v
    return inc


def integrated(t: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Charge and discharge increments (Ah) from the trapezoidal integral of current (A, s)."""
    dq = np.zeros(len(t))
    if len(t) > 1:
        dt = np.diff(t)
        mean = (i[1:] + i[:-1]) / 2
        dq[1:] = np.where((dt > 0) & np.isfinite(dt) & np.isfinite(mean), mean * dt / 3600, 0)
    return np.where(dq > 0, dq, 0), np.where(dq < 0, -dq, 0)


def threshold(i: np.ndarray) -> float:
    a = np.abs(i[np.isfinite(i)])
    return 1e-3 * np.percentile(a, 99) if len(a) else 0.0


def sign_cycles(i: np.ndarray, inc_c: np.ndarray, inc_d: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges [start, end) of the cycles by current sign (see the module docstring)."""
    th = threshold(i)
    direction = np.where(i > th, 1, np.where(i < -th, -1, 0))
    halves = []  # [dir, first row, last row]
    for k, d in enumerate(direction):
        if d == 0:
            continue
        if halves and halves[-1][0] == d:
            halves[-1][2] = k
        else:
            halves.append([int(d), k, k])
    if not halves:
        return []
    # charge passed by each half: counter increments from its first row to the next half's first
    charge = []
    for h, half in enumerate(halves):
        end = halves[h + 1][1] if h + 1 < len(halves) else len(i)
        inc = inc_c if half[0] == 1 else inc_d
        charge.append(inc[half[1]:end].sum())
    big = max(charge) if charge else 0
    kept = [h for h, c in zip(halves, charge) if c >= 1e-3 * big] if big > 0 else halves
    # merge neighbours of one direction left after dropping noise
    merged = []
    for h in kept:
        if merged and merged[-1][0] == h[0]:
            merged[-1][2] = h[2]
        else:
            merged.append(list(h))
    if not merged:
        return []
    opener = merged[0][0]
    starts = [h[1] for h in merged if h[0] == opener]
    if merged[0][0] != opener:
        starts = [merged[0][1]] + starts
    starts[0] = 0
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(i)) for k, s in enumerate(starts)]


def index_cycles(cyc: np.ndarray, i: np.ndarray) -> list[tuple[int, int]]:
    th = threshold(i)
    runs = []
    for k in range(len(cyc)):
        if runs and cyc[k] == cyc[runs[-1][1] - 1]:
            runs[-1][1] = k + 1
        else:
            runs.append([k, k + 1])
    out: list[list[int]] = []
    for s, e in runs:
        flows = np.any(np.abs(i[s:e]) > th)
        if not flows and out:
            out[-1][1] = e
        elif flows:
            if not out and s > 0:
                s = 0
            out.append([s, e])
    return [(s, e) for s, e in out]


def cycle_table(t, i, qc, qd, cyc, method):
    """Per-cycle [charge Ah, discharge Ah, tolerance Ah]."""
    t = np.asarray(t, dtype=float)
    i = np.asarray(i, dtype=float)
    if qc is None or qd is None or np.all(~np.isfinite(qc)) or np.all(~np.isfinite(qd)):
        inc_c, inc_d = integrated(t, i)
    else:
        inc_c, inc_d = increments(qc), increments(qd)
    ranges = index_cycles(np.asarray(cyc), i) if method == "cycle_index" else sign_cycles(i, inc_c, inc_d)
    # a cycle with no charge or discharge passed is no cycle (the project builds cycles from
    # half cycles; a run of the cycle counter without current was merged above)
    out = []
    for s, e in ranges:
        c, d = inc_c[s:e].sum(), inc_d[s:e].sum()
        edge = max(inc_c[s], inc_d[s], inc_c[e - 1], inc_d[e - 1],
                   inc_c[e] if e < len(t) else 0, inc_d[e] if e < len(t) else 0)
        out.append([float(c), float(d), float(edge)])
    return out


def has_cycles(method: str, i: np.ndarray) -> bool:
    return len(i) > 0 and np.any(np.abs(i) > threshold(i))


# ---------------------------------------------------------------------------------------------
# entries

ENTRIES: dict[str, dict] = {}


def cycling(name, peer, t, i, qc=None, qd=None, cyc=None, method="current_sign", spectra=None, points=None, resolution=0.0):
    """`resolution`: the smallest step of the peer's capacity counter (Ah), where it is coarser
    than the file's own (BTSDA tables round to 1 mAs): added twice to each cycle's slack."""
    i = np.asarray(i, dtype=float)
    if method == "cycle_index" and cyc is None:
        raise ValueError(name)
    cycles = cycle_table(t, i, qc, qd, cyc, method) if has_cycles(method, i) else []
    for c in cycles:
        c[2] += 2 * resolution
    # a test whose only half cycle is cut off by the end of the file is still one cycle
    e = {"kind": "cycling", "peer": peer, "rows": int(len(i)), "method": method, "cycles": cycles}
    if spectra is not None:
        e["spectra"] = spectra
        e["points"] = points
    ENTRIES[name] = e


def eis(name, peer, points, spectra=1):
    ENTRIES[name] = {"kind": "eis", "peer": peer, "points": int(points), "spectra": spectra}


def refused(name, why):
    ENTRIES[name] = {"kind": "refused", "why": why}


def metadata(name, peer):
    ENTRIES[name] = {"kind": "metadata", "peer": peer, "rows": 0}


def fx(name: str) -> Path:
    return FIX / name


# ---------------------------------------------------------------------------------------------
# Arbin


def arbin_csv(name, **read):
    d = pd.read_csv(fx(name), encoding="utf-8-sig", **read)
    d.columns = [c.strip() for c in d.columns]
    col = lambda *names: next(c for c in names if c in d.columns)  # noqa: E731
    t = d[col("Test Time (s)", "Test_Time", "Test_Time(s)", "Test Time")].to_numpy(float)
    i = d[col("Current (A)", "Current", "Current(A)")].to_numpy(float)
    qc = d[col("Charge Capacity (Ah)", "Charge_Capacity", "Charge_Capacity(Ah)")].to_numpy(float)
    qd = d[col("Discharge Capacity (Ah)", "Discharge_Capacity", "Discharge_Capacity(Ah)")].to_numpy(float)
    cyc = d[col("Cycle Index", "Cycle_Index")].to_numpy()
    return t, i, qc, qd, cyc


def meaningful(cyc) -> str:
    return "cycle_index" if len(pd.unique(cyc)) > 1 else "current_sign"


def arbin() -> None:
    for name in [
        "arbin/BL_Zn_SymCell_072023_03_1mAh_Channel_53_Wb_1.CSV",
        "arbin/BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV",
        "arbin/BL_Zn_SymCell_072023_06_Channel_55_Wb_1.CSV",
        "arbin/BL_Zn_SymCell_7_8_23_sanded_t6_1mAh_Channel_51_Wb_1.CSV",
        "arbin/BL_Zn_SymCell_7_8_23_unsanded_t6_1mAh_Channel_52_Wb_1.CSV",
        "arbin/FastCharge_000025_CH8.csv",
        "arbin/arbin_example.csv",
    ]:
        t, i, qc, qd, cyc = arbin_csv(name)
        cycling(name, "pandas.read_csv", t, i, qc, qd, cyc, meaningful(cyc))
    metadata("arbin/FastCharge_000025_CH8_Metadata.csv", "pandas.read_csv (sidecar, no data rows)")
    t, i, qc, qd, cyc = arbin_csv("arbin/sample_data_arbin.csv")
    cycling("arbin/sample_data_arbin.csv", "pandas.read_csv", t, i, qc, qd, cyc, meaningful(cyc))
    # XLSX: every Channel_* sheet, in order
    name = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
    sheets = pd.read_excel(fx(name), sheet_name=None)
    d = pd.concat([v for k, v in sheets.items() if k.startswith("Channel_")])
    cyc = d["Cycle_Index"].to_numpy()
    cycling(name, "pandas.read_excel (Channel_* sheets)", d["Test_Time(s)"], d["Current(A)"],
            d["Charge_Capacity(Ah)"].to_numpy(float), d["Discharge_Capacity(Ah)"].to_numpy(float), cyc, meaningful(cyc))
    for name in ["arbin/20160805_test001_45_cc_01.res", "arbin/mits7-0.res.gz"]:
        path = fx(name)
        with tempfile.TemporaryDirectory() as tmp:
            if name.endswith(".gz"):
                p = Path(tmp) / "x.res"
                p.write_bytes(gzip.decompress(path.read_bytes()))
                path = p
            text = subprocess.run(["mdb-export", str(path), "Channel_Normal_Table"], capture_output=True, text=True, check=True).stdout
        d = pd.read_csv(io.StringIO(text)).sort_values(["Test_ID", "Data_Point"]) if "Test_ID" in text.split("\n")[0] else pd.read_csv(io.StringIO(text))
        cyc = d["Cycle_Index"].to_numpy()
        cycling(name, "mdbtools mdb-export Channel_Normal_Table", d["Test_Time"], d["Current"], d["Charge_Capacity"].to_numpy(float),
                d["Discharge_Capacity"].to_numpy(float), cyc, meaningful(cyc))


# ---------------------------------------------------------------------------------------------
# cellpy's test files (generic delimited CSV)


def bad() -> None:
    for name in ["bad/custom_good_small.csv", "bad/custom_missing_cycle.csv", "bad/custom_nan_inf.csv", "bad/custom_truncated.csv"]:
        text = fx(name).read_text()
        lines = text.splitlines()
        k = next(n for n, l in enumerate(lines) if l.startswith("index;"))
        rows = [l for l in lines[k + 1:] if l.strip()]
        # a last line cut short (fewer fields) is not a row
        width = len(lines[k].split(";"))
        rows = [r for r in rows if len(r.split(";")) == width]
        d = pd.read_csv(io.StringIO("\n".join([lines[k]] + rows)), sep=";")
        i = pd.to_numeric(d["current"], errors="coerce").to_numpy(float)
        cyc = d["cycle"].to_numpy() if "cycle" in d else None
        cycling(name, "pandas.read_csv (sep=';', header at the 'index;' line)", d["test_time"], i,
                d["charge_capacity"].to_numpy(float), d["discharge_Capacity"].to_numpy(float), cyc, "current_sign")
    refused("bad/custom_missing_column.csv", "no voltage column")


# ---------------------------------------------------------------------------------------------
# BioLogic


def biologic() -> None:
    from galvani import BioLogic
    import yadg

    def mpr(name, peer="galvani.BioLogic.MPRfile"):
        try:
            d = pd.DataFrame(BioLogic.MPRfile(str(fx(name))).data)
        except Exception:
            dt = yadg.extractors.extract(filetype="eclab.mpr", path=str(fx(name)))
            d = dt.to_pandas() if hasattr(dt, "to_pandas") else dt.to_dataset().to_pandas()
            d = d.rename(columns={"time": "time/s", "I": "I/mA", "dq": "dq/mA.h", "freq": "freq/Hz", "Ewe": "Ewe/V", "half cycle": "half cycle"})
            peer = "yadg.extractors.extract (eclab.mpr)"
        return d, peer

    def table(d, name, peer, method="current_sign"):
        freq = d["freq/Hz"].to_numpy(float) if "freq/Hz" in d else None
        eis_rows = freq > 0 if freq is not None else np.zeros(len(d), bool)
        if freq is not None and eis_rows.all():
            # spectra split where the frequency turns back (one sweep each)
            f = freq
            spectra = 1 + int(np.sum(np.diff(np.sign(np.diff(f))) != 0)) if len(f) > 2 else 1
            eis(name, peer, len(f), spectra)
            return
        s = d[~eis_rows].reset_index(drop=True)
        t = s["time/s"].to_numpy(float)
        if "I/mA" in s:
            i = s["I/mA"].to_numpy(float) / 1000
        elif "<I>/mA" in s:
            i = s["<I>/mA"].to_numpy(float) / 1000
        elif "dq/mA.h" in s:
            dq = s["dq/mA.h"].to_numpy(float)
            i = np.full(len(t), np.nan)
            i[1:] = np.where(np.diff(t) > 0, dq[1:] * 3.6 / np.diff(t), np.nan)
        else:
            i = np.zeros(len(t))  # no current and no charge column (OCV): nothing flows
        if "Q charge/mA.h" in s and "Q discharge/mA.h" in s:
            qc, qd = s["Q charge/mA.h"].to_numpy(float) / 1000, s["Q discharge/mA.h"].to_numpy(float) / 1000
        elif "dq/mA.h" in s or "(Q-Qo)/mA.h" in s:
            dq = s["dq/mA.h"].to_numpy(float) if "dq/mA.h" in s else np.diff(s["(Q-Qo)/mA.h"].to_numpy(float), prepend=np.nan)
            dq = np.nan_to_num(dq) / 1000
            qc, qd = np.cumsum(np.where(dq > 0, dq, 0)), np.cumsum(np.where(dq < 0, -dq, 0))
        else:
            qc = qd = None
        cyc = s["cycle number"].to_numpy() if "cycle number" in s else np.zeros(len(s))
        i = np.nan_to_num(i)
        n_eis = int(eis_rows.sum())
        extra = {}
        if n_eis:
            f = freq[eis_rows]
            extra = {"spectra": 1 + int(np.sum(np.diff(f) > 0)), "points": n_eis}
        cycling(name, peer, t, i, qc, qd, cyc, method, **extra)

    for name in sorted(p.relative_to(FIX).as_posix() for p in FIX.glob("biologic/*.mpr")):
        d, peer = mpr(name)
        table(d, name, peer)
    for p in sorted(FIX.glob("biologic/*.mpt")) + [fx("biologic/Sample_data_biologic_timestamped.txt")]:
        name = p.relative_to(FIX).as_posix()
        d = mpt_frame(p)
        peer = "pandas.read_csv (sep='\\t', title at line N of 'Nb header lines : N')"
        try:
            n = yadg.extractors.extract(filetype="eclab.mpt", path=str(p)).sizes["uts"]
        except Exception:
            n = None  # yadg wants the EC-Lab header (or reads only part of some exports)
        if n is not None and n == len(d):
            peer += f"; yadg 7.0.1 eclab.mpt reads {n} rows too"
        table(d, name, peer)


def mpt_frame(p: Path) -> pd.DataFrame:
    """An EC-Lab text export as pandas reads it: titles at line N of "Nb header lines : N" (or
    line 1 without a header); a `time/s` of timestamps becomes seconds since the first row."""
    lines = p.read_text(encoding="latin-1").splitlines()
    skip = 0
    if lines[0].endswith("ASCII FILE"):
        skip = int(lines[1].split(":")[1]) - 1
    d = pd.read_csv(p, sep="\t", skiprows=skip, encoding="latin-1", index_col=False)
    d = d.loc[:, [c for c in d.columns if not str(c).startswith("Unnamed")]]
    d.columns = [str(c).replace("\ufffd", "°") for c in d.columns]
    if d["time/s"].dtype == object:
        stamps = pd.to_datetime(d["time/s"], format="%m/%d/%Y %H:%M:%S.%f")
        d["time/s"] = (stamps - stamps.iloc[0]).dt.total_seconds()
    return d


# ---------------------------------------------------------------------------------------------
# impedance exports


def eis_files() -> None:
    from impedance import preprocessing as pp

    for name, instrument in [
        ("eis/exampleDataGamry.DTA", "gamry"),
        ("eis/exampleDataGamryABORT.DTA", "gamry"),
        ("eis/Circuit1_EIS_1.z", "zplot"),
        ("eis/exampleDataZPlot.z", "zplot"),
        ("eis/exampleDataZPlot_noComments.z", "zplot"),
        ("eis/exampleDataAutolab.txt", "autolab"),
        ("eis/exampleDataCHInstruments.txt", "chinstruments"),
        ("eis/exampleDataParstat.txt", "parstat"),
        ("eis/exampleDataPowersuite.txt", "powersuite"),
        ("eis/exampleDataVersaStudio.par", "versastudio"),
    ]:
        f, _ = pp.readFile(str(fx(name)), instrument=instrument)
        eis(name, f"impedance.py readFile(instrument={instrument!r})", int(np.sum(np.asarray(f) > 0)))
    f, _ = pp.readCSV(str(fx("eis/exampleData.csv")))
    eis("eis/exampleData.csv", "impedance.py readCSV", len(f))
    d = pd.read_csv(fx("eis/LIB_data.txt"), header=None, sep=r"\s+")
    eis("eis/LIB_data.txt", "pandas.read_csv (no header)", len(d))
    for name in ["eis/1ZARC.csv", "eis/2ZARC0.csv", "eis/2ZARC1.csv"]:
        d = pd.read_csv(fx(name))
        eis(name, "pandas.read_csv", len(d))
    d = pd.read_csv(fx("maccor/maccor_test_file_4267-66-6519.EDA0001.041"), sep="\t", skiprows=10, skip_blank_lines=True, index_col=False)
    f = pd.to_numeric(d["Freq(Hz)"], errors="coerce").dropna()
    eis("maccor/maccor_test_file_4267-66-6519.EDA0001.041", "pandas.read_csv (sep='\\t')", len(f))


# ---------------------------------------------------------------------------------------------
# Maccor


def maccor_frame(path, skiprows, decimal="."):
    d = pd.read_csv(path, sep="\t", skiprows=skiprows, encoding="latin-1", decimal=decimal, index_col=False)
    d.columns = [str(c).strip() for c in d.columns]
    return d


def maccor_table(name, d, time_col, time_scale, amps="Amps", cap="Amp-hr", scale=1.0, peer="pandas.read_csv (sep='\\t')",
                 rec="Rec#", state_col="State", cycle="Cyc#"):
    d = d[pd.to_numeric(d[rec], errors="coerce").notna()]
    # a last line cut short is not a row
    d = d[d[amps].notna() & d[state_col].notna()]
    state = d[state_col].astype(str).str.strip().to_numpy()
    a = pd.to_numeric(d[amps], errors="coerce").to_numpy(float) * scale
    i = np.where(state == "C", np.abs(a), np.where(state == "D", -np.abs(a), a))
    q = pd.to_numeric(d[cap], errors="coerce").to_numpy(float) * scale
    qc = np.where(state == "C", np.abs(q), 0)
    qd = np.where(state == "D", np.abs(q), 0)
    t = time_col(d) * time_scale
    cyc = d[cycle].to_numpy()
    cycling(name, peer, t, i, qc, qd, cyc, meaningful(cyc) if len(pd.unique(cyc)) > 2 else "current_sign")


def clock(series) -> np.ndarray:
    def one(s):
        s = str(s).strip()
        days = 0
        if "d " in s:
            days, s = s.split("d ")
        parts = [float(x) for x in s.split(":")]
        while len(parts) < 3:
            parts.insert(0, 0.0)
        return float(days) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
    return np.array([one(x) for x in series])


def maccor() -> None:
    for name in ["maccor/PredictionDiagnostics_000151_test.052", "maccor/PredictionDiagnostics_000151_paused.052"]:
        d = maccor_frame(fx(name), 1)
        maccor_table(name, d, lambda d: pd.to_numeric(d["Test (Sec)"]).to_numpy(float), 1)
    for name in ["maccor/maccor_example.001", "maccor/maccor_example.002"]:
        d = maccor_frame(fx(name), 1)
        maccor_table(name, d, lambda d: pd.to_numeric(d["Test (Min)"]).to_numpy(float), 60)
    d = maccor_frame(fx("maccor/maccor_test_file_4267-66-6519.041"), 1)
    maccor_table("maccor/maccor_test_file_4267-66-6519.041", d, lambda d: clock(d["TestTime"]), 1)
    # MIMS Client export: header lines until the Rec# line, decimal comma, TestTime in minutes
    # (its unit confirmed by the DPt Time clock; docs/formats.md)
    lines = fx("maccor/maccor_two.txt").read_text(encoding="latin-1").splitlines()
    k = next(n for n, l in enumerate(lines) if l.startswith("Rec"))
    d = maccor_frame(fx("maccor/maccor_two.txt"), k, decimal=",")
    maccor_table("maccor/maccor_two.txt", d, lambda d: pd.to_numeric(d["TestTime"]).to_numpy(float), 60,
                 amps="Current [A]", cap="Cap. [Ah]", rec="Rec", state_col="Md", cycle="Cycle P")
    # synthetic Today's Date layout: cellpy's maccor_txt reader (model "three")
    import cellpy

    name = "synthetic/maccor/PredictionDiagnostics_000151_todays_date.txt"
    c = cellpy.get(str(fx(name)), instrument="maccor_txt", model="three")
    raw = c.data.raw
    d = maccor_frame(fx(name), 2, decimal=",")
    assert len(raw) == len(d)
    maccor_table(name, d, lambda d: clock(d["TestTime"]), 1, amps="mAmps", cap="mAmp-hr", scale=1e-3,
                 peer="cellpy 1.0.3 maccor_txt model 'three' (rows); pandas for the columns")


# ---------------------------------------------------------------------------------------------
# Neware


def neware() -> None:
    import NewareNDA

    import fastnda

    for p in sorted(FIX.glob("neware/*.nd*")):
        name = p.relative_to(FIX).as_posix()
        btsda = p.with_suffix(".parquet")
        if btsda.exists():
            # Neware's own BTSDA export of the same test (published with fastnda): the vendor's
            # rows and Cycle Index; Capacity(mAs) is the step's counter, charge on charge steps
            # (or, on steps of neither kind, rows of positive current) and discharge likewise
            d = pd.read_parquet(btsda)
            i = d["Current(uA)"].to_numpy(float) * 1e-6
            q = np.abs(d["Capacity(mAs)"].to_numpy(float)) / 3.6e6
            kind = d["Step Type"].astype(str).to_numpy()
            chg = np.array(["DChg" not in k and "Chg" in k for k in kind])
            dchg = np.array(["DChg" in k for k in kind])
            other = ~chg & ~dchg
            qc = np.where(chg | (other & (i > 0)), q, 0)
            qd = np.where(dchg | (other & (i < 0)), q, 0)
            cyc = d["Cycle Index"].to_numpy()
            cycling(name, "Neware BTSDA export of the same test (.parquet, via fastnda)", d["Total Time"].to_numpy(float), i, qc, qd, cyc,
                    meaningful(cyc), resolution=1 / 3.6e6)
            continue
        try:
            d = NewareNDA.read(str(p))
            peer = f"NewareNDA {NewareNDA.__version__}"
            t = d["Total_Time"].to_numpy(float) if "Total_Time" in d else d["Time"].to_numpy(float)
            i = d["Current(mA)"].to_numpy(float) / 1000
            qc = np.abs(d["Charge_Capacity(mAh)"].to_numpy(float)) / 1000
            qd = np.abs(d["Discharge_Capacity(mAh)"].to_numpy(float)) / 1000
            cyc = d["Cycle"].to_numpy()
        except NotImplementedError:
            # NDA versions NewareNDA does not read (22): fastnda; one capacity counter per step,
            # split by the sign of current
            d = fastnda.read(str(p)).to_pandas()
            peer = "fastnda"
            t = d["total_time_s"].to_numpy(float)
            i = d["current_mA"].to_numpy(float) / 1000
            q = np.abs(d["capacity_mAh"].to_numpy(float)) / 1000
            qc, qd = np.where(i > 0, q, 0), np.where(i < 0, q, 0)
            cyc = d["cycle_count"].to_numpy()
        # NewareNDA numbers cycles itself (a new cycle at each charge step), not as the vendor
        # does: without the vendor's table, cycles come from the current sign
        cycling(name, peer, t, i, qc, qd, cyc, "current_sign")
    # BTSDA CSV exports: record layout (one header) and cycle/step/record layout
    for name, current, cap_scale in [("neware/interp-test.csv", "Current(µA)", 1 / 3.6e6), ("neware/neware_uio.csv", "Current(A)", 1.0)]:
        d = pd.read_csv(fx(name), encoding="latin-1", index_col=False)
        d.columns = [c.replace("\ufffd", "µ").replace("Âµ", "µ") for c in d.columns]
        icol = next(c for c in d.columns if c.startswith("Current("))
        iscale = {"Current(µA)": 1e-6, "Current(mA)": 1e-3, "Current(A)": 1}[icol]
        tcol = next(c for c in d.columns if c in ("Total Time", "Cumulative Time"))
        chg = next(c for c in d.columns if c.startswith("Chg. Cap."))
        dchg = next(c for c in d.columns if c.startswith("DChg. Cap."))
        cyc = d["Cycle Index"].to_numpy()
        cycling(name, "pandas.read_csv", clock(d[tcol]), d[icol].to_numpy(float) * iscale, d[chg].to_numpy(float) * cap_scale,
                d[dchg].to_numpy(float) * cap_scale, cyc, meaningful(cyc))
    name = "neware/nw_regular_export_ife_example.csv"
    rows = list(csv.reader(io.StringIO(fx(name).read_text(encoding="latin-1"))))
    # the file's own per-cycle lines: Cycle Index, Chg. Cap.(Ah), DChg. Cap.(Ah), …
    records = [r for r in rows[3:] if len(r) > 2 and r[0] == "" and r[1] == "" and r[2].strip().isdigit()]
    cycle_lines = [r for r in rows[3:] if r and r[0].strip().isdigit()]
    ENTRIES[name] = {
        "kind": "cycling",
        "peer": "csv module: the file's own cycle lines (Chg. Cap.(Ah), DChg. Cap.(Ah)) and record lines",
        "rows": len(records),
        "method": "cycle_index",
        "cycles": [[float(r[1]), float(r[2]), 1e-5] for r in cycle_lines],
    }
    refused("neware/Experiment_Record.xlsx", "an experiment record (sample names, chemistry), not measurement data")
    for p in sorted(FIX.glob("neware/*.parquet")) + sorted(FIX.glob("neware/*.ftr")):
        refused(p.relative_to(FIX).as_posix(), "a peer's reference table, not an instrument file")


# ---------------------------------------------------------------------------------------------
# other cyclers and formats (pandas)


def others() -> None:
    # Landt
    for name in ["landt/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", "synthetic/landt/Landt_first_400_records.csv"]:
        d = pd.read_csv(fx(name), skiprows=6, index_col=False)
        cyc = d["cycle_index"].to_numpy()
        cycling(name, "pandas.read_csv (skiprows=6)", d["test_time_s"], d["current_A"], d["charge_capacity_Ah"].to_numpy(float),
                d["discharge_capacity_Ah"].to_numpy(float), cyc, meaningful(cyc))
    # BatteryData
    for name in ["other/p492-13-raw.csv", "synthetic/other/p492-13-raw_records_1200_1399.csv"]:
        d = pd.read_csv(fx(name))
        e = d["Frequency_Hz"].notna()
        s = d[~e]
        cyc = s["Cycle_Index"].to_numpy()
        cycling(name, "pandas.read_csv", s["Time_s"], s["Current_A"], s["Charge_Capacity_Ah"].to_numpy(float),
                s["Discharge_Capacity_Ah"].to_numpy(float), cyc, meaningful(cyc), spectra=1, points=int(e.sum()))
    # Battery Archive time series; its cycle table is refused
    name = "other/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv"
    d = pd.read_csv(fx(name))
    cycling(name, "pandas.read_csv", d["Test_Time (s)"], d["Current (A)"], d["Charge_Capacity (Ah)"].to_numpy(float),
            d["Discharge_Capacity (Ah)"].to_numpy(float), d["Cycle_Index"].to_numpy(), "current_sign")
    refused("other/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_cycle_data.csv", "a per-cycle table, not a time series")
    # BDF (BatMo): BDF's sign rule followed, capacities integrated from current (docs/formats.md)
    d = pd.read_csv(fx("other/batmo_bdf.csv"))
    cyc = d["Cycle Count / 1"].to_numpy()
    cycling("other/batmo_bdf.csv", "pandas.read_csv", d["Test Time / h"].to_numpy(float) * 3600, d["Current / A"], None, None, cyc, "cycle_index")
    # Basytec: ~ header lines, then a tab-separated table whose first line starts with ~
    lines = fx("other/sample_data_basytec.txt").read_text(encoding="latin-1").splitlines()
    k = max(n for n, l in enumerate(lines) if l.startswith("~"))
    d = pd.read_csv(io.StringIO("\n".join([lines[k][1:]] + lines[k + 1:])), sep="\t")
    d.columns = [c.strip() for c in d.columns]
    t = d["Time[s]"].to_numpy(float)
    i = d["I[A]"].to_numpy(float)
    cycling("other/sample_data_basytec.txt", "pandas.read_csv (sep='\\t' after the ~ header)", t, i,
            np.abs(d["Ah-Cyc-Charge"].to_numpy(float)), np.abs(d["Ah-Cyc-Discharge"].to_numpy(float)), d["Cyc-Count"].to_numpy(), "current_sign")
    # Novonix: [Data] section (lines of the second file wrapped in quotes)
    for name in ["other/sample_data_novonix.csv", "other/test_Nova_Form-CH01-01_short.csv"]:
        lines = [l.strip('"') if l.startswith('"') and l.endswith('"') else l for l in fx(name).read_text(encoding="utf-8", errors="replace").splitlines()]
        k = lines.index("[Data]")
        d = pd.read_csv(io.StringIO("\n".join(lines[k + 1:])))
        d.columns = [c.strip() for c in d.columns]
        i = d["Current (A)"].to_numpy(float)
        q = d["Capacity (Ah)"].to_numpy(float)
        # Capacity (Ah) is the net charge passed (PyProBE reads it as its net `Capacity [Ah]`;
        # preparenovonix's HPC example falls on discharge): its rises where the current is
        # positive are charge, its falls where the current is negative discharge (at either end
        # of the interval); other changes (a restart) are left out.
        dq = np.diff(q, prepend=q[0])
        pos = (i > 0) | (np.roll(i, 1) > 0)
        neg = (i < 0) | (np.roll(i, 1) < 0)
        pos[0] = neg[0] = False
        qc = np.cumsum(np.where((dq > 0) & pos, dq, 0))
        qd = np.cumsum(np.where((dq < 0) & neg, -dq, 0))
        cycling(name, "pandas.read_csv ([Data] section)", d["Run Time (h)"].to_numpy(float) * 3600, i, qc, qd, d["Cycle Number"].to_numpy(), "current_sign")
    # PEC
    lines = fx("other/Test25195.csv").read_text(encoding="latin-1").splitlines()
    k = next(n for n, l in enumerate(lines) if l.startswith("Test,Cell,"))
    d = pd.read_csv(io.StringIO("\n".join(lines[k:])))
    d.columns = [c.strip() for c in d.columns]
    tcol = next(c for c in d.columns if c.startswith("Total Time"))
    unit = tcol[tcol.index("(") + 1:tcol.index(")")]
    scale = {"Seconds": 1, "s": 1, "Minutes": 60, "Hours": 3600}.get(unit, 1)
    icol = next(c for c in d.columns if c.startswith("Current"))
    iscale = 1e-3 if "(mA)" in icol else 1
    cap_c = next(c for c in d.columns if c.startswith("Charge Capacity"))
    cap_d = next(c for c in d.columns if c.startswith("Discharge Capacity"))
    cscale = 1e-3 if "(mAh)" in cap_c else 1
    tsec = clock(d[tcol]) if d[tcol].dtype == object else d[tcol].to_numpy(float) * scale
    cycling("other/Test25195.csv", "pandas.read_csv (from the Test,Cell, header)", tsec, d[icol].to_numpy(float) * iscale,
            np.abs(d[cap_c].to_numpy(float)) * cscale, np.abs(d[cap_d].to_numpy(float)) * cscale, None, "current_sign")


def synthetic() -> None:
    import yadg

    # Arbin with empty counters: cycles by current sign
    t, i, qc, qd, _ = arbin_csv("synthetic/arbin/arbin_example_empty_counters.csv")
    cycling("synthetic/arbin/arbin_example_empty_counters.csv", "pandas.read_csv", t, i, qc, qd, None, "current_sign")
    # Ivium layouts
    d = pd.read_csv(fx("synthetic/ivium/zn_symcell_ixdat_layout.txt"), sep=r"\s+", skiprows=1, header=None, names=["t", "I", "E", "u"], skipinitialspace=True)
    d = d.iloc[1:].astype(float)
    cycling("synthetic/ivium/zn_symcell_ixdat_layout.txt", "pandas.read_csv (ixdat's layout: whitespace, header line 2)", d["t"], d["I"])
    d = pd.read_csv(fx("synthetic/ivium/zn_symcell_spaced_units.txt"), sep="\t")
    cycling("synthetic/ivium/zn_symcell_spaced_units.txt", "pandas.read_csv (sep='\\t')", d["time /s"], d["I /mA"] / 1000)
    # BioLogic variants
    bcd = mpt_frame(fx("biologic/0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt"))
    for name in ["synthetic/biologic/bcd_bracketed_units_C01.mpt", "synthetic/biologic/bcd_energy_we_C01.mpt"]:
        d = mpt_frame(fx(name))
        assert len(d) == len(bcd)
        icol = "<I/mA>" if "<I/mA>" in d else "I/mA"
        cycling(name, "pandas.read_csv (sep='\\t', title at line 70)", d["time/s"], d[icol] / 1000,
                d["Q charge/mA.h"].to_numpy(float) / 1000, d["Q discharge/mA.h"].to_numpy(float) / 1000, None, "current_sign")
    d = pd.read_csv(fx("synthetic/biologic/peis_record_ece_C01.mpt"), sep="\t", skiprows=60, encoding="latin-1", index_col=False)
    eis("synthetic/biologic/peis_record_ece_C01.mpt", "pandas.read_csv (sep='\\t')", int((d["freq/Hz"] > 0).sum()))
    for name in ["synthetic/biologic/mb_unknown_column_ids_C01.mpr", "synthetic/biologic/mb_with_peis_C01.mpr"]:
        dt = yadg.extractors.extract(filetype="eclab.mpr", path=str(fx(name)))
        n = dt.sizes["uts"] if hasattr(dt, "sizes") else len(dt["uts"])
        freq = np.asarray(dt["freq"]) if "freq" in dt else np.zeros(n)
        t = np.asarray(dt["time"]) if "time" in dt else np.asarray(dt["uts"]) - np.asarray(dt["uts"])[0]
        i = np.asarray(dt["I"]) / 1000
        dq = np.nan_to_num(np.asarray(dt["dq"])) / 1000
        keep = ~(freq > 0)
        qc, qd = np.cumsum(np.where(dq > 0, dq, 0)), np.cumsum(np.where(dq < 0, -dq, 0))
        extra = {}
        if (freq > 0).any():
            f = freq[freq > 0]
            extra = {"spectra": 1 + int(np.sum(np.diff(f) > 0)), "points": int((freq > 0).sum())}
        cycling(name, "yadg 7.0.1 eclab.mpr", t[keep], i[keep], qc[keep], qd[keep], None, "current_sign", **extra)
    d = pd.read_csv(fx("synthetic/biologic/mb_with_peis_C01.mpt"), sep="\t", skiprows=11, encoding="latin-1", index_col=False)
    e = d["freq/Hz"] > 0
    s = d[~e]
    cycling("synthetic/biologic/mb_with_peis_C01.mpt", "pandas.read_csv (sep='\\t')", s["time/s"], s["I/mA"] / 1000,
            s["Q charge/mA.h"].to_numpy(float) / 1000, s["Q discharge/mA.h"].to_numpy(float) / 1000, s["cycle number"].to_numpy(), "cycle_index",
            spectra=1 + int(np.sum(np.diff(d["freq/Hz"][e].to_numpy()) > 0)), points=int(e.sum()))
    # Neware XLSX in navani's layout (rows of neware_uio.csv; make_neware_navani_xlsx.py): the
    # record sheet; the standard variant's Chg./DChg. Cap.(mAh), the mass variant's step counter
    # Capacity(mAh) taken as charge on charge steps and discharge on discharge steps
    for variant in ["standard", "mass"]:
        name = f"synthetic/neware/neware_uio_navani_{variant}.xlsx"
        d = pd.read_excel(fx(name), sheet_name="record")
        i = d["Current(mA)"].to_numpy(float) / 1000 if "Current(mA)" in d else d["Current(A)"].to_numpy(float)
        if "Chg. Cap.(mAh)" in d:
            qc, qd = d["Chg. Cap.(mAh)"].to_numpy(float) / 1000, d["DChg. Cap.(mAh)"].to_numpy(float) / 1000
        else:
            q = d["Capacity(mAh)"].to_numpy(float) / 1000
            kind = d["Step Type"].astype(str).to_numpy()
            qc = np.where([("Chg" in k and "DChg" not in k) for k in kind], q, 0)
            qd = np.where(["DChg" in k for k in kind], q, 0)
        cyc = d["Cycle Index"].to_numpy()
        cycling(name, "pandas.read_excel (sheet record)", clock(d["Total Time"]), i, qc, qd, cyc, meaningful(cyc))
    for name in sorted(p.relative_to(FIX).as_posix() for p in FIX.glob("mappings/*")):
        refused(name, "a column mapping, not an instrument file")
    for name in sorted(p.relative_to(FIX).as_posix() for p in FIX.glob("models/**/*") if p.is_file()):
        refused(name, "a model simulation table (PyBaMM reference for tests/analysis/models), not an instrument file")


def main() -> None:
    os.chdir(tempfile.mkdtemp())  # cellpy writes its log files into the working directory
    arbin()
    bad()
    biologic()
    eis_files()
    maccor()
    neware()
    others()
    synthetic()
    files = sorted(p.relative_to(FIX).as_posix() for p in FIX.rglob("*") if p.is_file() and p.name != "README.md")
    missing = [f for f in files if f not in ENTRIES]
    for f in missing:
        print(f"no reference for {f}", file=sys.stderr)
    out = {k: ENTRIES[k] for k in sorted(ENTRIES) if k in files}
    round_ = lambda x: float(f"{x:.12g}")  # noqa: E731
    for e in out.values():
        if "cycles" in e:
            e["cycles"] = [[round_(v) for v in c] for c in e["cycles"]]
    OUT.write_text(json.dumps({"files": out, "missing": missing}, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(out)} files, {len(missing)} without a reference")


if __name__ == "__main__":
    main()
