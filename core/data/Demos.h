#pragma once
// The built-in demo data sets, made by the app itself (no download): what the GUI opens with and
// offers under File > Demo data, and what tests and lessons use.
#include "core/data/Dataset.h"
#include "core/util/Job.h"

#include <string>
#include <vector>

namespace hepgen::data {

struct DemoInfo {
    std::string name;        ///< key, e.g. "toy2d-moons"
    std::string title;       ///< menu text
    std::string description; ///< tooltip
};

/// All demos, the default (opened at start-up) first.
std::vector<DemoInfo> demoDatasets();
/// Makes the named demo (source "demo:<name>"); throws ConfigError for an unknown name.
Dataset makeDemo(const std::string& name, const JobControl& job = {});

} // namespace hepgen::data
