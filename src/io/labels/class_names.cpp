#include "veil/io/class_names.hpp"

#include <fstream>

#include "veil/common/error.hpp"
#include "veil/common/line_reader.hpp"
#include "veil/io/csv.hpp"

namespace veil::io {
namespace {

constexpr const char* kTextName = "imagenet_classes_pytorch_hub.txt";
constexpr const char* kCsvName = "class_index.csv";

// ImageNet-1k has 1,000 classes (21k: 21,841) and no entry near 200 bytes; far above both.
constexpr LineLimits kClassNameLimits{1024, 100'000, std::uint64_t{16} << 20};

}  // namespace

std::vector<std::string> load_class_names(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw IoError("class names file " + path.string() + " cannot be opened; expected " + kTextName +
                  " (one name per line) or " + kCsvName + " (index,wnid,name), e.g. from ../shared/data/labels");
  std::vector<std::string> names;
  std::string line;
  const bool csv = path.extension() == ".csv";
  LineReader lines(in, "class names file " + path.string(), kClassNameLimits);
  while (lines.next(line)) {
    const std::size_t number = lines.line_number();
    const std::string where = path.string() + ":" + std::to_string(number);
    if (!csv) {
      if (line.empty()) throw FormatError(where + ": empty class name");
      names.push_back(line);
      continue;
    }
    const auto fields = split_csv_line(line, where);
    if (number == 1 && !fields.empty() && fields[0] == "index") continue;
    if (fields.size() != 3)
      throw FormatError(where + ": " + std::to_string(fields.size()) + " fields, expected index,wnid,name");
    if (fields[0] != std::to_string(names.size()))
      throw FormatError(where + ": index '" + fields[0] + "', expected " + std::to_string(names.size()));
    names.push_back(fields[2]);
  }
  if (names.empty()) throw FormatError(path.string() + ": no class names");
  return names;
}

std::vector<std::string> find_class_names(const std::vector<std::filesystem::path>& dirs) {
  std::string searched;
  for (const auto& dir : dirs) {
    for (const auto& folder : {dir, dir / "labels"}) {
      for (const char* name : {kTextName, kCsvName}) {
        const auto candidate = folder / name;
        if (std::filesystem::exists(candidate)) return load_class_names(candidate);
        searched.append(" ").append(candidate.string());
      }
    }
  }
  throw IoError(std::string("no ImageNet class names found; looked for") + searched);
}

}  // namespace veil::io
