#pragma once
// Classification metrics over logits: top-k indices, softmax, top-1/top-5 accuracy, and how
// close logits are to a reference's.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace veil::nn {

/// Indices of the k largest scores, largest first; equal scores keep the lower index first.
/// Throws InvalidArgument when k exceeds the number of scores.
std::vector<std::int64_t> make_top_k(std::span<const float> scores, std::size_t k);

/// Numerically stable softmax; `out` must have the size of `logits`.
void softmax(std::span<const float> logits, std::span<float> out);

struct Prediction {
  std::int64_t index = 0;
  float probability = 0.0f;  // softmax of the logits
  std::string name;          // class name, empty when no names are given
};

/// The k most likely classes of one image. class_names may be empty; otherwise it must
/// have one name per logit.
std::vector<Prediction> make_predictions(std::span<const float> logits, const std::vector<std::string>& class_names,
                                         std::size_t k = 5);

/// Counts top-1 and top-5 hits over images.
class AccuracyCounter {
 public:
  /// Adds one image; label must index into logits (InvalidArgument otherwise).
  void add(std::span<const float> logits, std::int64_t label);
  std::size_t images() const { return images_; }
  /// Fractions in [0, 1]; 0 when no image was added.
  double top1() const;
  double top5() const;

 private:
  std::size_t images_ = 0, top1_hits_ = 0, top5_hits_ = 0;
};

/// How close logits are to reference logits (the fp32 model's), averaged over images: the
/// cosine of the two vectors and the relative L2 error |x - r| / |r|. Unlike top-1 agreement it
/// does not depend on each image's top-1 margin, so it tells quantization choices apart on a
/// network whose top classes are nearly tied.
class LogitAgreement {
 public:
  /// Adds one image. InvalidArgument for different or zero sizes, or a zero reference.
  void add(std::span<const float> logits, std::span<const float> reference);
  std::size_t images() const { return images_; }
  /// Means over the images added; 0 when none was.
  double mean_cosine() const;
  double mean_relative_l2() const;

 private:
  std::size_t images_ = 0;
  double cosine_sum_ = 0.0, relative_l2_sum_ = 0.0;
};

}  // namespace veil::nn
