#include "veil/compiler/pbs_tables.hpp"

#include "veil/common/error.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::compiler {

std::vector<fhe::LookupTable> make_pbs_tables(const FheProgram& program, const PbsSite& site) {
  const nn::quant::QNode& node = program.circuit.node(site.node);
  const nn::quant::LookupAttrs* lookup = nn::quant::pbs_lookup(node);
  if (!lookup || lookup->bits != site.precision_bits) {
    throw InvalidArgument("make_pbs_tables: node '" + node.name + "' is not the lookup of this PBS site");
  }
  std::vector<fhe::LookupTable> tables;
  std::vector<fhe::Torus> outputs(std::size_t{1} << site.precision_bits);
  for (std::int64_t c = 0; c < nn::quant::lookup_table_count(*lookup); ++c) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      // Negative entries wrap modulo 2^64, as every phase does.
      outputs[i] = static_cast<fhe::Torus>(nn::quant::lookup_entry(*lookup, c, static_cast<std::int64_t>(i)))
                   << site.output_exponent;
    }
    const fhe::ParameterSet& set = program.partitions[static_cast<std::size_t>(site.partition)];
    tables.push_back(fhe::make_lookup_table(set.polynomial_size, site.precision_bits, outputs));
  }
  return tables;
}

}  // namespace veil::compiler
