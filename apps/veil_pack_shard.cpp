// veil_pack_shard --images DIR --labels CSV --out shard.tar
// Packs a folder of labelled images into one webdataset shard (KEY.jpg + KEY.cls).
#include <iostream>
#include <string>

#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"

namespace {

constexpr const char* kUsage = "usage: veil_pack_shard --images DIR --labels CSV --out SHARD.tar\n"
                               "  CSV has the header file,label[,wnid,name]; each image becomes KEY.jpg (or .png)\n"
                               "  and KEY.cls (decimal label), KEY being the file name without its extension.\n";

}  // namespace

int main(int argc, char** argv) {
  std::string images, labels, out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "veil_pack_shard: " << arg << " needs a value\n" << kUsage;
      return 2;
    }
    if (arg == "--images") {
      images = argv[++i];
    } else if (arg == "--labels") {
      labels = argv[++i];
    } else if (arg == "--out") {
      out = argv[++i];
    } else {
      std::cerr << "veil_pack_shard: unknown option " << arg << "\n" << kUsage;
      return 2;
    }
  }
  if (images.empty() || labels.empty() || out.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    const std::size_t count = veil::io::pack_shard(images, labels, out);
    std::cout << "veil_pack_shard: wrote " << count << " samples to " << out << "\n";
    return 0;
  } catch (const veil::Error& e) {
    std::cerr << "veil_pack_shard: " << e.what() << "\n";
    return 1;
  }
}
