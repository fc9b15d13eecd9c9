#include "storage/reference_loader.hpp"

#include <algorithm>
#include <cstdlib>
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

std::vector<domain::Choice> Choices(const json& node, const char* key,
                                    const std::filesystem::path& file) {
  std::vector<domain::Choice> out;
  if (!node.contains(key)) {
    return out;
  }
  std::set<std::string> seen;
  for (const auto& c : node.at(key)) {
    domain::Choice choice{c.at("code").get<std::string>(), c.at("label").get<std::string>()};
    if (choice.code.empty() || choice.label.empty() || !seen.insert(choice.code).second) {
      throw Error(ErrorCode::kInternal,
                  "Grille " + file.string() +
                      " : valeur sans code, sans libellé ou en double dans « " + key + " »");
    }
    out.push_back(std::move(choice));
  }
  return out;
}

domain::AssessmentGrid ReadGrid(const std::filesystem::path& file,
                                const domain::ProcedureCatalogue& catalogue) {
  const json root = ReadJson(file);
  domain::AssessmentGrid g;
  try {
    g.name = root.at("name").get<std::string>();
    g.version = root.at("version").get<std::string>();
    g.updated = root.value("updated", "");
    g.source = root.value("source", "");
    if (root.contains("scoring")) {
      const auto& sc = root.at("scoring");
      g.scoring.n0_access_below = sc.value("n0_access_below", g.scoring.n0_access_below);
      g.scoring.n0_skills_below = sc.value("n0_skills_below", g.scoring.n0_skills_below);
      g.scoring.n2_skills_from = sc.value("n2_skills_from", g.scoring.n2_skills_from);
      g.scoring.n3_skills_from = sc.value("n3_skills_from", g.scoring.n3_skills_from);
      g.scoring.n3_access_from = sc.value("n3_access_from", g.scoring.n3_access_from);
      g.scoring.usable_account_from =
          sc.value("usable_account_from", g.scoring.usable_account_from);
    }
    g.right_states = Choices(root, "right_states", file);
    for (const auto& s : root.at("sections")) {
      domain::GridSection section;
      section.code = s.at("code").get<std::string>();
      section.title = s.at("title").get<std::string>();
      section.intro = s.value("intro", "");
      const auto group = domain::ParseScoreGroup(s.value("score", ""));
      if (!group) {
        throw Error(ErrorCode::kInternal,
                    "Grille " + file.string() + " : note inconnue pour la section " + section.code);
      }
      section.score = *group;
      section.scale = Choices(s, "scale", file);
      for (const auto& i : s.at("items")) {
        domain::GridItem item;
        item.code = i.at("code").get<std::string>();
        item.label = i.at("label").get<std::string>();
        const auto type = domain::ParseGridItemType(i.at("type").get<std::string>());
        if (!type) {
          throw Error(ErrorCode::kInternal,
                      "Grille " + file.string() + " : type inconnu pour " + item.code);
        }
        item.type = *type;
        item.hint = i.value("hint", "");
        item.reference = i.value("reference", "");
        item.procedure = i.value("procedure", "");
        item.options = Choices(i, "options", file);
        section.items.push_back(std::move(item));
      }
      g.sections.push_back(std::move(section));
    }
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInternal, "Grille " + file.string() + " mal formée : " + e.what());
  }
  const auto problems = domain::CheckGrid(g, catalogue);
  if (!problems.empty()) {
    throw Error(ErrorCode::kInternal, "Grille " + file.string() + " : " + problems.front());
  }
  if (file.stem().string() != g.version) {
    throw Error(ErrorCode::kInternal, "Grille " + file.string() +
                                          " : le nom du fichier doit être sa version (" +
                                          g.version + ".json)");
  }
  return g;
}

