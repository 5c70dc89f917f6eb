#pragma once
// The registry of vetted 128-bit parameter sets and the security gate.
// Every set is copied from a published table and cites it (ParameterSet::source);
// see docs/parameters.md for the rules used to derive the per-target sets.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe {

/// Failure-probability targets per PBS offered for every precision.
enum class ErrorTarget {
  loose,  // p_error <= 0.05 per PBS (the reference system's setting; IND-CPA only, see docs)
  tight,  // p_error <= 2^-40 per PBS
};

/// The vetted set for a PBS reading `precision_bits` (1..8) message bits, fed by a dot
/// product whose integer weights have 2-norm <= 2^log2_norm2 (0..31). Throws InvalidArgument
/// if no vetted set covers the request.
const ParameterSet& vetted_parameter_set(int precision_bits, ErrorTarget target, int log2_norm2 = 0);

/// The longest name a set may have (the registry's are under 64 bytes; files store up to this).
inline constexpr std::size_t kMaxParameterSetNameBytes = 256;

/// Looks a vetted or toy set up by its name, or derives the optimizer's set a name stands for
/// (parameter_optimizer.hpp); throws InvalidArgument naming close matches, or the length of a name
/// longer than kMaxParameterSetNameBytes (refused unread: the close matches cost time in its length).
const ParameterSet& parameter_set_by_name(std::string_view name);

/// Every vetted set (not the toy ones), in a stable order.
std::vector<const ParameterSet*> all_vetted_parameter_sets();

/// Small, fast, INSECURE sets for unit tests of the algorithms (insecure_for_tests = true).
const ParameterSet& insecure_toy_parameter_set(int precision_bits);

/// Whether key generation may proceed on insecure toy sets. Pass for_tests only from tests.
enum class AllowInsecure { no, for_tests };

/// Throws SecurityError unless `params` is one of the registry's vetted sets or the parameter
/// optimizer's set its name stands for (same name and same fields) and its noise meets the
/// security curve for n and k*N; toy sets pass only
/// with AllowInsecure::for_tests. Called by every key generation entry point.
void require_secure(const ParameterSet& params, AllowInsecure allow = AllowInsecure::no);

/// The curve half of require_secure: throws SecurityError unless the LWE key (dimension n) and
/// the GLWE key (dimension k*N) both have dimension > 450 and noise at or above the curve's
/// minimum at params.security_bits (128 or 132). Checks sets that are not in the registry, such
/// as the parameter optimizer's (parameter_optimizer.hpp).
void require_on_security_curve(const ParameterSet& params);

/// Throws unless `sets`, the partitions of one program, may share nested GLWE keys (one secret of
/// the largest k·N whose prefixes are the smaller partitions' keys; docs/parameters.md "Nested
/// GLWE keys"): InvalidArgument when two sets of equal k·N differ in GLWE σ (one key, one σ), or
/// the sets differ in security level; SecurityError when a set of k·N = d above the next smaller
/// dimension d' of `sets` has σ_GLWE below curve(d − d'). Toy sets skip the curve rule with
/// AllowInsecure::for_tests. Empty or single-dimension lists pass.
void require_nested_glwe_keys(std::span<const ParameterSet* const> sets, AllowInsecure allow = AllowInsecure::no);

/// Index of the first of `sets` with the largest k·N: under nested keys, the partition whose GLWE
/// key holds every other's as a prefix. Throws InvalidArgument for an empty list.
std::size_t widest_glwe_key(std::span<const ParameterSet* const> sets);

/// The optimizer's relative cost of one PBS on a vetted set (the source table's cost column,
/// comparable across all vetted sets), or on an optimizer's set (Concrete's v0 cost model, which
/// reproduces that column). Throws InvalidArgument for any other set.
int parameter_set_cost(const ParameterSet& params);

/// Minimum Gaussian std dev (torus scale) the 128-bit curve allows for a binary key of
/// dimension `dimension` (n for LWE, k*N for GLWE); throws SecurityError for dimension <= 450.
double minimum_secure_std_dev(std::size_t dimension, int security_bits = 128);

}  // namespace veil::fhe
