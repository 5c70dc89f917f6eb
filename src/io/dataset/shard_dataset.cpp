// webdataset shards: consecutive tar members sharing a key (the name up to the first
// dot of its last path component) form one sample, e.g. KEY.jpg + KEY.cls.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>

#include "io/dataset/label_text.hpp"
#include "io/dataset/sample_order.hpp"
#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

struct MemberName {
  std::string key;
  std::string extension;  // lowercase, without the dot
};

MemberName split_member_name(const std::string& name) {
  const auto slash = name.rfind('/');
  const auto dot = name.find('.', slash == std::string::npos ? 0 : slash + 1);
  if (dot == std::string::npos) return {name, ""};
  std::string extension = name.substr(dot + 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return {name.substr(0, dot), extension};
}

bool is_image_extension(const std::string& ext) { return ext == "jpg" || ext == "jpeg" || ext == "png"; }

// One sample's members as found in a shard; the image bytes are loaded only on demand.
struct Group {
  std::string key;
  std::size_t shard = 0;
  std::optional<TarMember> image;
  std::vector<std::uint8_t> image_bytes;
  std::optional<std::string> cls_text;
};

class ShardReader {
 public:
  ShardReader(std::filesystem::path path, std::size_t index)
      : path_(std::move(path)), index_(index), in_(path_, std::ios::binary), tar_(in_, path_.string()) {
    if (!in_) throw IoError("cannot open shard " + path_.string());
  }

  // Reads the next group; the image is read too when `load_image`, else only located.
  bool next_group(Group& out, bool load_image) {
    if (!lookahead_ && !advance()) return false;
    out = Group{};
    out.shard = index_;
    out.key = split_member_name(lookahead_->name).key;
    do {
      const auto name = split_member_name(lookahead_->name);
      if (name.key != out.key) return true;
      if (is_image_extension(name.extension) && !out.image) {
        if (lookahead_->size > kMaxImageFileBytes)
          throw FormatError(path_.string() + ": " + lookahead_->name + " claims " + std::to_string(lookahead_->size) +
                            " bytes, more than the " + std::to_string(kMaxImageFileBytes) +
                            " of any image veil decodes");
        out.image = *lookahead_;
        if (load_image) tar_.read_data(out.image_bytes);
      } else if (name.extension == "cls") {
        std::vector<std::uint8_t> text;
        if (lookahead_->size > 64)
          throw FormatError(path_.string() + ": " + lookahead_->name + " is " + std::to_string(lookahead_->size) +
                            " bytes, too long for a label");
        tar_.read_data(text);
        out.cls_text = std::string(text.begin(), text.end());
      }
    } while (advance());
    return true;
  }

  void read_at(std::uint64_t offset, std::uint64_t size, std::vector<std::uint8_t>& out) {
    tar_.read_at(offset, size, out);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  bool advance() {
    TarMember member;
    while (tar_.next(member)) {
      if (!member.regular) continue;
      lookahead_ = member;
      return true;
    }
    lookahead_.reset();
    return false;
  }

  std::filesystem::path path_;
  std::size_t index_;
  std::ifstream in_;
  TarReader tar_;
  std::optional<TarMember> lookahead_;
};

void fill_item(Group& group, const std::filesystem::path& shard, LabelledImage& out) {
  out = LabelledImage{};
  out.key = group.key;
  out.source = shard.string();
  out.encoded = std::move(group.image_bytes);
  const std::string where = shard.string() + ": sample " + group.key;
  if (!group.cls_text) {
    out.error = where + " has no " + group.key + ".cls label member";
  } else if (const auto label = detail::parse_label(*group.cls_text)) {
    out.label = *label;
  } else {
    out.error = where + ": label '" + *group.cls_text + "' in .cls is not a non-negative integer";
  }
  if (!group.image && out.error.empty()) out.error = where + " has no .jpg/.jpeg/.png image member";
}

// File order: one shard after another, each read once, front to back.
class StreamingShardDataset : public Dataset {
 public:
  StreamingShardDataset(std::vector<std::filesystem::path> shards, std::size_t limit)
      : shards_(std::move(shards)), limit_(limit) {}

  bool next(LabelledImage& out) override {
    if (limit_ != 0 && produced_ == limit_) return false;
    Group group;
    while (true) {
      if (!reader_) {
        if (next_shard_ == shards_.size()) return false;
        reader_ = std::make_unique<ShardReader>(shards_[next_shard_], next_shard_);
        ++next_shard_;
      }
      if (reader_->next_group(group, true)) break;
      reader_.reset();
    }
    fill_item(group, reader_->path(), out);
    ++produced_;
    return true;
  }

 private:
  std::vector<std::filesystem::path> shards_;
  std::size_t limit_;
  std::size_t next_shard_ = 0;
  std::size_t produced_ = 0;
  std::unique_ptr<ShardReader> reader_;
};

// Seeded order: one pass over the headers (payloads are seeked over) indexes every
// sample; the chosen ones are then read by offset.
class ShuffledShardDataset : public Dataset {
 public:
  ShuffledShardDataset(std::vector<std::filesystem::path> shards, std::uint64_t seed, std::size_t limit)
      : shards_(std::move(shards)) {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      ShardReader reader(shards_[i], i);
      Group group;
      while (reader.next_group(group, false)) groups_.push_back(std::move(group));
    }
    order_ = detail::make_sample_order(groups_.size(), seed, limit);
  }

  bool next(LabelledImage& out) override {
    if (position_ == order_.size()) return false;
    Group& group = groups_[order_[position_++]];
    if (group.image) {
      if (!reader_ || reader_index_ != group.shard) {
        reader_ = std::make_unique<ShardReader>(shards_[group.shard], group.shard);
        reader_index_ = group.shard;
      }
      reader_->read_at(group.image->data_offset, group.image->size, group.image_bytes);
    }
    fill_item(group, shards_[group.shard], out);
    return true;
  }

 private:
  std::vector<std::filesystem::path> shards_;
  std::vector<Group> groups_;
  std::vector<std::size_t> order_;
  std::size_t position_ = 0;
  std::unique_ptr<ShardReader> reader_;
  std::size_t reader_index_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> make_shard_dataset(const std::vector<std::filesystem::path>& shards,
                                            const DatasetOptions& options) {
  if (shards.empty()) throw InvalidArgument("shard dataset given no shard files");
  if (options.shuffle_seed)
    return std::make_unique<ShuffledShardDataset>(shards, *options.shuffle_seed, options.num_images);
  return std::make_unique<StreamingShardDataset>(shards, options.num_images);
}

std::unique_ptr<Dataset> make_shard_dataset(const std::filesystem::path& cache_dir, const DatasetOptions& options) {
  if (!std::filesystem::is_directory(cache_dir))
    throw IoError("dataset cache directory " + cache_dir.string() + " does not exist");
  std::vector<std::filesystem::path> shards;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           cache_dir, std::filesystem::directory_options::follow_directory_symlink))
    if (entry.is_regular_file() && entry.path().extension() == ".tar") shards.push_back(entry.path());
  if (shards.empty())
    throw IoError("no *.tar shards under " + cache_dir.string() +
                  " (expected webdataset shards such as imagenet1k-validation-00000.tar)");
  std::sort(shards.begin(), shards.end());
  return make_shard_dataset(shards, options);
}

}  // namespace veil::io
