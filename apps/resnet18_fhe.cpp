// resnet18_fhe: Concrete ML's run_resnet18_fhe.py in C++. This build runs the fp32 stage:
// ResNet-18 (BN folded) over labelled ImageNet images, with the seed script's report.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/io/class_names.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/io/weights.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/resnet18.hpp"
#include "veil/nn/resnet18_cli.hpp"

namespace fs = std::filesystem;
using namespace veil;

namespace {

// Rows of a labels CSV after its header: the number of images a folder dataset yields.
std::size_t count_csv_rows(const fs::path& csv) {
  std::ifstream in(csv);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) rows += line.find_first_not_of(" \r") != std::string::npos;
  return rows > 0 ? rows - 1 : 0;
}

int run(const nn::Resnet18CliOptions& opt, const fs::path& exe) {
  const auto data_dir = nn::find_shared_data_dir({fs::current_path(), exe.parent_path()});
  std::vector<fs::path> extra_weight_dirs;
  if (data_dir) extra_weight_dirs.push_back(*data_dir);
  const io::WeightsFile weights =
      io::find_torchvision_weights(io::kResnet18WeightsFile, opt.weights, extra_weight_dirs);

  nn::Graph graph = nn::make_resnet18(io::load_state_dict(weights.path));
  nn::fold_batch_norm_inplace(graph);
  const std::size_t threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  nn::Fp32Executor executor(std::move(graph), threads);

  io::DatasetOptions dataset_options;
  dataset_options.shuffle_seed = opt.seed;
  dataset_options.num_images = opt.num_images;
  std::unique_ptr<io::Dataset> dataset;
  std::size_t total = 0;  // 0: unknown (shards)
  std::vector<fs::path> name_dirs;
  if (opt.dataset_cache_dir) {
    dataset = io::make_shard_dataset(*opt.dataset_cache_dir, dataset_options);
    total = opt.num_images;
  } else {
    fs::path images = opt.images ? *opt.images : fs::path();
    fs::path labels = opt.labels ? *opt.labels : fs::path();
    if (!opt.images) {
      if (!data_dir)
        throw IoError("no --images/--labels given and the default data folder ../shared/data (with "
                      "imagenet-val100/ and labels/) was not found beside the repository; set VEIL_SHARED_DATA "
                      "or pass --images DIR --labels CSV");
      images = *data_dir / "imagenet-val100";
      labels = *data_dir / "labels" / "xiaobozhao_val100.csv";
    }
    dataset = io::make_folder_dataset(images, labels, dataset_options);
    total = count_csv_rows(labels);
    if (opt.num_images) total = std::min(total, opt.num_images);
    name_dirs.push_back(labels.parent_path());
  }
  if (data_dir) name_dirs.push_back(*data_dir);

  std::vector<std::string> class_names;
  try {
    class_names = io::find_class_names(name_dirs);
  } catch (const Error& e) {
    std::cerr << "resnet18_fhe: warning: no class names (" << e.what() << "); printing indices only\n";
  }

  const io::PreprocessConfig preprocess;
  const nn::ImageSource source = [&](nn::LabelledImage& item) {
    io::Sample sample;
    if (!dataset->next(sample)) return false;
    item.key = sample.key;
    item.label = sample.label;
    item.payload = std::move(sample.encoded);
    item.error = sample.error;
    return true;
  };
  const nn::PrepareImage prepare = [&](nn::LabelledImage& item) {
    io::Sample sample;
    sample.key = item.key;
    sample.encoded = std::move(item.payload);
    io::preprocess_sample(sample, preprocess, item.image);
    item.error = sample.error;
  };
  std::cerr << "Evaluating fp32 ResNet-18 on " << (total ? std::to_string(total) : std::string("all")) << " image(s), "
            << threads << " thread(s)...\n";
  std::unique_ptr<nn::ProgressBar> progress;
  if (opt.progress) progress = std::make_unique<nn::ProgressBar>(std::cerr, total, "images", isatty(STDERR_FILENO));
  nn::Fp32EvaluationResult result;
  nn::evaluate_fp32(executor, source, prepare, opt.batch_size, class_names, progress.get(), result);
  nn::write_fp32_report(result, {weights.path.string(), weights.sha256, weights.official_verified},
                        class_names, threads,
                        opt.batch_size, 10, std::cout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = fs::path(argv[0]).filename().string();
  const std::vector<std::string> args(argv + 1, argv + argc);
  nn::Resnet18CliOptions options;
  try {
    options = nn::parse_resnet18_cli(args);
  } catch (const Error& e) {
    std::cerr << program << ": " << e.what() << "\n";
    return 2;
  }
  if (options.help) {
    std::cout << nn::resnet18_cli_help(program);
    return 0;
  }
  try {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return run(options, ec ? fs::absolute(argv[0]) : exe);
  } catch (const Error& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  }
}
