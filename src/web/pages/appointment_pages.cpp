// Contact attempts, appointments, agendas, letters and calendars.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "domain/phone.hpp"
#include "render/ics.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "web/forms.hpp"
#include "web/letters.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

constexpr std::array<const char*, 7> kWeekdays = {"Lundi",    "Mardi",  "Mercredi", "Jeudi",
                                                  "Vendredi", "Samedi", "Dimanche"};

std::string Hhmm(Instant t) {
  const auto l = paris::ToLocal(t);
  return fmt::format("{:02}:{:02}", l.hour, l.minute);
}

std::string StatusTag(domain::AppointmentStatus s) {
  switch (s) {
    case domain::AppointmentStatus::kPlanned:
      return "tag-ok";
    case domain::AppointmentStatus::kHonoured:
      return "tag-ok";
    case domain::AppointmentStatus::kAbsent:
      return "tag-alert";
    default:
      return "tag-off";
  }
}

std::string PlaceText(const domain::Appointment& a) {
  switch (a.place) {
    case domain::PlaceKind::kHome:
      return "Domicile — " + a.address_line + ", " + a.postal_code + " " + a.city;
    case domain::PlaceKind::kPhone:
    case domain::PlaceKind::kVideo:
      return std::string(domain::PlaceLabel(a.place));
    default:
      return a.place_label + " — " + a.address_line + ", " + a.postal_code + " " + a.city;
  }
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    out += (out.empty() ? "" : std::string(sep)) + s;
  }
  return out;
}

json AppointmentJson(const service::AppointmentRecord& r, bool identity) {
  const auto& a = r.appointment;
  json j = {{"id", a.id},
            {"referral_id", r.referral_id},
            {"number", r.referral_number},
            {"date", paris::FormatLongDate(a.starts_at)},
            {"date_short", paris::FormatDate(a.starts_at)},
            {"start", paris::FormatTime(a.starts_at)},
            {"end", paris::FormatTime(a.ends_at)},
            {"place", PlaceText(a)},
            {"place_kind", std::string(domain::PlaceCode(a.place))},
            {"home", a.place == domain::PlaceKind::kHome},
            {"purpose", a.purpose},
            {"workers", Join(a.worker_names, ", ")},
            {"status_label", std::string(domain::AppointmentStatusLabel(a.status))},
            {"status_tag", StatusTag(a.status)},
            {"planned", a.status == domain::AppointmentStatus::kPlanned},
            {"tripartite", a.tripartite},
            {"referrer_name", r.referrer_name},
            {"referring_structure", r.referring_structure_name},
            {"referrer_response", std::string(domain::ReferrerResponseLabel(a.referrer_response))},
            {"response_pending", a.referrer_response == domain::ReferrerResponse::kPending},

            {"rescheduled_to", a.rescheduled_to ? json(*a.rescheduled_to) : json(false)},
            {"rescheduled_from", a.rescheduled_from ? json(*a.rescheduled_from) : json(false)}};
  if (identity) {
    // The team's own notes stay within the team: a referrer invited sees time, place, purpose.
    j["to_bring"] = a.to_bring;
    j["outcome_note"] = a.outcome_note;
    j["person"] = service::DisplayName(r.person_last_name, r.person_first_names);
    j["phone"] = domain::FormatPhoneFr(r.person_phone);
  }
  return j;
}

domain::AppointmentInput ReadAppointmentForm(const Form& form) {
  domain::AppointmentInput in;
  in.date = form.Get("date");
  in.start_time = form.Get("start_time");
  in.duration_minutes = form.Get("duration_minutes");
  in.place = form.Get("place");
  in.place_label = form.Get("place_label");
  in.address_line = form.Get("address_line");
  in.postal_code = form.Get("postal_code");
  in.city = form.Get("city");
  in.workers = form.All("workers");
  in.tripartite = form.Get("tripartite") == "1";
  in.purpose = form.Get("purpose");
  in.to_bring = form.Get("to_bring");
  return in;
}

domain::AppointmentInput InputOf(const domain::Appointment& a) {
  domain::AppointmentInput in;
  in.date = ToIso(paris::Today(a.starts_at));
  in.start_time = Hhmm(a.starts_at);
  in.duration_minutes = std::to_string(
      std::chrono::duration_cast<std::chrono::minutes>(a.ends_at - a.starts_at).count());
  in.place = std::string(domain::PlaceCode(a.place));
  in.place_label = a.place_label;
  in.address_line = a.address_line;
  in.postal_code = a.postal_code;
  in.city = a.city;
  for (const auto w : a.workers) {
    in.workers.push_back(std::to_string(w));
  }
  in.tripartite = a.tripartite;
  in.purpose = a.purpose;
  in.to_bring = a.to_bring;
  return in;
}

