// The person's data and rights: the information notice, the register of her requests, the
// copy of her data (PDF and JSON) and erasure on request (docs/retention.md §6).

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/time.hpp"
#include "domain/letter.hpp"
#include "domain/role.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

// What was typed in the page's forms, shown again after an error.
struct Typed {
  std::string notice_on;
  std::string kind;
  std::string received_on;
  std::int64_t answered_request = 0;
  std::string status;
  std::string answered_on;
};

// What a consultation looked at, in the words of the team.
std::string ConsultedLabel(const std::string& action) {
  static const std::map<std::string, std::string, std::less<>> kLabels = {
      {"case.read", "le dossier"},
      {"referral.read", "la fiche de liaison"},
      {"assessment.read", "un bilan"},
      {"procedure.read", "une démarche"},
      {"orientation.read", "une orientation"},
      {"review.read", "un point d’étape"},
      {"feedback.read", "le retour au prescripteur"},
      {"quarterly_draft.read", "le bilan trimestriel"},
      {"person_data.read", "ses données personnelles"},
      {"appointment.read", "un rendez-vous"},
      {"appointment.letter", "un courrier de rendez-vous (PDF)"},
      {"referral.closure_letter", "le courrier de clôture (PDF)"},
      {"person.access_export", "la copie de ses données"},
      {"person.privacy_notice_print", "la notice d’information (PDF)"}};
  const auto it = kLabels.find(action);
  return it == kLabels.end() ? action : it->second;
}

// Who, when the reader was not a signed-in user: a partner's software or Allervers itself.
std::string MachineLabel(const std::string& actor_label) {
  if (actor_label.starts_with("api:token:")) {
    return "Logiciel partenaire (jeton n° " + actor_label.substr(10) + ")";
  }
  if (actor_label.starts_with("system:")) {
    return "Allervers (tâche automatique)";
  }
  return actor_label;
}

void RenderAccessLog(RequestContext& ctx, Deps& deps, long long person) {
  const auto log = deps.cases.AccessLog(ctx.actor, person);
  json rows = json::array();
  for (const auto& c : log.consultations) {
    const auto role = domain::ParseRole(c.role);
    rows.push_back({{"at", paris::FormatDateTime(c.at)},
                    {"who", role ? c.who : MachineLabel(c.who)},
                    {"role", role ? std::string(domain::RoleLabel(*role)) : std::string()},
                    {"structure", c.structure},
                    {"what", ConsultedLabel(c.action)}});
  }
  RenderPage(ctx, deps, "access_log", "Qui a consulté le dossier de " + log.person_name,
             {{"person_id", log.person_id},
              {"name", log.person_name},
              {"rows", rows},
              {"empty", rows.empty()},
              {"count", rows.size()},
              {"audit_text", domain::MonthsInWords(deps.retention.Policy().audit_months)}});
}

void RenderPersonData(RequestContext& ctx, Deps& deps, long long person, domain::FieldErrors errors,
                      const Typed& typed, int status) {
  // An answer's fields are repeated for each open request: name the one typed in.
  std::string answer_error;
  for (auto& e : errors) {
    if (typed.answered_request != 0 && (e.field == "status" || e.field == "answered_on")) {
      answer_error += (answer_error.empty() ? "" : " ") + e.message;
      e.field = "answered_on-" + std::to_string(typed.answered_request);
    }
  }
  const auto v = deps.cases.PersonData(ctx.actor, person);
  const LocalDate today = paris::Today(deps.clock.Now());
  json requests = json::array();
  bool any_open = false;
  for (const auto& r : v.requests) {
    const bool open = r.status == "ouverte";
    any_open = any_open || open;
    const bool typed_here = typed.answered_request == r.id;
    requests.push_back(
        {{"id", r.id},
         {"person_id", v.person.id},
         {"may_record", service::Allows(ctx.actor, Permission::kRecordAccompaniment)},
         {"kind", service::FindRightsRequestKind(r.kind) != nullptr
                      ? std::string(service::FindRightsRequestKind(r.kind)->label)
                      : r.kind},
         {"received", paris::FormatDate(r.received_on)},
         {"due", paris::FormatDate(r.due_on)},
         {"open", open},
         {"overdue", open && r.due_on < today},
         {"answered", r.answered_on ? paris::FormatDate(*r.answered_on) : ""},
         {"refused", r.status == "refusee"},
         {"answered_on", typed_here ? typed.answered_on : paris::FormatDate(today)},
         {"status_refused", typed_here && typed.status == "refusee"},
         {"answer_error", typed_here ? answer_error : ""}});
  }
  json kinds = json::array();
  for (const auto& k : service::kRightsRequestKinds) {
    kinds.push_back({{"code", k.code}, {"label", k.label}, {"selected", k.code == typed.kind}});
  }
  json data = {
      {"person_id", v.person.id},
      {"name", v.person_name},
      {"notice_on",
       v.person.privacy_notice_on ? paris::FormatDate(*v.person.privacy_notice_on) : ""},
      {"notice_value", typed.notice_on.empty() ? paris::FormatDate(today) : typed.notice_on},
      {"requests", requests},
      {"has_requests", !requests.empty()},
      {"kinds", kinds},
      {"received_value", typed.received_on.empty() ? paris::FormatDate(today) : typed.received_on},
      {"may_record", service::Allows(ctx.actor, Permission::kRecordAccompaniment)},
      {"anonymized", v.person.anonymized_at ? paris::FormatDate(*v.person.anonymized_at) : ""},
      {"open_case", v.open_case},
      {"may_erase", v.may_erase},
      {"coordinator", service::Allows(ctx.actor, Permission::kTriageReferrals)},
  };
  data.update(ErrorSummary(errors));
  RenderPage(ctx, deps, "person_data", "Données personnelles — " + v.person_name, data, status);
}

