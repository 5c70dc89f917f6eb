// veil_fhe: the encrypted ResNet-18 as separate client and server steps through files
// (compile, keygen, encrypt, run, decrypt; see --help). The steps are the library's
// (veil/app/steps/veil_fhe_steps.hpp); this program loads weights and images with veil::io.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "veil/app/data/shared_data.hpp"
#include "veil/app/flags/veil_fhe_options.hpp"
#include "veil/app/process/blas_memory.hpp"
#include "veil/app/stages/quantized_stages.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/io/center_crop_tensor.hpp"
#include "veil/io/class_names.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/io/weights.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/resnet18.hpp"
#include "veil/nn/small_resnet.hpp"

namespace fs = std::filesystem;
using namespace veil;
using app::VeilFheCommand;
using app::VeilFheOptions;

namespace {

constexpr std::uint32_t kSmallNetworkSeed = 7;  // --network small: the seeded test network

std::optional<fs::path> shared_data_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return app::find_shared_data_dir({fs::current_path(), ec ? fs::current_path() : exe.parent_path()});
}

std::unique_ptr<io::Dataset> open_dataset(const VeilFheOptions& opt) {
  if (opt.dataset_cache_dir) return io::make_shard_dataset(*opt.dataset_cache_dir);
  if (opt.images) return io::make_folder_dataset(*opt.images, *opt.labels);
  const auto data = shared_data_dir();
  if (!data)
    throw IoError("no --dataset-cache-dir or --images/--labels given and the default data folder ../shared/data was "
                  "not found; set VEIL_SHARED_DATA or pass a dataset");
  return io::make_folder_dataset(app::default_images_dir(*data), app::default_labels_csv(*data));
}

// Dataset images [first, first + count) that decode, preprocessed, as one batch.
Tensor read_dataset_images(const VeilFheOptions& opt, std::size_t first, std::size_t count) {
  const auto dataset = open_dataset(opt);
  const io::PreprocessConfig preprocess;
  std::vector<LabelledImage> items;
  LabelledImage item;
  for (std::size_t index = 0; items.size() < count && dataset->next(item); ++index) {
    if (index < first) continue;
    if (!io::prepare_image(item, preprocess))
      throw FormatError("dataset image " + std::to_string(index) + " (" + item.key + "): " + item.error);
    items.push_back(std::move(item));
  }
  if (items.size() < count)
    throw InvalidArgument("the dataset has no image " + std::to_string(first + items.size()) + " (it ends before " +
                          std::to_string(first + count) + ")");
  Tensor batch;
  nn::stack_images(items, batch);
  return batch;
}

void compile(const VeilFheOptions& opt) {
  nn::Graph graph;
  Tensor calibration;
  if (opt.network == app::NetworkOption::small) {
    graph = nn::make_small_resnet(kSmallNetworkSeed);
    calibration = nn::make_small_images(static_cast<std::int64_t>(opt.calibration_images), kSmallNetworkSeed + 1);
  } else {
    std::vector<fs::path> extra_dirs;
    if (const auto data = shared_data_dir()) extra_dirs.push_back(*data);
    const io::WeightsFile weights = io::find_torchvision_weights(io::kResnet18WeightsFile, opt.weights, extra_dirs);
    const io::PreprocessConfig preprocess;
    graph = nn::make_resnet18(io::load_state_dict(weights.path), opt.crop ? opt.crop : preprocess.crop);
    calibration = read_dataset_images(opt, 0, opt.calibration_images);
    if (opt.crop) calibration = io::center_crop_tensor(calibration, opt.crop);
    std::cout << "weights: " << weights.path.string() << (weights.official_verified ? " (official)" : "") << "\n";
  }
  nn::fold_batch_norm_inplace(graph);
  std::cout << "Compiling (" << app::mode_name(opt.quantization.mode) << " mode, "
            << app::describe_p_error(opt.reads.of(opt.quantization.mode)) << ")...\n";
  app::compile_step(graph, calibration, opt.quantization, opt.compile, opt.threads, *opt.out, std::cout);
}

