#include "web/indicators_json.hpp"

#include <cmath>
#include <ctime>
#include <optional>

#include "common/csv.hpp"
#include "common/time.hpp"
#include "render/report.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;

std::string IsoUtc(Instant t) {
  const std::time_t secs = ToEpoch(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double Round1(double v) { return std::round(v * 10.0) / 10.0; }

class Writer {
 public:
  Writer(const domain::ReferenceData& ref, bool suppress) : ref_(ref), suppress_(suppress) {}

  // A count of persons (or of records about persons): "< 5" under the small-cell rule.
  json Persons(long long n) const {
    if (suppress_ && domain::IsSmallCell(n)) {
      return "< " + std::to_string(domain::kSmallCellThreshold);
    }
    return n;
  }
  // A statistic over `n` situations: not given under the rule when n < 5.
  bool Hidden(long long n) const { return suppress_ && n < domain::kSmallCellThreshold; }

  json Delay(const domain::DelayStats& d) const {
    const bool hide = Hidden(d.n);
    return {{"n", Persons(d.n)},
            {"median_days", !hide && d.median_days ? json(*d.median_days) : json(nullptr)},
            {"p90_days", !hide && d.p90_days ? json(*d.p90_days) : json(nullptr)}};
  }

  json Activity(const std::vector<service::CountRow>& rows, const domain::Vocabulary& v) const {
    json out = json::array();
    for (const auto& r : rows) {
      out.push_back({{"code", r.code},
                     {"label", r.code.empty() ? std::string("Non renseigné") : v.Label(r.code)},
                     {"count", r.n},
                     {"minutes", r.minutes},
                     {"persons", Persons(r.persons)}});
    }
    return out;
  }

  // A breakdown whose total is shown elsewhere: small cells read "< 5", and when only one cell
  // is small, the smallest other non-zero one is hidden too, so that no cell comes back by
  // subtraction from the total (docs/indicators.md §1.4, rule 2).
  json Breakdown(json rows, const char* key) const {
    if (!suppress_) {
      return rows;
    }
    std::vector<std::size_t> hidden;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (domain::IsSmallCell(rows[i].at(key).get<long long>())) {
        hidden.push_back(i);
      }
    }
    if (hidden.size() == 1) {
      std::optional<std::size_t> smallest;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto n = rows[i].at(key).get<long long>();
        if (i != hidden.front() && n > 0 &&
            (!smallest || n < rows[*smallest].at(key).get<long long>())) {
          smallest = i;
        }
      }
      if (smallest) {
        hidden.push_back(*smallest);
      }
    }
    for (const auto i : hidden) {
      rows[i][key] = "< " + std::to_string(domain::kSmallCellThreshold);
    }
    return rows;
  }

  json Counts(const std::map<std::string, long long>& counts, const domain::Vocabulary* v,
              const std::string& empty_label) const {
    json out = json::array();
    for (const auto& [code, n] : counts) {
      std::string label = code;
      if (code.empty()) {
        label = empty_label;
      } else if (v != nullptr) {
        label = v->Label(code);
      }
      out.push_back({{"code", code}, {"label", label}, {"n", n}});
    }
    return Breakdown(out, "n");
  }

  const domain::ReferenceData& ref_;
  bool suppress_;
};

json Target(const domain::TargetProgress& t, const Writer& w) {
  return {{"target", t.target},
          {"actual", w.Persons(t.actual)},
          {"pro_rata", Round1(t.pro_rata)},
          {"percent", t.target > 0 && !w.Hidden(t.actual)
                          ? json(Round1(100.0 * static_cast<double>(t.actual) / t.target))
                          : json(nullptr)}};
}

}  // namespace

