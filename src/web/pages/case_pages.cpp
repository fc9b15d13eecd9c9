// The case page of a person, bilans diagnostiques, interventions and notes.

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "domain/phone.hpp"
#include "service/case_service.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

// Filters of the timeline: query value, label, entry kind (empty: everything).
struct TimelineFilter {
  const char* value;
  const char* label;
  const char* kind;
};
constexpr std::array<TimelineFilter, 9> kFilters = {{
    {"tout", "Tout", ""},
    {"fiche", "Fiche de liaison", "referral"},
    {"contacts", "Contacts", "contact"},
    {"rendez-vous", "Rendez-vous", "appointment"},
    {"bilans", "Bilans", "assessment"},
    {"interventions", "Interventions", "intervention"},
    {"demarches", "Démarches", "procedure"},
    {"orientations", "Orientations", "orientation"},
    {"notes", "Notes", "note"},
}};

std::string Score(const std::optional<double>& v) {
  return v ? fmt::format("{:.0f} / 100", *v) : std::string("non calculé");
}

std::string PersonName(const domain::PersonData& p) {
  return service::DisplayName(p.usage_name.empty() ? p.birth_name : p.usage_name, p.first_names);
}

// A DOM id from a grid code ("D.email/necessaire" → "q-D-email-necessaire").
std::string QuestionId(std::string_view code) {
  std::string id = "q-";
  for (char ch : code) {
    id.push_back(ch == '.' || ch == '/' || ch == ',' ? '-' : ch);
  }
  return id;
}

json LevelJson(const std::optional<domain::AutonomyLevel>& l) {
  if (!l) {
    return {{"code", ""}, {"label", "Niveau non calculé"}, {"known", false}};
  }
  return {{"code", std::string(domain::LevelCode(*l))},
          {"label", std::string(domain::LevelLabel(*l))},
          {"known", true}};
}

json AssessmentSummaryJson(const domain::Assessment& a) {
  return {{"id", a.id},
          {"kind", std::string(domain::AssessmentKindCode(a.kind))},
          {"kind_label", std::string(domain::AssessmentKindLabel(a.kind))},
          {"completed", a.completed},
          {"date", paris::FormatDate(a.conducted_on)},
          {"level", LevelJson(a.level)},
          {"access", Score(a.score_access)},
          {"accounts", Score(a.score_accounts)},
          {"skills", Score(a.score_skills)}};
}

json ProcedureSummaryJson(const domain::CaseProcedure& p, const domain::ReferenceData& ref) {
  const auto* entry = ref.procedures.Find(p.code);
  int gathered = 0;
  for (const auto& d : p.documents) {
    gathered += d.gathered ? 1 : 0;
  }
  return {
      {"id", p.id},
      {"code", p.code},
      {"label", entry != nullptr ? entry->label : p.code},
      {"status", std::string(domain::ProcedureStatusLabel(p.status))},
      {"closed", domain::IsProcedureClosed(p.status)},
      {"outcome", p.outcome == domain::RightOutcome::kNone
                      ? std::string()
                      : std::string(domain::RightOutcomeLabel(p.outcome))},
      {"amount", p.monthly_amount_cents ? domain::FormatEuros(*p.monthly_amount_cents) + " par mois"
                                        : std::string()},
      {"due", p.due_on ? paris::FormatDate(*p.due_on) : std::string()},
      {"documents", fmt::format("{} pièce(s) sur {}", gathered, p.documents.size())},
      {"has_documents", !p.documents.empty()}};
}

