#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/phone.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/referral_form.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

std::string StatusTag(domain::ReferralStatus s) {
  switch (s) {
    case domain::ReferralStatus::kReceived:
      return "tag-alert";
    case domain::ReferralStatus::kNotReceivable:
    case domain::ReferralStatus::kRedirected:
    case domain::ReferralStatus::kWithdrawn:
    case domain::ReferralStatus::kClosed:
    case domain::ReferralStatus::kDraft:
      return "tag-off";
    default:
      return "tag-ok";
  }
}

json SummaryJson(const service::ReferralSummary& s, const domain::ReferenceData& ref) {
  json procedures = json::array();
  for (const auto& code : s.procedures) {
    const auto* p = ref.procedures.Find(code);
    procedures.push_back(p ? p->label : code);
  }
  json j = {{"id", s.id},
            {"number", s.number},
            {"draft", s.status == domain::ReferralStatus::kDraft},
            {"status_label", std::string(domain::StatusLabel(s.status))},
            {"status_tag", StatusTag(s.status)},
            {"urgency", s.urgency},
            {"urgent", s.urgency >= 2},
            {"urgency_label", std::string(domain::UrgencyLabel(s.urgency))},
            {"structure_name", s.structure_name},
            {"person_name", service::DisplayName(s.person_last_name, s.person_first_names)},
            {"city", s.city},
            {"postal_code", s.postal_code},
            {"possible_duplicate", s.identity_status == "unchecked"},
            {"assigned_name", s.assigned_name},
            {"procedures", procedures},
            {"updated", paris::FormatDateTime(s.updated_at)}};
  if (s.received_at) {
    j["received"] = paris::FormatDate(*s.received_at);
  }
  return j;
}

std::string PersonFieldLabel(const std::string& field) {
  static const std::map<std::string, std::string> kLabels = {
      {"birth_name", "Nom de naissance"},
      {"usage_name", "Nom d’usage"},
      {"first_names", "Prénom(s)"},
      {"birth_date", "Date de naissance"},
      {"birth_year", "Année de naissance"},
      {"gender", "Genre"},
      {"phone", "Téléphone"},
      {"email", "E-mail"},
      {"address_line", "Adresse"},
      {"postal_code", "Code postal"},
      {"city", "Commune"},
      {"language", "Langue"},
      {"interpreter_needed", "Interprète"},
      {"contact_preferences", "Préférences de contact"},
      {"availability", "Disponibilités"},
      {"adaptations", "Adaptations"},
      {"carer", "Aidant"},
      {"merge", "Fusion de fiches personne"}};
  auto it = kLabels.find(field);
  return it == kLabels.end() ? field : it->second;
}

std::string PersonBirth(const domain::PersonData& p) {
  if (p.birth_date) {
    return paris::FormatDate(*p.birth_date);
  }
  return p.birth_year ? "en " + std::to_string(*p.birth_year) : "";
}

// "Téléphone, SMS": a list of codes as one readable line.
std::string Labels(const std::vector<std::string>& codes, const domain::Vocabulary& v) {
  std::string out;
  for (const auto& c : codes) {
    out += (out.empty() ? "" : ", ") + v.Label(c);
  }
  return out;
}

json PersonJson(const domain::PersonData& p, const domain::ReferenceData& ref, bool full) {
  json j = {{"name", service::DisplayName(p.usage_name.empty() ? p.birth_name : p.usage_name,
                                          p.first_names)},
            {"birth_name", p.birth_name},
            {"usage_name", p.usage_name},
            {"first_names", p.first_names},
            {"birth", PersonBirth(p)},
            {"city", p.city},
            {"postal_code", p.postal_code}};
  if (full) {
    j["phone"] = domain::FormatPhoneFr(p.phone);
    j["email"] = p.email;
    j["address_line"] = p.address_line;
    j["gender"] = p.gender.empty() ? "" : ref.vocabularies.genders.Label(p.gender);
    j["language"] = p.language.empty() ? "" : ref.vocabularies.languages.Label(p.language);
    j["interpreter_needed"] = p.interpreter_needed;
    j["contact_preferences"] = Labels(p.contact_preferences, ref.vocabularies.contact_preferences);
    j["has_contact_preferences"] = !p.contact_preferences.empty();
    j["availability"] = p.availability;
    j["adaptations"] = p.adaptations;
    j["carer"] = p.carer;
    j["full"] = true;
  }
  return j;
}

