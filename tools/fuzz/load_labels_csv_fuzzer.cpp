// The labels CSV of a folder dataset (`file,label[,wnid,name]`), parsed when the dataset is made.
// The images it names are not read: their bytes have fuzzers of their own.
#include "fuzz_loader.hpp"
#include "veil/io/dataset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path csv = veil::fuzz::input_file(data, size, "labels.csv");
  return veil::fuzz::load_or_refuse([&] { veil::io::make_folder_dataset(csv.parent_path(), csv); });
}