// The copy of the person's data as JSON: every field, codes as stored, dates ISO 8601.
json AccessCopyJson(const service::AccessCopy& c) {
  const auto& p = c.file.person.data;
  json out = {{"document", "Copie des données personnelles (RGPD, article 15)"},
              {"generated_at", paris::FormatDateTime(c.generated_at)},
              {"person",
               {{"birth_name", p.birth_name},
                {"usage_name", p.usage_name},
                {"first_names", p.first_names},
                {"birth_date", p.birth_date ? json(ToIso(*p.birth_date)) : json(nullptr)},
                {"birth_year", p.birth_year ? json(*p.birth_year) : json(nullptr)},
                {"gender", p.gender},
                {"phone", p.phone},
                {"email", p.email},
                {"address_line", p.address_line},
                {"postal_code", p.postal_code},
                {"city", p.city},
                {"language", p.language},
                {"interpreter_needed", p.interpreter_needed},
                {"contact_preferences", p.contact_preferences},
                {"availability", p.availability},
                {"adaptations", p.adaptations},
                {"carer", p.carer}}}};
  const auto day = [](const std::optional<LocalDate>& d) {
    return d ? json(ToIso(*d)) : json(nullptr);
  };
  json cases = json::array();
  for (const auto& k : c.file.cases) {
    const auto& d = k.referral.data;
    json appointments = json::array();
    for (const auto& a : k.appointments) {
      const auto& v = a.appointment;
      appointments.push_back({{"starts_at", paris::FormatDateTime(v.starts_at)},
                              {"place_label", v.place_label},
                              {"address_line", v.address_line},
                              {"postal_code", v.postal_code},
                              {"city", v.city},
                              {"purpose", v.purpose},
                              {"to_bring", v.to_bring},
                              {"outcome_note", v.outcome_note}});
    }
    json contacts = json::array();
    for (const auto& ca : k.contacts) {
      contacts.push_back({{"at", paris::FormatDateTime(ca.at)}, {"note", ca.note}});
    }
    json bilans = json::array();
    for (const auto& b : k.assessments) {
      bilans.push_back({{"conducted_on", ToIso(b.conducted_on)}, {"answers", b.answers}});
    }
    json interventions = json::array();
    for (const auto& i : k.interventions) {
      interventions.push_back({{"on", ToIso(i.occurred_on)}, {"summary", i.summary}});
    }
    json notes = json::array();
    for (const auto& n : k.notes) {
      notes.push_back({{"at", paris::FormatDateTime(n.created_at)}, {"body", n.body}});
    }
    json procedures = json::array();
    for (const auto& pr : k.procedures) {
      procedures.push_back(
          {{"code", pr.code},
           {"due_on", day(pr.due_on)},
           {"outcome_on", day(pr.outcome_on)},
           {"monthly_amount_cents",
            pr.monthly_amount_cents ? json(*pr.monthly_amount_cents) : json(nullptr)},
           {"note", pr.note}});
    }
    json orientations = json::array();
    for (const auto& o : k.orientations) {
      orientations.push_back({{"partner", o.partner_name},
                              {"reason", o.reason},
                              {"shared", o.shared},
                              {"consent_on", day(o.consent_on)},
                              {"note", o.note}});
    }
    json reviews = json::array();
    for (const auto& r : k.reviews) {
      reviews.push_back({{"scheduled_at", paris::FormatDateTime(r.scheduled_at)},
                         {"place", r.place},
                         {"minutes", r.minutes},
                         {"decisions", r.decisions}});
    }
    json feedbacks = json::array();
    for (const auto& f : k.feedbacks) {
      feedbacks.push_back(
          {{"sent_at", paris::FormatDateTime(f.sent_at)}, {"next_steps", f.next_steps}});
    }
    json reports = json::array();
    for (const auto& q : k.quarterly_reports) {
      reports.push_back({{"sent_at", paris::FormatDateTime(q.sent_at)},
                         {"summary", q.summary},
                         {"observations", q.observations},
                         {"perspectives", q.perspectives}});
    }
    cases.push_back({{"number", k.referral.number},
                     {"referring_structure", k.referral.structure_name},
                     {"referrer", d.referrer_name},
                     {"reason", d.reason},
                     {"difficulties", d.difficulties},
                     {"urgency_reason", d.urgency_reason},
                     {"tripartite_availability", d.tripartite_availability},
                     {"consent_date", ToIso(d.consent_date)},
                     {"decision_message", k.referral.decision_message},
                     {"contact_attempts", contacts},
                     {"appointments", appointments},
                     {"assessments", bilans},
                     {"interventions", interventions},
                     {"notes", notes},
                     {"procedures", procedures},
                     {"orientations", orientations},
                     {"reviews", reviews},
                     {"feedbacks", feedbacks},
                     {"quarterly_reports", reports}});
  }
  out["accompaniments"] = cases;
  json timeline = json::array();
  for (const auto& e : c.file.timeline) {
    timeline.push_back({{"at", e.date_only ? paris::FormatDate(e.at) : paris::FormatDateTime(e.at)},
                        {"kind", e.kind},
                        {"title", e.title},
                        {"detail", e.detail}});
  }
  out["history"] = timeline;
  json changes = json::array();
  for (const auto& ch : c.history) {
    changes.push_back({{"at", paris::FormatDateTime(ch.at)},
                       {"field", ch.field},
                       {"old_value", ch.old_value},
                       {"new_value", ch.new_value}});
  }
  out["rectifications"] = changes;
  json requests = json::array();
  for (const auto& r : c.requests) {
    requests.push_back(
        {{"kind", r.kind},
         {"received_on", ToIso(r.received_on)},
         {"due_on", ToIso(r.due_on)},
         {"status", r.status},
         {"answered_on", r.answered_on ? json(ToIso(*r.answered_on)) : json(nullptr)}});
  }
  out["requests"] = requests;
  return out;
}

}  // namespace

void RegisterPersonPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, R"(/personnes/(\d+)/donnees)", "persons.data", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                RenderPersonData(ctx, deps, ParseId(ctx.req.matches[1]), {}, {}, 200);
              });
  router.Page(Method::kGet, R"(/personnes/(\d+)/consultations)", "persons.access_log",
              Permission::kViewCaseAccessLog, [&deps](RequestContext& ctx) {
                RenderAccessLog(ctx, deps, ParseId(ctx.req.matches[1]));
              });
  router.Page(Method::kPost, R"(/personnes/(\d+)/notice)", "persons.notice_given",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                Typed typed;
                typed.notice_on = form.Get("notice_on");
                const auto errors = deps.cases.RecordPrivacyNotice(ctx.actor, id, typed.notice_on);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}/donnees", id), "notice_recorded");
                  return;
                }
                RenderPersonData(ctx, deps, id, errors, typed, 422);
              });
  router.Page(Method::kGet, R"(/personnes/(\d+)/notice\.pdf)", "persons.notice_pdf",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                ctx.res.set_content(deps.cases.PrivacyNoticePdf(ctx.actor, id), "application/pdf");
                ctx.res.set_header("Content-Disposition",
                                   fmt::format("inline; filename=\"notice-donnees-{}.pdf\"", id));
              });
  router.Page(Method::kPost, R"(/personnes/(\d+)/demandes)", "persons.request_create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                Typed typed;
                typed.kind = form.Get("kind");
                typed.received_on = form.Get("received_on");
                const auto errors =
                    deps.cases.AddRightsRequest(ctx.actor, id, typed.kind, typed.received_on);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}/donnees#demandes", id),
                           "rights_request_saved");
                  return;
                }
                RenderPersonData(ctx, deps, id, errors, typed, 422);
              });
  router.Page(Method::kPost, R"(/personnes/(\d+)/demandes/(\d+))", "persons.request_answer",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                Typed typed;
                typed.answered_request = ParseId(ctx.req.matches[2]);
                typed.status = form.Get("status");
                typed.answered_on = form.Get("answered_on");
                const auto errors = deps.cases.AnswerRightsRequest(
                    ctx.actor, id, typed.answered_request, typed.status, typed.answered_on);
                if (errors.empty()) {
                  Redirect(ctx, fmt::format("/personnes/{}/donnees#demandes", id),
                           "rights_request_answered");
                  return;
                }
                RenderPersonData(ctx, deps, id, errors, typed, 422);
              });
  router.Page(Method::kGet, R"(/personnes/(\d+)/donnees\.json)", "persons.access_json",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto copy = deps.cases.ExportPersonData(ctx.actor, id);
                ctx.res.set_content(AccessCopyJson(copy).dump(2),
                                    "application/json; charset=utf-8");
                ctx.res.set_header("Content-Disposition",
                                   fmt::format("attachment; filename=\"donnees-{}.json\"", id));
              });
  router.Page(Method::kGet, R"(/personnes/(\d+)/donnees\.pdf)", "persons.access_pdf",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                ctx.res.set_content(deps.cases.AccessCopyPdf(ctx.actor, id), "application/pdf");
                ctx.res.set_header("Content-Disposition",
                                   fmt::format("inline; filename=\"donnees-{}.pdf\"", id));
              });
  router.Page(Method::kPost, R"(/personnes/(\d+)/anonymisation)", "persons.erase",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                deps.cases.ErasePerson(ctx.actor, id);
                Redirect(ctx, fmt::format("/personnes/{}/donnees", id), "person_erased");
              });
}

}  // namespace allervers::web
