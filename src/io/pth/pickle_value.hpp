#pragma once
// The values the checkpoint unpickler can produce: plain Python data plus references
// to tensor storages and tensors, which are materialized later from the archive.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"

namespace veil::io::detail {

enum class StorageDtype { kFloat32, kFloat16, kBFloat16, kFloat64, kInt64 };

std::size_t element_size(StorageDtype dtype);
const char* dtype_name(StorageDtype dtype);

struct StorageRef {
  std::string key;  // entry <archive>/data/<key>
  StorageDtype dtype = StorageDtype::kFloat32;
  std::int64_t numel = 0;
};

struct TensorSpec {
  StorageRef storage;
  std::int64_t offset = 0;  // in elements
  Shape size;
  Shape stride;  // in elements
};

enum class Kind { kNone, kBool, kInt, kFloat, kString, kTuple, kList, kDict, kGlobal, kStorage, kTensor };

const char* kind_name(Kind kind);

struct PickleValue;
/// Values point at each other without owning: their Pickle owns them all (below).
using ValuePtr = PickleValue*;

struct PickleValue {
  Kind kind = Kind::kNone;
  std::int64_t integer = 0;     // kInt, kBool
  double real = 0.0;            // kFloat
  std::string text;             // kString; kGlobal as "module.name"
  std::vector<ValuePtr> items;  // kTuple, kList; kDict as key, value, key, value...
  StorageRef storage;           // kStorage
  TensorSpec tensor;            // kTensor
};

/// Every value the unpickler made, owned in one flat list, so that freeing them never recurses
/// (a crafted pickle nests 250,000 tuples in 1 KB) and cycles (a list appended to itself
/// through the memo) cannot leak.
struct Pickle {
  std::vector<std::unique_ptr<PickleValue>> values;
  ValuePtr root = nullptr;  // the value STOP returned
};

/// Values one pickle may make: ResNet-18's data.pkl makes ~2,100; 2^18 is 120 times that and
/// bounds what a small deflated pickle can allocate (2 bytes of pickle per value, ~250 bytes
/// each: 64 MiB).
inline constexpr std::size_t kMaxPickleValues = std::size_t{1} << 18;

/// Runs the restricted unpickler over data.pkl. Throws FormatError naming the opcode
/// and its offset for anything outside what state_dicts use, or past kMaxPickleValues.
Pickle unpickle_checkpoint(const std::vector<std::uint8_t>& pickle, const std::string& name);

}  // namespace veil::io::detail
