#include "service/partner_directory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/csv.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"

namespace allervers::service {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxRecords = 100000;
constexpr std::size_t kMaxReportedWarnings = 200;

// One record of an export, field by field: text, or a list when the export has one.
struct RawRecord {
  std::string where;  // "élément 3" (JSON) or "ligne 4" (CSV)
  bool is_service = false;
  std::map<std::string, std::string> text;
  std::map<std::string, std::vector<std::string>> lists;

  std::string Text(const std::string& key) const {
    const auto it = text.find(key);
    return it == text.end() ? std::string() : it->second;
  }
  std::vector<std::string> List(const std::string& key) const {
    if (const auto it = lists.find(key); it != lists.end()) {
      return it->second;
    }
    return domain::SplitInclusionList(Text(key));
  }
};

struct Decoded {
  std::string format;
  std::string error;
  std::vector<RawRecord> records;
};

std::string ScalarText(const json& v) {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_number() || v.is_boolean()) {
    return v.dump();
  }
  return {};
}

void AddJsonRecord(const json& item, const std::string& where, Decoded& out) {
  if (!item.is_object()) {
    out.error = where + " n’est pas un objet JSON.";
    return;
  }
  RawRecord r;
  r.where = where;
  for (const auto& [key, value] : item.items()) {
    if (value.is_array()) {
      auto& list = r.lists[key];
      for (const auto& v : value) {
        if (const auto s = ScalarText(v); !s.empty()) {
          list.push_back(s);
        }
      }
    } else {
      r.text[key] = ScalarText(value);
    }
  }
  r.is_service = item.contains("structure_id");
  out.records.push_back(std::move(r));
}

Decoded DecodeJson(const std::string& bytes) {
  Decoded out;
  out.format = "JSON";
  json root;
  try {
    // Refuse deep nesting while parsing: no schema field is nested beyond a list.
    root = json::parse(bytes, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) {
        throw Error(ErrorCode::kInvalidArgument, "JSON trop imbriqué");
      }
      return true;
    });
  } catch (const json::parse_error& e) {
    out.error = fmt::format("Le fichier n’est pas un JSON valide (octet {}).", e.byte);
    return out;
  } catch (const json::exception&) {
    out.error = "Le fichier n’est pas un JSON valide.";
    return out;
  } catch (const Error&) {
    out.error = "Le fichier JSON est trop imbriqué pour être un export data·inclusion.";
    return out;
  }
  const auto add_all = [&](const json& list, const std::string& label) {
    std::size_t n = 0;
    for (const auto& item : list) {
      AddJsonRecord(item, fmt::format("{} {}", label, ++n), out);
      if (!out.error.empty()) {
        return;
      }
    }
  };
  if (root.is_array()) {
    add_all(root, "élément");
  } else if (root.is_object() &&
             (root.contains("structures") || root.contains("services") || root.contains("items"))) {
    for (const char* key : {"structures", "services", "items"}) {
      if (root.contains(key)) {
        if (!root[key].is_array()) {
          out.error = fmt::format("« {} » doit être une liste.", key);
          return out;
        }
        add_all(root[key], fmt::format("{}, élément", key));
      }
    }
  } else if (root.is_object()) {
    AddJsonRecord(root, "élément 1", out);
  } else {
    out.error = "Le fichier JSON doit contenir une liste de structures ou de services.";
  }
  return out;
}

Decoded DecodeCsv(const std::string& bytes) {
  Decoded out;
  out.format = "CSV";
  const auto decoded = csv::DecodeToUtf8(bytes);
  csv::ParseError error;
  const auto table = csv::Parse(decoded.text, error);
  if (!table) {
    out.error = fmt::format("Ligne {} : {}", error.line, error.message);
    return out;
  }
  if (table->rows.empty()) {
    out.error = "Le fichier est vide.";
    return out;
  }
  std::vector<std::string> header;
  for (const auto& h : table->rows.front()) {
    header.push_back(text::ToLowerAscii(text::Trim(h)));
  }
  const bool services = std::find(header.begin(), header.end(), "structure_id") != header.end();
  for (const char* required : {"source", "id", "nom"}) {
    if (std::find(header.begin(), header.end(), required) == header.end()) {
      out.error = fmt::format(
          "La colonne « {} » manque : la première ligne doit nommer les champs du schéma "
          "data·inclusion (source, id, nom…).",
          required);
      return out;
    }
  }
  for (std::size_t i = 1; i < table->rows.size(); ++i) {
    RawRecord r;
    r.where = fmt::format("ligne {}", table->lines[i]);
    r.is_service = services;
    const auto& row = table->rows[i];
    for (std::size_t c = 0; c < header.size() && c < row.size(); ++c) {
      r.text[header[c]] = row[c];
    }
    out.records.push_back(std::move(r));
  }
  return out;
}