// The form's view model: values typed, choices, errors and conflicts.
json AppointmentFormView(RequestContext& ctx, Deps& deps, const domain::AppointmentInput& in,
                         const domain::FieldErrors& errors,
                         const std::vector<domain::Conflict>& conflicts) {
  json data = ErrorSummary(errors);
  data["values"] = {{"date", in.date},
                    {"start_time", in.start_time},
                    {"duration_minutes", in.duration_minutes},
                    {"place_label", in.place_label},
                    {"address_line", in.address_line},
                    {"postal_code", in.postal_code},
                    {"city", in.city},
                    {"tripartite", in.tripartite},
                    {"purpose", in.purpose},
                    {"to_bring", in.to_bring}};
  json places = json::array();
  for (const auto p : domain::AllPlaces()) {
    const std::string code(domain::PlaceCode(p));
    places.push_back(
        {{"value", code},
         {"label", std::string(domain::PlaceLabel(p))},
         {"checked", code == in.place || (in.place.empty() && p == domain::PlaceKind::kHome)}});
  }
  data["places"] = places;
  json workers = json::array();
  for (const auto& u : deps.appointments.Workers(ctx.actor)) {
    const std::string id = std::to_string(u.id);
    workers.push_back(
        {{"value", id},
         {"label", u.display_name},
         {"checked", std::find(in.workers.begin(), in.workers.end(), id) != in.workers.end()}});
  }
  data["workers"] = workers;
  json c = json::array();
  std::map<domain::UserId, std::string> names;
  for (const auto& u : deps.appointments.Workers(ctx.actor)) {
    names[u.id] = u.display_name;
  }
  for (const auto& x : conflicts) {
    c.push_back({{"worker", names[x.worker]}, {"message", x.message}});
  }
  data["conflicts"] = c;
  data["has_conflicts"] = !conflicts.empty();
  return data;
}

json ReferralHeader(Deps& deps, RequestContext& ctx, domain::ReferralId id) {
  const auto r = deps.referrals.Get(ctx.actor, id);
  const auto& p = r.data.person;
  return {{"referral_id", r.id},
          {"number", r.number},
          {"person",
           service::DisplayName(p.usage_name.empty() ? p.birth_name : p.usage_name, p.first_names)},
          {"phone", domain::FormatPhoneFr(p.phone)},
          {"home", p.address_line + ", " + p.postal_code + " " + p.city},
          {"tripartite_requested", r.data.tripartite_requested},
          {"referrer_name", r.data.referrer_name},
          {"has_referrer_account", r.created_by.has_value()}};
}

