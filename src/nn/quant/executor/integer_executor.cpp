#include "veil/nn/quant/integer_executor.hpp"

#include <cblas.h>

#include <cmath>
#include <string>

#include "nn/quant/executor/circuit_runner.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/misread_model.hpp"

namespace veil::nn::quant {
namespace {

constexpr std::size_t kMaxTableEntries = std::size_t{1} << 22;
// Counter range of the output noise draws, disjoint from PBS numbers.
constexpr std::uint64_t kOutputNoiseStream = std::uint64_t{1} << 62;

// After which node each value is dead (the output lives to the end).
std::vector<std::size_t> make_last_use(const QuantizedCircuit& c) {
  std::vector<std::size_t> last(c.nodes.size(), 0);
  for (std::size_t i = 0; i < c.nodes.size(); ++i) {
    last[i] = i;
    for (QValueId in : c.nodes[i].inputs) last[static_cast<std::size_t>(in)] = i;
  }
  last[static_cast<std::size_t>(c.output)] = c.nodes.size();
  return last;
}

}  // namespace

IntegerExecutor::IntegerExecutor(QuantizedCircuit circuit, std::size_t threads)
    : circuit_(std::move(circuit)), pool_(threads) {
  validate_circuit(circuit_);
}

void IntegerExecutor::run(const Tensor& images, Tensor& output) {
  IntTensor integers;
  run_batch(images, nullptr, 0, integers, nullptr);
  dequantize_output(circuit_, integers, output);
}

void IntegerExecutor::run_integers(const Tensor& images, IntTensor& output) {
  run_batch(images, nullptr, 0, output, nullptr);
}

void IntegerExecutor::simulate(const Tensor& images, const SimulationSettings& settings, std::uint64_t first_image,
                               Tensor& output, SimulationStats* stats) {
  IntTensor integers;
  run_batch(images, &settings, first_image, integers, stats);
  dequantize_output(circuit_, integers, output);
}

void IntegerExecutor::run_batch(const Tensor& images, const SimulationSettings* settings, std::uint64_t first_image,
                                IntTensor& output, SimulationStats* stats) {
  const Shape& in_shape = circuit_.nodes[0].shape;
  Shape expected{images.shape.empty() ? 0 : images.shape[0]};
  expected.insert(expected.end(), in_shape.begin(), in_shape.end());
  if (images.shape.size() != in_shape.size() + 1 || images.shape != expected || images.shape[0] < 1) {
    throw InvalidArgument("integer executor: images of shape " + to_string(images.shape) + ", expected [N, " +
                          to_string(in_shape).substr(1));
  }
  std::vector<double> sigma(circuit_.nodes.size(), 0.0);
  if (settings) {
    if (!(settings->output_noise_std >= 0.0) || !std::isfinite(settings->output_noise_std)) {
      throw InvalidArgument("simulation: output_noise_std must be finite and >= 0");
    }
    if (settings->p_error_bits < 0) throw InvalidArgument("simulation: p_error_bits must be >= 0");
    for (std::size_t i = 0; i < circuit_.nodes.size(); ++i) {
      const QNode& n = circuit_.nodes[i];
      const auto it = settings->p_error_by_node.find(n.name);
      sigma[i] = misread_sigma(it == settings->p_error_by_node.end() ? settings->p_error : it->second);
      // The same noise on a finer (coarser) read spans more (fewer) of its index units.
      const LookupAttrs* lookup = pbs_lookup(n);
      if (settings->p_error_bits > 0 && lookup) sigma[i] = std::ldexp(sigma[i], lookup->bits - settings->p_error_bits);
    }
    for (const auto& [name, p] : settings->p_error_by_node) {
      bool found = false;
      for (const QNode& n : circuit_.nodes) found = found || n.name == name;
      if (!found) throw InvalidArgument("simulation: p_error given for unknown node '" + name + "'");
    }
  }
  const bool use_residual = !settings || settings->rounding_method == RoundingMethod::Approximate;
  openblas_set_num_threads(1);
  const auto n_images = static_cast<std::size_t>(images.shape[0]);
  const auto image_size = static_cast<std::size_t>(element_count(in_shape));
  const QNode& out_node = circuit_.node(circuit_.output);
  const auto out_size = static_cast<std::size_t>(element_count(out_node.shape));
  output.shape = Shape{images.shape[0]};
  output.shape.insert(output.shape.end(), out_node.shape.begin(), out_node.shape.end());
  output.data.assign(n_images * out_size, 0);
  const CircuitRunner runner(circuit_, kMaxTableEntries);
  const std::vector<std::size_t> last_use = make_last_use(circuit_);
  std::vector<SimulationStats> per_image(n_images);
  pool_.parallel_for(n_images, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    std::vector<IntTensor> values(circuit_.nodes.size());
    RunnerScratch scratch;
    for (std::size_t n = begin; n < end; ++n) {
      PbsReader reader(settings ? settings->seed : 0, first_image + n);
      for (std::size_t i = 0; i < circuit_.nodes.size(); ++i) {
        runner.eval(i, values, images.data.data() + n * image_size, sigma[i], use_residual, reader, scratch);
        for (QValueId in : circuit_.nodes[i].inputs) {
          if (last_use[static_cast<std::size_t>(in)] == i) values[static_cast<std::size_t>(in)] = IntTensor{};
        }
      }
      const auto& out = values[static_cast<std::size_t>(circuit_.output)].data;
      std::copy(out.begin(), out.end(), output.data.begin() + static_cast<std::ptrdiff_t>(n * out_size));
      if (settings && settings->output_noise_std > 0.0) {
        for (std::size_t k = 0; k < out_size; ++k) {
          output.data[n * out_size + k] +=
              draw_misread(settings->output_noise_std, 0.0, settings->seed, first_image + n, kOutputNoiseStream + k);
        }
      }
      per_image[n] = {reader.pbs(), reader.misreads(), reader.expected_misreads()};
    }
  });
  if (stats) {
    *stats = {};
    for (const auto& s : per_image) {
      stats->pbs += s.pbs;
      stats->misreads += s.misreads;
      stats->expected_misreads += s.expected_misreads;
    }
  }
}

void dequantize_output(const QuantizedCircuit& circuit, const IntTensor& integers, Tensor& output) {
  const QNode& n = circuit.node(circuit.output);
  veil::dequantize_output(n.shape, n.scale, integers, output);
}

}  // namespace veil::nn::quant