json IndicatorsJson(const service::Indicators& ind, const domain::ReferenceData& ref,
                    bool suppress) {
  const Writer w(ref, suppress);
  const auto& c = ind.cases;
  const auto& a = ind.activity;
  const auto& v = ref.vocabularies;
  json out;
  out["period"] = {{"from", ToIso(ind.period.from)},
                   {"to", ToIso(ind.period.to)},
                   {"time_zone", "Europe/Paris"}};
  out["generated_at"] = IsoUtc(ind.generated_at);
  out["filters"] = {
      {"structure", ind.scope.structure ? json(*ind.scope.structure) : json(nullptr)},
      {"territory", ind.scope.territory.empty() ? json(nullptr) : json(ind.scope.territory)},
      {"worker", ind.scope.worker ? json(*ind.scope.worker) : json(nullptr)}};
  out["suppressed"] = suppress;
  out["referrals_received"] = {{"total", w.Persons(c.referrals_received)},
                               {"persons", w.Persons(c.referral_persons)}};
  out["receptions"] = {{"persons", w.Persons(c.receptions)}};
  out["follow_ups"] = {{"total", w.Persons(c.follow_ups)},
                       {"new", w.Persons(c.follow_ups_new)},
                       {"continuing", w.Persons(c.follow_ups_continuing)}};
  json reasons = json::array();
  for (const auto& [code, n] : c.exits_by_reason) {
    reasons.push_back({{"code", code},
                       {"label", code == domain::kUnknownClosureReason
                                     ? std::string("Motif non conservé (dossier rouvert depuis)")
                                     : v.closure_reasons.Label(code)},
                       {"n", n}});
  }
  out["exits"] = {{"total", w.Persons(c.exits)}, {"by_reason", w.Breakdown(reasons, "n")}};
  out["interventions"] = {
      {"count", a.interventions},
      {"minutes", a.minutes},
      {"hours", Round1(static_cast<double>(a.minutes) / 60.0)},
      {"persons", w.Persons(a.persons)},
      {"by_place", w.Activity(a.by_place, v.intervention_places)},
      {"by_modality", w.Activity(a.by_modality, v.intervention_modalities)},
      {"by_theme",
       {{"digital", w.Activity(a.by_digital_theme, v.digital_themes)},
        {"administrative", w.Activity(a.by_administrative_theme, v.administrative_themes)}}}};
  json workers = json::array();
  int rank = 0;
  for (const auto& r : a.per_worker) {
    // Outside the team, intervenants are not named: their activity is the team's.
    const std::string name =
        suppress ? "Intervenant·e " + std::string(1, static_cast<char>('A' + rank % 26)) : r.name;
    ++rank;
    workers.push_back(
        {{"name", name},
         {"count", r.n},
         {"minutes", r.minutes},
         {"persons", w.Persons(r.persons)},
         {"fte", r.fte ? json(*r.fte) : json(nullptr)},
         {"per_fte",
          r.fte && *r.fte > 0 ? json(Round1(static_cast<double>(r.n) / *r.fte)) : json(nullptr)}});
  }
  out["interventions_per_worker"] = workers;
  out["interventions_per_fte"] =
      ind.interventions_per_fte
          ? json({{"team_fte", ind.team_fte},
                  {"count_per_fte", Round1(*ind.interventions_per_fte)},
                  {"hours_per_fte", Round1(static_cast<double>(a.minutes) / 60.0 / ind.team_fte)}})
          : json(nullptr);
  json procedures = json::array();
  long long rights = 0;
  long long right_persons = 0;
  long long known = 0;
  long long cents = 0;
  json rights_by_code = json::array();
  for (const auto& p : a.procedures) {
    const auto* entry = ref.procedures.Find(p.code);
    const std::string domain = entry != nullptr ? entry->domain : std::string();
    const std::string label = entry != nullptr ? entry->label : p.code;
    if (p.worked > 0) {
      procedures.push_back(
          {{"code", p.code},
           {"label", label},
           {"domain", domain},
           {"domain_label",
            domain.empty() ? std::string("Hors catalogue") : v.administrative_themes.Label(domain)},
           {"worked", w.Persons(p.worked)},
           {"persons", w.Persons(p.persons)},
           {"completed", w.Persons(p.completed)}});
    }
    if (p.rights_opened > 0) {
      rights += p.rights_opened;
      right_persons += p.right_persons;
      known += p.amounts_known;
      cents += p.monthly_amount_cents;
      rights_by_code.push_back(
          {{"code", p.code},
           {"label", label},
           {"n", p.rights_opened},
           {"amounts_known", w.Persons(p.amounts_known)},
           {"monthly_amount_cents",
            w.Hidden(p.amounts_known) ? json(nullptr) : json(p.monthly_amount_cents)}});
    }
  }
  out["procedures"] = procedures;
  out["rights_opened"] = {{"total", w.Persons(rights)},
                          {"amounts_known", w.Persons(known)},
                          {"monthly_amount_cents", w.Hidden(known) ? json(nullptr) : json(cents)},
                          {"by_code", w.Breakdown(rights_by_code, "n")}};
  out["delays"] = {{"referral_to_contact", w.Delay(c.referral_to_contact)},
                   {"contact_to_visit", w.Delay(c.contact_to_visit)},
                   {"referral_to_visit", w.Delay(c.referral_to_visit)}};
  const auto count = [&](const char* s) {
    return a.appointments.contains(s) ? a.appointments.at(s) : 0LL;
  };
  out["no_show"] = {
      {"honoured", count("honoured")},
      {"absent", count("absent")},
      {"cancelled", count("cancelled_person") + count("cancelled_team")},
      {"postponed", count("postponed")},
      {"without_outcome", count("planned")},
      {"rate_percent", ind.no_show_rate && !w.Hidden(count("honoured") + count("absent"))
                           ? json(Round1(100.0 * *ind.no_show_rate))
                           : json(nullptr)}};
  json levels = json::array();
  for (const auto& [code, n] : c.entry_levels) {
    const auto level = domain::ParseLevel(code);
    levels.push_back({{"level", code},
                      {"label", level ? std::string(domain::LevelLabel(*level)) : code},
                      {"n", n}});
  }
  out["autonomy"] = {{"entry", w.Breakdown(levels, "n")},
                     {"exit",
                      {{"with_both_levels", w.Persons(c.exits_with_levels)},
                       {"improved", w.Persons(c.exits_improved)},
                       {"unchanged", w.Persons(c.exits_unchanged)},
                       {"declined", w.Persons(c.exits_declined)}}}};
  json orientations = json::array();
  for (const auto& o : a.orientations) {
    orientations.push_back({{"kind", o.code},
                            {"label", v.redirection_kinds.Label(o.code)},
                            {"n", o.n},
                            {"persons", o.persons}});
  }
  out["orientations"] = w.Breakdown(w.Breakdown(orientations, "n"), "persons");
  json bands = json::array();
  for (const auto& band : domain::AgeBands()) {
    const auto it = c.age_bands.find(band);
    bands.push_back({{"label", band}, {"n", it == c.age_bands.end() ? 0 : it->second}});
  }
  bands = w.Breakdown(bands, "n");
  // Communes under the threshold are grouped outside the team (docs/indicators.md §1.4 rule 5).
  std::map<std::string, long long> communes;
  for (const auto& [commune, n] : c.communes) {
    communes[suppress && n < domain::kSmallCellThreshold ? std::string("Autres communes")
                                                         : commune] += n;
  }
  out["profile"] = {{"age_bands", bands},
                    {"genders", w.Counts(c.genders, &v.genders, "Non communiqué")},
                    {"communes", w.Counts(communes, nullptr, "Non renseignée")}};
  out["cost"] =
      ind.period_budget_cents
          ? json({{"budget_eur_year", ind.budget_eur},
                  {"period_budget_cents", *ind.period_budget_cents},
                  {"per_follow_up_cents", ind.cost_per_follow_up_cents && !w.Hidden(c.follow_ups)
                                              ? json(*ind.cost_per_follow_up_cents)
                                              : json(nullptr)}})
          : json(nullptr);
  out["targets"] = ind.has_targets ? json({{"year", ind.period.to.year},
                                           {"follow_ups", Target(ind.follow_ups_target, w)},
                                           {"receptions", Target(ind.receptions_target, w)}})
                                   : json(nullptr);
  return out;
}

