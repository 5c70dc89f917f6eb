#pragma once
// Reader for PyTorch checkpoints as torch.save writes them (zip archive holding a
// protocol-2 pickle and raw tensor storages). Only what state_dicts contain is
// understood; anything else is refused, so a hostile file cannot run code.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <span>
#include <string>

#include "veil/common/tensor.hpp"

namespace veil::io {

/// What a checkpoint may hold; every size the file claims is checked against these before
/// anything is allocated. The defaults follow from the largest model veil builds, ResNet-18
/// (11.7M parameters and buffers in 122 tensors, a data.pkl of ~30 KB).
struct CheckpointLimits {
  /// Storage elements read, and tensor elements made, each summed over the checkpoint: 2^28,
  /// 23 times ResNet-18 (1 GiB as float32). Tensors count on their own: a view with stride 0
  /// repeats its storage.
  std::uint64_t max_elements = std::uint64_t{1} << 28;
  /// Size of data.pkl: 16 MiB, 500 times ResNet-18's.
  std::uint64_t max_pickle_bytes = std::uint64_t{1} << 24;
  /// The whole file (path and stream loaders): the pickle plus every element as float64,
  /// the widest dtype, plus 1 MiB of zip records.
  std::uint64_t max_file_bytes() const { return max_pickle_bytes + 8 * max_elements + (std::uint64_t{1} << 20); }
};

/// Loads the tensors of a state_dict checkpoint (torch.save(model.state_dict(), path)).
/// Storages of dtype float32, float16, bfloat16, float64 and int64 are converted to
/// float32; strided views and storage offsets are materialized as row-major tensors.
/// Throws IoError when the file cannot be read, FormatError when it is not a zip,
/// is truncated, fails a CRC, lacks data.pkl or a storage, holds an unknown pickle
/// opcode or global, a big-endian storage, sizes that overrun their storage, or sizes above
/// `limits` (naming both).
/// Thread safety: independent calls may run concurrently.
StateDict load_state_dict(const std::filesystem::path& path, const CheckpointLimits& limits = {});

/// Same, from checkpoint bytes already in memory; `name` appears in error messages.
StateDict load_state_dict(std::span<const std::uint8_t> bytes, const std::string& name = "<buffer>",
                          const CheckpointLimits& limits = {});

/// Same, reading the whole stream first, in chunks, up to limits.max_file_bytes().
StateDict load_state_dict(std::istream& in, const std::string& name = "<stream>", const CheckpointLimits& limits = {});

}  // namespace veil::io
