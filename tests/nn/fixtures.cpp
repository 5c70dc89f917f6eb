#include "nn/fixtures.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace veil::nn::testing {

std::string artifacts_dir() { return std::string(VEIL_TEST_ARTIFACTS_DIR) + "/nn"; }
std::string shared_data_dir() { return VEIL_SHARED_DATA_DIR; }
bool file_exists(const std::string& path) { return std::filesystem::is_regular_file(path); }

Tensor read_f32(const std::string& path, const Shape& shape) {
  Tensor t(shape);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * sizeof(float)));
  if (!in) throw std::runtime_error("cannot read " + std::to_string(t.data.size()) + " floats from " + path);
  return t;
}

StateDict read_raw_state_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::pair<std::string, Shape>> header;
  for (std::string line; std::getline(in, line) && line != "END";) {
    std::istringstream fields(line);
    std::string name;
    std::size_t rank = 0;
    fields >> name >> rank;
    Shape shape(rank);
    for (auto& d : shape) fields >> d;
    header.emplace_back(name, shape);
  }
  StateDict sd;
  for (const auto& [name, shape] : header) {
    Tensor t(shape);
    in.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * sizeof(float)));
    if (!in) throw std::runtime_error("truncated tensor " + name + " in " + path);
    sd.emplace(name, std::move(t));
  }
  return sd;
}

Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(shape);
  for (auto& v : t.data) v = dist(rng);
  return t;
}

double relative_error(const float* a, const float* b, std::size_t n) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0.0 ? diff / scale : diff;
}

}  // namespace veil::nn::testing
