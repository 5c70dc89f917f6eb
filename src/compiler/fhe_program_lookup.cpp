#include "veil/compiler/fhe_program.hpp"

namespace veil::compiler {

const PbsSite* FheProgram::site_of(QValueId node) const {
  for (const PbsSite& site : pbs_sites) {
    if (site.node == node) return &site;
  }
  return nullptr;
}

}  // namespace veil::compiler
