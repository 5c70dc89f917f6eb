#include "veil/compiler/fhe_program.hpp"

#include <algorithm>

namespace veil::compiler {

const PbsSite* FheProgram::site_of(QValueId node) const {
  for (const PbsSite& site : pbs_sites) {
    if (site.node == node) return &site;
  }
  return nullptr;
}

fhe::LweDimension FheProgram::big_dimension() const {
  fhe::LweDimension widest = params.big_lwe_dimension();
  for (const fhe::ParameterSet& set : partitions) widest = std::max(widest, set.big_lwe_dimension());
  return widest;
}

}  // namespace veil::compiler