namespace {

json Row(const std::string& label, std::vector<json> cells) {
  return {{"label", label}, {"cells", cells}};
}

json Table(const std::string& title, std::vector<std::string> columns, json rows) {
  return {{"title", title}, {"columns", columns}, {"rows", std::move(rows)}};
}

json Field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) ? object.at(key) : json(nullptr);
}

// Rows "label: count / hours / persons" of an activity breakdown.
json ActivityRows(const json& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back(Row(
        r.at("label").get<std::string>(),
        {r.at("count"), std::round(r.at("minutes").get<double>() / 6.0) / 10.0, r.at("persons")}));
  }
  return out;
}

json LabelledRows(const json& rows, const char* key = "n") {
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back(Row(r.at("label").get<std::string>(), {r.at(key)}));
  }
  return out;
}

}  // namespace

json IndicatorTables(const json& j) {
  json sections = json::array();
  const auto section = [&](const std::string& id, const std::string& title, json tables) {
    sections.push_back({{"id", id}, {"title", title}, {"tables", std::move(tables)}});
  };
  json key = json::array();
  const auto& fu = j.at("follow_ups");
  key.push_back(Row("Fiches de liaison reçues", {j.at("referrals_received").at("total")}));
  key.push_back(Row("Personnes orientées", {j.at("referrals_received").at("persons")}));
  key.push_back(Row("Accueils (premier rendez-vous honoré)", {j.at("receptions").at("persons")}));
  key.push_back(Row("Suivis (accompagnements en cours)", {fu.at("total")}));
  key.push_back(Row("dont nouveaux suivis", {fu.at("new")}));
  key.push_back(Row("dont suivis poursuivis", {fu.at("continuing")}));
  key.push_back(Row("Sorties", {j.at("exits").at("total")}));
  key.push_back(Row("Interventions", {j.at("interventions").at("count")}));
  key.push_back(Row("Heures d’intervention", {j.at("interventions").at("hours")}));
  key.push_back(Row("Droits ouverts", {j.at("rights_opened").at("total")}));
  json tables = json::array({Table("Chiffres clés", {"Nombre"}, key)});
  if (!j.at("targets").is_null()) {
    json rows = json::array();
    for (const auto& [k, label] : std::vector<std::pair<std::string, std::string>>{
             {"follow_ups", "Suivis"}, {"receptions", "Accueils"}}) {
      const auto& t = j.at("targets").at(k);
      rows.push_back(
          Row(label, {t.at("target"), t.at("pro_rata"), t.at("actual"), t.at("percent")}));
    }
    tables.push_back(
        Table("Objectifs de l’année " + std::to_string(j.at("targets").at("year").get<int>()),
              {"Objectif annuel", "Prorata à la fin de la période", "Réalisé depuis le 1er janvier",
               "% de l’objectif"},
              rows));
  }
  section("chiffres-cles", "Chiffres clés et objectifs", tables);

  json delays = json::array();
  for (const auto& [k, label] : std::vector<std::pair<std::string, std::string>>{
           {"referral_to_contact", "Réception de la fiche → premier contact"},
           {"contact_to_visit", "Premier contact → premier rendez-vous"},
           {"referral_to_visit", "Réception de la fiche → premier rendez-vous"}}) {
    const auto& d = j.at("delays").at(k);
    delays.push_back(Row(label, {d.at("n"), d.at("median_days"), d.at("p90_days")}));
  }
  section("flux", "Flux d’entrée et délais",
          json::array({Table("Délais en jours calendaires",
                             {"Fiches", "Médiane (jours)", "90e centile (jours)"}, delays)}));

  json exits = LabelledRows(j.at("exits").at("by_reason"));
  const auto& ns = j.at("no_show");
  json absences =
      json::array({Row("Honorés", {ns.at("honoured")}), Row("Absences", {ns.at("absent")}),
                   Row("Annulés", {ns.at("cancelled")}), Row("Reportés", {ns.at("postponed")}),
                   Row("Sans résultat saisi", {ns.at("without_outcome")}),
                   Row("Taux d’absence (%)", {ns.at("rate_percent")})});
  section("file-active", "File active, sorties et rendez-vous",
          json::array({Table("Sorties par motif", {"Personnes"}, exits),
                       Table("Rendez-vous de la période", {"Nombre"}, absences)}));

  const auto& iv = j.at("interventions");
  json per_worker = json::array();
  for (const auto& r : j.at("interventions_per_worker")) {
    per_worker.push_back(Row(r.at("name").get<std::string>(),
                             {r.at("count"), std::round(r.at("minutes").get<double>() / 6.0) / 10.0,
                              r.at("fte"), r.at("per_fte")}));
  }
  json activity =
      json::array({Table("Interventions par lieu", {"Interventions", "Heures", "Personnes"},
                         ActivityRows(iv.at("by_place"))),
                   Table("Interventions par modalité", {"Interventions", "Heures", "Personnes"},
                         ActivityRows(iv.at("by_modality"))),
                   Table("Interventions par intervenant·e",
                         {"Interventions", "Heures", "ETP", "Interventions par ETP"}, per_worker)});
  if (!j.at("interventions_per_fte").is_null()) {
    const auto& f = j.at("interventions_per_fte");
    activity.push_back(Table("Ratio de l’équipe", {"Valeur"},
                             json::array({Row("ETP financés", {f.at("team_fte")}),
                                          Row("Interventions par ETP", {f.at("count_per_fte")}),
                                          Row("Heures par ETP", {f.at("hours_per_fte")})})));
  }
  section("activite", "Activité", activity);

  json procedures = json::array();
  for (const auto& p : j.at("procedures")) {
    procedures.push_back(
        Row(p.at("domain_label").get<std::string>() + " — " + p.at("label").get<std::string>(),
            {p.at("worked"), p.at("persons"), p.at("completed")}));
  }
  section("problematiques", "Problématiques traitées et démarches",
          json::array({Table("Thèmes numériques", {"Interventions", "Heures", "Personnes"},
                             ActivityRows(iv.at("by_theme").at("digital"))),
                       Table("Thèmes administratifs", {"Interventions", "Heures", "Personnes"},
                             ActivityRows(iv.at("by_theme").at("administrative"))),
                       Table("Démarches accompagnées", {"Démarches", "Personnes", "Finalisées"},
                             procedures)}));

  json rights = json::array();
  for (const auto& r : j.at("rights_opened").at("by_code")) {
    const auto cents = r.at("monthly_amount_cents");
    rights.push_back(Row(r.at("label").get<std::string>(),
                         {r.at("n"), r.at("amounts_known"),
                          cents.is_null() ? cents : json(cents.get<double>() / 100.0)}));
  }
  const auto total_cents = j.at("rights_opened").at("monthly_amount_cents");
  rights.push_back(Row(
      "Total", {j.at("rights_opened").at("total"), j.at("rights_opened").at("amounts_known"),
                total_cents.is_null() ? total_cents : json(total_cents.get<double>() / 100.0)}));
  section(
      "droits", "Accès aux droits",
      json::array({Table("Droits ouverts",
                         {"Droits", "dont avec montant", "Montant mensuel estimé (€)"}, rights)}));

  const auto& ex = j.at("autonomy").at("exit");
  section(
      "autonomie", "Autonomie numérique",
      json::array({Table("Niveau au bilan initial", {"Personnes"},
                         LabelledRows(j.at("autonomy").at("entry"))),
                   Table("Évolution à la sortie", {"Personnes"},
                         json::array({Row("Bilans initial et final", {ex.at("with_both_levels")}),
                                      Row("Niveau en progrès", {ex.at("improved")}),
                                      Row("Niveau stable", {ex.at("unchanged")}),
                                      Row("Niveau en recul", {ex.at("declined")})}))}));

  json orientations = json::array();
  for (const auto& o : j.at("orientations")) {
    orientations.push_back(Row(o.at("label").get<std::string>(), {o.at("n"), o.at("persons")}));
  }
  section(
      "orientations", "Orientations vers les partenaires",
      json::array({Table("Par type de partenaire", {"Orientations", "Personnes"}, orientations)}));

  const auto& pr = j.at("profile");
  section("profil", "Profil des personnes suivies",
          json::array({Table("Âge", {"Personnes"}, LabelledRows(pr.at("age_bands"))),
                       Table("Genre", {"Personnes"}, LabelledRows(pr.at("genders"))),
                       Table("Commune", {"Personnes"}, LabelledRows(pr.at("communes")))}));

  if (!j.at("cost").is_null()) {
    const auto& c = j.at("cost");
    const auto per = Field(c, "per_follow_up_cents");
    section("cout", "Coût",
            json::array({Table(
                "Coût par personne suivie", {"Euros"},
                json::array({Row("Budget annuel", {c.at("budget_eur_year")}),
                             Row("Budget de la période",
                                 {c.at("period_budget_cents").get<double>() / 100.0}),
                             Row("Coût par personne suivie",
                                 {per.is_null() ? per : json(per.get<double>() / 100.0)})}))}));
  }
  return sections;
}