void RenderForm(RequestContext& ctx, Deps& deps, const domain::ReferralInput& in,
                std::optional<long long> draft_id, const domain::FieldErrors& errors, int status) {
  json data = ReferralFormView(in, deps.reference);
  data.update(ErrorSummary(errors));
  data["action"] =
      draft_id ? "/fiches/brouillon/" + std::to_string(*draft_id) : std::string("/fiches/nouvelle");
  data["draft_id"] = draft_id ? json(*draft_id) : json(false);
  data["today"] = ToIso(paris::Today(deps.clock.Now()));
  RenderPage(ctx, deps, "referral_form", "Fiche de liaison", data, status);
}

domain::ReferralInput Prefilled(const RequestContext& ctx) {
  domain::ReferralInput in;
  in.referrer_name = ctx.session->user.display_name;
  in.referrer_email = ctx.session->user.email;
  in.language = "fr";
  in.urgency = "0";
  return in;
}

// Saves a draft or submits, from the new-referral form or a draft being edited.
void HandleReferralPost(RequestContext& ctx, Deps& deps, std::optional<long long> draft_id) {
  const Form form(ctx.req);
  const std::string action = form.Get("action");
  domain::ReferralInput in = ReadReferralForm(form);
  if (action == "delete" && draft_id) {
    deps.referrals.DeleteDraft(ctx.actor, *draft_id);
    Redirect(ctx, "/fiches", "draft_deleted");
    return;
  }
  if (action == "draft") {
    deps.referrals.SaveDraft(ctx.actor, draft_id, ReferralInputToJson(in).dump());
    Redirect(ctx, "/fiches", "draft_saved");
    return;
  }
  const auto result = deps.referrals.Submit(ctx.actor, draft_id, in);
  if (!result.errors.empty()) {
    RenderForm(ctx, deps, in, draft_id, result.errors, 422);
    return;
  }
  Redirect(ctx, "/fiches/" + std::to_string(result.id) + "/transmise");
}

domain::ReferralInput InputFromPerson(const domain::PersonData& p) {
  domain::ReferralInput in;
  in.last_name = p.birth_name;
  in.usage_name = p.usage_name;
  in.first_names = p.first_names;
  in.birth_date = p.birth_date ? ToIso(*p.birth_date) : "";
  in.birth_year = !p.birth_date && p.birth_year ? std::to_string(*p.birth_year) : "";
  in.gender = p.gender;
  in.phone = domain::FormatPhoneFr(p.phone);
  in.email = p.email;
  in.address_line = p.address_line;
  in.postal_code = p.postal_code;
  in.city = p.city;
  in.language = p.language;
  in.interpreter_needed = p.interpreter_needed;
  in.contact_preferences = p.contact_preferences;
  in.availability = p.availability;
  in.adaptations = p.adaptations;
  in.carer = p.carer;
  return in;
}

void RenderPersonForm(RequestContext& ctx, Deps& deps, const service::ReferralRecord& r,
                      const domain::ReferralInput& in, const domain::FieldErrors& errors,
                      int status) {
  json data = ReferralFormView(in, deps.reference);
  data.update(ErrorSummary(errors));
  data["id"] = r.id;
  data["number"] = r.number;
  data["today"] = ToIso(paris::Today(deps.clock.Now()));
  RenderPage(ctx, deps, "person_form", "Modifier la personne", data, status);
}