json CaseJson(const service::CaseRecord& c, bool can_write, const domain::ReferenceData& ref,
              const LocalDate& today) {
  const auto& r = c.referral;
  const bool open = domain::IsTakenOn(r.status);
  json j = {{"referral_id", r.id},
            {"number", r.number},
            {"status", std::string(domain::StatusLabel(r.status))},
            {"open", open},
            {"writable", open && can_write},
            {"structure", r.structure_name},
            {"referrer", r.data.referrer_name},
            {"assigned", r.assigned_name},
            {"received", r.received_at ? paris::FormatDate(*r.received_at) : std::string()},
            {"interventions", c.interventions.size()}};
  int minutes = 0;
  for (const auto& i : c.interventions) {
    minutes += i.duration_minutes;
  }
  j["hours"] = domain::FormatMinutes(minutes);
  json bilans = json::array();
  bool has_initial = false;
  bool has_final = false;
  for (const auto& a : c.assessments) {
    bilans.push_back(AssessmentSummaryJson(a));
    has_initial = has_initial || a.kind == domain::AssessmentKind::kInitial;
    has_final = has_final || a.kind == domain::AssessmentKind::kFinal;
  }
  j["bilans"] = bilans;
  j["has_bilans"] = !bilans.empty();
  j["can_start_initial"] = open && can_write && !has_initial;
  j["can_start_final"] = open && can_write && has_initial && !has_final;
  j["can_compare"] = has_initial && has_final;
  j["closed"] = r.status == domain::ReferralStatus::kClosed;
  j["can_reopen"] = r.status == domain::ReferralStatus::kClosed && can_write;
  j["closure_letter"] = r.status == domain::ReferralStatus::kClosed &&
                        domain::ClosureLetterAllowed(r.decision_reason);
  j["closed_at"] = r.closed_at ? paris::FormatDate(*r.closed_at) : std::string();
  j["closure_reason"] = r.status == domain::ReferralStatus::kClosed
                            ? ref.vocabularies.closure_reasons.Label(r.decision_reason)
                            : std::string();
  j["closure_note"] = r.status == domain::ReferralStatus::kClosed ? r.decision_message : "";
  json procedures = json::array();
  for (const auto& p : c.procedures) {
    procedures.push_back(ProcedureSummaryJson(p, ref));
  }
  j["procedures"] = procedures;
  j["has_procedures"] = !procedures.empty();
  json orientations = json::array();
  for (const auto& o : c.orientations) {
    orientations.push_back(
        {{"id", o.id},
         {"partner", o.partner_name},
         {"kind", ref.vocabularies.redirection_kinds.Label(o.partner_kind)},
         {"reason", o.reason},
         {"status", std::string(domain::OrientationStatusLabel(o.status))},
         {"follow_up", o.follow_up_on ? paris::FormatDate(*o.follow_up_on) : std::string()},
         {"follow_up_overdue",
          !domain::IsOrientationClosed(o.status) && o.follow_up_on && *o.follow_up_on < today}});
  }
  j["orientations"] = orientations;
  j["has_orientations"] = !orientations.empty();
  j["feedbacks"] = FeedbacksJson(c.feedbacks);
  j["has_feedbacks"] = !c.feedbacks.empty();
  j["reviews"] = ReviewsJson(c.reviews, ref, true);
  j["has_reviews"] = !c.reviews.empty();
  j["can_send_feedback"] = can_write && (open || r.status == domain::ReferralStatus::kClosed);
  json modes = json::array();
  for (const auto m : {domain::FollowMode::kUnset, domain::FollowMode::kCoAccompaniment,
                       domain::FollowMode::kDelegation}) {
    const std::string code(domain::FollowModeCode(m));
    modes.push_back(
        {{"value", code},
         {"id", fmt::format("f-follow_mode-{}-{}", r.id, code.empty() ? "aucun" : code)},
         {"label", std::string(domain::FollowModeLabel(m))},
         {"checked", m == c.follow_mode}});
  }
  j["follow_modes"] = modes;
  j["follow_mode_label"] = std::string(domain::FollowModeLabel(c.follow_mode));
  j["delegated"] = c.follow_mode == domain::FollowMode::kDelegation;
  json reports = json::array();
  for (const auto& q : c.quarterly_reports) {
    reports.push_back({{"id", q.id},
                       {"period", domain::QuarterLabel(q.period)},
                       {"sent", paris::FormatDate(q.sent_at)},
                       {"author", q.author_name}});
  }
  j["quarterly_reports"] = reports;
  j["has_quarterly_reports"] = !reports.empty();
  json mandates = json::array();
  for (const auto& m : c.mandates) {
    mandates.push_back(
        {{"id", m.id},
         {"duration", domain::MandateDurationLabel(m.duration_days)},
         {"starts", paris::FormatDate(m.starts_on)},
         {"last_day", paris::FormatDate(AddDays(m.ends_on, -1))},
         {"active", m.ActiveOn(today)},
         {"revoked", m.revoked_on ? paris::FormatDate(*m.revoked_on) : std::string()},
         {"domains", [&] {
            std::string out;
            for (const auto& d : m.domains) {
              out += (out.empty() ? "" : ", ") + ref.procedures.domains.Label(d);
            }
            return out;
          }()}});
  }
  j["mandates"] = mandates;
  j["has_mandates"] = !mandates.empty();
  return j;
}

// The catalogue grouped by domain, for the select that opens a procedure.
json CatalogueJson(const domain::ReferenceData& ref) {
  json groups = json::array();
  for (const auto& d : ref.procedures.domains.items) {
    json options = json::array();
    for (const auto& p : ref.procedures.procedures) {
      if (p.domain == d.code) {
        options.push_back({{"value", p.code}, {"label", p.label + " (" + p.organisation + ")"}});
      }
    }
    if (!options.empty()) {
      groups.push_back({{"label", d.label}, {"options", options}});
    }
  }
  return groups;
}

// What was typed in the case page's forms, shown again with their errors.
struct CaseForms {
  domain::NoteInput note;
  domain::MandateInput mandate;
  domain::ClosureInput closure;
};

void RenderCaseFile(RequestContext& ctx, Deps& deps, domain::PersonId id,
                    const domain::FieldErrors& errors, const CaseForms& typed, int status) {
  const auto& note = typed.note;
  const auto& mandate = typed.mandate;
  const auto file = deps.cases.Open(ctx.actor, id);
  const auto& p = file.person.data;
  const bool can_write = service::Allows(ctx.actor, Permission::kRecordAccompaniment);
  json data = ErrorSummary(errors);
  data["person_id"] = file.person.id;
  data["may_view_access_log"] = service::Allows(ctx.actor, Permission::kViewCaseAccessLog);
  data["person"] = {
      {"name", PersonName(p)},
      {"birth", p.birth_date ? paris::FormatDate(*p.birth_date)
                             : (p.birth_year ? std::to_string(*p.birth_year) : std::string())},
      {"phone", domain::FormatPhoneFr(p.phone)},
      {"email", p.email},
      {"address",
       p.address_line + (p.address_line.empty() ? "" : ", ") + p.postal_code + " " + p.city},
      {"language", p.language.empty() ? std::string()
                                      : deps.reference.vocabularies.languages.Label(p.language)},
      {"interpreter", p.interpreter_needed},
      {"adaptations", p.adaptations},
      {"carer", p.carer},
      {"notice_on", file.person.privacy_notice_on
                        ? paris::FormatDate(*file.person.privacy_notice_on)
                        : std::string()}};
  json cases = json::array();
  json current = nullptr;
  for (const auto& c : file.cases) {
    auto j = CaseJson(c, can_write, deps.reference, paris::Today(deps.clock.Now()));
    if (current.is_null() && j["writable"].get<bool>()) {
      current = j;
    }
    cases.push_back(std::move(j));
  }
  data["cases"] = cases;
  data["current"] = current;
  data["has_current"] = !current.is_null();

  json actions = json::array();
  for (const auto& a : file.next_actions) {
    actions.push_back({{"label", a.label},
                       {"due", a.due ? paris::FormatDate(*a.due) : std::string()},
                       {"overdue", a.overdue},
                       {"href", a.href}});
  }
  data["actions"] = actions;
  data["has_actions"] = !actions.empty();

  std::string filter = ctx.req.get_param_value("filtre");
  const TimelineFilter* chosen = &kFilters[0];
  for (const auto& f : kFilters) {
    if (filter == f.value) {
      chosen = &f;
    }
  }
  json filters = json::array();
  for (const auto& f : kFilters) {
    filters.push_back({{"value", f.value},
                       {"label", f.label},
                       {"current", &f == chosen},
                       {"href", fmt::format("/personnes/{}?filtre={}#journal", id, f.value)}});
  }
  data["filters"] = filters;
  data["filter_label"] = chosen->label;
  json timeline = json::array();
  for (const auto& t : file.timeline) {
    if (*chosen->kind != '\0' && t.kind != chosen->kind) {
      continue;
    }
    timeline.push_back(
        {{"date", t.date_only ? paris::FormatDate(t.at) : paris::FormatDateTime(t.at)},
         {"datetime", ToIso(paris::Today(t.at))},
         {"kind", t.kind},
         {"title", t.title},
         {"detail", t.detail},
         {"href", t.href},
         {"private", t.is_private}});
  }
  data["timeline"] = timeline;
  data["has_timeline"] = !timeline.empty();
  data["note"] = {{"body", note.body}, {"private", note.is_private}};
  data["catalogue"] = CatalogueJson(deps.reference);
  json durations = json::array();
  for (const int d : domain::MandateDurations()) {
    durations.push_back({{"value", d}, {"label", domain::MandateDurationLabel(d)}});
  }
  data["mandate_durations"] = durations;
  data["mandate_domains"] =
      VocabularyChoices(deps.reference.procedures.domains, mandate.domains, "f-md");
  data["mandate"] = {{"starts_on", mandate.starts_on.empty() ? ToIso(paris::Today(deps.clock.Now()))
                                                             : mandate.starts_on}};
  for (auto& d : data["mandate_durations"]) {
    d["checked"] = std::to_string(d["value"].get<int>()) == mandate.duration_days;
  }
  data["today"] = ToIso(paris::Today(deps.clock.Now()));
  json reasons = json::array();
  for (const auto& c : deps.reference.vocabularies.closure_reasons.items) {
    reasons.push_back({{"value", c.code},
                       {"label", c.label},
                       {"id", "f-reason-" + c.code},
                       {"checked", c.code == typed.closure.reason}});
  }
  data["closure_reasons"] = reasons;
  data["closure"] = {{"note", typed.closure.note},
                     {"without_final_bilan", typed.closure.without_final_bilan}};
  data["can_write"] = can_write;
  RenderPage(ctx, deps, "case_file", "Dossier de " + PersonName(p), data, status);
}