namespace {
// A spreadsheet reads "1234,5" as a number, not "1 234,5".
std::string CsvCell(const json& v) {
  std::string s = render::FormatCell(v);
  for (std::size_t at = s.find("\u202F"); at != std::string::npos; at = s.find("\u202F")) {
    s.erase(at, std::string("\u202F").size());
  }
  return s;
}
}  // namespace

std::string IndicatorsCsv(const json& j) {
  std::string out = "\xEF\xBB\xBF";  // a BOM: spreadsheet software then reads UTF-8
  const auto line = [&](std::vector<std::string> fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      out += (i == 0 ? "" : ";") + csv::Field(fields[i], ';');
    }
    out += "\r\n";
  };
  line({"Période",
        "du " + paris::FormatDate(*ParseIsoDate(j.at("period").at("from").get<std::string>())) +
            " au " + paris::FormatDate(*ParseIsoDate(j.at("period").at("to").get<std::string>()))});
  line({"Section", "Tableau", "Ligne", "Colonne", "Valeur"});
  for (const auto& s : IndicatorTables(j)) {
    for (const auto& t : s.at("tables")) {
      for (const auto& r : t.at("rows")) {
        const auto& cells = r.at("cells");
        for (std::size_t i = 0; i < cells.size(); ++i) {
          line({s.at("title").get<std::string>(), t.at("title").get<std::string>(),
                r.at("label").get<std::string>(), t.at("columns").at(i).get<std::string>(),
                CsvCell(cells.at(i))});
        }
      }
    }
  }
  return out;
}

