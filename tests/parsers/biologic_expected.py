"""Independent expected values for tests/parsers/biologic_*_test.ts.

Run from the repository root: python3 tests/parsers/biologic_expected.py
Text files are read with pandas (tab separated, Latin-1, skipping N-1 header lines where
"Nb header lines : N"); binary files with galvani 0.5.0 (GPL-3; only run, never read or ported).
Nothing here uses this project's TypeScript code.
"""
import glob
import os

import numpy as np
import pandas as pd

D = "tests/fixtures/biologic/"


def read_mpt(path):
    with open(path, encoding="latin1") as fh:
        first = fh.readline()
        n = int(fh.readline().split(":")[1]) if "ASCII FILE" in first else 1
    df = pd.read_csv(path, sep="\t", skiprows=n - 1, encoding="latin1")
    return df.loc[:, ~df.columns.str.startswith("Unnamed")]


for f in sorted(glob.glob(D + "*.mpt")) + [D + "Sample_data_biologic_timestamped.txt"]:
    df = read_mpt(f)
    name = os.path.basename(f)
    print(f"== {name}: rows {len(df)}")
    if "freq/Hz" in df:
        fr = df["freq/Hz"]
        print(f"  freq first {fr.iloc[0]!r} last {fr.iloc[-1]!r} Re first {df['Re(Z)/Ohm'].iloc[0]!r}"
              f" -Im first {df['-Im(Z)/Ohm'].iloc[0]!r} -Im last {df['-Im(Z)/Ohm'].iloc[-1]!r}")
    else:
        v = "Ecell/V" if "Ecell/V" in df else "Ewe/V"
        t = df["time/s"]
        print(f"  time first {t.iloc[0]!r} last {t.iloc[-1]!r} {v} first {df[v].iloc[0]!r}"
              f" last {df[v].iloc[-1]!r} I last {df['I/mA'].iloc[-1]!r}")
        for c in ["Q charge/mA.h", "Q discharge/mA.h", "Energy charge/W.h", "Temperature/°C",
                  "Temperature/\ufffdC"]:
            if c in df:
                print(f"  {c} last {df[c].iloc[-1]!r}")
        if "dq/mA.h" in df and "half cycle" in df:
            # Charge counter rebuilt from the raw increments: positive dq summed per half cycle.
            dq = df["dq/mA.h"].to_numpy()
            hc = df["half cycle"].to_numpy()
            qc = np.zeros(len(dq))
            acc = 0.0
            for k in range(len(dq)):
                if k > 0 and hc[k] != hc[k - 1]:
                    acc = 0.0
                acc += max(dq[k], 0.0)
                qc[k] = acc
            print(f"  per-half-cycle sum of positive dq, last {qc[-1]!r};"
                  f" max |that - Q charge| {np.max(np.abs(qc - df['Q charge/mA.h'].to_numpy()))!r}")

from galvani import BioLogic  # noqa: E402

for f in sorted(glob.glob(D + "*.mpr")):
    m = BioLogic.MPRfile(f)
    d = m.data
    name = os.path.basename(f)
    print(f"== {name}: rows {len(d)} start {m.timestamp} cols {d.dtype.names}")
    print(f"  first {d[0]}")
    print(f"  last {d[-1]}")
    if "flags" in d.dtype.names:
        fl = d["flags"]
        print(f"  mode first {fl[0] & 3} last {fl[-1] & 3}; control changes first {(fl[0] >> 4) & 1}"
              f"; ox/red sum {int(((fl >> 2) & 1).sum())}")
    if "dq/mA.h" in d.dtype.names:
        dq = d["dq/mA.h"]
        hc = d["half cycle"] if "half cycle" in d.dtype.names else np.zeros(len(dq))
        qc = qd = 0.0
        mc = md = 0.0
        for k in range(len(dq)):
            if k > 0 and hc[k] != hc[k - 1]:
                qc = qd = 0.0
            if dq[k] > 0:
                qc += dq[k]
            else:
                qd -= dq[k]
            mc, md = max(mc, qc), max(md, qd)
        print(f"  dq counters per half cycle: last charge {qc!r} discharge {qd!r};"
              f" max charge {mc!r} discharge {md!r}; half cycles {sorted(set(hc.tolist()))}")
        if "I/mA" not in d.dtype.names:
            t = d["time/s"]
            print(f"  mean current row 1 from dq: {dq[1] * 3600 / (t[1] - t[0]) * 1e-3!r} A;"
                  f" row -1 {dq[-1] * 3600 / (t[-1] - t[-2]) * 1e-3!r} A")
    if "freq/Hz" in d.dtype.names:
        fr = d["freq/Hz"]
        print(f"  freq first {float(fr[0])!r} last {float(fr[-1])!r}"
              f" rises {int((np.diff(fr) > 0).sum())}")
