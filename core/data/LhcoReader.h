#pragma once
// Reader of the LHC Olympics 2020 R&D features file (events_anomalydetection_v2.features.h5),
// written by pandas DataFrame.to_hdf(key='df') in pandas' "fixed" or "table" HDF5 layout, and the
// standard dijet features the anomaly-detection analyses use (CATHODE, arXiv:2109.00546).
#include "core/data/Table.h"

#include <string>
#include <vector>

namespace hepgen::data {

/// The raw per-jet columns of the LHCO R&D features file (GeV), in the file's order; `label` last.
const std::vector<std::string>& lhcoRawColumns();

/// The derived columns readLhcoPandas() returns: mjj, mj_min, delta_mj [TeV], tau21_min,
/// tau21_max, delta_R_jj [dimensionless].
const std::vector<std::string>& lhcoDerivedColumns();

/// True if `path` is an HDF5 file holding a pandas DataFrame under /df in the fixed
/// (/df/axis0 + /df/block0_values) or table (/df/table) layout. Never throws.
bool isLhcoPandasFile(const std::string& path);

/// Reads the LHCO R&D features file in either pandas layout, chunk by chunk, and returns the
/// derived features (see deriveLhcoFeatures) with labels from the `label` column (empty if the
/// file has none). Throws FileError (missing / not HDF5), FormatError naming the file for an
/// unknown pandas layout or missing columns (listing the columns found). NaN values are kept.
Table readLhcoPandas(const std::string& path);

/// Derives the standard features from raw GeV columns found by name (lhcoRawColumns(); `label`
/// optional, raw.labels used when non-empty):
///   mjj        = sqrt((E1 + E2)^2 - |p1 + p2|^2) / 1000, E = sqrt(p^2 + m^2)        [TeV]
///   mj_min     = min(mj1, mj2) / 1000, delta_mj = (max - min) / 1000               [TeV]
///   tau21_min  = tau2 / (tau1 + 1e-5) of the lighter jet, tau21_max of the heavier jet
///   delta_R_jj = sqrt(deta^2 + dphi^2), eta = asinh(pz / pt), phi = atan2(py, px), dphi in [-pi, pi]
/// As in CATHODE's data preparation (argmin / argmax of the jet masses), equal masses make jet 1
/// both the lighter and the heavier jet. Throws FormatError naming `source` and the missing columns.
Table deriveLhcoFeatures(const Table& raw, const std::string& source = {});

} // namespace hepgen::data