json SteeringReportModel(const service::SteeringReport& report, const domain::ReferenceData& ref) {
  const json indicators = IndicatorsJson(report.indicators, ref, true);
  json model;
  model["title"] = "Bilan trimestriel de l’équipe mobile numérique";
  model["team"] = report.team.name;
  const auto& p = report.indicators.period;
  model["period_label"] = domain::QuarterLabel(report.quarter) + ", du " +
                          paris::FormatDate(p.from) + " au " + paris::FormatDate(p.to);
  model["generated_label"] = "Établi le " + paris::FormatDate(report.indicators.generated_at) +
                             " à partir des saisies de l’équipe dans Allervers.";
  model["notice"] =
      "Secret statistique : un effectif de 1 à 4 personnes est écrit « < 5 », et les "
      "intervenant·es ne sont pas nommé·es.";
  json targets = json::array();
  if (!indicators.at("targets").is_null()) {
    for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
             {"follow_ups", "Suivis"}, {"receptions", "Accueils"}}) {
      const auto& t = indicators.at("targets").at(key);
      targets.push_back({{"label", label},
                         {"target", t.at("target")},
                         {"actual", t.at("actual")},
                         {"pro_rata", t.at("pro_rata")}});
    }
  }
  model["targets"] = targets;
  model["sections"] = IndicatorTables(indicators);
  const domain::SteeringTexts empty;
  const auto& texts = report.texts ? report.texts->texts : empty;
  model["texts"] = json::array({{{"title", "Faits marquants"}, {"text", texts.highlights}},
                                {{"title", "Difficultés"}, {"text", texts.difficulties}},
                                {{"title", "Perspectives"}, {"text", texts.perspectives}}});
  // The rules of docs/indicators.md, in the words the Département reads.
  model["annex"] = json::array(
      {{{"title", "Annexe méthodologique"},
        {"paragraphs",
         json::array(
             {"Période : du premier jour 0 h au lendemain du dernier jour 0 h, heure de Paris. Une "
              "personne est comptée une fois, même orientée deux fois ; les dossiers fusionnés "
              "comptent pour une personne.",
              "Fiches de liaison reçues : fiches dont la date de réception est dans la période, "
              "quelle que soit leur suite.",
              "Accueils : personnes dont la première séance (rendez-vous honoré, intervention ou "
              "bilan) au titre d’une fiche a eu lieu dans la période.",
              "Suivis : personnes dont l’accompagnement, ouvert par la première séance et non "
              "clôturé avant le début de la période, a été en cours au moins un jour de la "
              "période ; nouveaux suivis = accueils de la période.",
              "Sorties : accompagnements clôturés dans la période et non rouverts avant sa fin, "
              "par motif de clôture.",
              "Interventions : interventions dont la date est dans la période, comptées une fois "
              "quel que soit le nombre d’intervenant·es ; heures = somme des durées saisies. Par "
              "intervenant·e, une intervention à deux compte pour chacun ; ratio = interventions "
              "÷ ETP.",
              "Démarches : démarches ayant changé de statut ou travaillées lors d’une intervention "
              "dans la période. Droits ouverts : réponse « droit ouvert » de l’organisme à une "
              "date de la période ; montant mensuel estimé par l’intervenant·e, non vérifié.",
              "Délais : jours calendaires entre la réception de la fiche, le premier contact "
              "abouti et la première séance, mesurés sur les fiches dont l’étape d’arrivée est "
              "dans la période ; médiane et 90e centile (rang le plus proche).",
              "Taux d’absence : rendez-vous notés « absent » parmi ceux notés « honoré » ou « "
              "absent » ; les rendez-vous annulés ou reportés sont exclus.",
              "Autonomie : niveau N0 à N3 du bilan initial réalisé dans la période ; à la sortie, "
              "évolution entre bilan initial et bilan final.",
              "Profil : caractéristiques, à la fin de la période, des personnes suivies ; âge "
              "calculé au dernier jour de la période.",
              "Objectifs : réalisé depuis le 1er janvier comparé à l’objectif annuel et au "
              "prorata des jours écoulés (objectif × jours écoulés ÷ jours de l’année).",
              "Secret statistique : seuls des agrégats quittent l’équipe. Un effectif de 1 à 4 "
              "personnes est écrit « < 5 » ; une statistique sur moins de 5 situations n’est pas "
              "calculée ; les communes de moins de 5 personnes sont regroupées."})}}});
  return model;
}

