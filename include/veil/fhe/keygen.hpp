#pragma once
// Key generation. Every entry point first calls require_secure(params, allow): unvetted
// sets are refused, toy sets need AllowInsecure::for_tests.
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/compressed_server_key.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// Uniform binary small LWE key and GLWE key for `params`. Throws SecurityError (see require_secure).
ClientKey make_client_key(const ParameterSet& params, Csprng& rng, AllowInsecure allow = AllowInsecure::no);

/// The client key of another partition of a multi-parameter program: a fresh small key of
/// `params`' n and, as its GLWE key, the first k*N coefficients of `shared`'s (nested keys,
/// docs/parameters.md), so that the PBS outputs of every partition, padded with zeros, sit under
/// the widest partition's key. Throws InvalidArgument when `params`' k*N exceeds shared's or the
/// pair breaks require_nested_glwe_keys' structure, SecurityError as require_secure or the
/// nested-key curve rule.
ClientKey make_partition_client_key(const ClientKey& shared, const ParameterSet& params, Csprng& rng,
                                    AllowInsecure allow = AllowInsecure::no);

/// The bootstrapping key (GGSW of each small-key bit under the GLWE key, PBS decomposition,
/// Fourier domain) and the key-switching key (big key -> small key, KS decomposition).
/// Uses every thread of `pool`; the result depends only on rng's state, not on the thread count.
/// It is make_compressed_server_key(...).decompress(pool): one way to make key material.
ServerKey make_server_key(const ClientKey& client, Csprng& rng, ThreadPool& pool,
                          AllowInsecure allow = AllowInsecure::no);

/// The same keys as the client sends them (compressed_server_key.hpp): masks from two public
/// seeds drawn from `rng`, the noise from `rng`.
CompressedServerKey make_compressed_server_key(const ClientKey& client, Csprng& rng, ThreadPool& pool,
                                               AllowInsecure allow = AllowInsecure::no);

}  // namespace veil::fhe
