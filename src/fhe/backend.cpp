// Backend's resident-array defaults: host memory, through the backend's host entry points.
#include <string>
#include <utility>

#include "fhe/cpu/backend_checks.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/nested_key_ciphertexts.hpp"

namespace veil::fhe {

namespace {

[[noreturn]] void refuse_foreign(std::string_view backend) {
  throw InvalidArgument(std::string(backend) + ": a resident array made by another backend");
}

const LweCiphertextArray& host_values(const ResidentArray& array, std::string_view backend) {
  const auto* host = dynamic_cast<const HostResidentArray*>(&array);
  if (host == nullptr) refuse_foreign(backend);
  return host->values;
}

LweCiphertextArray& host_values(ResidentArray& array, std::string_view backend) {
  auto* host = dynamic_cast<HostResidentArray*>(&array);
  if (host == nullptr) refuse_foreign(backend);
  return host->values;
}

}  // namespace

std::unique_ptr<ResidentArray> Backend::make_resident(std::size_t count, LweDimension dimension) {
  return std::make_unique<HostResidentArray>(count, dimension);
}

void Backend::upload(LweCiphertextArray from, ResidentArray& to) {
  check_resident_copy("upload", from, to);
  host_values(to, name()) = std::move(from);
}

void Backend::download(const ResidentArray& from, LweCiphertextArray& to) {
  check_resident_copy("download", to, from);
  to = host_values(from, name());
}

void Backend::bootstrap_resident(const ServerKey& key, const ResidentArray& inputs,
                                 std::span<const LookupTable* const> tables, ResidentArray& outputs) {
  check_resident_pbs_batch(name(), key, inputs, tables, outputs);
  const LweCiphertextArray& in = host_values(inputs, name());
  LweCiphertextArray& out = host_values(outputs, name());
  const LweDimension own = key.parameters().big_lwe_dimension();
  const LweCiphertextArray restricted = in.dimension() == own ? LweCiphertextArray() : restrict_to_prefix_key(in, own);
  const LweCiphertextArray& read = in.dimension() == own ? in : restricted;
  if (out.dimension() == own) return programmable_bootstrap_batch(key, read, tables, out);
  LweCiphertextArray narrow(out.size(), own);
  programmable_bootstrap_batch(key, read, tables, narrow);
  extend_to_wider_key(narrow, out);
}

void Backend::linear_resident(const ResidentLinearBatch& batch, ResidentArray& outputs) {
  check_linear_batch(name(), batch, outputs);
  // The terms are copied: cheap against the batch's multiply-adds (s of them per term and output).
  LinearBatch host;
  static_cast<LinearTerms&>(host) = batch;
  for (const ResidentArray* source : batch.sources) host.sources.push_back(&host_values(*source, name()));
  linear_batch(host, host_values(outputs, name()));
}

}  // namespace veil::fhe
