#pragma once
// Labelled image datasets behind one iterator: a folder of images with a labels CSV,
// or webdataset tar shards (KEY.jpg + KEY.cls). A damaged item is reported on its
// own LabelledImage (error set) so a long evaluation run survives it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "veil/common/labelled_image.hpp"
#include "veil/io/preprocess.hpp"

namespace veil::io {

struct DatasetOptions {
  std::optional<std::uint64_t> shuffle_seed;  // unset: file order; set: reproducible permutation
  std::size_t num_images = 0;                 // 0: all
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Replaces `out` with the next item (key, label, encoded bytes, source); false when done.
  /// Structural damage (unreadable CSV, truncated tar) throws; a damaged item comes back with
  /// out.error set.
  virtual bool next(LabelledImage& out) = 0;
  /// The items next() yields in all, when known before reading them (a folder dataset: its CSV's
  /// rows, up to num_images); nullopt when only reading tells (shards).
  virtual std::optional<std::size_t> size() const { return std::nullopt; }
};

/// Images in `images_dir` listed by a CSV with header `file,label[,wnid,name]`.
/// Throws IoError / FormatError (naming file and line) on a bad CSV.
std::unique_ptr<Dataset> make_folder_dataset(const std::filesystem::path& images_dir,
                                             const std::filesystem::path& labels_csv,
                                             const DatasetOptions& options = {});

/// Every *.tar under `cache_dir` (recursively, sorted by path). Throws IoError when
/// there is none.
std::unique_ptr<Dataset> make_shard_dataset(const std::filesystem::path& cache_dir, const DatasetOptions& options = {});

/// The given shard files, in the given order.
std::unique_ptr<Dataset> make_shard_dataset(const std::vector<std::filesystem::path>& shards,
                                            const DatasetOptions& options = {});

/// Decodes item.encoded and preprocesses it into item.image (nn::PrepareImage's work); false
/// without trying for an item already in error, and on a decode error sets item.error
/// (skip-and-report) and returns false.
bool prepare_image(LabelledImage& item, const PreprocessConfig& config);

/// Packs a folder dataset into one webdataset shard: members KEY.jpg (or the file's
/// own extension) and KEY.cls. Returns the number of samples written. Throws IoError
/// / FormatError.
std::size_t pack_shard(const std::filesystem::path& images_dir, const std::filesystem::path& labels_csv,
                       const std::filesystem::path& out_tar);

}  // namespace veil::io
