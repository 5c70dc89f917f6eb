// Class-name files: the first byte chooses the form (even: one name per line, .txt; odd:
// index,wnid,name, .csv), the rest is the file.
#include "fuzz_loader.hpp"
#include "veil/io/class_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char* name = data[0] % 2 ? "class_index.csv" : "imagenet_classes_pytorch_hub.txt";
  const std::filesystem::path path = veil::fuzz::input_file(data + 1, size - 1, name);
  return veil::fuzz::load_or_refuse([&] { veil::io::load_class_names(path); });
}
