#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "io/pth/pickle_value.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/io/zip_archive.hpp"

namespace veil::io {
namespace {

using detail::StorageDtype;
using detail::TensorSpec;

// Larger tensors than this are certainly corrupt sizes: ResNet-18's biggest has 2.4M.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 31;
constexpr std::uint64_t kMaxByteorderBytes = 16;  // "little" or "big"

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1F;
  std::uint32_t mantissa = h & 0x3FF;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Subnormal half: exact in float as mantissa * 2^-24.
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

float load_element(const std::uint8_t* p, StorageDtype dtype) {
  switch (dtype) {
    case StorageDtype::kFloat32: {
      std::uint32_t raw;
      std::memcpy(&raw, p, 4);
      return std::bit_cast<float>(raw);
    }
    case StorageDtype::kFloat16: return half_to_float(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
    case StorageDtype::kBFloat16: return std::bit_cast<float>(static_cast<std::uint32_t>(p[0] | (p[1] << 8)) << 16);
    case StorageDtype::kFloat64: {
      std::uint64_t raw;
      std::memcpy(&raw, p, 8);
      return static_cast<float>(std::bit_cast<double>(raw));
    }
    case StorageDtype::kInt64: {
      std::int64_t raw;
      std::memcpy(&raw, p, 8);
      return static_cast<float>(raw);
    }
  }
  return 0.0f;
}

class CheckpointReader {
 public:
  CheckpointReader(std::span<const std::uint8_t> bytes, const std::string& name, const CheckpointLimits& limits)
      : zip_(bytes, name), name_(name), limits_(limits) {
    for (const auto& entry : zip_.entries()) {
      const auto slash = entry.name.find('/');
      if (slash != std::string::npos && entry.name.substr(slash) == "/data.pkl") {
        prefix_ = entry.name.substr(0, slash + 1);
        pickle_entry_ = &entry;
        break;
      }
    }
    if (!pickle_entry_)
      throw FormatError(name + ": zip archive has no <archive>/data.pkl entry (not a torch.save checkpoint)");
    if (const auto* order = zip_.find(prefix_ + "byteorder")) {
      const auto value = zip_.read(*order, kMaxByteorderBytes);
      if (std::string(value.begin(), value.end()) != "little")
        throw FormatError(name + ": byteorder is '" + std::string(value.begin(), value.end()) +
                          "', only 'little' is supported");
    }
  }

  StateDict load() {
    const detail::Pickle pickle =
        detail::unpickle_checkpoint(zip_.read(*pickle_entry_, limits_.max_pickle_bytes), name_);
    const detail::PickleValue* root = pickle.root;
    if (root->kind != detail::Kind::kDict)
      throw FormatError(name_ + ": data.pkl holds a " + detail::kind_name(root->kind) + ", expected a state_dict");
    StateDict out;
    for (std::size_t i = 0; i + 1 < root->items.size(); i += 2) {
      const auto& key = root->items[i];
      const auto& value = root->items[i + 1];
      if (key->kind != detail::Kind::kString)
        throw FormatError(name_ + ": state_dict key is a " + detail::kind_name(key->kind) + ", expected a string");
      if (value->kind != detail::Kind::kTensor)
        throw FormatError(name_ + ": state_dict entry " + key->text + " is a " + detail::kind_name(value->kind) +
                          ", expected a tensor");
      out[key->text] = materialize(key->text, value->tensor);
    }
    return out;
  }

 private:
  const std::vector<std::uint8_t>& storage_bytes(const detail::StorageRef& ref, const std::string& tensor) {
    auto it = storages_.find(ref.key);
    if (it != storages_.end()) return it->second;
    const auto* entry = zip_.find(prefix_ + "data/" + ref.key);
    if (!entry)
      throw FormatError(name_ + ": tensor " + tensor + " needs storage " + prefix_ + "data/" + ref.key +
                        ", which is missing");
    const auto numel = static_cast<std::uint64_t>(ref.numel);
    if (numel > limits_.max_elements - elements_read_)
      throw FormatError(name_ + ": storage " + ref.key + " of tensor " + tensor + " has " + std::to_string(numel) +
                        " elements, over the checkpoint's limit of " + std::to_string(limits_.max_elements) +
                        " elements (" + std::to_string(elements_read_) + " already read)");
    // torch.save writes each storage as exactly numel elements.
    const auto need = numel * detail::element_size(ref.dtype);
    if (entry->size != need)
      throw FormatError(name_ + ": storage " + ref.key + " of tensor " + tensor + " has " +
                        std::to_string(entry->size) + " bytes, expected " + std::to_string(ref.numel) + " " +
                        detail::dtype_name(ref.dtype) + " elements");
    elements_read_ += numel;
    return storages_.emplace(ref.key, zip_.read(*entry, need)).first->second;
  }

  Tensor materialize(const std::string& tensor_name, const TensorSpec& spec) {
    const std::string what = name_ + ": tensor " + tensor_name;
    if (spec.offset < 0) throw FormatError(what + " has negative storage offset " + std::to_string(spec.offset));
    std::int64_t count = 1;
    for (std::size_t d = 0; d < spec.size.size(); ++d) {
      const auto n = spec.size[d];
      const auto s = spec.stride[d];
      if (n < 0 || s < 0 || n > kMaxElements || s > kMaxElements)
        throw FormatError(what + " has size " + to_string(spec.size) + " and stride " + to_string(spec.stride) +
                          ", expected non-negative values up to 2^31");
      count *= n;
      if (count > kMaxElements) throw FormatError(what + " has absurd size " + to_string(spec.size));
    }
    const auto& bytes = storage_bytes(spec.storage, tensor_name);
    // The furthest element touched, in checked arithmetic: offset, size and stride come from
    // the file, and an offset near INT64_MAX would otherwise wrap below the storage's end.
    if (count > 0) {
      std::int64_t last = spec.offset;
      for (std::size_t d = 0; d < spec.size.size(); ++d) {
        std::int64_t reach = 0;
        if (__builtin_mul_overflow(spec.size[d] - 1, spec.stride[d], &reach) ||
            __builtin_add_overflow(last, reach, &last) || last >= spec.storage.numel)
          throw FormatError(what + " of size " + to_string(spec.size) + ", stride " + to_string(spec.stride) +
                            " and offset " + std::to_string(spec.offset) + " overruns its storage of " +
                            std::to_string(spec.storage.numel) + " elements");
      }
      if (last >= spec.storage.numel)
        throw FormatError(what + " has storage offset " + std::to_string(spec.offset) + " beyond its storage of " +
                          std::to_string(spec.storage.numel) + " elements");
    }
    // A view can repeat its storage (stride 0): the tensors are bounded on their own.
    if (static_cast<std::uint64_t>(count) > limits_.max_elements - elements_made_)
      throw FormatError(what + " of size " + to_string(spec.size) + " has " + std::to_string(count) +
                        " elements, over the checkpoint's limit of " + std::to_string(limits_.max_elements) +
                        " elements (" + std::to_string(elements_made_) + " already made)");
    elements_made_ += static_cast<std::uint64_t>(count);
    Tensor out(spec.size);
    const std::size_t elem = detail::element_size(spec.storage.dtype);
    const std::size_t dims = spec.size.size();
    std::vector<std::int64_t> index(dims, 0);
    std::int64_t source = spec.offset;
    for (std::int64_t i = 0; i < count; ++i) {
      out.data[static_cast<std::size_t>(i)] = load_element(bytes.data() + source * elem, spec.storage.dtype);
      // Odometer over the dimensions, last fastest, keeping the source index in step.
      for (std::size_t d = dims; d-- > 0;) {
        source += spec.stride[d];
        if (++index[d] < spec.size[d]) break;
        source -= spec.stride[d] * spec.size[d];
        index[d] = 0;
      }
    }
    return out;
  }

  ZipArchive zip_;
  std::string name_;
  std::string prefix_;
  CheckpointLimits limits_;
  std::uint64_t elements_read_ = 0;  // of storages
  std::uint64_t elements_made_ = 0;  // of tensors
  const ZipEntry* pickle_entry_ = nullptr;
  std::map<std::string, std::vector<std::uint8_t>> storages_;
};

std::span<const std::uint8_t> as_bytes(const std::string& bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

}  // namespace

StateDict load_state_dict(std::span<const std::uint8_t> bytes, const std::string& name,
                          const CheckpointLimits& limits) {
  return CheckpointReader(bytes, name, limits).load();
}

StateDict load_state_dict(std::istream& in, const std::string& name, const CheckpointLimits& limits) {
  const std::string bytes = read_stream_limited(in, name, limits.max_file_bytes());
  return load_state_dict(as_bytes(bytes), name, limits);
}

StateDict load_state_dict(const std::filesystem::path& path, const CheckpointLimits& limits) {
  const std::string bytes = read_file_limited(path, "checkpoint", limits.max_file_bytes());
  return load_state_dict(as_bytes(bytes), path.string(), limits);
}

}  // namespace veil::io