void RenderAppointmentForm(RequestContext& ctx, Deps& deps, domain::ReferralId referral,
                           const domain::AppointmentInput& in, const domain::FieldErrors& errors,
                           const std::vector<domain::Conflict>& conflicts, int status,
                           const std::string& action, const std::string& title,
                           const std::string& mode) {
  json data = AppointmentFormView(ctx, deps, in, errors, conflicts);
  data.update(ReferralHeader(deps, ctx, referral));
  data["action"] = action;
  data["title"] = title;
  data["postpone"] = mode == "postpone";
  data["create"] = mode == "create";
  data["today"] = ToIso(paris::Today(deps.clock.Now()));
  // Suggestions of free slots for a home visit, for the day and worker asked for.
  const std::string day = ctx.req.get_param_value("jour");
  const std::string worker = ctx.req.get_param_value("intervenant");
  json suggestions = json::array();
  if (const auto d = ParseIsoDate(day);
      d && !worker.empty() && worker.size() < 18 &&
      worker.find_first_not_of("0123456789") == std::string::npos) {
    for (const auto& s :
         deps.appointments.Suggest(ctx.actor, referral, std::stoll(worker), *d, 60)) {
      suggestions.push_back(
          {{"start", paris::FormatTime(s.starts_at)},
           {"end", paris::FormatTime(s.ends_at)},
           {"added", s.added_travel_minutes},
           {"href", "?jour=" + day + "&intervenant=" + worker + "&heure=" + Hhmm(s.starts_at)}});
    }
    data["suggest_day"] = paris::FormatLongDate(*d);
    data["asked_suggestions"] = true;
  }
  if (const std::string h = ctx.req.get_param_value("heure"); h.size() == 5 && !day.empty()) {
    data["values"]["date"] = day;
    data["values"]["start_time"] = h;
    data["values"]["duration_minutes"] = "60";
    for (auto& w : data["workers"]) {
      w["checked"] = w["value"] == worker;
    }
  }
  data["suggestions"] = suggestions;
  data["has_suggestions"] = !suggestions.empty();
  data["suggest_day_value"] = day.empty() ? ToIso(paris::Today(deps.clock.Now())) : day;
  // The worker whose free slots are asked: the one asked for, else the first ticked in the form
  // (the case's référent·e), else the one signed in — never silently the first of the list.
  std::string suggested_for = worker;
  if (suggested_for.empty()) {
    for (const auto& w : data["workers"]) {
      if (w.value("checked", false)) {
        suggested_for = w["value"].get<std::string>();
        break;
      }
    }
  }
  if (suggested_for.empty() && ctx.actor.user_id != 0) {
    suggested_for = std::to_string(ctx.actor.user_id);
  }
  json suggest_workers = json::array();
  for (const auto& u : deps.appointments.Workers(ctx.actor)) {
    const std::string id = std::to_string(u.id);
    suggest_workers.push_back(
        {{"value", id}, {"label", u.display_name}, {"selected", id == suggested_for}});
  }
  data["suggest_workers"] = suggest_workers;
  RenderPage(ctx, deps, "appointment_form", title, data, status);
}

// [from, to) of the agenda view around `day`.
std::pair<LocalDate, LocalDate> Range(const std::string& view, const LocalDate& day) {
  if (view == "jour") {
    return {day, AddDays(day, 1)};
  }
  if (view == "liste") {
    return {day, AddDays(day, 28)};
  }
  const LocalDate monday = AddDays(day, 1 - Weekday(day));
  return {monday, AddDays(monday, 7)};
}

LocalDate DateParam(const RequestContext& ctx, const Deps& deps) {
  const std::string raw = ctx.req.get_param_value("date");
  if (raw.empty()) {
    return paris::Today(deps.clock.Now());
  }
  const auto d = ParseIsoDate(raw);
  if (!d) {
    throw Error(ErrorCode::kInvalidArgument, "La date demandée n’est pas valide (AAAA-MM-JJ).");
  }
  return *d;
}

void SendLetters(RequestContext& ctx, Deps& deps, const std::vector<domain::AppointmentId>& ids,
                 const std::string& filename) {
  const auto batch = deps.appointments.Letters(ctx.actor, ids);
  if (batch.letters.empty()) {
    throw Error(ErrorCode::kNotFound, "Aucun rendez-vous prévu : aucun courrier à imprimer.");
  }
  std::vector<domain::LetterText> letters;
  for (const auto& f : batch.letters) {
    letters.push_back(domain::ComposeAppointmentLetter(f));
  }
  ctx.res.set_content(PdfLetterPrinter(deps.fonts_dir).Print(letters, "Courrier de rendez-vous"),
                      "application/pdf");
  ctx.res.set_header("Content-Disposition", "inline; filename=\"" + filename + "\"");
}

render::CalendarEvent EventOf(const service::AppointmentRecord& r, Instant now, bool identity) {
  const auto& a = r.appointment;
  render::CalendarEvent e;
  e.uid = "appointment-" + std::to_string(a.id) + "@allervers";
  e.sequence = a.sequence;
  e.start = a.starts_at;
  e.end = a.ends_at;
  e.stamp = now;
  e.last_modified = a.updated_at;
  // A calendar leaves the application: the subscriber's calendar holds no more than needed to
  // find the way (initials, the place), never the person's situation.
  std::string initials;
  for (const auto& part : {r.person_first_names, r.person_last_name}) {
    if (!part.empty()) {
      // The first letter, whole: "É" is two bytes in UTF-8.
      const auto lead = static_cast<unsigned char>(part[0]);
      const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      initials += text::ToUpper(part.substr(0, std::min(len, part.size()))) + ". ";
    }
  }
  e.summary =
      std::string(a.place == domain::PlaceKind::kHome ? "Visite à domicile" : "Rendez-vous") +
      (identity ? " — " + text::Trim(initials) : "") + " (fiche " + r.referral_number + ")";
  if (domain::IsInPerson(a.place)) {
    e.location = (a.place_label.empty() ? "" : a.place_label + ", ") + a.address_line + ", " +
                 a.postal_code + " " + a.city;
  } else {
    e.location = std::string(domain::PlaceLabel(a.place));
  }
  e.description = "Objet : " + a.purpose + "\nIntervenants : " + Join(a.worker_names, ", ");
  e.cancelled = a.status == domain::AppointmentStatus::kCancelledByPerson ||
                a.status == domain::AppointmentStatus::kCancelledByTeam ||
                a.status == domain::AppointmentStatus::kPostponed;
  return e;
}

}  // namespace

