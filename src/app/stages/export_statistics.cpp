#include "veil/compiler/statistics.hpp"
#include "veil/app/stages/resnet18_fhe_flow.hpp"
#include "veil/common/file_io.hpp"

namespace veil::app {

void export_statistics(const compiler::FheProgram& program, const std::filesystem::path& path, std::ostream& out) {
  const compiler::CircuitStatistics stats = compiler::make_statistics(program);
  write_file_atomically(path, compiler::statistics_json(stats));
  out << "\nCircuit statistics (" << veil::to_string(program.circuit.node(0).shape) << " input), written to "
      << path.string() << ":\n"
      << compiler::statistics_summary(stats);
}

}  // namespace veil::app
