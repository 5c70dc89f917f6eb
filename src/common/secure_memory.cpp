#include "veil/common/secure_memory.hpp"

#include <string.h>  // explicit_bzero (glibc >= 2.25): a store the optimizer must keep

namespace veil {

void secure_zero(void* data, std::size_t bytes) noexcept {
  if (data != nullptr && bytes != 0) explicit_bzero(data, bytes);
}

}  // namespace veil
