// torchvision .pth checkpoints: zip archive, restricted unpickler, tensor materialization, under
// the default CheckpointLimits.
#include "fuzz_loader.hpp"
#include "veil/io/state_dict.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return veil::fuzz::load_or_refuse([&] { veil::io::load_state_dict(veil::fuzz::bytes_of(data, size), "fuzz.pth"); });
}
