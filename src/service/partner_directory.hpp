#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/partner.hpp"
#include "domain/reference.hpp"
#include "service/actor.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// What an import of a data·inclusion export did, record by record.
struct PartnerImportReport {
  std::string format;      // "JSON" or "CSV"
  std::string file_error;  // the file could not be read at all: nothing imported
  int structures_created = 0;
  int structures_updated = 0;
  int services_created = 0;
  int services_updated = 0;
  struct Problem {
    std::string record;  // "structure dora/abc (ligne 4)"
    std::string message;
  };
  std::vector<Problem> rejected;
  std::vector<Problem> warnings;
};

/// A search as typed on the page.
struct PartnerQuery {
  std::string theme;  // a category or sub-theme of data·inclusion; unknown: ignored
  std::string place;  // commune, postal or INSEE code
  std::string text;
  int page = 1;
};

struct PartnerPage {
  PartnerSearchResult result;
  int page = 1;
  int pages = 1;
  bool unknown_theme = false;
};

/// The directory of partner structures and services of the territory, in the data·inclusion
/// schema v1 (french_anchors.md §3.2): imported from data·inclusion's JSON or CSV exports
/// (or any source that writes the schema), searched by theme and place by the team.
class PartnerDirectory {
 public:
  // Uploads through the web stay under the server's body limit (10 MiB by default); larger
  // exports go through `allervers partners import`.
  static constexpr std::size_t kMaxUploadBytes = 8 * 1024 * 1024;
  static constexpr int kPageSize = 30;

  PartnerDirectory(Store& store, const Clock& clock, const domain::ReferenceData& reference)
      : store_(store), clock_(clock), reference_(reference) {}

  /// Reads a JSON export (an array of structures and/or services, `{"structures": [...],
  /// "services": [...]}` or `{"items": [...]}`) or a CSV export (structures.csv or
  /// services.csv, header of schema field names), and inserts or updates every valid record
  /// by (source, id), in one transaction. A service whose structure is neither in the file
  /// nor already in the directory is rejected. Structures are read before services.
  PartnerImportReport Import(const Actor& actor, const std::string& bytes,
                             std::size_t max_bytes = kMaxUploadBytes);

  PartnerPage Search(const Actor& actor, const PartnerQuery& query);
  domain::PartnerService Service(const Actor& actor, domain::PartnerServiceId id);

 private:
  Store& store_;
  const Clock& clock_;
  const domain::ReferenceData& reference_;
};

}  // namespace allervers::service