domain::PartnerStructure ToStructure(const RawRecord& r) {
  domain::PartnerStructure s;
  s.source = r.Text("source");
  s.external_id = r.Text("id");
  s.nom = r.Text("nom");
  s.siret = r.Text("siret");
  s.adresse = r.Text("adresse");
  s.complement_adresse = r.Text("complement_adresse");
  s.code_postal = r.Text("code_postal");
  s.code_insee = r.Text("code_insee");
  s.commune = r.Text("commune");
  s.telephone = r.Text("telephone");
  s.courriel = r.Text("courriel");
  s.site_web = r.Text("site_web");
  s.horaires_accueil = r.Text("horaires_accueil");
  s.description = r.Text("description");
  s.lien_source = r.Text("lien_source");
  s.reseaux_porteurs = r.List("reseaux_porteurs");
  return s;
}

domain::PartnerService ToService(const RawRecord& r) {
  domain::PartnerService s;
  s.source = r.Text("source");
  s.external_id = r.Text("id");
  s.structure_external_id = r.Text("structure_id");
  s.nom = r.Text("nom");
  s.description = r.Text("description");
  s.type = r.Text("type");
  s.thematiques = r.List("thematiques");
  s.publics = r.List("publics");
  s.frais = r.List("frais");
  s.modes_accueil = r.List("modes_accueil");
  s.modes_mobilisation = r.List("modes_mobilisation");
  s.mobilisable_par = r.List("mobilisable_par");
  s.lien_mobilisation = r.Text("lien_mobilisation");
  s.conditions_acces = r.Text("conditions_acces");
  s.contact_nom_prenom = r.Text("contact_nom_prenom");
  s.telephone = r.Text("telephone");
  s.courriel = r.Text("courriel");
  s.adresse = r.Text("adresse");
  s.complement_adresse = r.Text("complement_adresse");
  s.code_postal = r.Text("code_postal");
  s.code_insee = r.Text("code_insee");
  s.commune = r.Text("commune");
  s.zone_eligibilite = r.List("zone_eligibilite");
  s.horaires_accueil = r.Text("horaires_accueil");
  return s;
}

std::string Label(const char* kind, const std::string& source, const std::string& id,
                  const std::string& where) {
  return fmt::format("{} {}/{} ({})", kind, text::Truncate(source, 40), text::Truncate(id, 60),
                     where);
}

std::string Describe(const domain::FieldErrors& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += (out.empty() ? "" : " ; ") + e.field + " : " + e.message;
  }
  return out;
}

std::string Fold(std::initializer_list<std::string_view> parts) {
  std::string joined;
  for (const auto p : parts) {
    if (!p.empty()) {
      joined += (joined.empty() ? "" : " ") + std::string(p);
    }
  }
  return text::FoldForSearch(joined);
}

}  // namespace

