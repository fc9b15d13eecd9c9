#include "service/csv_import.hpp"

#include <algorithm>
#include <map>

#include "common/csv.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"

namespace allervers::service {
namespace {

// Columns of the import file (folded header → member). docs/import-csv.md lists them.
enum class Column {
  kLastName,
  kUsageName,
  kFirstName,
  kBirthDate,
  kBirthYear,
  kGender,
  kPhone,
  kEmail,
  kAddress,
  kPostalCode,
  kCity,
  kLanguage,
  kInterpreter,
  kProcedures,
  kRights,
  kReason,
  kUrgency,
  kUrgencyReason,
  kTripartite,
  kConsentDate,
  kConsentHow,
  kReferrerName,
  kReferrerEmail,
  kReferrerPhone,
  kSituations,
  kDifficulties,
};

const std::map<std::string, Column>& Columns() {
  static const std::map<std::string, Column> columns = {
      {"nom", Column::kLastName},
      {"nom de naissance", Column::kLastName},
      {"nom usage", Column::kUsageName},
      {"nom d usage", Column::kUsageName},
      {"prenom", Column::kFirstName},
      {"prenoms", Column::kFirstName},
      {"date naissance", Column::kBirthDate},
      {"date de naissance", Column::kBirthDate},
      {"annee naissance", Column::kBirthYear},
      {"annee de naissance", Column::kBirthYear},
      {"genre", Column::kGender},
      {"telephone", Column::kPhone},
      {"email", Column::kEmail},
      {"e mail", Column::kEmail},
      {"courriel", Column::kEmail},
      {"adresse", Column::kAddress},
      {"code postal", Column::kPostalCode},
      {"commune", Column::kCity},
      {"ville", Column::kCity},
      {"langue", Column::kLanguage},
      {"interprete", Column::kInterpreter},
      {"demarches", Column::kProcedures},
      {"droits presumes", Column::kRights},
      {"motif", Column::kReason},
      {"urgence", Column::kUrgency},
      {"motif urgence", Column::kUrgencyReason},
      {"tripartite", Column::kTripartite},
      {"accord date", Column::kConsentDate},
      {"date accord", Column::kConsentDate},
      {"accord mode", Column::kConsentHow},
      {"mode accord", Column::kConsentHow},
      {"prescripteur nom", Column::kReferrerName},
      {"prescripteur", Column::kReferrerName},
      {"prescripteur email", Column::kReferrerEmail},
      {"prescripteur telephone", Column::kReferrerPhone},
      {"situations", Column::kSituations},
      {"difficultes", Column::kDifficulties},
  };
  return columns;
}

constexpr Column kRequired[] = {Column::kLastName, Column::kFirstName, Column::kPostalCode,
                                Column::kCity, Column::kConsentDate};

const char* RequiredName(Column c) {
  switch (c) {
    case Column::kLastName:
      return "nom";
    case Column::kFirstName:
      return "prenom";
    case Column::kPostalCode:
      return "code_postal";
    case Column::kCity:
      return "commune";
    case Column::kConsentDate:
      return "accord_date";
    default:
      return "";
  }
}

// French spreadsheets write dates as 31/12/1958; the form and the API use 1958-12-31.
std::string IsoDate(const std::string& raw) {
  const std::string v = text::Trim(raw);
  if (v.size() == 10 && v[2] == '/' && v[5] == '/') {
    return v.substr(6, 4) + "-" + v.substr(3, 2) + "-" + v.substr(0, 2);
  }
  return v;
}

bool Truthy(const std::string& raw) {
  const std::string v = text::FoldForSearch(raw);
  return v == "oui" || v == "o" || v == "1" || v == "vrai" || v == "x" || v == "yes" || v == "true";
}

std::vector<std::string> List(const std::string& raw) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : raw + ",") {
    if (c == ',' || c == '|' || c == '+') {
      const std::string t = text::Trim(cur);
      if (!t.empty()) {
        out.push_back(t);
      }
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

// Consent mode as written by hand: "oral", "Écrit", "signé"…
std::string ConsentCode(const std::string& raw) {
  const std::string v = text::FoldForSearch(raw);
  if (v.starts_with("ecrit") || v.starts_with("signe")) {
    return "ecrit";
  }
  if (v.starts_with("oral")) {
    return "oral";
  }
  return v;
}

}  // namespace

ImportPreview CsvImportService::Analyse(const ImportBatch& batch,
                                        const std::string& structure_name) const {
  ImportPreview p;
  p.batch_id = batch.id;
  p.filename = batch.filename;
  p.structure_name = structure_name;
  const auto decoded = csv::DecodeToUtf8(batch.content);
  p.encoding = decoded.encoding;
  csv::ParseError perr;
  const auto table = csv::Parse(decoded.text, perr);
  if (!table) {
    p.file_error = "Fichier illisible : " + perr.message + ".";
    return p;
  }
  p.separator = table->separator;
  if (table->rows.size() < 2) {
    p.file_error = "Le fichier ne contient aucune ligne de données sous la ligne d’en-tête.";
    return p;
  }
  if (static_cast<int>(table->rows.size()) - 1 > kMaxRows) {
    p.file_error =
        "Le fichier contient plus de " + std::to_string(kMaxRows) + " lignes : découpez-le.";
    return p;
  }
  std::vector<std::optional<Column>> header;
  for (const auto& h : table->rows[0]) {
    const std::string key = text::FoldForSearch(h);
    auto it = Columns().find(key);
    if (it == Columns().end()) {
      if (!key.empty()) {
        p.unknown_columns.push_back(text::Trim(h));
      }
      header.push_back(std::nullopt);
    } else {
      header.push_back(it->second);
    }
  }
  for (Column c : kRequired) {
    if (std::find(header.begin(), header.end(), std::optional(c)) == header.end()) {
      p.missing_columns.push_back(RequiredName(c));
    }
  }
  if (!p.missing_columns.empty()) {
    return p;
  }
  const LocalDate today = paris::Today(clock_.Now());
  for (std::size_t r = 1; r < table->rows.size(); ++r) {
    const auto& cells = table->rows[r];
    domain::ReferralInput in;
    in.consent_given =
        true;  // a referral exported by the Département carries the person's agreement
    in.consent_how = "oral";
    for (std::size_t c = 0; c < cells.size() && c < header.size(); ++c) {
      if (!header[c]) {
        continue;
      }
      const std::string& v = cells[c];
      switch (*header[c]) {
        case Column::kLastName:
          in.last_name = v;
          break;
        case Column::kUsageName:
          in.usage_name = v;
          break;
        case Column::kFirstName:
          in.first_names = v;
          break;
        case Column::kBirthDate:
          in.birth_date = IsoDate(v);
          break;
        case Column::kBirthYear:
          in.birth_year = text::Trim(v);
          break;
        case Column::kGender:
          in.gender = text::FoldForSearch(v) == "f"
                          ? "femme"
                          : (text::FoldForSearch(v) == "m" ? "homme" : text::Trim(v));
          break;
        case Column::kPhone:
          in.phone = v;
          break;
        case Column::kEmail:
          in.email = v;
          break;
        case Column::kAddress:
          in.address_line = v;
          break;
        case Column::kPostalCode:
          in.postal_code = v;
          break;
        case Column::kCity:
          in.city = v;
          break;
        case Column::kLanguage:
          in.language = text::Trim(v);
          break;
        case Column::kInterpreter:
          in.interpreter_needed = Truthy(v);
          break;
        case Column::kProcedures:
          in.procedures = List(v);
          break;
        case Column::kRights:
          in.presumed_rights = List(v);
          break;
        case Column::kReason:
          in.reason = v;
          break;
        case Column::kUrgency:
          in.urgency = text::Trim(v);
          break;
        case Column::kUrgencyReason:
          in.urgency_reason = v;
          break;
        case Column::kTripartite:
          in.tripartite_requested = Truthy(v);
          break;
        case Column::kConsentDate:
          in.consent_date = IsoDate(v);
          break;
        case Column::kConsentHow:
          in.consent_how = ConsentCode(v);
          break;
        case Column::kReferrerName:
          in.referrer_name = v;
          break;
        case Column::kReferrerEmail:
          in.referrer_email = v;
          break;
        case Column::kReferrerPhone:
          in.referrer_phone = v;
          break;
        case Column::kSituations:
          in.situations = List(v);
          break;
        case Column::kDifficulties:
          in.difficulties = v;
          break;
      }
    }
    if (text::Trim(in.referrer_name).empty()) {
      in.referrer_name = structure_name;
    }
    ImportRow row;
    row.line = table->lines[r];
    row.person_name = DisplayName(text::Trim(in.last_name), text::Trim(in.first_names));
    row.errors = domain::ValidateReferral(in, referrals_.reference(), today, row.data);
    if (row.errors.empty()) {
      ++p.valid;
    } else {
      ++p.invalid;
    }
    p.rows.push_back(std::move(row));
  }
  return p;
}

ImportBatch CsvImportService::LoadBatch(const Actor& actor, Tx& tx, std::int64_t batch_id) {
  auto batch = tx.imports().Find(batch_id);
  // A file belongs to whoever uploaded it; anyone else is told it does not exist.
  if (!batch || !actor.is_user() || batch->user_id != actor.user_id) {
    throw Error(ErrorCode::kNotFound, "Ce fichier n’existe pas ou a déjà été importé.");
  }
  return *batch;
}

ImportPreview CsvImportService::Preview(const Actor& actor, domain::StructureId structure,
                                        const std::string& filename, const std::string& bytes) {
  Require(actor, Permission::kImportReferrals);
  if (bytes.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "Choisissez un fichier CSV à importer.");
  }
  if (bytes.size() > kMaxBytes) {
    throw Error(ErrorCode::kPayloadTooLarge, "Le fichier dépasse 5 Mo : découpez-le.");
  }
  const Instant now = clock_.Now();
  ImportBatch batch;
  batch.user_id = actor.user_id;
  batch.structure_id = structure;
  std::string safe_name =
      text::IsValidUtf8(filename) ? text::Trim(filename).substr(0, 200) : "fichier.csv";
  batch.filename = safe_name.empty() ? "fichier.csv" : safe_name;
  // Stored decoded to UTF-8 (a TEXT column on both databases), whatever the file's encoding.
  const auto decoded = csv::DecodeToUtf8(bytes);
  batch.content = decoded.text;
  batch.created_at = now;
  std::string structure_name;
  store_.Write([&](Tx& tx) {
    const auto s = tx.structures().FindById(structure);
    if (!s || !s->active || s->kind == domain::StructureKind::kOperateur) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Choisissez la structure qui oriente ces personnes.");
    }
    structure_name = s->name;
    tx.imports().DeleteOlderThan(now - std::chrono::hours(24));
    batch.id = tx.imports().Insert(batch);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "import.upload", "import_batch", std::to_string(batch.id)));
  });
  ImportPreview p = Analyse(batch, structure_name);
  p.encoding = decoded.encoding;
  return p;
}

