#include "io/pth/pickle_value.hpp"

namespace veil::io::detail {

std::size_t element_size(StorageDtype dtype) {
  switch (dtype) {
    case StorageDtype::kFloat16:
    case StorageDtype::kBFloat16: return 2;
    case StorageDtype::kFloat32: return 4;
    case StorageDtype::kFloat64:
    case StorageDtype::kInt64: return 8;
  }
  return 0;
}

const char* dtype_name(StorageDtype dtype) {
  switch (dtype) {
    case StorageDtype::kFloat16: return "float16";
    case StorageDtype::kBFloat16: return "bfloat16";
    case StorageDtype::kFloat32: return "float32";
    case StorageDtype::kFloat64: return "float64";
    case StorageDtype::kInt64: return "int64";
  }
  return "?";
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kString: return "str";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kDict: return "dict";
    case Kind::kGlobal: return "global";
    case Kind::kStorage: return "storage";
    case Kind::kTensor: return "tensor";
  }
  return "?";
}

}  // namespace veil::io::detail
