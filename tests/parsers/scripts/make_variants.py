"""Write the synthetic variant files of tests/fixtures/synthetic/ from the real fixtures.

Issue 13 names real-world variants of formats we read for which no public file is at hand (an
EC-Lab `.mpt` with `<Ewe/V>` titles, one that records Ece, one with `Energy we charge/W.h`, an
`.mpr` with unknown column IDs, a Modulo Bat `.mpr` with impedance steps and its `.mpt`, an
Arbin CSV with empty `Step_Index`/`Cycle_Index`, a Maccor export with a "Today's Date" header).
Each file here is made from a real fixture by the transformation written next to it, so that the
variant reproduces the layout the issue describes while its values stay those of a real run
(or, for the Modulo Bat run, a synthetic run with a known answer). Layout facts come from public
files read with the search tools (yadg's tests/test_x_eclab/peis.issue_225.with_ece.mpt for the
Ece title line, mb.issue_223.mpt for the column order of a Modulo Bat run with PEIS steps).

Run from the repository root: python3 tests/parsers/scripts/make_variants.py
The output is deterministic; re-running rewrites identical files.
"""

import csv
import io
import math
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIX = ROOT / "tests" / "fixtures"
OUT = FIX / "synthetic"


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")


# ---------------------------------------------------------------------------------------------
# BioLogic text exports


def mpt_title_line(text: str) -> int:
    """0-based index of the column-title line of an EC-Lab text export with header."""
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    n = int(lines[1].split(":")[1])
    return n - 1


def retitle(src: Path, dst: Path, renames: dict[str, str], append: str = "") -> None:
    raw = src.read_bytes()
    text = raw.decode("latin-1")
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    k = mpt_title_line(text)
    titles = lines[k].split("\t")
    for i, t in enumerate(titles):
        if t in renames:
            titles[i] = renames[t]
    line = "\t".join(titles)
    if append:
        line = line.rstrip("\t") + append
    lines[k] = line
    write(dst, eol.join(lines).encode("latin-1"))


BCD = FIX / "biologic" / "0928_01_0.5MTFSI_ZnEMD_InsideGB_0hr_RT_EIS-Remade_from_091923-01_BCD_C01.mpt"
PEIS_MPT = FIX / "biologic" / "exampleDataBioLogic.mpt"


def biologic_text_variants() -> None:
    # 1. Averaged columns titled with the unit inside the brackets, as some EC-Lab versions and
    #    settings write them (`<Ewe/V>`, `<I/mA>`; ixdat issue 193 reports the same spelling).
    retitle(BCD, OUT / "biologic" / "bcd_bracketed_units_C01.mpt", {"Ewe/V": "<Ewe/V>", "I/mA": "<I/mA>"})
    # 2. EC-Lab >= 11.50 names the energy counters per electrode.
    retitle(
        BCD,
        OUT / "biologic" / "bcd_energy_we_C01.mpt",
        {"Energy charge/W.h": "Energy we charge/W.h", "Energy discharge/W.h": "Energy we discharge/W.h"},
    )
    # 3. A run that records Ece: the title line ends with an empty title and `Ewe-Ece/V`, for
    #    which the rows hold no values (as in yadg's peis.issue_225.with_ece.mpt).
    retitle(PEIS_MPT, OUT / "biologic" / "peis_record_ece_C01.mpt", {}, append="\t\tEwe-Ece/V")


# ---------------------------------------------------------------------------------------------
# BioLogic binary files

MB_MPR = FIX / "biologic" / "00_test_04_MB_C01.mpr"
PEIS_MPR = FIX / "biologic" / "PEIS-0.mpr"

# Column-ID table (ID -> struct format, EC-Lab title); the subset used here.
FLAG_MASKS = {1: 0x03, 2: 0x04, 3: 0x08, 21: 0x10, 31: 0x20, 65: 0x80}
IDS = {
    4: ("d", "time/s"), 5: ("f", "control/V/mA"), 6: ("f", "Ewe/V"), 7: ("d", "dq/mA.h"),
    8: ("f", "I/mA"), 13: ("d", "(Q-Qo)/mA.h"), 19: ("f", "control/V"), 32: ("f", "freq/Hz"),
    35: ("f", "Phase(Z)/deg"), 36: ("f", "|Z|/Ohm"), 37: ("f", "Re(Z)/Ohm"), 38: ("f", "-Im(Z)/Ohm"),
    39: ("H", "I Range"), 74: ("d", "|Energy|/W.h"), 131: ("H", "Ns"), 467: ("d", "Q charge/discharge/mA.h"),
    468: ("I", "half cycle"), 469: ("I", "z cycle"), 24: ("d", "cycle number"), 33: ("f", "|Ewe|/V"),
    34: ("f", "|I|/A"), 169: ("f", "Cs/µF"), 172: ("f", "Cp/µF"), 77: ("f", "<Ewe>/V"), 76: ("f", "<I>/mA"),
}


