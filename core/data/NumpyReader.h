#pragma once
// Readers of NumPy's own files: .npy (one array, format versions 1-3) and .npz (a zip archive of
// .npy members, STORED by np.savez or DEFLATED by np.savez_compressed). Format as documented in
// numpy/lib/format.py ("NEP 1") and PKWARE's APPNOTE.TXT (zip, zip64).
#include "core/data/Table.h"

#include <string>
#include <vector>

namespace hepgen::data {

/// The six columns of CATHODE's prepared arrays (arXiv:2109.00546): mjj, mj_min, delta_mj [TeV],
/// tau21_min, tau21_max, label.
const std::vector<std::string>& cathodeColumns();

/// Reads a 1-D (N,) or 2-D (N, F) .npy array of dtype <f4, <f8, <i4, <i8 (also |i1, |u1, |b1), C or
/// Fortran order, into a Table of floats. Column names: `columnNames` (F of them) when given;
/// otherwise CATHODE's six names when F == 6, else col0 .. col{F-1}. A column named "label"
/// becomes the labels (0, 1, -1; NaN → -1) instead of a feature.
/// Throws ConfigError when the number of names is not F; FileError when the file cannot be read;
/// FormatError naming the file for bad magic, an unsupported version, big-endian / object /
/// other dtypes, a shape that is not (N,) or (N, F), truncated data, or labels other than 0/1/-1.
Table readNpy(const std::string& path, std::vector<std::string> columnNames = {});

/// Reads one array of a .npz archive like readNpy. `member` names the array (with or without
/// ".npy"); when empty the archive's only array is read, or the one named "data" or "arr_0".
/// Throws FormatError naming the file for a damaged archive (no end record, bad CRC, encrypted,
/// unknown compression), when several arrays leave the choice open (listing their names) or the
/// named one is absent, and for the member's own problems as readNpy.
Table readNpz(const std::string& path, std::vector<std::string> columnNames = {}, const std::string& member = {});

/// Names of the arrays in a .npz archive (member names without ".npy"); throws as readNpz.
std::vector<std::string> npzArrayNames(const std::string& path);

} // namespace hepgen::data