// ---- Bilan form -------------------------------------------------------------------------------

json ChoicesJson(const std::vector<domain::Choice>& list, std::string_view selected,
                 const std::string& base_id) {
  json out = json::array();
  for (const auto& c : list) {
    out.push_back({{"value", c.code},
                   {"label", c.label},
                   {"id", base_id + "-" + QuestionId(c.code).substr(2)},
                   {"checked", c.code == selected}});
  }
  return out;
}

json MultiJson(const std::vector<domain::Choice>& list, const std::string& selected,
               const std::string& base_id) {
  const auto codes = domain::MultiCodes(selected);
  json out = json::array();
  for (const auto& c : list) {
    out.push_back({{"value", c.code},
                   {"label", c.label},
                   {"id", base_id + "-" + QuestionId(c.code).substr(2)},
                   {"checked", std::find(codes.begin(), codes.end(), c.code) != codes.end()}});
  }
  return out;
}

std::string Value(const domain::Answers& a, const std::string& key) {
  const auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

const std::vector<domain::Choice>& YesNo() {
  static const std::vector<domain::Choice> kYesNo = {{"oui", "Oui"}, {"non", "Non"}};
  return kYesNo;
}

json ItemJson(const domain::AssessmentGrid& grid, const domain::GridSection& section,
              const domain::GridItem& item, const domain::Answers& values,
              const domain::FieldErrors& errors) {
  const std::string id = QuestionId(item.code);
  const std::string v = Value(values, item.code);
  json j = {{"code", item.code},
            {"id", id},
            {"label", item.label},
            {"hint", item.hint},
            {"reference", item.reference}};
  std::string error;
  for (const auto& e : errors) {
    if (e.field.rfind(item.code, 0) == 0 &&
        (e.field.size() == item.code.size() || e.field[item.code.size()] == '/')) {
      error += (error.empty() ? "" : " ") + e.message;
    }
  }
  j["error"] = error;
  j["has_error"] = !error.empty();
  using T = domain::GridItemType;
  switch (item.type) {
    case T::kScale:
    case T::kAccount:
      j["radios"] = ChoicesJson(section.scale, v, id);
      j["is_radios"] = true;
      if (item.type == T::kAccount) {
        const std::string key = item.code + std::string(domain::kNecessarySuffix);
        j["necessary"] = {{"name", key},
                          {"id", QuestionId(key)},
                          {"radios", ChoicesJson(YesNo(), Value(values, key), QuestionId(key))}};
        j["is_account"] = true;
      }
      break;
    case T::kChoice:
      if (item.options.size() <= 5) {
        j["radios"] = ChoicesJson(item.options, v, id);
        j["is_radios"] = true;
      } else {
        j["options"] = ChoicesJson(item.options, v, id);
        j["is_select"] = true;
      }
      break;
    case T::kYesNo:
      j["radios"] = ChoicesJson(YesNo(), v, id);
      j["is_radios"] = true;
      break;
    case T::kMulti:
      j["checkboxes"] = MultiJson(item.options, v, id);
      j["is_multi"] = true;
      break;
    case T::kDate:
      j["value"] = v;
      j["is_date"] = true;
      break;
    case T::kText:
      j["value"] = v;
      j["is_text"] = true;
      break;
    case T::kNeed: {
      const std::string key = item.code + std::string(domain::kAdaptationSuffix);
      j["checked"] = v == "oui";
      j["adaptation"] = {{"name", key}, {"id", QuestionId(key)}, {"value", Value(values, key)}};
      j["is_need"] = true;
      break;
    }
    case T::kRight:
      j["options"] = ChoicesJson(grid.right_states, v, id);
      j["is_select"] = true;
      break;
  }
  return j;
}

json StepperJson(const domain::AssessmentGrid& grid, domain::AssessmentId id,
                 const std::string& current) {
  json steps = json::array();
  int n = 0;
  for (const auto& s : grid.sections) {
    ++n;
    steps.push_back({{"code", s.code},
                     {"number", n},
                     {"title", s.title},
                     {"current", s.code == current},
                     {"href", fmt::format("/bilans/{}/etape/{}", id, s.code)}});
  }
  return steps;
}

void RenderStep(RequestContext& ctx, Deps& deps, const service::AssessmentView& v,
                const domain::GridSection& section, const domain::Answers& values,
                const domain::FieldErrors& errors, int status) {
  const auto& grid = *v.grid;
  json data = ErrorSummary(errors);
  // Error-summary links point at the question itself (grid codes are not form field ids).
  data["errors"] = json::array();
  for (const auto& e : errors) {
    data["errors"].push_back({{"message", e.message}, {"anchor", "#" + QuestionId(e.field)}});
  }
  std::size_t index = 0;
  for (std::size_t i = 0; i < grid.sections.size(); ++i) {
    if (grid.sections[i].code == section.code) {
      index = i;
    }
  }
  data["assessment_id"] = v.assessment.id;
  data["kind_label"] = std::string(domain::AssessmentKindLabel(v.assessment.kind));
  data["person"] = v.person_name;
  data["number"] = v.referral.number;
  data["grid_version"] = grid.version;
  data["steps"] = StepperJson(grid, v.assessment.id, section.code);
  data["step_number"] = index + 1;
  data["step_count"] = grid.sections.size();
  data["section"] = {{"code", section.code}, {"title", section.title}, {"intro", section.intro}};
  data["is_first"] = index == 0;
  data["is_last"] = index + 1 == grid.sections.size();
  json items = json::array();
  for (const auto& item : section.items) {
    items.push_back(ItemJson(grid, section, item, values, errors));
  }
  data["items"] = items;
  data["action"] = fmt::format("/bilans/{}/etape/{}", v.assessment.id, section.code);
  RenderPage(ctx, deps, "assessment_step",
             fmt::format("{} – étape {} sur {} : {}", data["kind_label"].get<std::string>(),
                         index + 1, grid.sections.size(), section.title),
             data, status);
}

// The answers of one step as posted: every field whose name is an item of the section.
domain::Answers ReadStep(const Form& form, const domain::GridSection& section) {
  domain::Answers in;
  for (const auto& item : section.items) {
    if (item.type == domain::GridItemType::kMulti) {
      std::string joined;
      for (const auto& v : form.All(item.code)) {
        joined += (joined.empty() ? "" : ",") + v;
      }
      in[item.code] = joined;
    } else {
      in[item.code] = form.Get(item.code);
    }
    if (item.type == domain::GridItemType::kAccount) {
      const std::string key = item.code + std::string(domain::kNecessarySuffix);
      in[key] = form.Get(key);
    }
    if (item.type == domain::GridItemType::kNeed) {
      const std::string key = item.code + std::string(domain::kAdaptationSuffix);
      in[key] = form.Get(key);
    }
  }
  return in;
}

void RenderAssessment(RequestContext& ctx, Deps& deps, const service::AssessmentView& v,
                      const domain::FieldErrors& errors, const domain::ExternalScoresInput& ext,
                      const std::string& date_value, int status) {
  const auto& a = v.assessment;
  const auto& grid = *v.grid;
  json data = ErrorSummary(errors);
  data["assessment_id"] = a.id;
  data["kind_label"] = std::string(domain::AssessmentKindLabel(a.kind));
  data["person"] = v.person_name;
  data["number"] = v.referral.number;
  data["referral_id"] = v.referral.id;
  data["person_id"] = v.referral.person_id.value_or(0);
  data["grid_version"] = grid.version;
  data["completed"] = a.completed;
  data["editable"] = v.editable;
  data["date"] = paris::FormatDate(a.conducted_on);
  data["date_value"] = date_value.empty() ? ToIso(a.conducted_on) : date_value;
  data["author"] = a.created_by_name;
  data["completed_at"] = a.completed_at ? paris::FormatDateTime(*a.completed_at) : "";
  data["level"] = LevelJson(v.scores.level);
  data["scores"] = json::array({{{"label", "Accès (équipement et connexion)"},
                                 {"value", Score(v.scores.access.value)},
                                 {"percent", v.scores.access.value.value_or(0)}},
                                {{"label", "Comptes nécessaires"},
                                 {"value", Score(v.scores.accounts.value)},
                                 {"percent", v.scores.accounts.value.value_or(0)}},
                                {{"label", "Compétences"},
                                 {"value", Score(v.scores.skills.value)},
                                 {"percent", v.scores.skills.value.value_or(0)}}});
  data["explanation"] = v.scores.explanation;
  json sections = json::array();
  for (const auto& s : grid.sections) {
    json items = json::array();
    int unanswered = 0;
    for (const auto& item : s.items) {
      const auto label = domain::AnswerLabel(grid, s, item, a.answers);
      if (label.empty()) {
        ++unanswered;
      } else {
        items.push_back({{"label", item.label}, {"answer", label}});
      }
    }
    sections.push_back({{"code", s.code},
                        {"title", s.title},
                        {"answered_items", items},
                        {"has_answers", !items.empty()},
                        {"unanswered", unanswered},
                        {"all_answered", unanswered == 0},
                        {"editable", v.editable},
                        {"href", fmt::format("/bilans/{}/etape/{}", a.id, s.code)}});
  }
  data["sections"] = sections;
  data["ext"] = {{"abc_diag_score", ext.abc_diag_score},
                 {"abc_diag_on", ext.abc_diag_on},
                 {"pix_score", ext.pix_score},
                 {"pix_on", ext.pix_on}};
  data["has_external"] = a.abc_diag_score || a.pix_score;
  data["abc"] = a.abc_diag_score ? fmt::format("{} / 100 le {}", *a.abc_diag_score,
                                               paris::FormatDate(*a.abc_diag_on))
                                 : "";
  data["pix"] =
      a.pix_score ? fmt::format("{} pix le {}", *a.pix_score, paris::FormatDate(*a.pix_on)) : "";
  RenderPage(ctx, deps, "assessment_show",
             fmt::format("{} de {}", data["kind_label"].get<std::string>(), v.person_name), data,
             status);
}

domain::ExternalScoresInput ExternalOf(const domain::Assessment& a) {
  domain::ExternalScoresInput e;
  if (a.abc_diag_score) {
    e.abc_diag_score = std::to_string(*a.abc_diag_score);
    e.abc_diag_on = ToIso(*a.abc_diag_on);
  }
  if (a.pix_score) {
    e.pix_score = std::to_string(*a.pix_score);
    e.pix_on = ToIso(*a.pix_on);
  }
  return e;
}

// ---- Interventions ----------------------------------------------------------------------------

void RenderInterventionForm(RequestContext& ctx, Deps& deps, const service::InterventionForm& f,
                            const domain::InterventionInput& in, const domain::FieldErrors& errors,
                            int status) {
  const auto& v = deps.reference.vocabularies;
  json data = ErrorSummary(errors);
  data["referral_id"] = f.referral.id;
  data["person_id"] = f.referral.person_id.value_or(0);
  data["person"] = f.person_name;
  data["number"] = f.referral.number;
  data["values"] = {{"date", in.date},
                    {"custom_duration", in.custom_duration},
                    {"summary", in.summary},
                    {"appointment", in.appointment}};
  json durations = json::array();
  for (const int m : domain::DurationQuickPicks()) {
    const std::string code = std::to_string(m);
    durations.push_back(
        {{"value", code}, {"label", domain::FormatMinutes(m)}, {"checked", in.duration == code}});
  }
  durations.push_back(
      {{"value", "autre"}, {"label", "Autre durée"}, {"checked", in.duration == "autre"}});
  data["durations"] = durations;
  data["places"] = VocabularyChoices(v.intervention_places, {in.place}, "f-place");
  data["modalities"] = VocabularyChoices(v.intervention_modalities, {in.modality}, "f-modality");
  data["autonomies"] = VocabularyChoices(v.autonomy, {in.autonomy}, "f-autonomy");
  data["autonomy_unknown"] = in.autonomy.empty();
  data["digital_themes"] = VocabularyChoices(v.digital_themes, in.digital_themes, "f-dt");
  data["administrative_themes"] =
      VocabularyChoices(v.administrative_themes, in.administrative_themes, "f-at");
  data["equipment"] = VocabularyChoices(v.equipment, in.equipment, "f-eq");
  json workers = json::array();
  for (const auto& u : f.team) {
    const std::string id = std::to_string(u.id);
    workers.push_back(
        {{"value", id},
         {"label", u.display_name},
         {"id", "f-workers-" + id},
         {"checked", std::find(in.workers.begin(), in.workers.end(), id) != in.workers.end()}});
  }
  data["workers"] = workers;
  json visits = json::array();
  for (const auto& rec : f.visits) {
    const auto& a = rec.appointment;
    const std::string id = std::to_string(a.id);
    visits.push_back({{"value", id},
                      {"label", paris::FormatDateTime(a.starts_at) + " — " +
                                    std::string(domain::AppointmentStatusLabel(a.status))},
                      {"selected", id == in.appointment}});
  }
  data["visits"] = visits;
  json procedures = json::array();
  for (const auto& p : f.procedures) {
    const std::string id = std::to_string(p.id);
    const auto* entry = deps.reference.procedures.Find(p.code);
    procedures.push_back({{"value", id},
                          {"label", (entry != nullptr ? entry->label : p.code) + " (" +
                                        std::string(domain::ProcedureStatusLabel(p.status)) + ")"},
                          {"id", "f-procedures-" + id},
                          {"checked", std::find(in.procedures.begin(), in.procedures.end(), id) !=
                                          in.procedures.end()}});
  }
  data["procedures"] = procedures;
  data["has_procedures"] = !procedures.empty();
  data["has_visits"] = !visits.empty();
  data["today"] = ToIso(paris::Today(deps.clock.Now()));
  RenderPage(ctx, deps, "intervention_form", "Saisir une intervention", data, status);
}

domain::InterventionInput ReadIntervention(const Form& form) {
  domain::InterventionInput in;
  in.date = form.Get("date");
  in.duration = form.Get("duration");
  in.custom_duration = form.Get("custom_duration");
  in.place = form.Get("place");
  in.modality = form.Get("modality");
  in.autonomy = form.Get("autonomy");
  in.digital_themes = form.All("digital_themes");
  in.administrative_themes = form.All("administrative_themes");
  in.equipment = form.All("equipment");
  in.workers = form.All("workers");
  in.summary = form.Get("summary");
  in.appointment = form.Get("appointment");
  in.procedures = form.All("procedures");
  return in;
}

void RenderProcedure(RequestContext& ctx, Deps& deps, const service::ProcedureView& v,
                     const domain::ProcedureInput& in, const domain::FieldErrors& errors,
                     int status) {
  const auto& p = v.procedure;
  const auto& vocab = deps.reference.vocabularies;
  json data = ErrorSummary(errors);
  data["id"] = p.id;
  data["person"] = v.person_name;
  data["person_id"] = v.referral.person_id.value_or(0);
  data["number"] = v.referral.number;
  data["editable"] = v.editable;
  data["summary"] = ProcedureSummaryJson(p, deps.reference);
  if (v.catalogue != nullptr) {
    data["organisation"] = v.catalogue->organisation;
    data["site"] = v.catalogue->site;
    data["opens_right"] = v.catalogue->opens_right;
    data["prerequisites"] = v.catalogue->prerequisites;
    data["has_prerequisites"] = !v.catalogue->prerequisites.empty();
  }
  json statuses = json::array();
  for (const auto s : domain::AllProcedureStatuses()) {
    const std::string code(domain::ProcedureStatusCode(s));
    statuses.push_back({{"value", code},
                        {"label", std::string(domain::ProcedureStatusLabel(s))},
                        {"checked", code == in.status}});
  }
  data["statuses"] = statuses;
  json outcomes = json::array();
  for (const auto o : {domain::RightOutcome::kNone, domain::RightOutcome::kPending,
                       domain::RightOutcome::kOpened, domain::RightOutcome::kRefused}) {
    const std::string code(domain::RightOutcomeCode(o));
    outcomes.push_back({{"value", code},
                        {"id", "f-outcome-" + (code.empty() ? std::string("aucune") : code)},
                        {"label", std::string(domain::RightOutcomeLabel(o))},
                        {"checked", code == in.outcome}});
  }
  data["outcomes"] = outcomes;
  data["modalities"] =
      VocabularyChoices(vocab.intervention_modalities, {in.modality}, "f-modality");
  data["modality_unknown"] = in.modality.empty();
  json documents = json::array();
  for (std::size_t i = 0; i < p.documents.size(); ++i) {
    const std::string pos = std::to_string(i);
    documents.push_back(
        {{"value", pos},
         {"id", "f-doc-" + pos},
         {"label", p.documents[i].label},
         {"checked", std::find(in.gathered.begin(), in.gathered.end(), pos) != in.gathered.end()}});
  }
  data["documents"] = documents;
  data["has_documents"] = !documents.empty();
  data["values"] = {{"due_on", in.due_on},
                    {"renewal_on", in.renewal_on},
                    {"monthly_amount", in.monthly_amount},
                    {"outcome_on", in.outcome_on},
                    {"note", in.note},
                    {"aidants_connect", in.aidants_connect}};
  json events = json::array();
  for (const auto& e : p.events) {
    const auto to = domain::ParseProcedureStatus(e.to_status);
    events.push_back({{"at", paris::FormatDateTime(e.at)},
                      {"status", to ? std::string(domain::ProcedureStatusLabel(*to)) : e.to_status},
                      {"actor", e.actor_name}});
  }
  data["events"] = events;
  RenderPage(ctx, deps, "procedure_form",
             "Démarche « " + data["summary"]["label"].get<std::string>() + " »", data, status);
}

domain::ProcedureInput InputOf(const domain::CaseProcedure& p) {
  domain::ProcedureInput in;
  in.status = std::string(domain::ProcedureStatusCode(p.status));
  in.modality = p.modality;
  in.aidants_connect = p.aidants_connect;
  in.due_on = p.due_on ? ToIso(*p.due_on) : "";
  in.renewal_on = p.renewal_on ? ToIso(*p.renewal_on) : "";
  in.outcome = std::string(domain::RightOutcomeCode(p.outcome));
  if (p.monthly_amount_cents) {
    in.monthly_amount =
        fmt::format("{},{:02}", *p.monthly_amount_cents / 100, *p.monthly_amount_cents % 100);
  }
  in.outcome_on = p.outcome_on ? ToIso(*p.outcome_on) : "";
  in.note = p.note;
  for (std::size_t i = 0; i < p.documents.size(); ++i) {
    if (p.documents[i].gathered) {
      in.gathered.push_back(std::to_string(i));
    }
  }
  return in;
}

domain::PersonId PersonOrNotFound(Deps& deps, RequestContext& ctx, domain::ReferralId referral) {
  const auto p = deps.cases.PersonOf(ctx.actor, referral);
  if (!p) {
    throw Error(ErrorCode::kNotFound, "Ce dossier n’existe pas.");
  }
  return *p;
}

}  // namespace