def modules(raw: bytes):
    """Yield (offset, body, length, extended) for each module of a .mpr file."""
    p = 0x34
    while p < len(raw):
        assert raw[p:p + 6] == b"MODULE"
        length = struct.unpack_from("<I", raw, p + 41)[0]
        ext = length == 0xFFFFFFFF
        if ext:
            length = struct.unpack_from("<I", raw, p + 45)[0]
            body = p + 65
        else:
            body = p + 57
        yield p, body, length, ext
        p = body + length


def data_module(raw: bytes):
    for p, body, length, ext in modules(raw):
        if raw[p + 6:p + 16].decode("latin-1").strip() == "VMP data":
            return p, body, length, ext
    raise ValueError("no data module")


def read_rows(raw: bytes):
    """Decode the data module: ids, list of row dicts keyed by column ID (flags by their ID)."""
    p, body, length, ext = data_module(raw)
    n = struct.unpack_from("<I", raw, body)[0]
    if ext:
        nc = struct.unpack_from("<H", raw, body + 4)[0]
        ids = list(struct.unpack_from(f"<{nc}H", raw, body + 6))
        start = 0x3EF
    else:
        nc = raw[body + 4]
        ids = list(struct.unpack_from(f"<{nc}H", raw, body + 5))
        version = struct.unpack_from("<I", raw, p + 45)[0]
        start = 0x196 if version == 3 else 0x195
    fmt = "<"
    order = []
    has_flags = False
    for i in ids:
        if i in FLAG_MASKS:
            if not has_flags:
                fmt += "B"
                order.append("flags")
                has_flags = True
        else:
            fmt += IDS[i][0]
            order.append(i)
    size = struct.calcsize(fmt)
    rows = []
    for k in range(n):
        values = struct.unpack_from(fmt, raw, body + start + k * size)
        row = dict(zip(order, values))
        if has_flags:
            for i, mask in FLAG_MASKS.items():
                shift = (mask & -mask).bit_length() - 1
                row[i] = (row["flags"] & mask) >> shift
        rows.append(row)
    return ids, rows


def write_data_module(raw: bytes, ids: list[int], rows: list[dict], extra_types: dict[int, str] = {}) -> bytes:
    """The .mpr `raw` with its (extended-header) data module replaced by `ids` and `rows`."""
    p, body, length, ext = data_module(raw)
    assert ext, "only the extended module header (EC-Lab >= 11.50) is rewritten here"
    fmt = "<"
    order = []
    has_flags = False
    for i in ids:
        if i in FLAG_MASKS:
            if not has_flags:
                fmt += "B"
                order.append("flags")
                has_flags = True
        else:
            fmt += extra_types.get(i) or IDS[i][0]
            order.append(i)
    head = bytearray(raw[body:body + 0x3EF])
    struct.pack_into("<I", head, 0, len(rows))
    struct.pack_into("<H", head, 4, len(ids))
    head[6:6 + 2 * 100] = bytes(200)
    struct.pack_into(f"<{len(ids)}H", head, 6, *ids)
    points = bytearray()
    for row in rows:
        flags = 0
        for i, mask in FLAG_MASKS.items():
            if i in ids:
                shift = (mask & -mask).bit_length() - 1
                flags |= (int(row.get(i, 0)) << shift) & mask
        values = [flags if c == "flags" else row[c] for c in order]
        points += struct.pack(fmt, *values)
    new_body = bytes(head) + bytes(points)
    header = bytearray(raw[p:body])
    struct.pack_into("<I", header, 45, len(new_body))
    return raw[:p] + bytes(header) + new_body + raw[body + length:]