json CaseAppointmentsJson(RequestContext& ctx, Deps& deps, domain::ReferralId referral) {
  json out;
  const auto contacts = deps.appointments.Contacts(ctx.actor, referral);
  json attempts = json::array();
  for (auto it = contacts.attempts.rbegin(); it != contacts.attempts.rend(); ++it) {
    attempts.push_back({{"at", paris::FormatDateTime(it->at)},
                        {"channel", std::string(domain::ChannelLabel(it->channel))},
                        {"outcome", std::string(domain::OutcomeLabel(it->outcome))},
                        {"failed", domain::IsFailedAttempt(it->outcome)},
                        {"note", it->note},
                        {"author", it->author_name}});
  }
  out["attempts"] = attempts;
  out["has_attempts"] = !attempts.empty();
  out["failed_since_reached"] = contacts.failed_since_reached;
  out["threshold"] = contacts.rule.attempts;
  if (contacts.unreachable_proposed_at) {
    out["unreachable_proposed"] = paris::FormatDate(*contacts.unreachable_proposed_at);
  }
  json appointments = json::array();
  for (const auto& a : deps.appointments.ForReferral(ctx.actor, referral)) {
    appointments.push_back(AppointmentJson(a, true));
  }
  out["appointments"] = appointments;
  out["has_appointments"] = !appointments.empty();
  out["can_manage"] = service::Allows(ctx.actor, Permission::kManageAppointments);
  return out;
}

