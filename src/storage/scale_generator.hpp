#pragma once

#include <memory>

#include "service/scale_generator.hpp"
#include "storage/database.hpp"

namespace allervers::storage {

/// The set-based implementation of service::ScaleGenerator on SQLite (recursive CTEs) and
/// PostgreSQL (generate_series). Secondary indexes and foreign keys of the filled tables are
/// dropped for the load and recreated after it, in the same transaction.
std::unique_ptr<service::ScaleGenerator> MakeScaleGenerator(Database& db);

}  // namespace allervers::storage
