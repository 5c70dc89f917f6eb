#include "veil/app/flags/veil_fhe_options.hpp"

#include <array>
#include <vector>

#include "veil/app/flags/flag_table.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

using C = VeilFheCommand;
using app::FlagValue;
using Table = app::CliFlagTable<VeilFheOptions>;

constexpr std::array kCommands = {C::compile, C::keygen, C::encrypt, C::run, C::decrypt};

struct Entry {
  std::vector<C> commands;
  std::string name;
  app::CliFlag<VeilFheOptions> flag;
};

std::vector<Entry> make_entries();

// Every flag with the subcommands that take it.
const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = make_entries();
  return all;
}

std::vector<Entry> make_entries() {
  using O = VeilFheOptions;
  std::vector<Entry> all = {
      {{C::compile, C::keygen, C::encrypt, C::run, C::decrypt},
       "--help",
       {FlagValue::none, "show this help and exit", [](O& o, auto&, auto&) { o.help = true; }}},
      {{C::compile},
       "--network",
       {FlagValue::required, "NAME  resnet18 (default) or small (the seeded test network, synthetic calibration)",
        [](O& o, auto& f, auto& v) {
          if (v == "resnet18")
            o.network = NetworkOption::resnet18;
          else if (v == "small")
            o.network = NetworkOption::small;
          else
            throw InvalidArgument(f + ": '" + v + "', expected resnet18 or small");
        }}},
      {{C::compile},
       "--weights",
       {FlagValue::required, "PATH  ResNet-18 checkpoint; default: the official resnet18-f37072fd.pth",
        [](O& o, auto&, auto& v) { o.weights = v; }}},
      {{C::compile},
       "--quant-mode",
       {FlagValue::required, "MODE  improved (default) or reference",
        [](O& o, auto& f, auto& v) {
          if (v == "reference")
            o.quantization.mode = nn::quant::QuantizationMode::ReferenceCompatible;
          else if (v == "improved")
            o.quantization.mode = nn::quant::QuantizationMode::Improved;
          else
            throw InvalidArgument(f + ": '" + v + "', expected reference or improved");
        }}},
      {{C::compile},
       "--calibration-images",
       {FlagValue::required, "N  the dataset's first N images calibrate the quantizer (default 10)",
        [](O& o, auto& f, auto& v) { o.calibration_images = app::parse_unsigned_value(f, v, 1, 1u << 20); }}},
      {{C::compile},
       "--crop",
       {FlagValue::required, "S  ResNet-18 for the S x S centre crop (S a multiple of 16; 0 = full image, default)",
        [](O& o, auto& f, auto& v) { o.crop = app::parse_crop_value(f, v); }}},
      {{C::compile, C::encrypt},
       "--dataset-cache-dir",
       {FlagValue::required, "PATH  webdataset .tar shards instead of the default image folder",
        [](O& o, auto&, auto& v) { o.dataset_cache_dir = v; }}},
      {{C::compile, C::encrypt},
       "--images",
       {FlagValue::required, "DIR  image folder (with --labels); default: ../shared/data/imagenet-val100",
        [](O& o, auto&, auto& v) { o.images = v; }}},
      {{C::compile, C::encrypt},
       "--labels",
       {FlagValue::required, "CSV  labels of --images", [](O& o, auto&, auto& v) { o.labels = v; }}},
      {{C::encrypt},
       "--image",
       {FlagValue::required, "PATH  the image to encrypt (JPEG or PNG)", [](O& o, auto&, auto& v) { o.image = v; }}},
      {{C::encrypt},
       "--index",
       {FlagValue::required, "I  encrypt image I (from 0) of the dataset instead of --image",
        [](O& o, auto& f, auto& v) { o.index = app::parse_unsigned_value(f, v, 0, 1u << 30); }}},
      {{C::keygen, C::encrypt, C::decrypt},
       "--spec",
       {FlagValue::required, "PATH  client_spec.json written by compile", [](O& o, auto&, auto& v) { o.spec = v; }}},
      {{C::encrypt, C::decrypt},
       "--client-key",
       {FlagValue::required, "PATH  client.key written by keygen", [](O& o, auto&, auto& v) { o.client_key = v; }}},
      {{C::run},
       "--model",
       {FlagValue::required,
        "PATH  model.qcir written by compile (compile_options.json and client_spec.json beside it)",
        [](O& o, auto&, auto& v) { o.model = v; }}},
      {{C::run},
       "--server-key",
       {FlagValue::required, "PATH  server.key written by keygen", [](O& o, auto&, auto& v) { o.server_key = v; }}},
      {{C::run, C::decrypt},
       "--input",
       {FlagValue::required, "PATH  run: the encrypted image (.slwe); decrypt: the encrypted output (.lwe)",
        [](O& o, auto&, auto& v) { o.input = v; }}},
      {{C::compile, C::keygen, C::encrypt, C::run},
       "--out",
       {FlagValue::required, "PATH  compile, keygen: output folder; encrypt, run: output file",
        [](O& o, auto&, auto& v) { o.out = v; }}},
      {{C::keygen, C::encrypt, C::run},
       "--force",
       {FlagValue::none,
        "replace an existing client key (keygen: KEYS/client.key; encrypt, run: a --out that holds one)",
        [](O& o, auto&, auto&) { o.force = true; }}},
      {{C::compile, C::keygen, C::run},
       "--threads",
       {FlagValue::required, "N  worker threads (default: all cores)",
        [](O& o, auto& f, auto& v) { o.threads = app::parse_threads_value(f, v); }}},
      {{C::run},
       "--use-gpu",
       {FlagValue::none, "run on the GPU (CUDA backend)", [](O& o, auto&, auto&) { o.use_gpu = true; }}},
      {{C::run},
       "--distributed",
       {FlagValue::none, "split the batches across the ranks of an MPI job (mpirun -np R; docs/distributed.md)",
        [](O& o, auto&, auto&) { o.distributed = true; }}},
      {{C::run},
       "--rank-timeout",
       {FlagValue::required, "SECONDS  --distributed: stop the job when a rank answers no batch for this long (600)",
        [](O& o, auto& f, auto& v) { o.rank_timeout = app::parse_rank_timeout_value(f, v); }}},
      {{C::run},
       "--no-progress",
       {FlagValue::none, "no progress bar on stderr", [](O& o, auto&, auto&) { o.progress = false; }}},
  };
  for (auto& [name, flag] : app::quantization_flags<O>()) all.push_back({{C::compile}, name, std::move(flag)});
  return all;
}

