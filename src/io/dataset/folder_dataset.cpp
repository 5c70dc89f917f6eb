// A folder of images plus a labels CSV (`file,label[,wnid,name]`).
#include <fstream>

#include "io/dataset/label_text.hpp"
#include "io/dataset/sample_order.hpp"
#include "veil/common/error.hpp"
#include "veil/common/line_reader.hpp"
#include "veil/io/csv.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"

namespace veil::io {
namespace {

struct Row {
  std::string file;
  int label;
};

// A row names a file (PATH_MAX is 4096) and its label. 2^21 rows hold ImageNet's 1.28 M training
// images (its validation set is 50,000) at up to 64 bytes a row on average.
constexpr LineLimits kLabelsCsvLimits{4096, std::size_t{1} << 21, std::uint64_t{128} << 20};

std::vector<Row> read_labels_csv(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  if (!in) throw IoError("cannot open labels CSV " + csv.string());
  std::vector<Row> rows;
  std::string line;
  LineReader lines(in, "labels CSV " + csv.string(), kLabelsCsvLimits);
  while (lines.next(line)) {
    const std::size_t number = lines.line_number();
    const std::string where = csv.string() + ":" + std::to_string(number);
    const auto fields = split_csv_line(line, where);
    if (number == 1) {
      if (fields.size() < 2 || fields[0] != "file" || fields[1] != "label")
        throw FormatError(where + ": header '" + line + "', expected file,label[,wnid,name]");
      continue;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() < 2 || fields[0].empty())
      throw FormatError(where + ": '" + line + "', expected file,label[,...]");
    const auto label = detail::parse_label(fields[1]);
    if (!label) throw FormatError(where + ": label '" + fields[1] + "' is not a non-negative integer");
    rows.push_back({fields[0], *label});
  }
  if (rows.empty()) throw FormatError(csv.string() + ": no rows below the header");
  return rows;
}

class FolderDataset : public Dataset {
 public:
  FolderDataset(std::filesystem::path images_dir, std::vector<Row> rows, const DatasetOptions& options)
      : images_dir_(std::move(images_dir)),
        rows_(std::move(rows)),
        order_(detail::make_sample_order(rows_.size(), options.shuffle_seed, options.num_images)) {}

  bool next(LabelledImage& out) override {
    if (position_ == order_.size()) return false;
    const Row& row = rows_[order_[position_++]];
    const auto path = images_dir_ / row.file;
    out = LabelledImage{};
    out.key = std::filesystem::path(row.file).stem().string();
    out.label = row.label;
    out.source = path.string();
    try {
      out.encoded = read_file_bytes(path);
    } catch (const Error& e) {  // unreadable, or larger than any image veil decodes
      out.error = e.what();
    }
    return true;
  }

  std::optional<std::size_t> size() const override { return order_.size(); }

 private:
  std::filesystem::path images_dir_;
  std::vector<Row> rows_;
  std::vector<std::size_t> order_;
  std::size_t position_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> make_folder_dataset(const std::filesystem::path& images_dir,
                                             const std::filesystem::path& labels_csv, const DatasetOptions& options) {
  if (!std::filesystem::is_directory(images_dir))
    throw IoError("image folder " + images_dir.string() + " does not exist");
  return std::make_unique<FolderDataset>(images_dir, read_labels_csv(labels_csv), options);
}

}  // namespace veil::io
