# Copyright 2026 the battery-analysis authors. MIT license.
"""Child process of bench/peers.ts: runs one peer tool on files and prints one JSON line.

    python3 bench/scripts/peers.py MODE REPEAT FILE...

MODE is polars_csv (polars.read_csv), galvani (galvani.BioLogic.MPRfile) or newarenda
(NewareNDA.read). Each file is read REPEAT times. The JSON line holds the CPU time of the reads
(process_time: every thread of this process, user + system), their wall time, and the rows read.
Only the reads are timed; the import of the module is not.
"""
import json
import sys
import time


def main() -> None:
    mode, repeat, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if mode == "polars_csv":
        import polars

        def read(path):
            return polars.read_csv(path).height
    elif mode == "galvani":
        from galvani import BioLogic

        def read(path):
            return len(BioLogic.MPRfile(path).data)
    elif mode == "newarenda":
        import logging

        import NewareNDA

        logging.disable(logging.WARNING)

        def read(path):
            return len(NewareNDA.read(path))
    else:
        raise SystemExit(f"unknown mode {mode}")
    rows = 0
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(repeat):
        for path in files:
            rows += read(path)
    c1, t1 = time.process_time(), time.perf_counter()
    print(json.dumps({"cpu_s": c1 - c0, "wall_s": t1 - t0, "rows": rows}))


if __name__ == "__main__":
    main()
