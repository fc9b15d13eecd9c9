#pragma once

#include <filesystem>

#include "domain/reference.hpp"

namespace allervers::storage {

/// Reads data/procedures.json and data/vocabularies.json. Throws Error(kInternal) naming the
/// file and the problem when a file is missing or malformed, so the server refuses to start
/// rather than run with a partial catalogue.
domain::ReferenceData LoadReferenceData(const std::filesystem::path& data_dir);

}  // namespace allervers::storage
