#!/usr/bin/python3
"""Writes the LHC Olympics / NumPy test fixtures with third-party code (pandas, PyTables, NumPy),
so that the C++ readers are checked against files they did not write themselves.

Run from anywhere:  /usr/bin/python3 tests/data/make_fixtures_lhco.py
Outputs (next to this script, a few kB each, fixed seed):
  lhco_fixed.h5           pandas to_hdf(format='fixed'), all 15 columns float64 in one block (like the real file)
  lhco_fixed_intlabel.h5  format='fixed', columns shuffled, label int64 -> two blocks
  lhco_table.h5           pandas to_hdf(format='table'), label int8 -> values_block_0 (float64) + values_block_1
  lhco_table_datacols.h5  format='table' with data_columns=['mj1', 'label'] (scalar fields named by column)
  lhco_missing.h5         format='fixed' without tau3j2 and mj2 (error path)
  lhco_series.h5          a pandas Series under /df (a pandas layout the reader does not know)
  lhco_nolabel.h5         format='fixed' without the label column
  lhco_expected.csv       derived features computed here with numpy (mjj, mj_min, delta_mj [TeV],
                          tau21_min, tau21_max, delta_R_jj, label)
  cathode_sr.npy          N x 6 float64: mjj, mj_min, delta_mj, tau21_min, tau21_max, label (TeV)
  cathode_sr_f4.npy       same as float32
  cathode_sr_fortran.npy  same, Fortran order
  cathode_sr_v2.npy       same, .npy format version 2.0
  cathode_sr_v3.npy       same, .npy format version 3.0
  cathode_i4.npy          N x 3 int32 and cathode_i8_1d.npy (N,) int64
  cathode.npz             np.savez_compressed with one array (DEFLATED)
  cathode_stored.npz      np.savez with one array (STORED)
  two_arrays.npz          np.savez(x=..., y=...)
  with_data.npz           np.savez_compressed(data=..., other=...)
  big_endian.npy          '>f8'        object.npy  dtype object (pickled)
  truncated.npy           cathode_sr.npy cut short   bad_magic.npy  not a NumPy file
"""
import os

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = "pxj1 pyj1 pzj1 mj1 tau1j1 tau2j1 tau3j1 pxj2 pyj2 pzj2 mj2 tau1j2 tau2j2 tau3j2 label".split()
N = 200


def out(name):
    return os.path.join(HERE, name)


def raw_events(rng):
    """Plausible dijet events in GeV: two roughly back-to-back jets, masses 50-600 GeV,
    N-subjettiness 1 > tau1 > tau2 > tau3 > 0."""
    d = {}
    px1 = rng.uniform(-1500, 1500, N)
    py1 = rng.uniform(-1500, 1500, N)
    d["pxj1"], d["pyj1"], d["pzj1"] = px1, py1, rng.normal(0, 1000, N)
    d["mj1"] = rng.uniform(50, 600, N)
    d["pxj2"] = -px1 + rng.normal(0, 100, N)
    d["pyj2"] = -py1 + rng.normal(0, 100, N)
    d["pzj2"] = rng.normal(0, 1000, N)
    d["mj2"] = rng.uniform(50, 600, N)
    for j in ("j1", "j2"):
        tau1 = rng.uniform(0.2, 0.9, N)
        tau2 = tau1 * rng.uniform(0.1, 0.95, N)
        tau3 = tau2 * rng.uniform(0.3, 0.95, N)
        d["tau1" + j], d["tau2" + j], d["tau3" + j] = tau1, tau2, tau3
    d["mj2"][7] = d["mj1"][7]  # a tie: CATHODE's argmin/argmax both pick jet 1
    d["label"] = (rng.uniform(size=N) < 0.3).astype(np.float64)
    return pd.DataFrame({c: d[c] for c in COLUMNS})


