#pragma once
// Small helpers over the HDF5 C++ API shared by the readers and writers of every HDF5 format.
// All throw hepgen::FormatError / FileError naming the file.
#include <H5Cpp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hepgen::data::h5 {

/// Opens an HDF5 file read-only; FileError if missing, unreadable, not HDF5 or truncated.
H5::H5File openForReading(const std::string& path);
/// Creates (truncates) an HDF5 file for writing; FileError naming the path when that is impossible.
H5::H5File createForWriting(const std::string& path);
/// True if the file starts with the HDF5 signature (at offset 0, 512, 1024, ...).
bool hasHdf5Signature(const std::string& path);

/// True if the object at an absolute path ("/a/b/c") exists; unlike H5Lexists it is safe when an
/// intermediate group is missing.
bool exists(const H5::H5Location& file, const std::string& path);
bool hasAttribute(const H5::H5Object& obj, const std::string& name);
long long readIntAttribute(const H5::H5Object& obj, const std::string& name);
double readDoubleAttribute(const H5::H5Object& obj, const std::string& name);
std::string readStringAttribute(const H5::H5Object& obj, const std::string& name);
/// A 1-D attribute of strings, fixed-length or variable-length (h5py and pandas write both).
std::vector<std::string> readStringListAttribute(const H5::H5Object& obj, const std::string& name);
std::vector<double> readDoubleListAttribute(const H5::H5Object& obj, const std::string& name);

void writeAttribute(H5::H5Object& obj, const std::string& name, long long value);
void writeAttribute(H5::H5Object& obj, const std::string& name, double value);
void writeAttribute(H5::H5Object& obj, const std::string& name, const std::string& value);
void writeAttribute(H5::H5Object& obj, const std::string& name, const std::vector<std::string>& values);
void writeAttribute(H5::H5Object& obj, const std::string& name, const std::vector<double>& values);

/// Dimensions of a dataset.
std::vector<hsize_t> shape(const H5::DataSet& ds);
/// Creates a chunked, shuffled and deflated dataset (first dimension extendible) and writes `data`.
void writeChunked(H5::Group& group, const std::string& name, const H5::PredType& fileType, const H5::PredType& memType,
    const std::vector<hsize_t>& dims, const void* data);
/// Reads rows [begin, end) of a 1-D or 2-D dataset into `out` (row-major), converting to memType.
void readRows(const H5::DataSet& ds, hsize_t begin, hsize_t end, const H5::PredType& memType, void* out);

} // namespace hepgen::data::h5
