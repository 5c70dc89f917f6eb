// webdataset shards through the dataset that reads them, in file order and in a seeded order
// (which indexes the headers first, then reads the images by offset).
#include <optional>
#include <vector>

#include "fuzz_loader.hpp"
#include "veil/io/dataset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path shard = veil::fuzz::input_file(data, size, "shard.tar");
  for (const std::optional<std::uint64_t> seed : {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{7}}) {
    veil::fuzz::load_or_refuse([&] {
      const auto dataset =
          veil::io::make_shard_dataset(std::vector<std::filesystem::path>{shard}, {.shuffle_seed = seed});
      veil::LabelledImage sample;
      while (dataset->next(sample)) {
      }
    });
  }
  return 0;
}