// Every <version>.json of the folder, sorted by version (YYYY.N sorts as text only up to
// nine revisions a year, so compare the parts as numbers).
domain::AssessmentGrids LoadAssessmentGrids(const std::filesystem::path& dir,
                                            const domain::ProcedureCatalogue& catalogue) {
  domain::AssessmentGrids grids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") {
      grids.versions.push_back(ReadGrid(entry.path(), catalogue));
    }
  }
  if (ec || grids.versions.empty()) {
    throw Error(ErrorCode::kInternal, "Aucune grille de bilan dans " + dir.string());
  }
  auto key = [](const std::string& v) {
    std::vector<long> parts;
    std::size_t start = 0;
    while (start <= v.size()) {
      const auto dot = v.find('.', start);
      parts.push_back(std::strtol(v.substr(start, dot - start).c_str(), nullptr, 10));
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    return parts;
  };
  std::sort(grids.versions.begin(), grids.versions.end(),
            [&](const auto& a, const auto& b) { return key(a.version) < key(b.version); });
  return grids;
}

// One list of data·inclusion: [{"value", "label", "description"}].
domain::Vocabulary ReadInclusionList(const std::filesystem::path& dir, const char* name) {
  const auto file = dir / (std::string(name) + ".json");
  const json root = ReadJson(file);
  domain::Vocabulary v;
  v.name = name;
  std::set<std::string> seen;
  if (!root.is_array()) {
    throw Error(ErrorCode::kInternal, "Référentiel " + file.string() + " : une liste est attendue");
  }
  for (const auto& item : root) {
    domain::Choice c{item.is_object() && item.contains("value") && item["value"].is_string()
                         ? item["value"].get<std::string>()
                         : "",
                     item.is_object() && item.contains("label") && item["label"].is_string()
                         ? item["label"].get<std::string>()
                         : ""};
    if (c.code.empty() || c.label.empty() || !seen.insert(c.code).second) {
      throw Error(ErrorCode::kInternal, "Référentiel " + file.string() +
                                            " : valeur sans code, sans libellé ou en double");
    }
    v.items.push_back(std::move(c));
  }
  return v;
}

domain::InclusionLists LoadInclusionLists(const std::filesystem::path& dir,
                                          const domain::Vocabulary& categories) {
  domain::InclusionLists lists;
  lists.thematiques = ReadInclusionList(dir, "thematiques");
  lists.publics = ReadInclusionList(dir, "publics");
  lists.frais = ReadInclusionList(dir, "frais");
  lists.modes_accueil = ReadInclusionList(dir, "modes-accueil");
  lists.types = ReadInclusionList(dir, "types-de-services");
  lists.modes_mobilisation = ReadInclusionList(dir, "modes-mobilisation");
  lists.personnes_mobilisatrices = ReadInclusionList(dir, "personnes-mobilisatrices");
  for (const auto& theme : lists.thematiques.items) {
    const auto category = theme.code.substr(0, theme.code.find("--"));
    if (!categories.Contains(category)) {
      throw Error(ErrorCode::kInternal, "Référentiel data·inclusion : la thématique " + theme.code +
                                            " n’a pas de catégorie dans vocabularies.json");
    }
  }
  return lists;
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
  v.intervention_places = ReadVocabulary(vocab, "intervention_places", vocab_file);
  v.intervention_modalities = ReadVocabulary(vocab, "intervention_modalities", vocab_file);
  v.equipment = ReadVocabulary(vocab, "equipment", vocab_file);
  v.autonomy = ReadVocabulary(vocab, "autonomy", vocab_file);
  v.redirection_kinds = ReadVocabulary(vocab, "redirection_kinds", vocab_file);
  v.orientation_shared = ReadVocabulary(vocab, "orientation_shared", vocab_file);
  v.review_participants = ReadVocabulary(vocab, "review_participants", vocab_file);
  v.orientation_consent_methods = ReadVocabulary(vocab, "orientation_consent_methods", vocab_file);
  v.inclusion_theme_categories = ReadVocabulary(vocab, "inclusion_theme_categories", vocab_file);
  ref.assessment = LoadAssessmentGrids(data_dir / "assessment_grids", ref.procedures);
  ref.inclusion = LoadInclusionLists(data_dir / "data-inclusion", v.inclusion_theme_categories);
  return ref;
}

}  // namespace allervers::storage
