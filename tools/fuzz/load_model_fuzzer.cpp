// model.qcir. Its loader parses the payload as it reads it and checks the envelope's SHA-256
// after, so a mutated file that parses fails there and never reaches validate_circuit or the
// resave: each input is loaded as a whole file, and again as a payload sealed in a valid
// envelope. What loads must save back to the same bytes.
#include "fuzz_loader.hpp"
#include "veil/compiler/model_file.hpp"

namespace {

using veil::nn::quant::QuantizedCircuit;

int load_and_resave(const std::string& file) {
  return veil::fuzz::fuzz_one_input(
      reinterpret_cast<const std::uint8_t*>(file.data()), file.size(),
      [](std::istream& in) { return veil::compiler::load_quantized_circuit(in); },
      [](const QuantizedCircuit& circuit, std::ostream& out) { veil::compiler::save_quantized_circuit(circuit, out); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = veil::fuzz::text_of(data, size);
  load_and_resave(input);
  std::ostringstream sealed(std::ios::binary);
  veil::ByteWriter writer(sealed);
  veil::write_envelope_header(writer, veil::compiler::kModelFileKind, input.size());
  writer.string(input);
  writer.checksum();
  return load_and_resave(sealed.str());
}