Table table_of(VeilFheCommand command) {
  Table table;
  for (const Entry& entry : entries())
    for (const C c : entry.commands)
      if (c == command) table.emplace(entry.name, entry.flag);
  return table;
}

// The flags a subcommand cannot run without.
std::vector<std::pair<bool, const char*>> required_flags(const VeilFheOptions& o) {
  switch (o.command) {
    case C::compile: return {{o.out.has_value(), "--out"}};
    case C::keygen: return {{o.spec.has_value(), "--spec"}, {o.out.has_value(), "--out"}};
    case C::encrypt:
      return {{o.spec.has_value(), "--spec"}, {o.client_key.has_value(), "--client-key"}, {o.out.has_value(), "--out"}};
    case C::run:
      return {{o.model.has_value(), "--model"},
              {o.server_key.has_value(), "--server-key"},
              {o.input.has_value(), "--input"},
              {o.out.has_value(), "--out"}};
    case C::decrypt:
      return {
          {o.spec.has_value(), "--spec"}, {o.client_key.has_value(), "--client-key"}, {o.input.has_value(), "--input"}};
  }
  return {};
}

void check_combinations(const VeilFheOptions& o) {
  for (const auto& [given, flag] : required_flags(o))
    if (!given) throw InvalidArgument(command_name(o.command) + ": " + flag + " is required (see --help)");
  if (o.images.has_value() != o.labels.has_value())
    throw InvalidArgument(std::string(o.images ? "--images" : "--labels") + " needs " +
                          (o.images ? "--labels" : "--images") + " too");
  if (o.dataset_cache_dir && o.images)
    throw InvalidArgument("--dataset-cache-dir and --images/--labels select different datasets; give one of them");
  if (o.command == C::encrypt) {
    if (o.image.has_value() == o.index.has_value())
      throw InvalidArgument("encrypt: give either --image PATH or --index I (an image of the dataset)");
    if (o.image && (o.dataset_cache_dir || o.images))
      throw InvalidArgument("encrypt: --image reads one file; drop --dataset-cache-dir/--images");
  }
  if (o.command == C::compile && o.network == NetworkOption::small) {
    if (o.weights || o.crop || o.dataset_cache_dir || o.images)
      throw InvalidArgument("compile --network small: the small network has seeded weights and synthetic "
                            "calibration images; drop --weights, --crop and the dataset flags");
  }
}

}  // namespace

