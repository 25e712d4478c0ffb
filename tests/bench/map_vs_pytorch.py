#!/usr/bin/python3
"""Benchmark: a 200 x 200 map of an MLP classifier ensemble of 5 recomputed after a slice slider moved (issue #7: at
most 100 ms on this CPU), against the same ensemble's forward pass in PyTorch Python (Debian's python3-torch), in the
same run, with the same thread settings (intra-op and OpenBLAS threads 1, then 2).

    /usr/bin/python3 tests/bench/map_vs_pytorch.py [BUILD_DIR] [REPETITIONS]

Ours (tests/bench/bench_map): computeMap over the 40 000 grid points - building the rows, standardising them, five
forward passes, mean and standard deviation over members - and, separately, the bare forward pass of the five
networks. PyTorch: the same five networks (4 -> 64 -> 64 -> 64 -> 1, ReLU, sigmoid; inputs standardised) on the
same 40 000 rows under torch.no_grad(), plus the mean and standard deviation over members, with the grid rows built
by torch. Medians over the repetitions.
"""
import json
import os
import subprocess
import sys

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "build")
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 50

CHILD = r'''
import json, sys, time
import torch
import torch.nn as nn
torch.set_num_threads(int(sys.argv[2]))
REPS = int(sys.argv[1])

def member():
    return nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 1))

torch.manual_seed(1)
nets = [member().eval() for _ in range(5)]
shift = torch.tensor([0.18, 0.27, 0.6, 0.5])
scale = torch.tensor([0.06, 0.09, 0.17, 0.19])

def grid(t21min):
    xs = (torch.arange(200, dtype=torch.float32) + 0.5) / 200 * 0.8
    ys = (torch.arange(200, dtype=torch.float32) + 0.5) / 200
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    n = xx.numel()
    return torch.stack([torch.full((n,), 0.11), xx.reshape(-1), torch.full((n,), t21min), yy.reshape(-1)], 1)

def once(i):
    t0 = time.perf_counter()
    with torch.no_grad():
        x = (grid(0.3 + 0.5 * (i % 50) / 50) - shift) / scale
        p = torch.stack([torch.sigmoid(net(x).squeeze(1)) for net in nets])
        mean, std = p.mean(0), p.std(0)
    return 1000 * (time.perf_counter() - t0)

for i in range(5):
    once(i)
times = sorted(once(i) for i in range(REPS))
params = sum(p.numel() for p in nets[0].parameters())
print(json.dumps({"map_ms_median": times[len(times) // 2], "parameters_per_member": params}))
'''


def run(cmd, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), HEPGEN_THREADS=str(threads), OMP_NUM_THREADS="1")
    return json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.strip())


def main():
    ours_exe = os.path.join(BUILD, "tests", "bench", "bench_map")
    print(f"{'threads':>7} {'ours map ms':>12} {'ours fwd ms':>12} {'PyTorch ms':>11} {'ratio':>6} {'<= 100 ms':>9}")
    for threads in (1, 2):
        ours = run([ours_exe, str(REPS)], threads)
        ref = run(["/usr/bin/python3", "-c", CHILD, str(REPS), str(threads)], threads)
        ratio = ref["map_ms_median"] / ours["map_ms_median"]
        print(f"{threads:>7} {ours['map_ms_median']:>12.1f} {ours['forward_ms_median']:>12.1f} "
              f"{ref['map_ms_median']:>11.1f} {ratio:>6.2f} {'yes' if ours['map_ms_median'] <= 100 else 'NO':>9}")
    print("ratio = PyTorch time / ours (> 1: ours faster); times are medians over the repetitions")


if __name__ == "__main__":
    main()