ImportPreview CsvImportService::Show(const Actor& actor, std::int64_t batch_id) {
  Require(actor, Permission::kImportReferrals);
  ImportBatch batch;
  std::string structure_name;
  store_.Read([&](Tx& tx) {
    batch = LoadBatch(actor, tx, batch_id);
    if (auto s = tx.structures().FindById(batch.structure_id)) {
      structure_name = s->name;
    }
  });
  return Analyse(batch, structure_name);
}

ImportReport CsvImportService::Import(const Actor& actor, std::int64_t batch_id) {
  Require(actor, Permission::kImportReferrals);
  const ImportPreview preview = Show(actor, batch_id);
  if (!preview.file_error.empty() || !preview.missing_columns.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "Ce fichier ne peut pas être importé : corrigez-le et déposez-le à nouveau.");
  }
  ImportBatch batch;
  store_.Read([&](Tx& tx) { batch = LoadBatch(actor, tx, batch_id); });
  ImportReport report;
  std::vector<domain::ReferralData> valid;
  for (const auto& row : preview.rows) {
    if (row.errors.empty()) {
      valid.push_back(row.data);
    } else {
      report.rejected.push_back(row);
    }
  }
  if (!valid.empty()) {
    report.imported = referrals_.SubmitBatch(actor, batch.structure_id, valid);
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.imports().Delete(batch_id);
    tx.audit().Append(MakeAuditEvent(actor, now, "import.done", "import_batch",
                                     std::to_string(batch_id), "success",
                                     "imported=" + std::to_string(report.imported.size()) +
                                         " rejected=" + std::to_string(report.rejected.size())));
  });
  return report;
}

void CsvImportService::Cancel(const Actor& actor, std::int64_t batch_id) {
  Require(actor, Permission::kImportReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    (void)LoadBatch(actor, tx, batch_id);
    tx.imports().Delete(batch_id);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "import.cancel", "import_batch", std::to_string(batch_id)));
  });
}

}  // namespace allervers::service