def derive(df):
    """The standard LHCO R&D features, as in CATHODE's run_data_preparation_LHCORD.py
    (E = sqrt(p^2 + m^2), tau21 = tau2 / (tau1 + 1e-5), min/max picked by argmin/argmax of the jet mass)."""
    p1 = df[["pxj1", "pyj1", "pzj1"]].to_numpy()
    p2 = df[["pxj2", "pyj2", "pzj2"]].to_numpy()
    e1 = np.sqrt(np.sum(p1**2, axis=1) + df["mj1"].to_numpy() ** 2)
    e2 = np.sqrt(np.sum(p2**2, axis=1) + df["mj2"].to_numpy() ** 2)
    mjj = np.sqrt((e1 + e2) ** 2 - np.sum((p1 + p2) ** 2, axis=1))
    mj = df[["mj1", "mj2"]].to_numpy()
    tau21 = df[["tau2j1", "tau2j2"]].to_numpy() / (1e-5 + df[["tau1j1", "tau1j2"]].to_numpy())
    rows = np.arange(N)
    lo, hi = np.argmin(mj, axis=1), np.argmax(mj, axis=1)
    eta1 = np.arcsinh(p1[:, 2] / np.hypot(p1[:, 0], p1[:, 1]))
    eta2 = np.arcsinh(p2[:, 2] / np.hypot(p2[:, 0], p2[:, 1]))
    dphi = np.arctan2(p1[:, 1], p1[:, 0]) - np.arctan2(p2[:, 1], p2[:, 0])
    dphi = (dphi + np.pi) % (2 * np.pi) - np.pi
    return pd.DataFrame({
        "mjj": mjj / 1000, "mj_min": mj[rows, lo] / 1000, "delta_mj": (mj[rows, hi] - mj[rows, lo]) / 1000,
        "tau21_min": tau21[rows, lo], "tau21_max": tau21[rows, hi],
        "delta_R_jj": np.sqrt((eta1 - eta2) ** 2 + dphi**2), "label": df["label"].to_numpy(),
    })


def remove(name):
    if os.path.exists(out(name)):
        os.remove(out(name))


def main():
    rng = np.random.default_rng(20200101)
    df = raw_events(rng)
    for name in ("lhco_fixed.h5", "lhco_fixed_intlabel.h5", "lhco_table.h5", "lhco_table_datacols.h5",
                 "lhco_missing.h5", "lhco_series.h5", "lhco_nolabel.h5"):
        remove(name)  # to_hdf appends to existing files
    df.to_hdf(out("lhco_fixed.h5"), key="df", format="fixed")
    shuffled = df[COLUMNS[::-1]].copy()
    shuffled["label"] = shuffled["label"].astype(np.int64)
    shuffled.to_hdf(out("lhco_fixed_intlabel.h5"), key="df", format="fixed")
    as_int8 = df.copy()
    as_int8["label"] = as_int8["label"].astype(np.int8)
    as_int8.to_hdf(out("lhco_table.h5"), key="df", format="table", index=False, complevel=9, complib="zlib")
    df.to_hdf(out("lhco_table_datacols.h5"), key="df", format="table", data_columns=["mj1", "label"], index=False,
                complevel=9, complib="zlib")
    df.drop(columns=["tau3j2", "mj2"]).to_hdf(out("lhco_missing.h5"), key="df", format="fixed")
    df["mj1"].to_hdf(out("lhco_series.h5"), key="df", format="fixed")
    df.drop(columns=["label"]).to_hdf(out("lhco_nolabel.h5"), key="df", format="fixed")

    derived = derive(df)
    derived.to_csv(out("lhco_expected.csv"), index=False, float_format="%.17g")

    cathode = derived[["mjj", "mj_min", "delta_mj", "tau21_min", "tau21_max", "label"]].to_numpy(np.float64)
    np.save(out("cathode_sr.npy"), cathode)
    np.save(out("cathode_sr_f4.npy"), cathode.astype(np.float32))
    np.save(out("cathode_sr_fortran.npy"), np.asfortranarray(cathode))
    for version in ((2, 0), (3, 0)):
        with open(out("cathode_sr_v%d.npy" % version[0]), "wb") as f:
            np.lib.format.write_array(f, cathode, version=version)
    np.save(out("cathode_i4.npy"), np.round(cathode[:, :3] * 1000).astype(np.int32))
    np.save(out("cathode_i8_1d.npy"), cathode[:, 5].astype(np.int64))
    np.savez_compressed(out("cathode.npz"), cathode)
    np.savez(out("cathode_stored.npz"), cathode)
    np.savez(out("two_arrays.npz"), x=cathode[:, :2], y=cathode[:, 2:])
    np.savez_compressed(out("with_data.npz"), other=cathode[:, :2], data=cathode)
    np.save(out("big_endian.npy"), cathode.astype(">f8"))
    np.save(out("object.npy"), np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with open(out("cathode_sr.npy"), "rb") as f:
        whole = f.read()
    with open(out("truncated.npy"), "wb") as f:
        f.write(whole[: len(whole) - 100])
    with open(out("bad_magic.npy"), "wb") as f:
        f.write(b"\x93NUMPX" + whole[6:200])


if __name__ == "__main__":
    main()
