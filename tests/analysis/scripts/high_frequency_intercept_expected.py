# Expected values of highFrequencyIntercept() on fixtures, computed straight from the files:
# upper half of the points by frequency, Re Z > 0 and -Im Z >= 0, the smallest -Im Z; its Re Z.
# Run: python3 tests/analysis/scripts/high_frequency_intercept_expected.py
import re

def pick(rows):  # rows: (f, re, minus_im)
    rows = sorted(rows, key=lambda r: -r[0])[: (len(rows) + 1) // 2]
    ok = [r for r in rows if r[1] > 0 and r[2] >= 0]
    return min(ok, key=lambda r: r[2])

def zplot(path):  # ZPlot .z: data after "End Comments"; columns freq, ..., Z' (4), Z'' (5)
    lines = open(path, encoding="latin-1").read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("End Comments")) + 1
    rows = [l.split() for l in lines[start:] if l.strip()]
    return [(float(r[0]), float(r[4]), -float(r[5])) for r in rows]

def mpt(path):  # EC-Lab text: "Nb header lines : N"; tab-separated; named columns
    text = open(path, encoding="latin-1").read().splitlines()
    n = int(re.search(r"Nb header lines : (\d+)", "\n".join(text[:5])).group(1))
    head = text[n - 1].split("\t")
    fi, ri, ii = head.index("freq/Hz"), head.index("Re(Z)/Ohm"), head.index("-Im(Z)/Ohm")
    rows = [l.split("\t") for l in text[n:] if l.strip()]
    return [(float(r[fi]), float(r[ri]), float(r[ii])) for r in rows]

def csv3(path):  # f, Re Z, Im Z (signed)
    rows = [tuple(map(float, l.split(","))) for l in open(path) if l.strip()]
    return [(f, r, -i) for f, r, i in rows]

base = "tests/fixtures/"
print("Circuit1_EIS_1.z", pick(zplot(base + "eis/Circuit1_EIS_1.z")))
print("exampleData.csv", pick(csv3(base + "eis/exampleData.csv")))
for t in ["25C_0x_Thin_Sample_t2", "40C_0x_Thin_Sample_t2", "60C_0x_Thin_Sample_t2"]:
    p = base + f"biologic/0720_05_EIS_0.5MTFSI_Blocking_InsideGB_0hr_{t}_C01.mpt"
    print(t, pick(mpt(p)))
p = base + "biologic/0720_06_EIS_0.5MTFSI_SymCell_OutsideGB_unsanded_RT_ThinCell_C03.mpt"
print("0720_06 RT ThinCell", pick(mpt(p)))