std::string CoopCsv(const std::vector<service::CoopActivity>& rows,
                    const domain::ReferenceData& ref) {
  const auto& v = ref.vocabularies;
  std::string out = "\xEF\xBB\xBF";
  const auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      out += (i == 0 ? "" : ";") + csv::Field(fields[i], ';');
    }
    out += "\r\n";
  };
  line({"Date",
        "Enregistré le",
        "Dernière modification le",
        "Type",
        "Participants",
        "Canaux d’accompagnement",
        "Nom du lieu",
        "Adresse",
        "Commune",
        "Code postal",
        "Code Insee",
        "Durée (min)",
        "Nom de l’atelier",
        "Matériel numérique utilisé",
        "Thématique(s) d’accompagnement",
        "Tags",
        "Nom de la démarche administrative",
        "Niveau d’autonomie (ou de l’atelier)",
        "Bénéficiaire réorienté",
        "Structure de redirection",
        "Commune du bénéficiaire",
        "Code postal du bénéficiaire",
        "Code Insee du bénéficiaire",
        "Genre du bénéficiaire",
        "Tranche d’âge du bénéficiaire",
        "Statut du bénéficiaire",
        "ID CRA"});
  const auto labels = [](const std::vector<std::string>& codes, const domain::Vocabulary& vocab,
                         std::string joined = {}) {
    for (const auto& c : codes) {
      joined += (joined.empty() ? "" : "\n") + vocab.Label(c);
    }
    return joined;
  };
  for (const auto& r : rows) {
    // La Coop's own wording of its lists.
    const std::string channel = r.place == "domicile"     ? "À domicile"
                                : r.place == "a_distance" ? "À distance"
                                                          : "Autre lieu";
    const std::string autonomy = r.autonomy == "entierement_accompagne" ? "Entièrement accompagné"
                                 : r.autonomy == "partiellement_autonome" ? "Partiellement autonome"
                                 : r.autonomy == "autonome"               ? "Autonome"
                                                                          : "";
    const std::string gender = r.person_gender == "femme"   ? "Féminin"
                               : r.person_gender == "homme" ? "Masculin"
                                                            : "Non communiqué";
    const bool at_home = r.place == "domicile";
    std::string procedures;
    for (const auto& code : r.procedures) {
      const auto* entry = ref.procedures.Find(code);
      procedures += (procedures.empty() ? "" : "\n") + (entry != nullptr ? entry->label : code);
    }
    std::string themes = labels(r.digital_themes, v.digital_themes);
    themes = labels(r.administrative_themes, v.administrative_themes, themes);
    const std::string updated =
        r.updated_at == r.created_at ? std::string() : paris::FormatDateTime(r.updated_at);
    line({paris::FormatDate(r.occurred_on),
          paris::FormatDateTime(r.created_at),
          updated,
          "Accompagnement individuel",
          "1",
          channel,
          "",
          "",
          !r.place_city.empty() ? r.place_city
          : at_home             ? r.person_city
                                : "",
          !r.place_postal_code.empty() ? r.place_postal_code
          : at_home                    ? r.person_postal_code
                                       : "",
          "",
          std::to_string(r.duration_minutes),
          "",
          labels(r.equipment, v.equipment),
          themes,
          "",
          procedures,
          autonomy,
          r.redirected_to ? "Oui" : "Non",
          r.redirected_to ? v.redirection_kinds.Label(*r.redirected_to) : "",
          r.person_city,
          r.person_postal_code,
          "",
          gender,
          domain::AgeBand(r.person_birth_date, r.person_birth_year, r.occurred_on),
          "Non communiqué ou hétérogène",
          std::to_string(r.intervention_id) + "-" + std::to_string(r.user_id)});
  }
  return out;
}

}  // namespace allervers::web
