#!/usr/bin/python3
"""Benchmark: loading a 1.1M-event LHC Olympics R&D features file, our C++ reader against
pandas.read_hdf, in the same run, for both pandas layouts (fixed and table).

    /usr/bin/python3 tests/bench/lhco_load.py [BUILD_DIR]     (needs python3-pandas, python3-tables)

The files are written here with pandas itself (1.1M events, 15 float64 columns like the real
events_anomalydetection_v2.features.h5) into $TMPDIR/hepgen-bench/ and reused on later runs.
Each measurement runs in a fresh process; memory is the peak resident memory the load added.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

N = 1_100_000
COLUMNS = "pxj1 pyj1 pzj1 mj1 tau1j1 tau2j1 tau3j1 pxj2 pyj2 pzj2 mj2 tau1j2 tau2j2 tau3j2 label".split()
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "build")
OUT = os.path.join(tempfile.gettempdir(), "hepgen-bench")


def make_file(layout):
    path = os.path.join(OUT, f"lhco_{layout}_{N}.h5")
    if os.path.exists(path):
        return path
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(1)
    d = {c: rng.uniform(0.1, 1.0, N) for c in COLUMNS}
    for j in ("1", "2"):
        d["px" + "j" + j] = rng.normal(0, 1200, N)
        d["py" + "j" + j] = rng.normal(0, 1200, N)
        d["pz" + "j" + j] = rng.normal(0, 1500, N)
        d["mj" + j] = rng.uniform(30, 800, N)
    d["label"] = (rng.uniform(size=N) < 0.09).astype(np.float64)
    pd.DataFrame(d, columns=COLUMNS).to_hdf(path, key="df", format=layout)
    return path


# pandas.read_hdf alone, and read_hdf followed by the same derived features in numpy (what a
# CATHODE-style preparation does to get the table our reader returns).
PANDAS_CHILD = r"""
import resource, sys, time, json, numpy as np, pandas as pd
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
df = pd.read_hdf(sys.argv[1], key="df")
read = time.perf_counter() - t0
if sys.argv[2] == "derive":
    p1 = df[["pxj1", "pyj1", "pzj1"]].to_numpy(); p2 = df[["pxj2", "pyj2", "pzj2"]].to_numpy()
    m1 = df["mj1"].to_numpy(); m2 = df["mj2"].to_numpy()
    e = np.sqrt((p1 ** 2).sum(1) + m1 ** 2) + np.sqrt((p2 ** 2).sum(1) + m2 ** 2)
    mjj = np.sqrt(e ** 2 - ((p1 + p2) ** 2).sum(1)) / 1000
    t1 = df["tau2j1"].to_numpy() / (df["tau1j1"].to_numpy() + 1e-5)
    t2 = df["tau2j2"].to_numpy() / (df["tau1j2"].to_numpy() + 1e-5)
    light = m2 >= m1
    mjmin = np.where(light, m1, m2) / 1000; dmj = np.abs(m1 - m2) / 1000
    tmin = np.where(light, t1, t2); tmax = np.where(light, t2, t1)
    eta1 = np.arcsinh(p1[:, 2] / np.hypot(p1[:, 0], p1[:, 1])); eta2 = np.arcsinh(p2[:, 2] / np.hypot(p2[:, 0], p2[:, 1]))
    dphi = np.angle(np.exp(1j * (np.arctan2(p1[:, 1], p1[:, 0]) - np.arctan2(p2[:, 1], p2[:, 0]))))
    out = np.stack([mjj, mjmin, dmj, tmin, tmax, np.hypot(eta1 - eta2, dphi)], 1).astype(np.float32)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": len(df), "peak_added_mb": (peak - before) / 1024.0}))
"""


def best_of(cmd, repeats=3):
    runs = [json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
            for _ in range(repeats)]
    return min(runs, key=lambda r: r["seconds"])


def main():
    exe = os.path.join(BUILD, "tests", "bench", "bench_lhco_load")
    if not os.path.exists(exe):
        sys.exit(f"build it first: cmake --build {BUILD} --target bench_lhco_load")
    array_mb = N * len(COLUMNS) * 8 / 1048576.0
    print(f"LHCO load, {N} events x {len(COLUMNS)} float64 columns ({array_mb:.0f} MB as stored), best of 3")
    print("ours: read + derived features (mjj, mj_min, delta_mj, tau21_min, tau21_max, delta_R_jj) as float32")
    print(f"{'layout':8} {'ours [s]':>9} {'read_hdf [s]':>12} {'+numpy [s]':>10} {'vs read':>8} {'vs +numpy':>9} "
          f"{'ours +MB':>9} {'pandas +MB':>10} {'ours/array':>10}")
    for layout in ("fixed", "table"):
        path = make_file(layout)
        ours = best_of([exe, path])
        read = best_of([sys.executable, "-c", PANDAS_CHILD, path, "read"])
        derive = best_of([sys.executable, "-c", PANDAS_CHILD, path, "derive"])
        assert ours["rows"] == read["rows"] == N
        print(f"{layout:8} {ours['seconds']:9.3f} {read['seconds']:12.3f} {derive['seconds']:10.3f} "
              f"{read['seconds'] / ours['seconds']:7.2f}x {derive['seconds'] / ours['seconds']:8.2f}x "
              f"{ours['peak_added_mb']:9.0f} {read['peak_added_mb']:10.0f} {ours['peak_added_mb'] / array_mb:10.2f}")


if __name__ == "__main__":
    main()
