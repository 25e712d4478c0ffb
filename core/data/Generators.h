#pragma once
// One entry point for the three built-in generators (dijet toy, shower simulator, 2D toys), shared by
// `hepgen generate`, the Generate dialog and the demos, so every front end makes the same data.
#include "core/data/Dataset.h"
#include "core/data/DijetGenerator.h"
#include "core/data/Toy2D.h"
#include "core/showers/ShowerSimulator.h"
#include "core/util/Job.h"

namespace hepgen::data {

enum class GeneratorKind { Dijet, Showers, Toy2D };

/// What to generate: the kind and the options of that kind (the others are ignored).
struct GeneratorRequest {
    GeneratorKind kind = GeneratorKind::Dijet;
    DijetOptions dijet;
    hepgen::showers::ShowerSimOptions showers;
    Toy2DShape toyShape = Toy2DShape::Moons;
    std::size_t toyEvents = 100000;
    std::uint64_t toySeed = 1;
};

/// Runs the generator; the data set's description records every setting (and the seed).
/// Throws ConfigError for invalid options, Cancelled when the job is stopped.
Dataset generateDataset(const GeneratorRequest& request, const JobControl& job = {});

} // namespace hepgen::data