PartnerImportReport PartnerDirectory::Import(const Actor& actor, const std::string& bytes,
                                             std::size_t max_bytes) {
  Require(actor, Permission::kManagePartners);
  PartnerImportReport report;
  if (bytes.size() > max_bytes) {
    report.file_error =
        fmt::format("Le fichier dépasse {} Mo : filtrez l’export sur le territoire.",
                    max_bytes / (1024 * 1024));
    return report;
  }
  const auto start = bytes.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  const bool is_json = start != std::string::npos && (bytes[start] == '[' || bytes[start] == '{');
  Decoded decoded = is_json ? DecodeJson(bytes) : DecodeCsv(bytes);
  report.format = decoded.format;
  if (decoded.error.empty() && decoded.records.empty()) {
    decoded.error = "Le fichier ne contient aucune structure ni aucun service.";
  }
  if (decoded.error.empty() && decoded.records.size() > kMaxRecords) {
    decoded.error = fmt::format("Plus de {} enregistrements : découpez le fichier.", kMaxRecords);
  }
  if (!decoded.error.empty()) {
    report.file_error = decoded.error;
    return report;
  }
  const auto warn = [&](const std::string& record, const domain::FieldErrors& warnings) {
    if (!warnings.empty() && report.warnings.size() < kMaxReportedWarnings) {
      report.warnings.push_back({record, Describe(warnings)});
    }
  };
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    for (const auto& r : decoded.records) {
      if (r.is_service) {
        continue;
      }
      auto s = ToStructure(r);
      const auto check = domain::CheckPartnerStructure(s, r.Text("date_maj"));
      const auto label = Label("structure", s.source, s.external_id, r.where);
      if (!check.errors.empty()) {
        report.rejected.push_back({label, Describe(check.errors)});
        continue;
      }
      warn(label, check.warnings);
      const auto done = tx.partners().UpsertStructure(
          s, Fold({s.commune, s.code_postal, s.code_insee}), Fold({s.nom}), now);
      ++(done.created ? report.structures_created : report.structures_updated);
    }
    for (const auto& r : decoded.records) {
      if (!r.is_service) {
        continue;
      }
      auto s = ToService(r);
      const auto check = domain::CheckPartnerService(s, r.Text("date_maj"), reference_.inclusion);
      const auto label = Label("service", s.source, s.external_id, r.where);
      if (!check.errors.empty()) {
        report.rejected.push_back({label, Describe(check.errors)});
        continue;
      }
      const auto structure = tx.partners().FindStructure(s.source, s.structure_external_id);
      if (!structure) {
        report.rejected.push_back(
            {label, fmt::format("structure_id : la structure « {} » n’est ni dans le fichier ni "
                                "dans l’annuaire ; importez d’abord les structures.",
                                text::Truncate(s.structure_external_id, 60))});
        continue;
      }
      warn(label, check.warnings);
      s.structure_id = *structure;
      const auto done = tx.partners().UpsertService(
          s, Fold({s.commune, s.code_postal, s.code_insee}), Fold({s.nom, s.description}), now);
      ++(done.created ? report.services_created : report.services_updated);
    }
    tx.audit().Append(MakeAuditEvent(
        actor, now, "partners.import", "partner_directory", "", "success",
        fmt::format("format={} structures={}+{} services={}+{} rejected={}", report.format,
                    report.structures_created, report.structures_updated, report.services_created,
                    report.services_updated, report.rejected.size())));
  });
  return report;
}

PartnerPage PartnerDirectory::Search(const Actor& actor, const PartnerQuery& query) {
  Require(actor, Permission::kViewPartners);
  PartnerPage page;
  PartnerSearch search;
  const auto& v = reference_.vocabularies;
  if (!query.theme.empty()) {
    if (v.inclusion_theme_categories.Contains(query.theme) ||
        reference_.inclusion.thematiques.Contains(query.theme)) {
      search.theme = query.theme;
    } else {
      page.unknown_theme = true;
    }
  }
  search.place = text::FoldForSearch(text::Truncate(text::Trim(query.place), 100));
  search.text = text::FoldForSearch(text::Truncate(text::Trim(query.text), 100));
  page.page = std::clamp(query.page, 1, 10000);
  search.limit = kPageSize;
  search.offset = (page.page - 1) * kPageSize;
  store_.Read([&](Tx& tx) { page.result = tx.partners().Search(search); });
  page.pages = std::max<int>(1, static_cast<int>((page.result.total + kPageSize - 1) / kPageSize));
  return page;
}

domain::PartnerService PartnerDirectory::Service(const Actor& actor, domain::PartnerServiceId id) {
  Require(actor, Permission::kViewPartners);
  std::optional<domain::PartnerService> found;
  store_.Read([&](Tx& tx) { found = tx.partners().FindService(id); });
  if (!found) {
    throw Error(ErrorCode::kNotFound, "Ce service n’existe pas dans l’annuaire.");
  }
  return *found;
}

}  // namespace allervers::service