void RegisterAppointmentPages(Router& router, Deps& deps) {
  // Contact attempts.
  router.Page(Method::kGet, R"(/fiches/(\d+)/contact)", "contacts.new",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                json data = ReferralHeader(deps, ctx, id);
                const auto now = deps.clock.Now();
                data["values"] = {{"date", ToIso(paris::Today(now))}, {"time", Hhmm(now)}};
                json channels = json::array();
                for (const auto c : domain::AllChannels()) {
                  channels.push_back({{"value", std::string(domain::ChannelCode(c))},
                                      {"label", std::string(domain::ChannelLabel(c))},
                                      {"checked", c == domain::ContactChannel::kPhone}});
                }
                data["channels"] = channels;
                json outcomes = json::array();
                for (const auto o : domain::AllOutcomes()) {
                  outcomes.push_back({{"value", std::string(domain::OutcomeCode(o))},
                                      {"label", std::string(domain::OutcomeLabel(o))}});
                }
                data["outcomes"] = outcomes;
                RenderPage(ctx, deps, "contact_form", "Tentative de contact", data);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/contact)", "contacts.create",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                domain::ContactAttemptInput in{form.Get("date"), form.Get("time"),
                                               form.Get("channel"), form.Get("outcome"),
                                               form.Get("note")};
                const auto errors = deps.appointments.RecordContact(ctx.actor, id, in);
                if (errors.empty()) {
                  Redirect(ctx, "/fiches/" + std::to_string(id) + "#contacts", "contact_saved");
                  return;
                }
                json data = ReferralHeader(deps, ctx, id);
                data.update(ErrorSummary(errors));
                data["values"] = {{"date", in.date}, {"time", in.time}, {"note", in.note}};
                json channels = json::array();
                for (const auto c : domain::AllChannels()) {
                  const std::string code(domain::ChannelCode(c));
                  channels.push_back({{"value", code},
                                      {"label", std::string(domain::ChannelLabel(c))},
                                      {"checked", code == in.channel}});
                }
                data["channels"] = channels;
                json outcomes = json::array();
                for (const auto o : domain::AllOutcomes()) {
                  const std::string code(domain::OutcomeCode(o));
                  outcomes.push_back({{"value", code},
                                      {"label", std::string(domain::OutcomeLabel(o))},
                                      {"selected", code == in.outcome}});
                }
                data["outcomes"] = outcomes;
                RenderPage(ctx, deps, "contact_form", "Tentative de contact", data, 422);
              });

  // Appointments: create.
  router.Page(Method::kGet, R"(/fiches/(\d+)/rendez-vous)", "appointments.new",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                domain::AppointmentInput in;
                in.place = "domicile";
                in.duration_minutes = "60";
                in.workers = {std::to_string(ctx.actor.user_id)};
                in.purpose = "Faire le point sur vos démarches en ligne";
                RenderAppointmentForm(ctx, deps, id, in, {}, {}, 200,
                                      "/fiches/" + std::to_string(id) + "/rendez-vous",
                                      "Fixer un rendez-vous", "create");
              });
  router.Page(
      Method::kPost, R"(/fiches/(\d+)/rendez-vous)", "appointments.create",
      Permission::kManageAppointments, [&deps](RequestContext& ctx) {
        const long long id = ParseId(ctx.req.matches[1]);
        const Form form(ctx.req);
        const auto in = ReadAppointmentForm(form);
        const auto r = deps.appointments.Create(ctx.actor, id, in, form.Get("force") == "1");
        if (r.id != 0) {
          Redirect(ctx, "/rendez-vous/" + std::to_string(r.id), "appointment_saved");
          return;
        }
        RenderAppointmentForm(
            ctx, deps, id, in, r.errors, r.conflicts, r.errors.empty() ? 409 : 422,
            "/fiches/" + std::to_string(id) + "/rendez-vous", "Fixer un rendez-vous", "create");
      });

  // One appointment.
  router.Page(Method::kGet, R"(/rendez-vous/(\d+))", "appointments.show", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto r = deps.appointments.Get(ctx.actor, id);
                const bool team = service::Allows(ctx.actor, Permission::kManageAppointments);
                json data = AppointmentJson(r, team);
                data["team"] = team;
                data["referrer"] = service::Allows(ctx.actor, Permission::kRespondTripartite);
                const auto now = deps.clock.Now();
                data["started"] = r.appointment.starts_at <= now;
                json outcomes = json::array();
                for (const auto s : domain::AppointmentOutcomes()) {
                  if (s == domain::AppointmentStatus::kPostponed) {
                    continue;
                  }
                  const bool needs_past = s == domain::AppointmentStatus::kHonoured ||
                                          s == domain::AppointmentStatus::kAbsent;
                  if (needs_past && r.appointment.starts_at > now) {
                    continue;
                  }
                  outcomes.push_back({{"value", std::string(domain::AppointmentStatusCode(s))},
                                      {"label", std::string(domain::AppointmentStatusLabel(s))}});
                }
                data["outcomes"] = outcomes;
                if (team) {
                  data["person_address"] =
                      r.person_address_line + ", " + r.person_postal_code + " " + r.person_city;
                }
                RenderPage(ctx, deps, "appointment_show",
                           "Rendez-vous du " + paris::FormatDate(r.appointment.starts_at), data);
              });

  router.Page(Method::kGet, R"(/rendez-vous/(\d+)/modifier)", "appointments.edit",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto r = deps.appointments.Get(ctx.actor, id);
                RenderAppointmentForm(ctx, deps, r.referral_id, InputOf(r.appointment), {}, {}, 200,
                                      "/rendez-vous/" + std::to_string(id) + "/modifier",
                                      "Déplacer ou modifier le rendez-vous", "move");
              });
  router.Page(Method::kPost, R"(/rendez-vous/(\d+)/modifier)", "appointments.update",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto in = ReadAppointmentForm(form);
                const auto r = deps.appointments.Move(ctx.actor, id, in, form.Get("force") == "1");
                if (r.id != 0) {
                  Redirect(ctx, "/rendez-vous/" + std::to_string(id), "appointment_moved");
                  return;
                }
                const auto existing = deps.appointments.Get(ctx.actor, id);
                RenderAppointmentForm(ctx, deps, existing.referral_id, in, r.errors, r.conflicts,
                                      r.errors.empty() ? 409 : 422,
                                      "/rendez-vous/" + std::to_string(id) + "/modifier",
                                      "Déplacer ou modifier le rendez-vous", "move");
              });
  router.Page(Method::kGet, R"(/rendez-vous/(\d+)/reporter)", "appointments.postpone_form",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto r = deps.appointments.Get(ctx.actor, id);
                auto in = InputOf(r.appointment);
                in.date.clear();
                in.start_time.clear();
                RenderAppointmentForm(ctx, deps, r.referral_id, in, {}, {}, 200,
                                      "/rendez-vous/" + std::to_string(id) + "/reporter",
                                      "Reporter le rendez-vous", "postpone");
              });
  router.Page(Method::kPost, R"(/rendez-vous/(\d+)/reporter)", "appointments.postpone",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto in = ReadAppointmentForm(form);
                const auto r = deps.appointments.Postpone(ctx.actor, id, in, form.Get("note"),
                                                          form.Get("force") == "1");
                if (r.id != 0) {
                  Redirect(ctx, "/rendez-vous/" + std::to_string(r.id), "appointment_postponed");
                  return;
                }
                const auto existing = deps.appointments.Get(ctx.actor, id);
                RenderAppointmentForm(ctx, deps, existing.referral_id, in, r.errors, r.conflicts,
                                      r.errors.empty() ? 409 : 422,
                                      "/rendez-vous/" + std::to_string(id) + "/reporter",
                                      "Reporter le rendez-vous", "postpone");
              });
  router.Page(Method::kPost, R"(/rendez-vous/(\d+)/resultat)", "appointments.outcome",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto status = domain::ParseAppointmentStatus(form.Get("status"));
                if (!status) {
                  throw Error(ErrorCode::kInvalidArgument, "Choisissez ce qui s’est passé.");
                }
                deps.appointments.SetOutcome(ctx.actor, id, *status, form.Get("note"));
                Redirect(ctx, "/rendez-vous/" + std::to_string(id), "appointment_outcome");
              });
  router.Page(Method::kPost, R"(/rendez-vous/(\d+)/reponse)", "appointments.respond",
              Permission::kRespondTripartite, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const std::string answer = Form(ctx.req).Get("answer");
                if (answer != "accept" && answer != "decline") {
                  throw Error(ErrorCode::kInvalidArgument, "Répondez oui ou non.");
                }
                deps.appointments.Respond(ctx.actor, id, answer == "accept");
                Redirect(ctx, "/rendez-vous/" + std::to_string(id), "invitation_answered");
              });

  // Letters and calendar files.
  router.Page(Method::kGet, R"(/rendez-vous/(\d+)/courrier\.pdf)", "appointments.letter",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                SendLetters(ctx, deps, {id}, "courrier-rendez-vous-" + std::to_string(id) + ".pdf");
              });
  router.Page(
      Method::kGet, R"(/rendez-vous/(\d+)/rendez-vous\.ics)", "appointments.ics",
      Permission::kSignedIn, [&deps](RequestContext& ctx) {
        const long long id = ParseId(ctx.req.matches[1]);
        const auto r = deps.appointments.Get(ctx.actor, id);
        const bool team = service::Allows(ctx.actor, Permission::kManageAppointments);
        ctx.res.set_content(render::RenderCalendar("", {EventOf(r, deps.clock.Now(), team)}),
                            "text/calendar; charset=utf-8");
        ctx.res.set_header("Content-Disposition",
                           "attachment; filename=\"rendez-vous-" + std::to_string(id) + ".ics\"");
      });

  // Agendas.
  router.Page(
      Method::kGet, "/agenda", "agenda.show", Permission::kViewAgenda,
      [&deps](RequestContext& ctx) {
        std::string view = ctx.req.get_param_value("vue");
        if (view != "jour" && view != "liste") {
          view = "semaine";
        }
        const LocalDate day = DateParam(ctx, deps);
        std::string worker_raw;
        const auto worker = WorkerParam(ctx, worker_raw);
        const auto [from, to] = Range(view, day);
        service::AgendaQuery q;
        q.worker = worker;
        q.from = paris::FromLocal(from, 0, 0);
        q.to = paris::FromLocal(to, 0, 0);
        const auto items = deps.appointments.Agenda(ctx.actor, q);
        json days = json::array();
        for (LocalDate d = from; d < to; d = AddDays(d, 1)) {
          json list = json::array();
          for (const auto& r : items) {
            if (paris::Today(r.appointment.starts_at) == d) {
              list.push_back(AppointmentJson(r, true));
            }
          }
          if (view == "liste" && list.empty()) {
            continue;
          }
          if (view == "semaine" && Weekday(d) >= 6 && list.empty()) {
            continue;
          }
          days.push_back(
              {{"label",
                std::string(kWeekdays[static_cast<std::size_t>(Weekday(d) - 1)]) + " " +
                    paris::FormatLongDate(d).substr(paris::FormatLongDate(d).find(' ') + 1)},
               {"iso", ToIso(d)},
               {"appointments", list},
               {"empty", list.empty()},
               {"today", d == paris::Today(deps.clock.Now())}});
        }
        const json workers = WorkerChoices(ctx, deps, worker_raw);
        const int step = view == "jour" ? 1 : view == "liste" ? 28 : 7;
        const std::string base =
            "/agenda?vue=" + view + "&intervenant=" + UrlEncode(worker_raw) + "&date=";
        json views = json::array();
        for (const auto& [code, label] : std::vector<std::pair<std::string, std::string>>{
                 {"jour", "Jour"}, {"semaine", "Semaine"}, {"liste", "Liste"}}) {
          views.push_back({{"label", label},
                           {"href", "/agenda?vue=" + code + "&intervenant=" +
                                        UrlEncode(worker_raw) + "&date=" + ToIso(day)},
                           {"current", code == view}});
        }
        const std::string period = view == "jour" ? paris::FormatLongDate(day)
                                                  : "du " + paris::FormatDate(from) + " au " +
                                                        paris::FormatDate(AddDays(to, -1));
        json data = {{"days", days},
                     {"has_days", !days.empty()},
                     {"workers", workers},
                     {"views", views},
                     {"view", view},
                     {"period", period},
                     {"date", ToIso(day)},
                     {"prev_href", base + ToIso(AddDays(day, -step))},
                     {"next_href", base + ToIso(AddDays(day, step))},
                     {"today_href", base + ToIso(paris::Today(deps.clock.Now()))},
                     {"count", items.size()},
                     {"sheet_href", "/agenda/feuille-de-route?date=" + ToIso(day) +
                                        "&intervenant=" + UrlEncode(worker_raw)},
                     {"letters_href", "/agenda/courriers.pdf?date=" + ToIso(from) + "&fin=" +
                                          ToIso(to) + "&intervenant=" + UrlEncode(worker_raw)},
                     {"can_manage", service::Allows(ctx.actor, Permission::kManageAppointments)}};
        RenderPage(ctx, deps, "agenda", "Agenda", data);
      });

  router.Page(
      Method::kGet, "/agenda/feuille-de-route", "agenda.day_sheet", Permission::kViewAgenda,
      [&deps](RequestContext& ctx) {
        const LocalDate day = DateParam(ctx, deps);
        std::string worker_raw;
        const auto worker = WorkerParam(ctx, worker_raw);
        service::AgendaQuery q;
        q.worker = worker;
        q.from = paris::FromLocal(day, 0, 0);
        q.to = paris::FromLocal(AddDays(day, 1), 0, 0);
        q.planned_only = true;
        json visits = json::array();
        int n = 0;
        for (const auto& r : deps.appointments.Agenda(ctx.actor, q)) {
          json j = AppointmentJson(r, true);
          j["order"] = ++n;
          j["address"] =
              domain::IsInPerson(r.appointment.place)
                  ? (r.appointment.place_label.empty() ? "" : r.appointment.place_label + " — ") +
                        r.appointment.address_line + ", " + r.appointment.postal_code + " " +
                        r.appointment.city
                  : std::string(domain::PlaceLabel(r.appointment.place));
          visits.push_back(j);
        }
        std::string who = "Toute l’équipe";
        for (const auto& u : deps.appointments.Workers(ctx.actor)) {
          if (worker && u.id == *worker) {
            who = u.display_name;
          }
        }
        RenderPage(ctx, deps, "day_sheet", "Feuille de route",
                   {{"day", paris::FormatLongDate(day)},
                    {"who", who},
                    {"visits", visits},
                    {"empty", visits.empty()},
                    {"back_href", "/agenda?vue=jour&date=" + ToIso(day) +
                                      "&intervenant=" + UrlEncode(worker_raw)}});
      });

  router.Page(Method::kGet, "/agenda/courriers.pdf", "agenda.letters",
              Permission::kManageAppointments, [&deps](RequestContext& ctx) {
                const LocalDate from = DateParam(ctx, deps);
                LocalDate to = AddDays(from, 1);
                if (const std::string fin = ctx.req.get_param_value("fin"); !fin.empty()) {
                  const auto d = ParseIsoDate(fin);
                  if (!d || *d <= from || DaysBetween(from, *d) > 31) {
                    throw Error(ErrorCode::kInvalidArgument,
                                "La période demandée n’est pas valide (31 jours au plus).");
                  }
                  to = *d;
                }
                std::string worker_raw;
                service::AgendaQuery q;
                q.worker = WorkerParam(ctx, worker_raw);
                q.from = paris::FromLocal(from, 0, 0);
                q.to = paris::FromLocal(to, 0, 0);
                q.planned_only = true;
                std::vector<domain::AppointmentId> ids;
                for (const auto& r : deps.appointments.Agenda(ctx.actor, q)) {
                  ids.push_back(r.appointment.id);
                }
                SendLetters(ctx, deps, ids, "courriers-" + ToIso(from) + ".pdf");
              });

  // Calendar feed.
  router.Page(Method::kGet, "/agenda/calendrier", "agenda.feed", Permission::kViewAgenda,
              [&deps](RequestContext& ctx) {
                RenderPage(ctx, deps, "calendar_feed", "Mon agenda dans mon calendrier",
                           {{"has_feed", deps.appointments.HasFeed(ctx.actor)}});
              });
  router.Page(Method::kPost, "/agenda/calendrier", "agenda.feed_update", Permission::kViewAgenda,
              [&deps](RequestContext& ctx) {
                if (Form(ctx.req).Get("action") == "revoke") {
                  deps.appointments.RevokeFeed(ctx.actor);
                  Redirect(ctx, "/agenda/calendrier", "feed_revoked");
                  return;
                }
                const std::string token = deps.appointments.RenewFeed(ctx.actor);
                const std::string host = ctx.req.get_header_value("Host");
                const std::string url = std::string(ctx.secure ? "https://" : "http://") +
                                        (host.empty() ? "localhost" : host) + "/calendrier/" +
                                        token + ".ics";
                RenderPage(ctx, deps, "calendar_feed", "Mon agenda dans mon calendrier",
                           {{"has_feed", true}, {"url", url}});
              });
  router.Page(Method::kGet, R"(/calendrier/([A-Za-z0-9_-]+)\.ics)", "calendar.feed",
              Permission::kPublic, [&deps](RequestContext& ctx) {
                std::string owner;
                const auto items = deps.appointments.Feed(ctx.req.matches[1], owner);
                std::vector<render::CalendarEvent> events;
                const auto now = deps.clock.Now();
                for (const auto& r : items) {
                  events.push_back(EventOf(r, now, true));
                }
                ctx.res.set_content(render::RenderCalendar("Allervers — " + owner, events),
                                    "text/calendar; charset=utf-8");
              });

  // The referrer's invitations.
  router.Page(Method::kGet, "/invitations", "appointments.invitations",
              Permission::kRespondTripartite, [&deps](RequestContext& ctx) {
                json list = json::array();
                const auto from = deps.clock.Now() - std::chrono::hours(24 * 30);
                for (const auto& r : deps.appointments.Invitations(ctx.actor, from)) {
                  list.push_back(AppointmentJson(r, false));
                }
                RenderPage(ctx, deps, "invitations", "Rendez-vous tripartites",
                           {{"invitations", list}, {"empty", list.empty()}});
              });
}

std::optional<domain::UserId> WorkerParam(const RequestContext& ctx, std::string& raw) {
  raw = ctx.req.get_param_value("intervenant");
  if (raw == "equipe") {
    return std::nullopt;
  }
  if (raw.empty()) {
    if (ctx.actor.role == domain::Role::kIntervenant) {
      raw = std::to_string(ctx.actor.user_id);
      return ctx.actor.user_id;
    }
    raw = "equipe";
    return std::nullopt;
  }
  if (raw.size() > 18 || raw.find_first_not_of("0123456789") != std::string::npos) {
    throw Error(ErrorCode::kInvalidArgument, "Intervenant inconnu.");
  }
  return std::stoll(raw);
}

nlohmann::json WorkerChoices(RequestContext& ctx, Deps& deps, const std::string& raw) {
  json workers = json::array();
  workers.push_back(
      {{"value", "equipe"}, {"label", "Toute l’équipe"}, {"selected", raw == "equipe"}});
  for (const auto& u : deps.appointments.Workers(ctx.actor)) {
    const std::string id = std::to_string(u.id);
    workers.push_back({{"value", id}, {"label", u.display_name}, {"selected", id == raw}});
  }
  return workers;
}

}  // namespace allervers::web