nlohmann::json DueItemsJson(const std::vector<service::DueItem>& items) {
  json out = json::array();
  for (const auto& item : items) {
    const auto& a = item.action;
    out.push_back({{"label", a.label},
                   {"href", a.href},
                   {"due", a.due ? paris::FormatDate(*a.due) : std::string()},
                   {"due_iso", a.due ? ToIso(*a.due) : std::string()},
                   {"overdue", a.overdue},
                   {"person", item.person_name},
                   {"person_href", "/personnes/" + std::to_string(item.person_id)},
                   {"worker", item.worker_name}});
  }
  return out;
}

void RegisterCasePages(Router& router, Deps& deps) {
  // What is due across the team's cases.
  router.Page(Method::kGet, "/echeances", "cases.due", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                std::string worker_raw;
                const auto worker = WorkerParam(ctx, worker_raw);
                const auto items = deps.cases.Due(ctx.actor, worker);
                std::size_t overdue = 0;
                for (const auto& i : items) {
                  overdue += i.action.overdue ? 1 : 0;
                }
                json data = {{"items", DueItemsJson(items)},
                             {"count", items.size()},
                             {"overdue", overdue},
                             {"empty", items.empty()},
                             {"plural", items.size() != 1},
                             {"team", worker_raw == "equipe"},
                             {"horizon", service::kDueHorizonDays},
                             {"workers", WorkerChoices(ctx, deps, worker_raw)}};
                RenderPage(ctx, deps, "due", "Échéances", data);
              });

  router.Page(Method::kGet, R"(/personnes/(\d+))", "cases.show", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                RenderCaseFile(ctx, deps, ParseId(ctx.req.matches[1]), {}, {}, 200);
              });

  // Notes.
  router.Page(Method::kPost, R"(/fiches/(\d+)/notes)", "notes.create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const domain::NoteInput in{form.Get("body"), form.Get("private") == "1"};
                const auto person = PersonOrNotFound(deps, ctx, id);
                const auto errors = deps.cases.AddNote(ctx.actor, id, in);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}?filtre=notes#journal", person),
                           "note_saved");
                  return;
                }
                CaseForms typed;
                typed.note = in;
                RenderCaseFile(ctx, deps, person, errors, typed, 422);
              });

  // Interventions.
  router.Page(Method::kGet, R"(/fiches/(\d+)/interventions/nouvelle)", "interventions.new",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const auto f = deps.cases.NewIntervention(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderInterventionForm(ctx, deps, f, f.defaults, {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/interventions)", "interventions.create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto in = ReadIntervention(form);
                const auto r = deps.cases.RecordIntervention(ctx.actor, id, in);
                if (r.errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/personnes/{}?filtre=interventions#journal",
                                       PersonOrNotFound(deps, ctx, id)),
                           "intervention_saved");
                  return;
                }
                const auto f = deps.cases.NewIntervention(ctx.actor, id);
                RenderInterventionForm(ctx, deps, f, in, r.errors, 422);
              });

  // Procedures and mandates.
  router.Page(Method::kPost, R"(/fiches/(\d+)/demarches)", "procedures.create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                const auto id = deps.cases.AddProcedure(ctx.actor, ParseId(ctx.req.matches[1]),
                                                        form.Get("code"));
                Redirect(ctx, fmt::format("/demarches/{}", id), "procedure_opened");
              });
  router.Page(Method::kGet, R"(/demarches/(\d+))", "procedures.show", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                const auto v = deps.cases.Procedure(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderProcedure(ctx, deps, v, InputOf(v.procedure), {}, 200);
              });
  router.Page(Method::kPost, R"(/demarches/(\d+))", "procedures.update",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                domain::ProcedureInput in;
                in.status = form.Get("status");
                in.modality = form.Get("modality");
                in.aidants_connect = form.Get("aidants_connect") == "1";
                in.due_on = form.Get("due_on");
                in.renewal_on = form.Get("renewal_on");
                in.outcome = form.Get("outcome");
                in.monthly_amount = form.Get("monthly_amount");
                in.outcome_on = form.Get("outcome_on");
                in.note = form.Get("note");
                in.gathered = form.All("gathered");
                const auto errors = deps.cases.UpdateProcedure(ctx.actor, id, in);
                const auto v = deps.cases.Procedure(ctx.actor, id);
                if (errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/personnes/{}#demarches", v.referral.person_id.value_or(0)),
                           "procedure_saved");
                  return;
                }
                RenderProcedure(ctx, deps, v, in, errors, 422);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/mandats)", "mandates.create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const domain::MandateInput in{form.Get("starts_on"), form.Get("duration_days"),
                                              form.All("domains")};
                const auto person = PersonOrNotFound(deps, ctx, id);
                const auto errors = deps.cases.RecordMandate(ctx.actor, id, in);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}#demarches", person), "mandate_saved");
                  return;
                }
                CaseForms typed;
                typed.mandate = in;
                RenderCaseFile(ctx, deps, person, errors, typed, 422);
              });
  router.Page(
      Method::kPost, R"(/mandats/(\d+)/revoquer)", "mandates.revoke",
      Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
        const auto referral = deps.cases.RevokeMandate(ctx.actor, ParseId(ctx.req.matches[1]));
        Redirect(ctx, fmt::format("/personnes/{}#demarches", PersonOrNotFound(deps, ctx, referral)),
                 "mandate_revoked");
      });

  // Closure and reopening.
  router.Page(Method::kPost, R"(/fiches/(\d+)/cloture)", "cases.close",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const domain::ClosureInput in{form.Get("reason"), form.Get("closure_note"),
                                              form.Get("without_final_bilan") == "1"};
                const auto person = PersonOrNotFound(deps, ctx, id);
                const auto errors = deps.cases.Close(ctx.actor, id, in);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}", person), "case_closed");
                  return;
                }
                CaseForms typed;
                typed.closure = in;
                RenderCaseFile(ctx, deps, person, errors, typed, 422);
              });
  router.Page(Method::kGet, R"(/fiches/(\d+)/cloture/courrier\.pdf)", "cases.closure_letter",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                ctx.res.set_content(deps.cases.ClosureLetterPdf(ctx.actor, id), "application/pdf");
                ctx.res.set_header(
                    "Content-Disposition",
                    fmt::format("inline; filename=\"courrier-fin-accompagnement-{}.pdf\"", id));
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/reouverture)", "cases.reopen",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                deps.cases.Reopen(ctx.actor, id);
                Redirect(ctx, fmt::format("/personnes/{}", PersonOrNotFound(deps, ctx, id)),
                         "case_reopened");
              });

  // Bilans.
  router.Page(Method::kPost, R"(/fiches/(\d+)/bilans)", "assessments.start",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long referral = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto kind = domain::ParseAssessmentKind(form.Get("kind"));
                if (!kind) {
                  throw Error(ErrorCode::kInvalidArgument,
                              "Choisissez un bilan initial ou un bilan final.");
                }
                const auto id = deps.cases.StartAssessment(ctx.actor, referral, *kind);
                const auto v = deps.cases.Assessment(ctx.actor, id);
                Redirect(ctx,
                         fmt::format("/bilans/{}/etape/{}", id, v.grid->sections.front().code));
              });
  router.Page(Method::kGet, R"(/bilans/(\d+))", "assessments.show", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                const auto v = deps.cases.Assessment(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderAssessment(ctx, deps, v, {}, ExternalOf(v.assessment), "", 200);
              });
  router.Page(Method::kGet, R"(/bilans/(\d+)/etape/([A-Za-z0-9_]{1,8}))", "assessments.step",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const auto v = deps.cases.Assessment(ctx.actor, ParseId(ctx.req.matches[1]));
                const auto* section = v.grid->FindSection(ctx.req.matches[2].str());
                if (section == nullptr) {
                  throw Error(ErrorCode::kNotFound, "Cette étape du bilan n’existe pas.");
                }
                if (!v.editable) {
                  Redirect(ctx, fmt::format("/bilans/{}", v.assessment.id));
                  return;
                }
                RenderStep(ctx, deps, v, *section, v.assessment.answers, {}, 200);
              });
  router.Page(Method::kPost, R"(/bilans/(\d+)/etape/([A-Za-z0-9_]{1,8}))", "assessments.save_step",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const std::string code = ctx.req.matches[2].str();
                auto v = deps.cases.Assessment(ctx.actor, id);
                const auto* section = v.grid->FindSection(code);
                if (section == nullptr) {
                  throw Error(ErrorCode::kNotFound, "Cette étape du bilan n’existe pas.");
                }
                const Form form(ctx.req);
                const auto in = ReadStep(form, *section);
                const auto errors = deps.cases.SaveSection(ctx.actor, id, code, in);
                const std::string action = form.Get("action");
                if (action == "autosave") {
                  // Saved as you go by the page's script: no page, just the outcome.
                  ctx.res.status = errors.empty() ? 204 : 422;
                  if (!errors.empty()) {
                    ctx.res.set_content(errors.front().message, "text/plain; charset=utf-8");
                  }
                  return;
                }
                if (!errors.empty()) {
                  domain::Answers shown = v.assessment.answers;
                  for (const auto& [k, val] : in) {
                    shown[k] = val;
                  }
                  RenderStep(ctx, deps, v, *section, shown, errors, 422);
                  return;
                }
                const auto& sections = v.grid->sections;
                auto it = std::find_if(sections.begin(), sections.end(),
                                       [&](const auto& s) { return s.code == code; });
                std::string next = fmt::format("/bilans/{}", id);
                if (action == "precedent" && it != sections.begin()) {
                  next = fmt::format("/bilans/{}/etape/{}", id, std::prev(it)->code);
                } else if (action == "suivant" && std::next(it) != sections.end()) {
                  next = fmt::format("/bilans/{}/etape/{}", id, std::next(it)->code);
                }
                Redirect(ctx, next, "assessment_step_saved");
              });
  router.Page(Method::kPost, R"(/bilans/(\d+)/terminer)", "assessments.complete",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                deps.cases.CompleteAssessment(ctx.actor, id);
                Redirect(ctx, fmt::format("/bilans/{}", id), "assessment_completed");
              });
  router.Page(Method::kPost, R"(/bilans/(\d+)/date)", "assessments.date",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const std::string date = form.Get("conducted_on");
                const auto errors = deps.cases.SetAssessmentDate(ctx.actor, id, date);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/bilans/{}", id), "assessment_saved");
                  return;
                }
                const auto v = deps.cases.Assessment(ctx.actor, id);
                RenderAssessment(ctx, deps, v, errors, ExternalOf(v.assessment), date, 422);
              });
  router.Page(Method::kPost, R"(/bilans/(\d+)/scores-externes)", "assessments.external",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const domain::ExternalScoresInput in{form.Get("abc_diag_score"),
                                                     form.Get("abc_diag_on"), form.Get("pix_score"),
                                                     form.Get("pix_on")};
                const auto errors = deps.cases.SetExternalScores(ctx.actor, id, in);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/bilans/{}#scores-externes", id), "assessment_saved");
                  return;
                }
                const auto v = deps.cases.Assessment(ctx.actor, id);
                RenderAssessment(ctx, deps, v, errors, in, "", 422);
              });
  router.Page(
      Method::kGet, R"(/fiches/(\d+)/bilans/comparaison)", "assessments.compare",
      Permission::kViewCases, [&deps](RequestContext& ctx) {
        const auto v = deps.cases.Compare(ctx.actor, ParseId(ctx.req.matches[1]));
        const auto& c = v.comparison;
        json data;
        data["person"] = v.person_name;
        data["number"] = v.referral.number;
        data["person_id"] = v.referral.person_id.value_or(0);
        data["initial"] = AssessmentSummaryJson(v.initial);
        data["final"] = AssessmentSummaryJson(v.final);
        data["before_level"] = LevelJson(c.before.level);
        data["after_level"] = LevelJson(c.after.level);
        std::string change = "Niveau non comparable : un des deux bilans n’a pas de niveau.";
        if (c.level_change) {
          change = *c.level_change > 0   ? fmt::format("Progrès de {} niveau{}.", *c.level_change,
                                                     *c.level_change > 1 ? "x" : "")
                   : *c.level_change < 0 ? fmt::format("Recul de {} niveau{}.", -*c.level_change,
                                                       *c.level_change < -1 ? "x" : "")
                                         : std::string("Même niveau qu’au bilan initial.");
        }
        data["level_change"] = change;
        data["scores"] = json::array({{{"label", "Accès"},
                                       {"before", Score(c.before.access.value)},
                                       {"after", Score(c.after.access.value)}},
                                      {{"label", "Comptes nécessaires"},
                                       {"before", Score(c.before.accounts.value)},
                                       {"after", Score(c.after.accounts.value)}},
                                      {{"label", "Compétences"},
                                       {"before", Score(c.before.skills.value)},
                                       {"after", Score(c.after.skills.value)}}});
        data["accounts_now_usable"] = c.accounts_now_usable;
        data["has_accounts"] = !c.accounts_now_usable.empty();
        data["rights"] = c.rights_out_of_non_recours;
        data["has_rights"] = !c.rights_out_of_non_recours.empty();
        json sections = json::array();
        for (const auto& s : c.sections) {
          json items = json::array();
          for (const auto& i : s.items) {
            std::string delta;
            if (i.delta) {
              delta = *i.delta > 0   ? fmt::format("+{} (progrès)", *i.delta)
                      : *i.delta < 0 ? fmt::format("{} (recul)", *i.delta)
                                     : "identique";
            } else if (i.before != i.after) {
              delta = "modifié";
            }
            items.push_back({{"label", i.label},
                             {"before", i.before.empty() ? "—" : i.before},
                             {"after", i.after.empty() ? "—" : i.after},
                             {"delta", delta}});
          }
          sections.push_back({{"code", s.code},
                              {"title", s.title},
                              {"scored", s.before.has_value() || s.after.has_value()},
                              {"before", Score(s.before)},
                              {"after", Score(s.after)},
                              {"items", items},
                              {"has_items", !items.empty()}});
        }
        data["sections"] = sections;
        RenderPage(ctx, deps, "assessment_compare",
                   "Progrès entre le bilan initial et le bilan final — " + v.person_name, data);
      });
}

}  // namespace allervers::web
