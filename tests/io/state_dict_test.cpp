// load_state_dict against checkpoints written by torch.save in make_io_fixtures.py;
// expected values are PyTorch's own, printed with 9 significant digits (exact for float32).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "io_test_paths.hpp"
#include "veil/common/error.hpp"
#include "veil/io/image.hpp"
#include "veil/io/state_dict.hpp"

namespace veil::io {
namespace {

using testing::artifacts_dir;

StateDict read_expected(const std::filesystem::path& path) {
  StateDict out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, shape_text, values_text;
    std::getline(fields, name, '\t');
    std::getline(fields, shape_text, '\t');
    std::getline(fields, values_text);
    Shape shape;
    std::istringstream dims(shape_text);
    for (std::string d; std::getline(dims, d, ',');) shape.push_back(std::stoll(d));
    std::vector<float> values;
    std::istringstream numbers(values_text);
    for (std::string v; numbers >> v;) values.push_back(std::strtof(v.c_str(), nullptr));
    out[name] = Tensor(shape, values);
  }
  return out;
}

void expect_same(const StateDict& actual, const StateDict& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [name, tensor] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(actual.count(name));
    const Tensor& got = actual.at(name);
    ASSERT_EQ(got.shape, tensor.shape) << to_string(got.shape) << " vs " << to_string(tensor.shape);
    for (std::size_t i = 0; i < tensor.data.size(); ++i) {
      if (std::isinf(tensor.data[i])) {
        EXPECT_EQ(got.data[i], tensor.data[i]) << "element " << i;
      } else {
        EXPECT_EQ(got.data[i], tensor.data[i]) << "element " << i;
        EXPECT_EQ(std::signbit(got.data[i]), std::signbit(tensor.data[i])) << "element " << i;
      }
    }
  }
}

class StateDictFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(StateDictFiles, MatchesPyTorchValues) {
  const auto dir = artifacts_dir() / "checkpoints";
  const auto pth = dir / (GetParam() + ".pth");
  VEIL_REQUIRE_FILE(pth);
  const bool same_as_basic = GetParam() == "deflate" || GetParam() == "zip64";
  const auto expected_name = same_as_basic ? "basic" : GetParam();
  expect_same(load_state_dict(pth), read_expected(dir / (expected_name + ".txt")));
}

INSTANTIATE_TEST_SUITE_P(TorchSave, StateDictFiles, ::testing::Values("basic", "dtypes", "views", "deflate", "zip64"));

TEST(StateDict, BufferAndStreamOverloadsAgreeWithPath) {
  const auto pth = artifacts_dir() / "checkpoints" / "basic.pth";
  VEIL_REQUIRE_FILE(pth);
  const auto bytes = read_file_bytes(pth);
  std::ifstream in(pth, std::ios::binary);
  const StateDict from_path = load_state_dict(pth);
  expect_same(load_state_dict(bytes, "basic"), from_path);
  expect_same(load_state_dict(in, "basic"), from_path);
  EXPECT_EQ(from_path.at("1.num_batches_tracked").data.at(0), 12345.0f);
  EXPECT_EQ(from_path.at("0.weight").shape, (Shape{4, 3, 3, 3}));
}

TEST(StateDict, CraftedCheckpointHonoursOffset) {
  const auto pth = artifacts_dir() / "checkpoints" / "malformed" / "crafted_ok.pth";
  VEIL_REQUIRE_FILE(pth);
  const StateDict sd = load_state_dict(pth);
  EXPECT_EQ(sd.at("w").data, (std::vector<float>{1.0f, 2.0f, 3.0f}));
}

class MalformedCheckpoints : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(MalformedCheckpoints, ThrowFormatErrorSayingWhy) {
  const auto& [file, phrase] = GetParam();
  const auto pth = artifacts_dir() / "checkpoints" / "malformed" / file;
  VEIL_REQUIRE_FILE(pth);
  try {
    load_state_dict(pth);
    FAIL() << file << " was accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Files, MalformedCheckpoints,
                         ::testing::Values(std::pair{"unknown_global.pth", "global os.system is not allowed"},
                                           std::pair{"bad_opcode.pth", "opcode 0xfe at offset 2"},
                                           std::pair{"truncated_pickle.pth", "data.pkl"},
                                           std::pair{"short_storage.pth", "bytes, expected"},
                                           std::pair{"missing_storage.pth", "which is missing"},
                                           std::pair{"missing_pickle.pth", "no <archive>/data.pkl"},
                                           std::pair{"big_endian.pth", "byteorder is 'big'"},
                                           std::pair{"not_zip.pth", "end-of-central-directory"},
                                           std::pair{"bad_crc.pth", "CRC-32"}, std::pair{"absurd_size.pth", "size"},
                                           std::pair{"stride_overrun.pth", "overruns its storage"},
                                           std::pair{"offset_overrun.pth", "overruns its storage"},
                                           std::pair{"numel_lie.pth", "expected 400 float32 elements"}));

TEST(StateDict, EveryTruncationIsRefused) {
  const auto pth = artifacts_dir() / "checkpoints" / "basic.pth";
  VEIL_REQUIRE_FILE(pth);
  const auto bytes = read_file_bytes(pth);
  for (std::size_t size = 0; size < bytes.size(); size += 7) {
    std::span<const std::uint8_t> cut(bytes.data(), size);
    EXPECT_THROW(load_state_dict(cut, "cut at " + std::to_string(size)), FormatError) << size;
  }
}

TEST(StateDict, FlippedBytesNeverCrash) {
  // Every byte of the file flipped in turn: loading either fails with a veil::Error or,
  // where the byte is padding or a field nobody reads, still yields the same tensors.
  const auto pth = artifacts_dir() / "checkpoints" / "views.pth";
  VEIL_REQUIRE_FILE(pth);
  const auto original = read_file_bytes(pth);
  const StateDict reference = load_state_dict(original, "views");
  std::size_t refused = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    auto bytes = original;
    bytes[i] ^= 0xA5;
    try {
      const StateDict sd = load_state_dict(bytes, "flipped");
      for (const auto& [name, tensor] : sd) EXPECT_EQ(tensor.data, reference.at(name).data) << "byte " << i;
    } catch (const Error&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, original.size() / 4);
}

TEST(StateDict, MissingFileIsIoError) {
  EXPECT_THROW(load_state_dict(std::filesystem::path("/nonexistent/veil/ckpt.pth")), IoError);
}

}  // namespace
}  // namespace veil::io
