#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/referral.hpp"
#include "service/actor.hpp"
#include "service/referral_service.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

/// One data row of an uploaded file, as understood.
struct ImportRow {
  int line = 0;  // line of the file, for the coordinator to find it
  std::string person_name;
  domain::FieldErrors errors;  // empty: the row will be imported
  domain::ReferralData data;
};

struct ImportPreview {
  std::int64_t batch_id = 0;
  std::string filename;
  std::string encoding;
  char separator = ';';
  std::string structure_name;
  std::vector<std::string> unknown_columns;
  std::vector<std::string> missing_columns;  // required columns absent: nothing can be imported
  std::string file_error;                    // unreadable file: nothing can be imported
  std::vector<ImportRow> rows;
  int valid = 0;
  int invalid = 0;
};

struct ImportReport {
  std::vector<SubmitResult> imported;  // with their numbers
  std::vector<ImportRow> rejected;     // with their errors
};

/// CSV import of referrals by a coordinator: upload, preview with row-level errors, then every
/// valid row imported in one transaction (or none, if anything fails), and a report.
/// The expected columns are documented in docs/import-csv.md.
class CsvImportService {
 public:
  static constexpr std::size_t kMaxBytes = 5 * 1024 * 1024;
  static constexpr int kMaxRows = 5000;

  CsvImportService(Store& store, const Clock& clock, ReferralService& referrals)
      : store_(store), clock_(clock), referrals_(referrals) {}

  /// Stores the file for confirmation and returns what would be imported. The file is kept
  /// until imported or for one day at most.
  ImportPreview Preview(const Actor& actor, domain::StructureId structure,
                        const std::string& filename, const std::string& bytes);
  /// Re-reads a stored file and shows its preview again.
  ImportPreview Show(const Actor& actor, std::int64_t batch_id);
  ImportReport Import(const Actor& actor, std::int64_t batch_id);
  void Cancel(const Actor& actor, std::int64_t batch_id);

 private:
  ImportPreview Analyse(const ImportBatch& batch, const std::string& structure_name) const;
  ImportBatch LoadBatch(const Actor& actor, Tx& tx, std::int64_t batch_id);

  Store& store_;
  const Clock& clock_;
  ReferralService& referrals_;
};

}  // namespace allervers::service
