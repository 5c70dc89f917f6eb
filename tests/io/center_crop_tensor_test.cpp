#include <gtest/gtest.h>

#include <numeric>

#include "veil/common/error.hpp"
#include "veil/io/center_crop_tensor.hpp"

namespace veil::io {
namespace {

TEST(CenterCropTensor, TakesTheMiddleRowsAndColumnsOfEveryPlane) {
  Tensor images({2, 3, 6, 5});  // value = its flat index
  std::iota(images.data.begin(), images.data.end(), 0.0f);
  const Tensor crop = center_crop_tensor(images, 3);
  ASSERT_EQ(crop.shape, (Shape{2, 3, 3, 3}));
  // Rows [1, 4), columns [1, 4) of each 6x5 plane.
  for (std::int64_t p = 0; p < 6; ++p)
    for (std::int64_t r = 0; r < 3; ++r)
      for (std::int64_t c = 0; c < 3; ++c)
        EXPECT_EQ(crop.data[static_cast<std::size_t>((p * 3 + r) * 3 + c)],
                  static_cast<float>(p * 30 + (r + 1) * 5 + c + 1));
  EXPECT_EQ(center_crop_tensor(images, 5).shape, (Shape{2, 3, 5, 5}));
}

TEST(CenterCropTensor, RejectsCropsThatDoNotFit) {
  const Tensor image({3, 8, 8});
  EXPECT_THROW(center_crop_tensor(image, 9), InvalidArgument);
  EXPECT_THROW(center_crop_tensor(image, 0), InvalidArgument);
  EXPECT_THROW(center_crop_tensor(Tensor({8}), 4), InvalidArgument);
}

}  // namespace
}  // namespace veil::io
