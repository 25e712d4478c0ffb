#!/usr/bin/python3
"""Writes the small CaloChallenge and CaloClouds fixtures of tests/core/test_calo_io.cpp with
numpy + h5py, i.e. with third-party code, not with ours. Run from anywhere:

    /usr/bin/python3 tests/data/make_fixtures_calo.py

calochallenge_ds2_small.h5: 5 showers in the dataset 2 geometry (45 layers x 16 alpha x 9 r =
6480 voxels), sparse random voxel energies in MeV, fixed seed; `incident_energies` (5, 1) in MeV
and `showers` (5, 6480), voxels flattened as numpy's reshape of (N, layer, alpha, r), the
challenge's own convention. Energies are float64 for incident_energies and float32 for showers.
One voxel is set by hand: shower 0, layer 3, alpha 5, r 2 = 123.5 MeV.

caloclouds_n4p.h5 / caloclouds_np4.h5: the same 3 showers with P = 50 points, as `events` of shape
(3, 4, 50) and (3, 50, 4) (x, y, z in mm, E in GeV, zero padded) and `energy` (3, 1) in GeV.
Shower 0 has 12 hits padded at the end, shower 1 all 50, shower 2 has 30 hits padded at the front.

The script prints the numbers the test checks.
"""
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def calochallenge():
    rng = np.random.default_rng(20220)
    n, layers, alphas, radii = 5, 45, 16, 9
    showers = np.zeros((n, layers, alphas, radii), dtype=np.float32)
    mask = rng.random(showers.shape) < 0.01
    showers[mask] = rng.lognormal(mean=1.0, sigma=1.5, size=mask.sum()).astype(np.float32)
    showers[0, 3, 5, 2] = 123.5
    showers = showers.reshape(n, layers * alphas * radii)
    incident = np.array([[1024.0], [4096.0], [65536.0], [262144.0], [1000000.0]], dtype=np.float64)
    with h5py.File(os.path.join(HERE, "calochallenge_ds2_small.h5"), "w") as f:
        f.create_dataset("incident_energies", data=incident, compression="gzip")
        f.create_dataset("showers", data=showers, compression="gzip", compression_opts=9)
    print("calochallenge_ds2_small.h5")
    print("  non-empty voxels per shower:", [int(c) for c in (showers != 0).sum(axis=1)])
    print("  total MeV per shower:", [repr(float(t)) for t in showers.astype(np.float64).sum(axis=1)])
    layer_sums = showers.reshape(n, layers, -1).astype(np.float64).sum(axis=2)
    print("  shower 0, MeV in layer 3:", repr(float(layer_sums[0, 3])))


def caloclouds():
    rng = np.random.default_rng(2305)
    n, p = 3, 50
    hits = [12, 50, 30]
    events = np.zeros((n, p, 4), dtype=np.float32)
    for i, h in enumerate(hits):
        pts = np.empty((h, 4), dtype=np.float32)
        pts[:, 0] = rng.uniform(-200, 200, h)                 # x, mm
        pts[:, 1] = rng.integers(0, 30, h).astype(np.float32)  # y: depth (layer) in the ILD files
        pts[:, 2] = rng.uniform(-160, 240, h)                 # z, mm
        pts[:, 3] = rng.exponential(0.002, h) + 1e-5          # E, GeV (never 0)
        if i == 2:
            events[i, p - h:] = pts  # padding at the front, as in CaloClouds' own files
        else:
            events[i, :h] = pts
    energy = np.array([[10.0], [47.5], [90.0]], dtype=np.float32)
    with h5py.File(os.path.join(HERE, "caloclouds_np4.h5"), "w") as f:
        f.create_dataset("events", data=events, compression="gzip")
        f.create_dataset("energy", data=energy)
    with h5py.File(os.path.join(HERE, "caloclouds_n4p.h5"), "w") as f:
        f.create_dataset("events", data=np.ascontiguousarray(events.transpose(0, 2, 1)), compression="gzip")
        f.create_dataset("energy", data=energy)
    print("caloclouds_n4p.h5 / caloclouds_np4.h5")
    print("  hits per shower:", [int(c) for c in (events[:, :, 3] != 0).sum(axis=1)])
    print("  total GeV per shower:", [repr(float(t)) for t in events[:, :, 3].astype(np.float64).sum(axis=1)])
    print("  first hit of shower 2 (x, y, z, E GeV):", [repr(float(v)) for v in events[2, p - hits[2]]])


if __name__ == "__main__":
    calochallenge()
    caloclouds()
