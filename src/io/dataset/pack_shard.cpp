#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

// Extension by content, as webdataset decoders dispatch on it.
std::string member_extension(const LabelledImage& sample) {
  const auto& b = sample.encoded;
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "jpg";
  if (b.size() >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
  throw FormatError(sample.source + ": neither JPEG nor PNG, cannot be packed");
}

}  // namespace

std::size_t pack_shard(const std::filesystem::path& images_dir, const std::filesystem::path& labels_csv,
                       const std::filesystem::path& out_tar) {
  auto dataset = make_folder_dataset(images_dir, labels_csv);
  TarWriter writer(out_tar);
  LabelledImage sample;
  std::size_t count = 0;
  while (dataset->next(sample)) {
    if (!sample.ok()) throw IoError(sample.error);
    if (sample.key.find('.') != std::string::npos)
      throw InvalidArgument(sample.source + ": key '" + sample.key + "' contains a dot, which splits webdataset keys");
    const std::string label = std::to_string(sample.label);
    writer.add(sample.key + "." + member_extension(sample), sample.encoded);
    writer.add(sample.key + ".cls", std::span(reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
    ++count;
  }
  writer.finish();
  return count;
}

}  // namespace veil::io
