#pragma once

#include <memory>

#include "service/scale_generator.hpp"
#include "storage/database.hpp"

namespace allervers::storage {

/// The set-based implementation of service::ScaleGenerator on SQLite (recursive CTEs) and
/// PostgreSQL (generate_series). Secondary indexes and foreign keys of the filled tables are
/// dropped for the load and recreated after it, in the same transaction.
std::unique_ptr<service::ScaleGenerator> MakeScaleGenerator(Database& db);

/// SQL for `value` (an integer expression) written with at least `width` digits, zeros in
/// front; never cut. PostgreSQL's lpad cuts what is longer than its width, which once gave two
/// generated referrals the same number past 99 999 persons.
std::string ZeroPadSql(Backend backend, const std::string& value, int width);

}  // namespace allervers::storage
