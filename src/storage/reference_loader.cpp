#include "storage/reference_loader.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.hpp"

namespace allervers::storage {
namespace {

using nlohmann::json;

json ReadJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw Error(ErrorCode::kInternal, "Fichier de référentiel introuvable : " + file.string());
  }
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInternal, "Référentiel illisible " + file.string() + " : " + e.what());
  }
}

domain::Vocabulary ReadVocabulary(const json& root, const char* key,
                                  const std::filesystem::path& file) {
  domain::Vocabulary v;
  v.name = key;
  if (!root.contains(key) || !root[key].is_array()) {
    throw Error(ErrorCode::kInternal,
                "Référentiel " + file.string() + " : la liste « " + key + " » manque");
  }
  std::set<std::string> seen;
  for (const auto& item : root[key]) {
    domain::Choice c{item.value("code", ""), item.value("label", "")};
    if (c.code.empty() || c.label.empty() || !seen.insert(c.code).second) {
      throw Error(ErrorCode::kInternal,
                  "Référentiel " + file.string() +
                      " : valeur sans code, sans libellé ou en double dans « " + key + " »");
    }
    v.items.push_back(std::move(c));
  }
  return v;
}

std::vector<std::string> Strings(const json& item, const char* key) {
  std::vector<std::string> out;
  if (item.contains(key) && item[key].is_array()) {
    for (const auto& s : item[key]) {
      out.push_back(s.get<std::string>());
    }
  }
  return out;
}

}  // namespace

domain::ReferenceData LoadReferenceData(const std::filesystem::path& data_dir) {
  domain::ReferenceData ref;
  const auto proc_file = data_dir / "procedures.json";
  const json procs = ReadJson(proc_file);
  try {
    ref.procedures.version = procs.at("version").get<std::string>();
    ref.procedures.updated = procs.value("updated", "");
    ref.procedures.domains = ReadVocabulary(procs, "domains", proc_file);
    std::set<std::string> codes;
    for (const auto& p : procs.at("procedures")) {
      domain::Procedure d;
      d.code = p.at("code").get<std::string>();
      d.label = p.at("label").get<std::string>();
      d.organisation = p.value("organisation", "");
      d.site = p.value("site", "");
      d.domain = p.at("domain").get<std::string>();
      d.channel = p.value("channel", "en_ligne");
      d.opens_right = p.value("opens_right", false);
      d.prerequisites = Strings(p, "prerequisites");
      d.documents = Strings(p, "documents");
      if (p.contains("renewal_months")) {
        d.renewal_months = p["renewal_months"].get<int>();
      }
      if (p.contains("renewal_notice_days")) {
        d.renewal_notice_days = p["renewal_notice_days"].get<int>();
      }
      if (!codes.insert(d.code).second) {
        throw Error(ErrorCode::kInternal,
                    "Référentiel " + proc_file.string() + " : code en double " + d.code);
      }
      if (!ref.procedures.domains.Contains(d.domain)) {
        throw Error(ErrorCode::kInternal, "Référentiel " + proc_file.string() +
                                              " : domaine inconnu « " + d.domain + " » pour " +
                                              d.code);
      }
      ref.procedures.procedures.push_back(std::move(d));
    }
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInternal,
                "Référentiel " + proc_file.string() + " mal formé : " + e.what());
  }

  const auto vocab_file = data_dir / "vocabularies.json";
  const json vocab = ReadJson(vocab_file);
  auto& v = ref.vocabularies;
  v.version = vocab.value("version", "");
  v.updated = vocab.value("updated", "");
  v.contact_preferences = ReadVocabulary(vocab, "contact_preferences", vocab_file);
  v.situations = ReadVocabulary(vocab, "situations", vocab_file);
  v.social_statuses = ReadVocabulary(vocab, "social_statuses", vocab_file);
  v.genders = ReadVocabulary(vocab, "genders", vocab_file);
  v.digital_difficulties = ReadVocabulary(vocab, "digital_difficulties", vocab_file);
  v.administrative_themes = ReadVocabulary(vocab, "administrative_themes", vocab_file);
  v.digital_themes = ReadVocabulary(vocab, "digital_themes", vocab_file);
  v.closure_reasons = ReadVocabulary(vocab, "closure_reasons", vocab_file);
  v.not_receivable_reasons = ReadVocabulary(vocab, "not_receivable_reasons", vocab_file);
  v.consent_methods = ReadVocabulary(vocab, "consent_methods", vocab_file);
  v.languages = ReadVocabulary(vocab, "languages", vocab_file);
  return ref;
}

}  // namespace allervers::storage
