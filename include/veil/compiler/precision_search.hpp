#pragma once
// Per-site precision chosen by measurement: which PBS sites may read their accumulator on
// fewer bits (QuantizationConfig::rounding_bits_by_node) without losing agreement with fp32.
//
// The search starts from the config's own bits. Each pass lists the sites wider than the floor,
// estimates what reading each one bit narrower saves (the current circuit with that lookup's
// bits - 1 and shift + 1 compiled: the accumulator's exponent is unchanged, only the site's p
// drops), and tries them by decreasing saving: the config with that lowering is quantized and
// compiled, and kept when (cheapest check first) its measured cost is below the current one, and
// on the calibration images both the clear run and the simulation (at the compiled program's
// per-site error probabilities, `draws` times per image) keep a top-1 agreement with fp32 no
// lower than the starting setting's and a mean relative L2 error of the logits against fp32 no
// more than (1 + l2_tolerance) times the start's. The clear run is the noise-free guard (one
// simulated draw moves by whole images); the L2 error is the finer one (10 calibration images
// give 10 top-1 decisions; the cosine sits near 1 on a network whose logits share a large common
// component, the L2 error does not). Both are compared with the start, not the previous step, so
// the losses do not add up. A pass goes on after a kept lowering with the estimates it made (each
// trial's cost is measured anyway). Passes repeat until one keeps nothing; a rejected (site, bits)
// is not retried, so a search evaluates at most sites x (bits - floor) settings. Deterministic:
// fixed draws, images in parallel but drawn by image number.
//
// The same search also tries looser error targets (PrecisionSearchOptions::relaxed_p_errors): a
// site held to a looser p_error (CompileOptions::p_error_by_node) may move to a cheaper set — at
// 7 bits p_error 0.08 fits N = 2048 where 0.05 needs N = 4096 — while its lookups stay as wide.
// Such a trial changes no clear output, so only the simulation's guard decides it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::compiler {

struct PrecisionSearchOptions {
  int floor_bits = 4;      // no site is read on fewer bits
  int draws = 2;           // simulations of each calibration image per setting
  std::uint64_t seed = 0;  // of the simulation's draws
  /// Largest relative growth of the logits' mean relative L2 error against the start's
  /// (negative: the shrinking each lowering must bring; -1 refuses every inexact lowering).
  double l2_tolerance = 0.02;
  /// Looser per-site targets to try, each above CompileOptions::p_error and stated like it (for
  /// CompileOptions::p_error_bits reads when set; empty: bits only).
  std::vector<double> relaxed_p_errors;
  std::size_t threads = 0;  // 0: all cores
};

/// Agreement of one setting with fp32 on the calibration images, in the clear or simulated.
struct CalibrationAgreement {
  std::size_t agreeing = 0;     // runs whose top-1 is fp32's
  std::size_t runs = 0;         // images (clear), images x draws (simulated); 0: not measured
  double mean_cosine = 0;       // of the logits against fp32's, over the runs (reported)
  double mean_relative_l2 = 0;  // |logits - fp32| / |fp32|, mean over the runs (the guard)
};

/// One setting the search evaluated: the current one with `site` read on `bits`, or (p_error > 0)
/// held to that target instead.
struct PrecisionTrial {
  std::string site;
  int bits = 0;
  double p_error = 0;
  double estimated_cost_units = 0;  // the estimate that ordered it
  double cost_units = 0;            // measured on the re-quantized circuit (0: no set holds it)
  CalibrationAgreement clear;       // measured when the cost dropped
  CalibrationAgreement simulated;   // measured when the clear agreement held
  bool accepted = false;
};

struct LoweredSite {
  std::string site;
  int bits_before = 0, bits_after = 0;
  std::uint64_t pbs = 0;  // per image
};

struct RelaxedSite {
  std::string site;
  double p_error_before = 0, p_error_after = 0;  // targets as CompileOptions states them (p_error_bits)
  std::uint64_t pbs = 0;                         // per image
};

struct PrecisionSearchResult {
  std::map<std::string, int> rounding_bits_by_node;  // the chosen setting (for the quantizer's config)
  std::map<std::string, double> p_error_by_node;     // and its targets (for CompileOptions)
  std::vector<LoweredSite> lowered;                  // circuit order
  std::vector<RelaxedSite> relaxed;                  // circuit order
  double cost_before = 0, cost_after = 0;            // cost_units (statistics.hpp) per image
  CalibrationAgreement clear_before, clear_after, simulated_before, simulated_after;
  std::vector<PrecisionTrial> trials;  // in the order tried
  std::size_t estimates = 0;           // compilations that only estimated a saving
  double seconds = 0;
};

/// Searches per-site rounding bits for `config` on the BN-folded graph. calibration: [N, input
/// shape...]; fp32_logits: the fp32 network's [N, classes] on them. Compiles with `options`
/// (multi_parameter is where a narrower site pays most: it can move to a cheaper set).
/// InvalidArgument for bad options or shapes, and what the quantizer and compiler throw for the
/// starting setting.
PrecisionSearchResult search_site_precision(const nn::Graph& folded_graph, const Tensor& calibration,
                                            const Tensor& fp32_logits, const nn::quant::QuantizationConfig& config,
                                            const CompileOptions& options, const PrecisionSearchOptions& search);

}  // namespace veil::compiler