json InboxFilters(RequestContext& ctx, Deps& deps, service::InboxQuery& q) {
  const auto& req = ctx.req;
  json filters;
  const std::string status = req.get_param_value("statut");
  json statuses = json::array();
  statuses.push_back(
      {{"value", ""}, {"label", "À traiter (reçues et en cours)"}, {"selected", status.empty()}});
  for (auto s : domain::AllStatuses()) {
    if (s == domain::ReferralStatus::kDraft) {
      continue;
    }
    const std::string code(domain::StatusCode(s));
    statuses.push_back({{"value", code},
                        {"label", std::string(domain::StatusLabel(s))},
                        {"selected", code == status}});
    if (code == status) {
      q.statuses = {s};
    }
  }
  filters["statuses"] = statuses;
  const std::string structure = req.get_param_value("structure");
  json structures = json::array();
  structures.push_back({{"value", ""}, {"label", "Toutes"}, {"selected", structure.empty()}});
  std::vector<std::string> territories;
  for (const auto& s : deps.referrals.ReferringStructures(ctx.actor)) {
    const std::string id = std::to_string(s.id);
    structures.push_back({{"value", id}, {"label", s.name}, {"selected", id == structure}});
    if (id == structure) {
      q.referring_structure = s.id;
    }
    if (!s.territory.empty() &&
        std::find(territories.begin(), territories.end(), s.territory) == territories.end()) {
      territories.push_back(s.territory);
    }
  }
  filters["structures"] = structures;
  const std::string territory = req.get_param_value("territoire");
  json terr = json::array();
  terr.push_back({{"value", ""}, {"label", "Tous"}, {"selected", territory.empty()}});
  for (const auto& t : territories) {
    terr.push_back({{"value", t}, {"label", t}, {"selected", t == territory}});
    if (t == territory) {
      q.territory = t;
    }
  }
  filters["territories"] = terr;
  const std::string procedure = req.get_param_value("demarche");
  json procs = json::array();
  procs.push_back({{"value", ""}, {"label", "Toutes"}, {"selected", procedure.empty()}});
  for (const auto& p : deps.reference.procedures.procedures) {
    procs.push_back({{"value", p.code}, {"label", p.label}, {"selected", p.code == procedure}});
    if (p.code == procedure) {
      q.procedure = p.code;
    }
  }
  filters["procedures"] = procs;
  const std::string assigned = req.get_param_value("intervenant");
  json workers = json::array();
  workers.push_back({{"value", ""}, {"label", "Toute l’équipe"}, {"selected", assigned.empty()}});
  if (ctx.actor.role == domain::Role::kIntervenant) {
    const std::string me = std::to_string(ctx.actor.user_id);
    workers.push_back({{"value", me}, {"label", "Moi"}, {"selected", assigned == me}});
    if (assigned == me) {
      q.assigned_to = ctx.actor.user_id;
    }
  } else if (service::Allows(ctx.actor, Permission::kTriageReferrals)) {
    for (const auto& u : deps.referrals.AssignableWorkers(ctx.actor)) {
      const std::string id = std::to_string(u.id);
      workers.push_back({{"value", id}, {"label", u.display_name}, {"selected", id == assigned}});
      if (id == assigned) {
        q.assigned_to = u.id;
      }
    }
  }
  filters["workers"] = workers;
  return filters;
}

}  // namespace

