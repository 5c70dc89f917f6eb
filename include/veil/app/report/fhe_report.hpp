#pragma once
// The FHE stage's report lines, worded after the seed script's ("FHE execution completed in
// ... seconds", "FHE top 5 labels: ...", "Simulation top 5 labels: ...").
#include <cstdint>
#include <ostream>
#include <string>

#include "veil/app/stages/fhe_stage.hpp"

namespace veil::app {

/// "estimated FHE time per image on this machine: 59,392 PBS / 94.1 PBS/s = 0:10:31".
std::string estimate_line(std::uint64_t pbs, double pbs_per_second);

/// The lines of image `number` (1-based) after its run: times, the three top-5 lists, the
/// comparison with the simulation.
void write_fhe_image(const FheImageResult& image, std::size_t number, std::ostream& out);

/// How many images' FHE top-5 (and top-1) equal the simulation's, mean time per image,
/// PBS/s, peak resident ciphertext memory and the process's peak RSS.
void write_fhe_summary(const FheStageResult& result, std::ostream& out);

/// "image,node,op,pbs,seconds,pbs_per_second" and one row per node of each image's server run
/// (program: the program the images ran).
std::string fhe_layers_csv(const FheStageResult& result, const compiler::FheProgram& program);

/// The process's peak resident set size so far (getrusage), in bytes.
std::uint64_t process_peak_rss_bytes();

}  // namespace veil::app