std::string command_name(VeilFheCommand command) {
  static const char* const names[] = {"compile", "keygen", "encrypt", "run", "decrypt"};
  return names[static_cast<int>(command)];
}

VeilFheOptions parse_veil_fhe_cli(std::span<const std::string> args) {
  VeilFheOptions o;
  if (args.empty()) throw InvalidArgument("missing subcommand: compile, keygen, encrypt, run or decrypt (see --help)");
  if (args[0] == "--help" || args[0] == "-h") {
    o.help = true;
    return o;
  }
  bool known = false;
  for (const C c : kCommands)
    if (args[0] == command_name(c)) {
      o.command = c;
      known = true;
    }
  if (!known)
    throw InvalidArgument("unknown subcommand '" + args[0] + "', expected compile, keygen, encrypt, run or decrypt");
  try {
    app::apply_flags(args.subspan(1), table_of(o.command), o);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(command_name(o.command) + ": " + e.what());
  }
  if (o.help) return o;
  check_combinations(o);
  const ReadSettings& reads = o.reads.of(o.quantization.mode);
  o.quantization = with_reads(o.quantization, reads);
  o.compile = with_reads(o.compile, reads);
  return o;
}

std::string veil_fhe_help(const std::string& program, std::optional<VeilFheCommand> command) {
  if (!command)
    return "Usage: " + program + " SUBCOMMAND [flags]   (" + program +
           " SUBCOMMAND --help for its flags)\n"
           "The encrypted ResNet-18 as separate client and server steps through files:\n"
           "  compile --out DIR           (server) quantize and compile: DIR/model.qcir, DIR/compile_options.json,\n"
           "                              DIR/client_spec.json (published to clients), DIR/statistics.json\n"
           "  keygen --spec S --out KEYS  (client) KEYS/client.key (secret) and KEYS/server.key (sent to the server)\n"
           "  encrypt --spec S --client-key K (--image P | --index I) --out in.slwe   (client)\n"
           "  run --model DIR/model.qcir --server-key KEYS/server.key --input in.slwe --out out.lwe   (server)\n"
           "  decrypt --spec S --client-key K --input out.lwe   (client) prints the top-5 classes\n"
           "Security note: at the default p_error (0.1 per PBS as a 7-bit read in the improved mode,\n"
           "0.05 in the reference mode) lookups may misread and decryption is\n"
           "IND-CPA, not IND-CPA^D: keep decrypted results with the client, or compile with a tight\n"
           "--p-error (e.g. 1e-12) if they must leave it.\n";
  return "Usage: " + program + " " + command_name(*command) + " [flags]\n\nFlags:\n" +
         app::flags_help(table_of(*command));
}

}  // namespace veil::app