def unknown_ids_variant() -> None:
    """00_test_04_MB_C01.mpr with three float64 columns of IDs EC-Lab's tables do not list
    (883 = 0x373, 884 = 0x374, 880 = 0x370: the low bytes of the per-electrode energy IDs 0x73,
    0x74, 0x70) appended to every point. Their values are known: 883 holds the row number × 1e-6,
    884 the time in hours, 880 the constant 0.5."""
    raw = MB_MPR.read_bytes()
    ids, rows = read_rows(raw)
    for k, row in enumerate(rows):
        row[883] = k * 1e-6
        row[884] = row[4] / 3600
        row[880] = 0.5
    out = write_data_module(raw, ids + [883, 884, 880], rows, {883: "d", 884: "d", 880: "d"})
    write(OUT / "biologic" / "mb_unknown_column_ids_C01.mpr", out)


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def mb_with_peis() -> None:
    """A Modulo Bat run with a PEIS step after every cycle, as binary `.mpr` and text `.mpt`.

    Known answer: 4 cycles, each +1 mA for 3600 s (charge, 1 mAh) then -1 mA for 3600 s
    (discharge, 1 mAh), one point every 60 s; after each discharge one impedance sweep whose 60
    points (frequency, |Z|, Phase(Z)) are those of the real PEIS-0.mpr, with the ±0.1 mA of the
    excitation in `I/mA` (alternating sign) and no charge passed (dq = 0). The column layout is
    that of the real 00_test_04_MB_C01.mpr plus the impedance columns in the order of a real
    EC-Lab Modulo Bat export with PEIS steps; the other modules (settings, log) are the real file's.
    """
    raw = MB_MPR.read_bytes()
    _, peis = read_rows(PEIS_MPR.read_bytes())
    ids = [1, 2, 3, 21, 31, 65, 131, 39, 4, 5, 6, 8, 7, 13, 32, 36, 35, 467, 468, 469]
    rows: list[dict] = []
    t = 0.0
    qqo = 0.0
    z_cycle = 0
    half = 0
    for cycle in range(4):
        for ns, current in ((0, 1.0), (1, -1.0)):
            q = 0.0
            for k in range(61):
                if k > 0:
                    t += 60.0
                dq = current * 60.0 / 3600.0 if k > 0 else 0.0
                q += dq
                qqo += dq
                frac = k / 60
                ewe = 3.0 + frac if current > 0 else 4.0 - frac
                rows.append({
                    1: 1, 2: 1 if current > 0 else 0, 3: 0, 21: 1 if k == 0 else 0, 31: 1 if k == 0 else 0,
                    65: 0, 131: ns, 39: 11, 4: t, 5: f32(current), 6: f32(ewe), 8: f32(current),
                    7: dq, 13: qqo, 32: 0.0, 36: 0.0, 35: 0.0, 467: q, 468: half, 469: z_cycle,
                })
            half += 1
        half -= 1  # the impedance step belongs to the discharge half cycle (no current sign change)
        z_cycle += 1
        t0 = peis[0][4]
        for k, point in enumerate(peis):
            rows.append({
                1: 1, 2: 0, 3: 0, 21: 1 if k == 0 else 0, 31: 1 if k == 0 else 0, 65: 0, 131: 2, 39: 11,
                4: t + 1.0 + (point[4] - t0), 5: 0.0, 6: f32(3.0), 8: f32(0.1 if k % 2 == 0 else -0.1),
                7: 0.0, 13: qqo, 32: point[32], 36: point[36], 35: point[35], 467: 0.0, 468: half,
                469: z_cycle,
            })
        t = rows[-1][4]
        half += 1
    write(OUT / "biologic" / "mb_with_peis_C01.mpr", write_data_module(raw, ids, rows))

    # The text export of the same run, as EC-Lab writes it: the stored columns in file order,
    # then the ones it computes at export (Re(Z), -Im(Z) from |Z| and Phase(Z); the per-half-cycle
    # charge and discharge counters; the cycle number), float32 as %.7E, float64 as %.15E.
    titles = [
        "mode", "ox/red", "error", "control changes", "Ns changes", "counter inc.", "Ns", "I Range",
        "time/s", "control/V/mA", "Ewe/V", "I/mA", "dq/mA.h", "(Q-Qo)/mA.h", "freq/Hz", "|Z|/Ohm",
        "Phase(Z)/deg", "Q charge/discharge/mA.h", "half cycle", "z cycle", "Re(Z)/Ohm", "-Im(Z)/Ohm",
        "Q discharge/mA.h", "Q charge/mA.h", "cycle number",
    ]
    e7 = lambda x: f"{x:.7E}"  # noqa: E731
    e15 = lambda x: f"{x:.15E}"  # noqa: E731
    body = []
    qc = qd = 0.0
    prev_half = None
    for k, r in enumerate(rows):
        if r[468] != prev_half:
            qc = qd = 0.0
            prev_half = r[468]
        if r[7] > 0:
            qc += r[7]
        elif r[7] < 0:
            qd -= r[7]
        phi = math.radians(r[35])
        re = f32(r[36] * math.cos(phi))
        neg_im = f32(-r[36] * math.sin(phi))
        cycle_number = r[468] // 2
        body.append("\t".join([
            str(r[1]), str(r[2]), str(r[3]), str(r[21]), str(r[31]), str(r[65]), str(r[131]), str(r[39]),
            e15(r[4]), e7(r[5]), e7(r[6]), e7(r[8]), e15(r[7]), e15(r[13]), e7(r[32]), e7(r[36]), e7(r[35]),
            e15(r[467]), str(r[468]), str(r[469]), e7(re), e7(neg_im), e15(qd), e15(qc), e15(float(cycle_number)),
        ]) + "\t")
    header = [
        "EC-Lab ASCII FILE",
        "Nb header lines : {n}                          ",
        "",
        "Modulo Bat",
        "",
        "Run on channel : 1 (SN 0001)",
        "Acquisition started on : 12/08/2023 09:49:52.346",
        "Device : VMP3 (SN 0001)",
        "EC-LAB for windows v11.50 (software)",
        "Cycle Definition : Charge/Discharge alternance",
        "",
    ]
    n = len(header) + 1
    header[1] = header[1].format(n=n)
    text = "\r\n".join(header + ["\t".join(titles) + "\t"] + body) + "\r\n"
    write(OUT / "biologic" / "mb_with_peis_C01.mpt", text.encode("latin-1"))


