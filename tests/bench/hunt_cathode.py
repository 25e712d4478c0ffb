#!/usr/bin/python3
"""CATHODE end to end at the default size (issue #6: goal <= 10 minutes on 2 cores), time split by stage.

Generates the default dijet toy (1M background + 1000 signal, seed 1) unless it exists, runs
`hepgen --threads T hunt --method cathode --json` on it and prints the wall time, the time per stage
(density fit on the SB, sampling, classifiers), the AUC and max SIC, the load average before and
after (timings taken under load are pessimistic) and the CPU time the hunt used. Arguments after `--`
go to `hepgen hunt` as they are (e.g. `-- --bump-hunt --scores s.h5`); the hunt's whole JSON is written
to BUILD_DIR/bench-hunt-cathode.json. Standard library only.

usage: hunt_cathode.py BUILD_DIR [THREADS] [DATA_FILE] [-- HUNT_ARGS...]
"""
import json
import os
import resource
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    build = args[0] if len(args) > 0 else "build"
    threads = args[1] if len(args) > 1 else str(os.cpu_count() or 1)
    data = args[2] if len(args) > 2 else os.path.join(build, "bench-dijet-1m.h5")
    hepgen = os.path.join(build, "app", "hepgen")
    if not os.path.exists(data):
        subprocess.run([hepgen, "--quiet", "generate", "dijet", "--seed", "1", "-o", data], check=True)
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    out = subprocess.run([hepgen, "--quiet", "--threads", threads, "hunt", "--data", data, "--method", "cathode",
                          "--json"] + extra, check=True, capture_output=True, text=True).stdout
    wall = time.monotonic() - start
    load_after = os.getloadavg()[0]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(build, "bench-hunt-cathode.json"), "w") as f:
        f.write(out)
    result = json.loads(out)
    print(f"CATHODE (mlp), {data}, threads {threads}: {wall:.0f} s wall ({wall / 60:.1f} min; goal <= 10 min), "
          f"hunt {result['seconds']:.0f} s; CPU {usage.ru_utime + usage.ru_stime:.0f} s; "
          f"load average {load_before:.1f} before, {load_after:.1f} after")
    for stage, seconds in result["stages"].items():
        print(f"  {stage:28s} {seconds:7.1f} s  ({100 * seconds / result['seconds']:4.1f} %)")
    print(f"  AUC {result['auc']:.3f}, max SIC {result['max_sic']:.2f}, SR {result['n_sr']} events, "
          f"SB {result['n_sb']}")


if __name__ == "__main__":
    main()
