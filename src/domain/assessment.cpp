#include "domain/assessment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/reference.hpp"

namespace allervers::domain {
namespace {

bool IsScored(GridItemType t) { return t == GridItemType::kScale || t == GridItemType::kAccount; }

const Choice* FindChoice(const std::vector<Choice>& list, std::string_view code) {
  const auto it =
      std::find_if(list.begin(), list.end(), [&](const Choice& c) { return c.code == code; });
  return it == list.end() ? nullptr : &*it;
}

std::string Get(const Answers& a, std::string_view key) {
  const auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

// The score 0..3 of a scale answer; none for NA or unanswered.
std::optional<int> ScaleValue(std::string_view v) {
  if (v.size() == 1 && v[0] >= '0' && v[0] <= '3') {
    return v[0] - '0';
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> MultiCodes(std::string_view v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size() && !v.empty()) {
    const auto comma = v.find(',', start);
    const auto end = comma == std::string_view::npos ? v.size() : comma;
    if (end > start) {
      out.emplace_back(v.substr(start, end - start));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

namespace {

std::string Percent(double v) { return fmt::format("{:.0f}", v); }

void Add(SubScore& s, int value) {
  s.sum += value;
  s.items += 1;
}

void Finish(SubScore& s) {
  if (s.items > 0) {
    s.value = 100.0 * s.sum / (3.0 * s.items);
  }
}

std::string Formula(std::string_view name, const SubScore& s) {
  if (!s.value) {
    return fmt::format("{} : non calculé, aucun élément évalué.", name);
  }
  return fmt::format("{} = 100 × {} ÷ (3 × {} éléments évalués) = {} sur 100.", name, s.sum,
                     s.items, Percent(*s.value));
}

bool IsNecessary(const Answers& a, const GridItem& item) {
  return Get(a, item.code + std::string(kNecessarySuffix)) == "oui";
}

}  // namespace

std::optional<GridItemType> ParseGridItemType(std::string_view s) {
  static const std::pair<std::string_view, GridItemType> kTypes[] = {
      {"scale", GridItemType::kScale},   {"account", GridItemType::kAccount},
      {"choice", GridItemType::kChoice}, {"multi", GridItemType::kMulti},
      {"yes_no", GridItemType::kYesNo},  {"date", GridItemType::kDate},
      {"text", GridItemType::kText},     {"need", GridItemType::kNeed},
      {"right", GridItemType::kRight}};
  for (const auto& [name, type] : kTypes) {
    if (name == s) {
      return type;
    }
  }
  return std::nullopt;
}

std::optional<ScoreGroup> ParseScoreGroup(std::string_view s) {
  if (s.empty()) {
    return ScoreGroup::kNone;
  }
  if (s == "acces") {
    return ScoreGroup::kAccess;
  }
  if (s == "comptes") {
    return ScoreGroup::kAccounts;
  }
  if (s == "competences") {
    return ScoreGroup::kSkills;
  }
  return std::nullopt;
}

const GridSection* AssessmentGrid::FindSection(std::string_view code) const {
  for (const auto& s : sections) {
    if (s.code == code) {
      return &s;
    }
  }
  return nullptr;
}

const GridItem* AssessmentGrid::FindItem(std::string_view code) const {
  for (const auto& s : sections) {
    for (const auto& i : s.items) {
      if (i.code == code) {
        return &i;
      }
    }
  }
  return nullptr;
}

const GridSection* AssessmentGrid::SectionOf(std::string_view item_code) const {
  for (const auto& s : sections) {
    for (const auto& i : s.items) {
      if (i.code == item_code) {
        return &s;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> CheckGrid(const AssessmentGrid& grid,
                                   const ProcedureCatalogue& catalogue) {
  std::vector<std::string> problems;
  if (grid.version.empty() || grid.sections.empty()) {
    problems.emplace_back("la grille n’a pas de version ou pas de section");
  }
  const auto& sc = grid.scoring;
  if (!(sc.n0_skills_below <= sc.n2_skills_from && sc.n2_skills_from <= sc.n3_skills_from &&
        sc.n3_skills_from <= 100 && sc.n0_access_below <= sc.n3_access_from &&
        sc.usable_account_from >= 0 && sc.usable_account_from <= 3)) {
    problems.emplace_back("les seuils de niveau ne sont pas dans l’ordre");
  }
  std::set<std::string> sections;
  std::set<std::string> items;
  for (const auto& s : grid.sections) {
    if (s.code.empty() || s.title.empty() || !sections.insert(s.code).second) {
      problems.push_back("section sans code, sans titre ou en double : « " + s.code + " »");
    }
    bool has_scored = false;
    for (const auto& i : s.items) {
      if (i.code.empty() || i.label.empty() || !items.insert(i.code).second) {
        problems.push_back("élément sans code, sans libellé ou en double : « " + i.code + " »");
      }
      if (i.code.find('/') != std::string::npos || i.code.find(',') != std::string::npos) {
        problems.push_back("code d’élément invalide : « " + i.code + " »");
      }
      has_scored = has_scored || IsScored(i.type);
      if ((i.type == GridItemType::kChoice || i.type == GridItemType::kMulti) &&
          i.options.empty()) {
        problems.push_back("choix sans options : « " + i.code + " »");
      }
      if (i.type == GridItemType::kRight &&
          (i.procedure.empty() || catalogue.Find(i.procedure) == nullptr)) {
        problems.push_back("droit hors du catalogue des démarches : « " + i.code + " »");
      }
    }
    if (has_scored) {
      for (const char* code : {"0", "1", "2", "3", "NA"}) {
        if (FindChoice(s.scale, code) == nullptr) {
          problems.push_back("l’échelle de la section « " + s.code + " » n’a pas la valeur " +
                             code);
        }
      }
    }
    if (s.score != ScoreGroup::kNone && !has_scored) {
      problems.push_back("la section notée « " + s.code + " » n’a aucun élément noté");
    }
  }
  if (!grid.right_states.empty()) {
    for (const char* code : {"non_recours", "rupture", "demande_en_cours", "droit_ouvert"}) {
      if (FindChoice(grid.right_states, code) == nullptr) {
        problems.push_back(std::string("état de droit manquant : ") + code);
      }
    }
  }
  return problems;
}

const AssessmentGrid* AssessmentGrids::Find(std::string_view version) const {
  for (const auto& g : versions) {
    if (g.version == version) {
      return &g;
    }
  }
  return nullptr;
}

const AssessmentGrid& AssessmentGrids::Current() const { return versions.back(); }

FieldErrors NormaliseSectionAnswers(const AssessmentGrid& grid, const GridSection& section,
                                    const Answers& in, Answers& out) {
  FieldErrors errors;
  auto fail = [&](const std::string& field, const std::string& message) {
    errors.push_back(FieldError{field, message});
  };
  for (const auto& [key, raw] : in) {
    const auto slash = key.find('/');
    const std::string item_code = key.substr(0, slash);
    const GridItem* item = nullptr;
    for (const auto& i : section.items) {
      if (i.code == item_code) {
        item = &i;
      }
    }
    if (item == nullptr) {
      fail(key, "Cette question ne fait pas partie de cette étape du bilan.");
      continue;
    }
    const std::string suffix = slash == std::string::npos ? std::string() : key.substr(slash);
    const bool suffix_ok = suffix.empty() ||
                           (suffix == kNecessarySuffix && item->type == GridItemType::kAccount) ||
                           (suffix == kAdaptationSuffix && item->type == GridItemType::kNeed);
    if (!suffix_ok) {
      fail(key, "Cette question ne fait pas partie de cette étape du bilan.");
      continue;
    }
    if (!text::IsValidUtf8(raw)) {
      fail(key, "Le texte contient des caractères illisibles.");
      continue;
    }
    const std::string v = text::Trim(raw);
    if (v.empty()) {
      continue;
    }
    const std::string label = "« " + item->label + " »";
    if (suffix == kAdaptationSuffix) {
      if (text::CodePointCount(v) > kAnswerTextMax) {
        fail(key, fmt::format("L’adaptation proposée dépasse {} caractères.", kAnswerTextMax));
        continue;
      }
      out[key] = v;
      continue;
    }
    if (suffix == kNecessarySuffix) {
      if (v != "oui" && v != "non") {
        fail(key, "Indiquez si le compte " + label + " est nécessaire : oui ou non.");
        continue;
      }
      out[key] = v;
      continue;
    }
    switch (item->type) {
      case GridItemType::kScale:
      case GridItemType::kAccount:
        if (FindChoice(section.scale, v) == nullptr) {
          fail(key, "Choisissez une valeur de l’échelle pour " + label + ".");
          continue;
        }
        break;
      case GridItemType::kChoice:
        if (FindChoice(item->options, v) == nullptr) {
          fail(key, "Choisissez une des réponses proposées pour " + label + ".");
          continue;
        }
        break;
      case GridItemType::kMulti: {
        std::string joined;
        bool ok = true;
        std::set<std::string> seen;
        for (const auto& code : MultiCodes(v)) {
          if (FindChoice(item->options, code) == nullptr) {
            ok = false;
          } else if (seen.insert(code).second) {
            joined += (joined.empty() ? "" : ",") + code;
          }
        }
        if (!ok) {
          fail(key, "Une des réponses cochées pour " + label + " n’existe pas.");
          continue;
        }
        out[key] = joined;
        continue;
      }
      case GridItemType::kYesNo:
      case GridItemType::kNeed:
        if (v != "oui" && v != "non") {
          fail(key, "Répondez oui ou non à " + label + ".");
          continue;
        }
        break;
      case GridItemType::kDate: {
        const auto d = ParseTypedDate(v);
        if (!d || d->year < 1900 || d->year > 2200) {
          fail(key, "La date " + label + " n’est pas valide : écrivez-la comme 01/12/2026.");
          continue;
        }
        out[key] = ToIso(*d);
        continue;
      }
      case GridItemType::kText:
        if (text::CodePointCount(v) > kAnswerTextMax || text::HasControlCharacters(v)) {
          fail(key, fmt::format("La réponse à {} dépasse {} caractères ou contient des "
                                "caractères de contrôle.",
                                label, kAnswerTextMax));
          continue;
        }
        break;
      case GridItemType::kRight:
        if (FindChoice(grid.right_states, v) == nullptr) {
          fail(key, "Choisissez un état du droit pour " + label + ".");
          continue;
        }
        break;
    }
    out[key] = v;
  }
  return errors;
}

std::string_view LevelCode(AutonomyLevel l) {
  switch (l) {
    case AutonomyLevel::kN0:
      return "N0";
    case AutonomyLevel::kN1:
      return "N1";
    case AutonomyLevel::kN2:
      return "N2";
    case AutonomyLevel::kN3:
      return "N3";
  }
  return "N0";
}

std::optional<AutonomyLevel> ParseLevel(std::string_view s) {
  for (auto l : {AutonomyLevel::kN0, AutonomyLevel::kN1, AutonomyLevel::kN2, AutonomyLevel::kN3}) {
    if (LevelCode(l) == s) {
      return l;
    }
  }
  return std::nullopt;
}

std::string_view LevelLabel(AutonomyLevel l) {
  switch (l) {
    case AutonomyLevel::kN0:
      return "À faire à la place";
    case AutonomyLevel::kN1:
      return "Avec guidage";
    case AutonomyLevel::kN2:
      return "Autonome avec aide ponctuelle";
    case AutonomyLevel::kN3:
      return "Autonome";
  }
  return "";
}

SubScore ScoreSection(const GridSection& section, const Answers& answers) {
  SubScore s;
  for (const auto& item : section.items) {
    if (!IsScored(item.type)) {
      continue;
    }
    if (section.score == ScoreGroup::kAccounts && item.type == GridItemType::kAccount &&
        !IsNecessary(answers, item)) {
      continue;
    }
    if (const auto v = ScaleValue(Get(answers, item.code))) {
      Add(s, *v);
    }
  }
  Finish(s);
  return s;
}

AssessmentScores ScoreAssessment(const AssessmentGrid& grid, const Answers& answers) {
  AssessmentScores out;
  const auto& th = grid.scoring;
  for (const auto& section : grid.sections) {
    SubScore* target = nullptr;
    switch (section.score) {
      case ScoreGroup::kAccess:
        target = &out.access;
        break;
      case ScoreGroup::kAccounts:
        target = &out.accounts;
        break;
      case ScoreGroup::kSkills:
        target = &out.skills;
        break;
      case ScoreGroup::kNone:
        break;
    }
    if (target == nullptr) {
      continue;
    }
    for (const auto& item : section.items) {
      if (!IsScored(item.type)) {
        continue;
      }
      const auto v = ScaleValue(Get(answers, item.code));
      if (item.type == GridItemType::kAccount) {
        if (!IsNecessary(answers, item)) {
          continue;
        }
        if (v) {
          out.necessary_accounts += 1;
          if (*v >= th.usable_account_from) {
            out.usable_necessary_accounts += 1;
          }
        }
      }
      if (v) {
        Add(*target, *v);
      }
    }
  }
  Finish(out.access);
  Finish(out.accounts);
  Finish(out.skills);

  out.explanation.push_back(Formula("Accès (équipement et connexion)", out.access));
  out.explanation.push_back(Formula("Comptes nécessaires à la personne", out.accounts));
  out.explanation.push_back(Formula("Compétences", out.skills));

  const auto& acc = out.access.value;
  const auto& sk = out.skills.value;
  const bool accounts_ok = out.usable_necessary_accounts == out.necessary_accounts;
  if (acc && *acc < th.n0_access_below) {
    out.level = AutonomyLevel::kN0;
    out.explanation.push_back(fmt::format(
        "Niveau N0 – À faire à la place : l’accès est inférieur à {} (pas d’appareil ou de "
        "connexion utilisable).",
        Percent(th.n0_access_below)));
  } else if (!sk) {
    out.explanation.emplace_back(
        "Niveau non calculé : aucune compétence n’a été évaluée (section E).");
  } else if (*sk < th.n0_skills_below) {
    out.level = AutonomyLevel::kN0;
    out.explanation.push_back(
        fmt::format("Niveau N0 – À faire à la place : les compétences sont inférieures à {}.",
                    Percent(th.n0_skills_below)));
  } else if (*sk < th.n2_skills_from) {
    out.level = AutonomyLevel::kN1;
    out.explanation.push_back(
        fmt::format("Niveau N1 – Avec guidage : les compétences sont entre {} et {}.",
                    Percent(th.n0_skills_below), Percent(th.n2_skills_from - 1)));
  } else if (*sk >= th.n3_skills_from && accounts_ok && acc && *acc >= th.n3_access_from) {
    out.level = AutonomyLevel::kN3;
    out.explanation.push_back(fmt::format(
        "Niveau N3 – Autonome : compétences d’au moins {}, tous les comptes nécessaires "
        "utilisables ({} sur {}) et accès d’au moins {}.",
        Percent(th.n3_skills_from), out.usable_necessary_accounts, out.necessary_accounts,
        Percent(th.n3_access_from)));
  } else {
    out.level = AutonomyLevel::kN2;
    if (*sk < th.n3_skills_from) {
      out.explanation.push_back(fmt::format(
          "Niveau N2 – Autonome avec aide ponctuelle : les compétences sont entre {} et {}.",
          Percent(th.n2_skills_from), Percent(th.n3_skills_from - 1)));
    } else if (!accounts_ok) {
      out.explanation.push_back(fmt::format(
          "Niveau N2 – Autonome avec aide ponctuelle : compétences d’au moins {}, mais {} "
          "compte(s) nécessaire(s) sur {} pas encore utilisable(s) seul(e).",
          Percent(th.n3_skills_from), out.necessary_accounts - out.usable_necessary_accounts,
          out.necessary_accounts));
    } else {
      out.explanation.push_back(fmt::format(
          "Niveau N2 – Autonome avec aide ponctuelle : compétences d’au moins {}, mais l’accès "
          "{} reste sous {}.",
          Percent(th.n3_skills_from), acc ? "(" + Percent(*acc) + ")" : "(non évalué)",
          Percent(th.n3_access_from)));
    }
  }
  out.explanation.emplace_back(
      "Ce niveau aide le professionnel à choisir la modalité ; il ne décide rien à sa place.");
  return out;
}

std::string AnswerLabel(const AssessmentGrid& grid, const GridSection& section,
                        const GridItem& item, const Answers& answers) {
  const std::string v = Get(answers, item.code);
  std::string out;
  switch (item.type) {
    case GridItemType::kScale:
    case GridItemType::kAccount: {
      const auto* c = FindChoice(section.scale, v);
      out = c != nullptr ? c->code + " – " + c->label : v;
      if (item.type == GridItemType::kAccount) {
        const auto n = Get(answers, item.code + std::string(kNecessarySuffix));
        if (n == "oui") {
          out += out.empty() ? "Nécessaire" : " (nécessaire)";
        } else if (n == "non") {
          out += out.empty() ? "Pas nécessaire" : " (pas nécessaire)";
        }
      }
      return out;
    }
    case GridItemType::kChoice: {
      const auto* c = FindChoice(item.options, v);
      return c != nullptr ? c->label : v;
    }
    case GridItemType::kMulti:
      for (const auto& code : MultiCodes(v)) {
        const auto* c = FindChoice(item.options, code);
        out += (out.empty() ? "" : ", ") + (c != nullptr ? c->label : code);
      }
      return out;
    case GridItemType::kYesNo:
      return v == "oui" ? "Oui" : v == "non" ? "Non" : v;
    case GridItemType::kNeed: {
      if (v != "oui") {
        return v == "non" ? "Non" : "";
      }
      const auto a = Get(answers, item.code + std::string(kAdaptationSuffix));
      return a.empty() ? "Oui" : "Oui – adaptation : " + a;
    }
    case GridItemType::kDate: {
      const auto d = ParseIsoDate(v);
      return d ? paris::FormatDate(*d) : v;
    }
    case GridItemType::kText:
      return v;
    case GridItemType::kRight: {
      const auto* c = FindChoice(grid.right_states, v);
      return c != nullptr ? c->label : v;
    }
  }
  return v;
}

AssessmentComparison CompareAssessments(const AssessmentGrid& grid_before, const Answers& before,
                                        const AssessmentGrid& grid_after, const Answers& after) {
  AssessmentComparison out;
  out.before = ScoreAssessment(grid_before, before);
  out.after = ScoreAssessment(grid_after, after);
  if (out.before.level && out.after.level) {
    out.level_change = static_cast<int>(*out.after.level) - static_cast<int>(*out.before.level);
  }
  const int usable = grid_after.scoring.usable_account_from;
  for (const auto& section : grid_after.sections) {
    SectionComparison sc;
    sc.code = section.code;
    sc.title = section.title;
    const auto* section_before = grid_before.FindSection(section.code);
    if (section.score != ScoreGroup::kNone) {
      sc.after = ScoreSection(section, after).value;
      if (section_before != nullptr) {
        sc.before = ScoreSection(*section_before, before).value;
      }
    }
    for (const auto& item : section.items) {
      ItemComparison ic;
      ic.code = item.code;
      ic.label = item.label;
      ic.after = AnswerLabel(grid_after, section, item, after);
      const auto* item_before = grid_before.FindItem(item.code);
      const auto* owner_before = grid_before.SectionOf(item.code);
      if (item_before != nullptr && owner_before != nullptr) {
        ic.before = AnswerLabel(grid_before, *owner_before, *item_before, before);
      }
      if (IsScored(item.type)) {
        const auto b = ScaleValue(Get(before, item.code));
        const auto a = ScaleValue(Get(after, item.code));
        if (a && b) {
          ic.delta = *a - *b;
        }
        if (item.type == GridItemType::kAccount && IsNecessary(after, item) && a && *a >= usable &&
            (!b || *b < usable)) {
          out.accounts_now_usable.push_back(item.label);
        }
      }
      if (item.type == GridItemType::kRight) {
        const auto b = Get(before, item.code);
        const auto a = Get(after, item.code);
        if ((b == "non_recours" || b == "rupture") &&
            (a == "demande_en_cours" || a == "droit_ouvert")) {
          out.rights_out_of_non_recours.push_back(item.label);
        }
      }
      if (!ic.before.empty() || !ic.after.empty()) {
        sc.items.push_back(std::move(ic));
      }
    }
    out.sections.push_back(std::move(sc));
  }
  return out;
}

std::vector<std::string> FreeTextItems(const AssessmentGrids& grids) {
  std::vector<std::string> out;
  for (const auto& grid : grids.versions) {
    for (const auto& section : grid.sections) {
      for (const auto& item : section.items) {
        if (item.type == GridItemType::kText) {
          out.push_back(item.code);
        }
      }
    }
  }
  return out;
}

}  // namespace allervers::domain