void RegisterReferralPages(Router& router, Deps& deps) {
  // The referrer's form.
  router.Page(Method::kGet, "/fiches/nouvelle", "referrals.new", Permission::kSubmitReferral,
              [&deps](RequestContext& ctx) {
                RenderForm(ctx, deps, Prefilled(ctx), std::nullopt, {}, 200);
              });
  router.Page(Method::kPost, "/fiches/nouvelle", "referrals.create", Permission::kSubmitReferral,
              [&deps](RequestContext& ctx) { HandleReferralPost(ctx, deps, std::nullopt); });
  router.Page(Method::kGet, R"(/fiches/brouillon/(\d+))", "referrals.draft",
              Permission::kSubmitReferral, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                json saved = json::object();
                const std::string raw = deps.referrals.LoadDraft(ctx.actor, id);
                if (!raw.empty()) {
                  saved = json::parse(raw, nullptr, false);
                }
                RenderForm(ctx, deps, ReferralInputFromJson(saved), id, {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/brouillon/(\d+))", "referrals.draft_update",
              Permission::kSubmitReferral, [&deps](RequestContext& ctx) {
                HandleReferralPost(ctx, deps, ParseId(ctx.req.matches[1]));
              });

  router.Page(Method::kGet, R"(/fiches/(\d+)/transmise)", "referrals.sent",
              Permission::kReadOwnReferrals, [&deps](RequestContext& ctx) {
                const auto r = deps.referrals.Get(ctx.actor, ParseId(ctx.req.matches[1]));
                json data = {{"id", r.id},
                             {"number", r.number},
                             {"tripartite", r.data.tripartite_requested}};
                if (r.received_at) {
                  data["received"] = paris::FormatDateTime(*r.received_at);
                }
                RenderPage(ctx, deps, "referral_sent", "Fiche transmise", data);
              });

  // The referrer's list.
  router.Page(Method::kGet, "/fiches", "referrals.mine", Permission::kReadOwnReferrals,
              [&deps](RequestContext& ctx) {
                json drafts = json::array();
                json sent = json::array();
                for (const auto& s : deps.referrals.ForReferrer(ctx.actor)) {
                  (s.status == domain::ReferralStatus::kDraft ? drafts : sent)
                      .push_back(SummaryJson(s, deps.reference));
                }
                RenderPage(ctx, deps, "referrals_mine", "Mes fiches de liaison",
                           {{"drafts", drafts},
                            {"has_drafts", !drafts.empty()},
                            {"sent", sent},
                            {"has_sent", !sent.empty()},
                            {"structure_name", ctx.session->user.structure_name}});
              });

  // The detail page, for the referrer and for the team: the service decides who may see it.
  router.Page(
      Method::kGet, R"(/fiches/(\d+))", "referrals.show", Permission::kSignedIn,
      [&deps](RequestContext& ctx) {
        const long long id = ParseId(ctx.req.matches[1]);
        const auto r = deps.referrals.Get(ctx.actor, id);
        if (r.status == domain::ReferralStatus::kDraft) {
          Redirect(ctx, "/fiches/brouillon/" + std::to_string(id));
          return;
        }
        const bool team = service::Allows(ctx.actor, Permission::kViewCases);
        const bool triage = service::Allows(ctx.actor, Permission::kTriageReferrals);
        const auto& ref = deps.reference;
        json data;
        data["id"] = r.id;
        data["number"] = r.number;
        data["status_label"] = std::string(domain::StatusLabel(r.status));
        data["status_tag"] = StatusTag(r.status);
        data["structure_name"] = r.structure_name;
        data["source"] =
            r.source == "api" ? "API" : (r.source == "csv" ? "import CSV" : "formulaire");
        data["received"] = r.received_at ? paris::FormatDateTime(*r.received_at) : "";
        data["accepted"] = r.accepted_at ? paris::FormatDateTime(*r.accepted_at) : "";
        data["first_contact"] =
            r.first_contact_at ? paris::FormatDateTime(*r.first_contact_at) : "";
        data["first_visit"] = r.first_visit_at ? paris::FormatDateTime(*r.first_visit_at) : "";
        data["closed"] = r.closed_at ? paris::FormatDateTime(*r.closed_at) : "";
        data["assigned_name"] = r.assigned_name;
        data["redirected_to_name"] = r.redirected_to_name;
        // A closed case's reason is a closure reason; a refused fiche's, a refusal reason.
        data["decision_reason"] =
            r.decision_reason.empty() ? ""
            : r.status == domain::ReferralStatus::kClosed
                ? ref.vocabularies.closure_reasons.Label(r.decision_reason)
                : ref.vocabularies.not_receivable_reasons.Label(r.decision_reason);
        data["decision_message"] = r.decision_message;
        // A referrer sees the identity they sent, not the team's record of the person.
        data["person"] = PersonJson(r.data.person, ref, team);
        data["referrer"] = {{"name", r.data.referrer_name},
                            {"function", r.data.referrer_function},
                            {"email", r.data.referrer_email},
                            {"phone", domain::FormatPhoneFr(r.data.referrer_phone)}};
        json procedures = json::array();
        for (const auto& code : r.data.procedures) {
          const auto* p = ref.procedures.Find(code);
          procedures.push_back({{"code", code},
                                {"label", p ? p->label : code},
                                {"organisation", p ? p->organisation : ""}});
        }
        data["procedures"] = procedures;
        data["has_procedures"] = !procedures.empty();
        std::string rights;
        for (const auto& code : r.data.presumed_rights) {
          const auto* p = ref.procedures.Find(code);
          rights += (rights.empty() ? "" : ", ") + (p ? p->label : code);
        }
        data["rights"] = rights;
        data["has_rights"] = !rights.empty();
        data["has_situations"] = !r.data.situations.empty();
        data["has_digital_difficulties"] = !r.data.digital_difficulties.empty();
        data["situations"] = Labels(r.data.situations, ref.vocabularies.situations);
        data["digital_difficulties"] =
            Labels(r.data.digital_difficulties, ref.vocabularies.digital_difficulties);
        data["difficulties"] = r.data.difficulties;
        data["reason"] = r.data.reason;
        data["urgency"] = r.data.urgency;
        data["urgency_label"] = std::string(domain::UrgencyLabel(r.data.urgency));
        data["urgency_reason"] = r.data.urgency_reason;
        data["tripartite"] = r.data.tripartite_requested;
        data["tripartite_availability"] = r.data.tripartite_availability;
        data["consent_date"] = paris::FormatDate(r.data.consent_date);
        data["consent_how"] = ref.vocabularies.consent_methods.Label(r.data.consent_how);
        json history = json::array();
        for (const auto& e : deps.referrals.History(ctx.actor, id)) {
          const auto to = domain::ParseStatus(e.to_status);
          history.push_back({{"at", paris::FormatDateTime(e.at)},
                             {"actor", e.actor_label},
                             {"status", to ? std::string(domain::StatusLabel(*to)) : e.to_status},
                             {"note", e.note}});
        }
        data["history"] = history;
        if (team) {
          json changes = json::array();
          for (const auto& c : deps.referrals.PersonHistory(ctx.actor, id)) {
            changes.push_back(
                {{"at", paris::FormatDateTime(c.at)},
                 {"actor", c.actor_label},
                 {"field", PersonFieldLabel(c.field)},
                 {"old", c.field == "phone" ? domain::FormatPhoneFr(c.old_value) : c.old_value},
                 {"new", c.field == "phone" ? domain::FormatPhoneFr(c.new_value) : c.new_value}});
          }
          data["person_changes"] = changes;
          data["has_person_changes"] = !changes.empty();
        }
        data["team"] = team;
        if (team && r.person_id && r.status != domain::ReferralStatus::kReceived) {
          data["case_href"] = "/personnes/" + std::to_string(*r.person_id);
        }
        if (team && r.status != domain::ReferralStatus::kReceived) {
          data["case"] = CaseAppointmentsJson(ctx, deps, id);
          data["case"]["open"] = domain::IsOpen(r.status);
        }
        // What the team told the referrer: retours and co-accompaniment reviews.
        if (r.status != domain::ReferralStatus::kReceived &&
            (team || service::Allows(ctx.actor, Permission::kReadOwnReferrals))) {
          const auto shared = deps.cases.SharedWithReferrer(ctx.actor, id);
          data["feedbacks"] = FeedbacksJson(shared.feedbacks);
          data["reviews"] = ReviewsJson(shared.reviews, ref, team);
          data["has_shared"] = !shared.feedbacks.empty() || !shared.reviews.empty();
          data["has_feedbacks"] = !shared.feedbacks.empty();
          data["has_reviews"] = !shared.reviews.empty();
        }
        data["can_withdraw"] = service::Allows(ctx.actor, Permission::kReadOwnReferrals) &&
                               domain::CanTransition(r.status, domain::ReferralStatus::kWithdrawn);
        if (triage) {
          data["triage"] = true;
          data["can_accept"] = domain::CanTransition(r.status, domain::ReferralStatus::kAccepted);
          data["can_reassign"] =
              domain::IsOpen(r.status) && r.status != domain::ReferralStatus::kReceived;
          data["can_refuse"] =
              domain::CanTransition(r.status, domain::ReferralStatus::kNotReceivable);
          data["can_redirect"] =
              domain::CanTransition(r.status, domain::ReferralStatus::kRedirected);
          json workers = json::array();
          for (const auto& u : deps.referrals.AssignableWorkers(ctx.actor)) {
            workers.push_back({{"value", u.id},
                               {"label", u.display_name},
                               {"selected", r.assigned_user_id == u.id}});
          }
          data["workers"] = workers;
          json reasons = json::array();
          for (const auto& c : ref.vocabularies.not_receivable_reasons.items) {
            reasons.push_back({{"value", c.code}, {"label", c.label}});
          }
          data["refusal_reasons"] = reasons;
          json targets = json::array();
          for (const auto& s : deps.referrals.RedirectTargets(ctx.actor)) {
            targets.push_back({{"value", s.id}, {"label", s.name}});
          }
          data["redirect_targets"] = targets;
          if (r.identity_status == "unchecked") {
            json candidates = json::array();
            for (const auto& c : deps.referrals.Duplicates(ctx.actor, id)) {
              json refs = json::array();
              for (const auto& s : c.referrals) {
                refs.push_back({{"id", s.id},
                                {"number", s.number},
                                {"status_label", std::string(domain::StatusLabel(s.status))}});
              }
              candidates.push_back({{"person_id", c.person_id},
                                    {"person", PersonJson(c.person, ref, true)},
                                    {"probable", c.probable},
                                    {"reasons", c.reasons},
                                    {"referrals", refs}});
            }
            data["identity_unchecked"] = true;
            data["candidates"] = candidates;
            data["has_candidates"] = !candidates.empty();
          }
        }
        RenderPage(ctx, deps, "referral_show", "Fiche " + r.number, data);
      });

  // Rectifying the person's record (team).
  router.Page(Method::kGet, R"(/fiches/(\d+)/personne)", "referrals.person_form",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const auto r = deps.referrals.Get(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderPersonForm(ctx, deps, r, InputFromPerson(r.data.person), {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/personne)", "referrals.person_update",
              Permission::kViewCases, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto in = ReadReferralForm(Form(ctx.req));
                const auto errors = deps.referrals.UpdatePerson(ctx.actor, id, in);
                if (!errors.empty()) {
                  RenderPersonForm(ctx, deps, deps.referrals.Get(ctx.actor, id), in, errors, 422);
                  return;
                }
                Redirect(ctx, "/fiches/" + std::to_string(id), "person_saved");
              });

  router.Page(Method::kPost, R"(/fiches/(\d+)/retirer)", "referrals.withdraw",
              Permission::kReadOwnReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                deps.referrals.Withdraw(ctx.actor, id, Form(ctx.req).Get("message"));
                Redirect(ctx, "/fiches/" + std::to_string(id), "referral_withdrawn");
              });

  // Triage.
  router.Page(Method::kGet, "/triage", "referrals.inbox", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                service::InboxQuery q;
                json data;
                data["filters"] = InboxFilters(ctx, deps, q);
                const std::string page_param = ctx.req.get_param_value("page");
                if (!page_param.empty() && page_param.size() < 6 &&
                    page_param.find_first_not_of("0123456789") == std::string::npos) {
                  q.page = std::max(1, std::stoi(page_param));
                }
                const auto page = deps.referrals.Inbox(ctx.actor, q);
                json lines = json::array();
                for (const auto& l : page.lines) {
                  json j = SummaryJson(l.summary, deps.reference);
                  j["age"] = l.age_working_days == 0 ? std::string("aujourd’hui")
                             : l.age_working_days == 1
                                 ? std::string("il y a 1 jour ouvré")
                                 : "il y a " + std::to_string(l.age_working_days) + " jours ouvrés";
                  j["overdue"] = l.overdue;
                  lines.push_back(j);
                }
                data["lines"] = lines;
                data["empty"] = lines.empty();
                data["total"] = page.total;
                data["total_label"] =
                    page.total == 0 ? std::string("Aucune fiche ne correspond à ces critères.")
                    : page.total == 1
                        ? std::string("1 fiche correspond à ces critères.")
                        : std::to_string(page.total) + " fiches correspondent à ces critères.";
                data["flag_days"] = page.flag_working_days;
                data["page"] = page.page;
                std::string query =
                    "statut=" + UrlEncode(ctx.req.get_param_value("statut")) +
                    "&structure=" + UrlEncode(ctx.req.get_param_value("structure")) +
                    "&territoire=" + UrlEncode(ctx.req.get_param_value("territoire")) +
                    "&demarche=" + UrlEncode(ctx.req.get_param_value("demarche")) +
                    "&intervenant=" + UrlEncode(ctx.req.get_param_value("intervenant"));
                if (page.page > 1) {
                  data["prev_href"] = "/triage?" + query + "&page=" + std::to_string(page.page - 1);
                }
                if (static_cast<long long>(page.page) * page.page_size < page.total) {
                  data["next_href"] = "/triage?" + query + "&page=" + std::to_string(page.page + 1);
                }
                RenderPage(ctx, deps, "inbox", "Fiches reçues", data);
              });

  router.Page(Method::kPost, R"(/fiches/(\d+)/accepter)", "referrals.accept",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const std::string assignee = Form(ctx.req).Get("assignee");
                if (assignee.empty() ||
                    assignee.find_first_not_of("0123456789") != std::string::npos ||
                    assignee.size() > 18) {
                  throw Error(ErrorCode::kInvalidArgument,
                              "Choisissez le membre de l’équipe à qui confier la fiche.");
                }
                deps.referrals.Accept(ctx.actor, id, std::stoll(assignee));
                Redirect(ctx, "/fiches/" + std::to_string(id), "referral_accepted");
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/confier)", "referrals.reassign",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const std::string assignee = Form(ctx.req).Get("assignee");
                if (assignee.empty() ||
                    assignee.find_first_not_of("0123456789") != std::string::npos ||
                    assignee.size() > 18) {
                  throw Error(ErrorCode::kInvalidArgument,
                              "Choisissez le membre de l’équipe à qui confier la fiche.");
                }
                deps.referrals.Reassign(ctx.actor, id, std::stoll(assignee));
                Redirect(ctx, "/fiches/" + std::to_string(id), "referral_reassigned");
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/non-recevable)", "referrals.refuse",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                deps.referrals.DeclareNotReceivable(ctx.actor, id, form.Get("reason"),
                                                    form.Get("message"));
                Redirect(ctx, "/fiches/" + std::to_string(id), "referral_not_receivable");
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/reorienter)", "referrals.redirect",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const std::string target = form.Get("structure");
                if (target.empty() || target.find_first_not_of("0123456789") != std::string::npos ||
                    target.size() > 18) {
                  throw Error(ErrorCode::kInvalidArgument,
                              "Choisissez la structure vers laquelle réorienter la personne.");
                }
                deps.referrals.Redirect(ctx.actor, id, std::stoll(target), form.Get("message"));
                Redirect(ctx, "/fiches/" + std::to_string(id), "referral_redirected");
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/identite)", "referrals.identity",
              Permission::kTriageReferrals, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                if (form.Get("decision") == "new") {
                  deps.referrals.ConfirmNewPerson(ctx.actor, id);
                  Redirect(ctx, "/fiches/" + std::to_string(id), "identity_new");
                  return;
                }
                deps.referrals.LinkToPerson(ctx.actor, id, ParseId(form.Get("person_id")));
                Redirect(ctx, "/fiches/" + std::to_string(id), "identity_linked");
              });
}

}  // namespace allervers::web