Tensor read_image(const VeilFheOptions& opt) {
  if (opt.index) {
    const Tensor batch = read_dataset_images(opt, *opt.index, 1);
    return Tensor(Shape(batch.shape.begin() + 1, batch.shape.end()), batch.data);
  }
  LabelledImage item;
  item.key = opt.image->string();
  item.encoded = io::read_file_bytes(*opt.image);  // at most io::kMaxImageFileBytes
  if (!io::prepare_image(item, io::PreprocessConfig{})) throw FormatError(opt.image->string() + ": " + item.error);
  return std::move(item.image);
}

std::vector<std::string> class_names() {
  std::vector<fs::path> dirs;
  if (const auto data = shared_data_dir()) dirs.push_back(*data);
  try {
    return io::find_class_names(dirs);
  } catch (const Error& e) {
    std::cerr << "veil_fhe: warning: no class names (" << e.what() << "); printing indices only\n";
    return {};
  }
}

// Before any work: a step that cannot write its output fails now, not after minutes of work.
// A step never writes over a client key unless --force says so.
void require_writable_outputs(const VeilFheOptions& opt) {
  switch (opt.command) {
    case VeilFheCommand::compile: return app::require_writable_directory(*opt.out, "--out");
    case VeilFheCommand::keygen:
      app::require_writable_directory(*opt.out, "--out");
      return app::refuse_to_replace_client_key(*opt.out / app::kClientKeyFile, "--out", opt.force, true);
    case VeilFheCommand::encrypt:
    case VeilFheCommand::run:
      app::require_writable_file(*opt.out, "--out");
      return app::refuse_to_replace_client_key(*opt.out, "--out", opt.force);
    case VeilFheCommand::decrypt: return;
  }
}

void run(const VeilFheOptions& opt) {
  require_writable_outputs(opt);
  fhe::Csprng rng;  // keys and encryptions: the operating system's entropy
  switch (opt.command) {
    case VeilFheCommand::compile: return compile(opt);
    case VeilFheCommand::keygen:
      return app::keygen_step(*opt.spec, *opt.out, opt.threads, rng, fhe::AllowInsecure::no, std::cout);
    case VeilFheCommand::encrypt:
      return app::encrypt_step(*opt.spec, *opt.client_key, read_image(opt), *opt.out, rng, std::cout);
    case VeilFheCommand::run: {
      const runtime::distributed::Options distributed{opt.rank_timeout};
      return app::run_step(*opt.model, *opt.server_key, *opt.input, *opt.out, opt.threads, opt.use_gpu,
                           fhe::AllowInsecure::no, opt.progress ? &std::cerr : nullptr, isatty(STDERR_FILENO),
                           std::cout, opt.distributed ? &distributed : nullptr);
    }
    case VeilFheCommand::decrypt:
      app::decrypt_step(*opt.spec, *opt.client_key, *opt.input, class_names(), std::cout);
      return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  app::reexec_with_single_threaded_blas(argv);
  const std::string program = fs::path(argv[0]).filename().string();
  const std::vector<std::string> args(argv + 1, argv + argc);
  VeilFheOptions options;
  try {
    options = app::parse_veil_fhe_cli(args);
  } catch (const std::exception& e) {  // veil::Error for bad flags; anything else still a message
    std::cerr << program << ": " << e.what() << "\n";
    return 2;
  }
  if (options.help) {
    const bool general = args.front().rfind('-', 0) == 0;
    std::cout << app::veil_fhe_help(program, general ? std::nullopt : std::optional(options.command));
    return 0;
  }
  try {
    run(options);
    return 0;
  } catch (const Error& e) {
    std::cerr << program << " " << app::command_name(options.command) << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << program << " " << app::command_name(options.command) << ": error: out of memory (std::bad_alloc)\n";
    return 1;
  } catch (const std::exception& e) {  // std::filesystem_error and the like: still a message, never an abort
    std::cerr << program << " " << app::command_name(options.command) << ": error: " << e.what() << "\n";
    return 1;
  }
}