# ---------------------------------------------------------------------------------------------
# Arbin


def arbin_empty_counters() -> None:
    """arbin_example.csv with `Step_Index` and `Cycle_Index` empty on every row (the fields stay,
    their values are removed); every other field is byte-for-byte the fixture's."""
    text = (FIX / "arbin" / "arbin_example.csv").read_text()
    eol = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(eol)
    header = lines[0].split(",")
    drop = {header.index("Step_Index"), header.index("Cycle_Index")}
    out = [lines[0]]
    for line in lines[1:]:
        if line == "":
            out.append(line)
            continue
        fields = line.split(",")
        out.append(",".join("" if i in drop else f for i, f in enumerate(fields)))
    write(OUT / "arbin" / "arbin_example_empty_counters.csv", eol.join(out).encode())


# ---------------------------------------------------------------------------------------------
# Landt


def landt_head() -> None:
    """The first 400 records of the Landt export (header block and lines kept as they are): a
    small file of the same layout, for tests that mutate many copies (the fuzzer)."""
    raw = (FIX / "landt" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv").read_bytes()
    lines = raw.split(b"\n")
    write(OUT / "landt" / "Landt_first_400_records.csv", b"\n".join(lines[:7 + 400]) + b"\n")


def battery_data_excerpt() -> None:
    """Records 1200–1399 of p492-13-raw.csv under its header line (they hold the impedance
    sweep, rows 1262–1339): a small file of the same layout, for the fuzzer."""
    raw = (FIX / "other" / "p492-13-raw.csv").read_bytes()
    lines = raw.split(b"\n")
    write(OUT / "other" / "p492-13-raw_records_1200_1399.csv", b"\n".join([lines[0]] + lines[1201:1401]) + b"\n")


# ---------------------------------------------------------------------------------------------
# Maccor


def clock(seconds: float) -> str:
    """Maccor's `0d 00:00:00.00` form of a duration in seconds (two decimals)."""
    cs = round(seconds * 100)
    d, rest = divmod(cs, 86400 * 100)
    h, rest = divmod(rest, 3600 * 100)
    m, rest = divmod(rest, 60 * 100)
    return f"{d}d {h:02d}:{m:02d}:{rest // 100:02d}.{rest % 100:02d}"


def comma(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def maccor_todays_date() -> None:
    """PredictionDiagnostics_000151_test.052 (BEEP) rewritten in the layout of a MIMS export
    with a two-line "Today's Date:" / "Date of Test:" header (cellpy's maccor_001.txt shows the
    header; cellpy's `maccor_txt_three` configuration the columns): tab separated, columns
    `Rec# Cyc# Step TestTime StepTime mAmp-hr mWatt-hr mAmps Volts State ES DPt Time`, times as
    `0d 00:00:00.00`, capacities, energies and currents in milli-units with decimal commas.
    Every value is the fixture's (Amp-hr × 1000 etc.; Test/Step seconds rounded to 0.01 s)."""
    src = (FIX / "maccor" / "PredictionDiagnostics_000151_test.052").read_text(encoding="latin-1")
    lines = src.split("\r\n") if "\r\n" in src else src.split("\n")
    header = lines[1].split("\t")
    col = {name: header.index(name) for name in ["Rec#", "Cyc#", "Step", "Test (Sec)", "Step (Sec)", "Amp-hr", "Watt-hr", "Amps", "Volts", "State", "ES", "DPt Time"]}
    out = [
        "Today's Date:\t14 October 2019\tDate of Test:\t10 October 2019, 2:31:07 PM",
        "Filename:\tPredictionDiagnostics_000151_00001E.052\tTester Channel:\t1\tProcedure:\tPredictionDiagnostics_000151.000",
        "\t".join(["Rec#", "Cyc#", "Step", "TestTime", "StepTime", "mAmp-hr", "mWatt-hr", "mAmps", "Volts", "State", "ES", "DPt Time"]),
    ]
    for line in lines[2:]:
        if line.strip() == "":
            continue
        f = line.split("\t")
        out.append("\t".join([
            f[col["Rec#"]], f[col["Cyc#"]], f[col["Step"]],
            clock(float(f[col["Test (Sec)"]])), clock(float(f[col["Step (Sec)"]])),
            comma(float(f[col["Amp-hr"]]) * 1000, 7), comma(float(f[col["Watt-hr"]]) * 1000, 7),
            comma(float(f[col["Amps"]]) * 1000, 6), comma(float(f[col["Volts"]]), 8),
            f[col["State"]], f[col["ES"]], f[col["DPt Time"]],
        ]))
    write(OUT / "maccor" / "PredictionDiagnostics_000151_todays_date.txt", ("\r\n".join(out) + "\r\n").encode("latin-1"))


# ---------------------------------------------------------------------------------------------
# Ivium


def ivium_exports() -> None:
    """Two Ivium text exports of the time, current and voltage of a real cycling run (Arbin's
    BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV, 1754 rows): the layout ixdat's reader
    documents (start date-time line, day first; `time/s I/A E/V` titles; fields separated by
    spaces; an untitled extra column, here the potential again) and the `time /s`, `I /mA`,
    `E /V` titles of IviumSoft's manual, tab separated, without the date line."""
    rows = list(csv.reader(io.StringIO((FIX / "arbin" / "BL_Zn_SymCell_072023_04_1mAh_Channel_54_Wb_1.CSV").read_text(encoding="utf-8-sig"))))
    h = rows[0]
    t, i, v = h.index("Test Time (s)"), h.index("Current (A)"), h.index("Voltage (V)")
    data = [r for r in rows[1:] if r]
    a = ["21/07/2023 10:02:15", "time/s I/A E/V"]
    a += [f"{r[t]} {r[i]} {r[v]} {r[v]}" for r in data]
    write(OUT / "ivium" / "zn_symcell_ixdat_layout.txt", ("\r\n".join(a) + "\r\n").encode())
    b = ["time /s\tI /mA\tE /V"]
    b += [f"{r[t]}\t{float(r[i]) * 1000:.5f}\t{r[v]}" for r in data]
    write(OUT / "ivium" / "zn_symcell_spaced_units.txt", ("\r\n".join(b) + "\r\n").encode())


def main() -> None:
    biologic_text_variants()
    unknown_ids_variant()
    mb_with_peis()
    arbin_empty_counters()
    landt_head()
    battery_data_excerpt()
    maccor_todays_date()
    ivium_exports()


if __name__ == "__main__":
    main()
