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

/// Loads the tensors of a state_dict checkpoint (torch.save(model.state_dict(), path)).
/// Storages of dtype float32, float16, bfloat16, float64 and int64 are converted to
/// float32; strided views and storage offsets are materialized as row-major tensors.
/// Throws IoError when the file cannot be read, FormatError when it is not a zip,
/// is truncated, fails a CRC, lacks data.pkl or a storage, holds an unknown pickle
/// opcode or global, a big-endian storage, or sizes that overrun their storage.
/// Thread safety: independent calls may run concurrently.
StateDict load_state_dict(const std::filesystem::path& path);

/// Same, from checkpoint bytes already in memory; `name` appears in error messages.
StateDict load_state_dict(std::span<const std::uint8_t> bytes, const std::string& name = "<buffer>");

/// Same, reading the whole stream first.
StateDict load_state_dict(std::istream& in, const std::string& name = "<stream>");

}  // namespace veil::io
