#include "service/appointment_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "common/text.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

using domain::AppointmentStatus;
using domain::ReferralStatus;

std::optional<domain::UserId> ActorUser(const Actor& actor) {
  return actor.is_user() ? std::optional(actor.user_id) : std::nullopt;
}

std::string ActorLabel(const Actor& actor) {
  return actor.is_user() ? actor.display_name : std::string("Allervers");
}

int SettingInt(Tx& tx, std::string_view key, int fallback, int lo, int hi) {
  const auto v = tx.settings().Get(key);
  if (!v) {
    return fallback;
  }
  int out = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < lo || out > hi) {
    return fallback;
  }
  return out;
}

std::string SettingText(Tx& tx, std::string_view key, const std::string& fallback) {
  const auto v = tx.settings().Get(key);
  return v && !v->empty() ? *v : fallback;
}

// Messages about a case name the referral by its number only: no identity of the person.
void QueueEmail(Tx& tx, const std::string& to, const std::string& subject, const std::string& body,
                const std::string& dedupe, const std::string& type, const std::string& id,
                Instant at, Instant now) {
  if (to.empty()) {
    return;
  }
  OutboxMessage m;
  m.channel = "email";
  m.recipient = to;
  m.subject = subject;
  m.body = body +
           "\n\nCe message est envoyé automatiquement par Allervers, le système "
           "d’information de l’équipe mobile numérique.";
  m.dedupe_key = dedupe;
  m.next_attempt_at = at;
  m.related_type = type;
  m.related_id = id;
  m.created_at = now;
  tx.outbox().Enqueue(m);
}

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string When(const domain::Appointment& a) {
  return "le " + paris::FormatLongDate(a.starts_at) + " à " + paris::FormatTime(a.starts_at);
}

// The contact attempts of a referral, with each honoured appointment counted as reaching the
// person: the injoignable rule counts only the failures since the person was last seen.
std::vector<domain::ContactAttempt> AttemptsAndVisits(Tx& tx, domain::ReferralId referral) {
  auto attempts = tx.contacts().ForReferral(referral);
  AppointmentFilter f;
  f.referral = referral;
  for (const auto& a : tx.appointments().List(f)) {
    if (a.appointment.status == AppointmentStatus::kHonoured) {
      domain::ContactAttempt visit;
      visit.at = a.appointment.starts_at;
      visit.outcome = domain::ContactOutcome::kReached;
      attempts.push_back(visit);
    }
  }
  return attempts;
}

// The referrer as an account that may be invited to a tripartite meeting: the author of the
// fiche when it is an active referrer of the referring structure (not the coordinator who
// imported a CSV file).
std::optional<domain::UserId> InvitableReferrer(Tx& tx, const ReferralRecord& r) {
  if (!r.created_by) {
    return std::nullopt;
  }
  const auto u = tx.users().FindById(*r.created_by);
  if (!u || !u->active || u->role != domain::Role::kPrescripteur ||
      u->structure_id != r.structure_id) {
    return std::nullopt;
  }
  return u->id;
}

}  // namespace

AgendaSettings LoadAgendaSettings(Tx& tx) {
  // Defaults and bounds: SettingsService::Definitions().
  const auto text_of = [&](std::string_view key) {
    return SettingText(tx, key, SettingsService::Default(key));
  };
  const auto number_of = [&](std::string_view key, int lo, int hi) {
    return SettingInt(tx, key, std::stoi(SettingsService::Default(key)), lo, hi);
  };
  AgendaSettings s;
  s.travel_minutes = number_of("agenda.travel_minutes", 0, 120);
  s.unreachable.attempts = number_of("contact.unreachable_attempts", 1, 20);
  s.unreachable.min_days = number_of("contact.unreachable_days", 0, 90);
  s.reminder_days.clear();
  for (int d : {number_of("reminders.first_days_before", 0, 14),
                number_of("reminders.second_days_before", 0, 14)}) {
    if (d > 0) {
      s.reminder_days.push_back(d);
    }
  }
  s.letterhead.name = text_of("operator.name");
  s.letterhead.phone = text_of("operator.phone");
  s.letterhead.sms_phone = SettingText(tx, "operator.sms_phone", "");
  s.letterhead.city = text_of("operator.city");
  s.letterhead.privacy_contact = text_of("operator.privacy_contact");
  s.letterhead.logo_path = SettingText(tx, "operator.logo_path", "");
  std::string line;
  for (char c : text_of("operator.address") + "\n") {
    if (c == '\n') {
      if (!text::Trim(line).empty()) {
        s.letterhead.address_lines.push_back(text::Trim(line));
      }
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  s.base_postal_code = text_of("agenda.base_postal_code");
  s.base_city = text_of("agenda.base_city");
  return s;
}

AgendaSettings AppointmentService::Settings() {
  AgendaSettings s;
  store_.Read([&](Tx& tx) { s = LoadAgendaSettings(tx); });
  return s;
}

CaseContacts AppointmentService::Contacts(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kViewCases);
  CaseContacts out;
  store_.Read([&](Tx& tx) {
    LoadReferral(actor, tx, referral);
    out.attempts = tx.contacts().ForReferral(referral);
    for (const auto& a : AttemptsAndVisits(tx, referral)) {
      if (a.outcome == domain::ContactOutcome::kReached && a.id == 0) {
        out.last_visit = std::max(out.last_visit.value_or(Instant{}), a.at);
      }
    }
    out.unreachable_proposed_at = tx.contacts().UnreachableProposedAt(referral);
    out.rule = LoadAgendaSettings(tx).unreachable;
  });
  for (const auto& a : out.attempts) {
    if (a.outcome == domain::ContactOutcome::kReached ||
        a.outcome == domain::ContactOutcome::kRefused ||
        (out.last_visit && a.at <= *out.last_visit)) {
      out.failed_since_reached = 0;
    } else if (domain::IsFailedAttempt(a.outcome)) {
      ++out.failed_since_reached;
    }
  }
  return out;
}

domain::FieldErrors AppointmentService::RecordContact(const Actor& actor,
                                                      domain::ReferralId referral,
                                                      const domain::ContactAttemptInput& in) {
  Require(actor, Permission::kManageAppointments);
  const Instant now = clock_.Now();
  domain::FieldErrors errors;
  auto attempt = domain::ValidateContactAttempt(in, now, errors);
  if (!attempt) {
    return errors;
  }
  attempt->author_name = actor.display_name;
  store_.Write([&](Tx& tx) {
    const auto r = LoadReferral(actor, tx, referral);
    if (!domain::IsOpen(r.status) || r.status == ReferralStatus::kReceived) {
      throw Error(ErrorCode::kConflict,
                  "Cette fiche n’est pas en cours : acceptez-la avant de contacter la personne.");
    }
    const auto id = tx.contacts().Insert(referral, *attempt, ActorUser(actor), now);
    if (attempt->outcome == domain::ContactOutcome::kReached) {
      tx.contacts().MarkFirstContact(referral, attempt->at);
    }
    if (!domain::IsFailedAttempt(attempt->outcome)) {
      tx.contacts().SetUnreachableProposed(referral, std::nullopt);  // the person answered
    }
    // Only the first attempt moves the case; later calls (to confirm a visit…) leave it where
    // it is.
    if (r.status == ReferralStatus::kAccepted) {
      ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kContact, now,
                            "Première tentative de contact");
    }
    tx.audit().Append(MakeAuditEvent(
        actor, now, "contact.record", "referral", std::to_string(referral), "success",
        "attempt=" + std::to_string(id) +
            " outcome=" + std::string(domain::OutcomeCode(attempt->outcome))));
    const auto settings = LoadAgendaSettings(tx);
    if (!tx.contacts().UnreachableProposedAt(referral) &&
        domain::ShouldProposeUnreachable(AttemptsAndVisits(tx, referral), settings.unreachable)) {
      tx.contacts().SetUnreachableProposed(referral, now);
      const std::string code(domain::StatusCode(r.status));
      tx.referrals().AddEvent(
          referral, ReferralEvent{now, ActorUser(actor), ActorLabel(actor), code, code,
                                  fmt::format("Personne injoignable après {} tentatives : "
                                              "clôture proposée",
                                              settings.unreachable.attempts)});
      QueueEmail(
          tx, r.data.referrer_email, "Fiche de liaison " + r.number + " : personne injoignable",
          "Bonjour,\n\nMalgré " + std::to_string(settings.unreachable.attempts) +
              " tentatives sur " + std::to_string(settings.unreachable.min_days) +
              " jours au moins, l’équipe mobile numérique n’a pas pu joindre la personne "
              "orientée par la fiche n° " +
              r.number +
              ".\nSi vous avez un autre moyen de la joindre, ou si vous pouvez la "
              "prévenir, répondez à l’équipe. Sans nouvelle, la fiche sera clôturée.",
          "referral:" + std::to_string(referral) + ":unreachable:" + std::to_string(ToEpoch(now)),
          "referral", std::to_string(referral), now, now);
      tx.audit().Append(MakeAuditEvent(actor, now, "contact.unreachable_proposed", "referral",
                                       std::to_string(referral)));
    }
  });
  return errors;
}

AppointmentRecord AppointmentService::Load(const Actor& actor, Tx& tx, domain::AppointmentId id) {
  auto a = tx.appointments().Find(id);
  if (!a) {
    throw Error(ErrorCode::kNotFound, "Ce rendez-vous n’existe pas.");
  }
  const auto access = AccessReferral(actor, ReferralFacts{false, a->referring_structure_id,
                                                          a->operator_id, a->referral_created_by});
  // A referrer sees only the appointments they are invited to.
  if (access == Access::kAllow && actor.is_user() && actor.role == domain::Role::kPrescripteur &&
      a->appointment.referrer_user_id != actor.user_id) {
    throw Error(ErrorCode::kNotFound, "Ce rendez-vous n’existe pas.");
  }
  Require(access);
  return *a;
}

std::vector<AppointmentRecord> AppointmentService::ForReferral(const Actor& actor,
                                                               domain::ReferralId referral) {
  Require(actor, Permission::kViewCases);
  std::vector<AppointmentRecord> out;
  store_.Read([&](Tx& tx) {
    LoadReferral(actor, tx, referral);
    AppointmentFilter f;
    f.referral = referral;
    out = tx.appointments().List(f);
  });
  return out;
}

AppointmentRecord AppointmentService::Get(const Actor& actor, domain::AppointmentId id) {
  if (!Allows(actor, Permission::kViewAgenda) && !Allows(actor, Permission::kRespondTripartite)) {
    Require(actor, Permission::kViewAgenda);
  }
  AppointmentRecord out;
  store_.Read([&](Tx& tx) {
    out = Load(actor, tx, id);
    tx.audit().Append(
        MakeAuditEvent(actor, clock_.Now(), "appointment.read", "appointment", std::to_string(id)));
  });
  return out;
}

std::vector<domain::User> AppointmentService::Workers(const Actor& actor) {
  Require(actor, Permission::kViewAgenda);
  std::vector<domain::User> out;
  if (!actor.structure_id) {
    return out;
  }
  store_.Read([&](Tx& tx) { out = ActiveTeam(tx, *actor.structure_id); });
  return out;
}

AppointmentResult AppointmentService::Save(const Actor& actor, Tx& tx,
                                           const AppointmentRecord* existing,
                                           domain::ReferralId referral,
                                           const domain::AppointmentInput& in, bool force,
                                           Instant now) {
  AppointmentResult result;
  const auto r = LoadReferral(actor, tx, referral);
  if (!domain::IsOpen(r.status) || r.status == ReferralStatus::kReceived) {
    throw Error(ErrorCode::kConflict,
                "Cette fiche n’est pas en cours : un rendez-vous ne peut pas être fixé.");
  }
  domain::Appointment home;
  if (r.person_id) {
    if (const auto p = tx.persons().Find(*r.person_id)) {
      home.address_line = p->data.address_line;
      home.postal_code = p->data.postal_code;
      home.city = p->data.city;
    }
  }
  auto a = domain::ValidateAppointment(in, home, now, result.errors);
  if (!a) {
    return result;
  }
  for (const auto w : a->workers) {
    const auto u = tx.users().FindById(w);
    if (!u || !u->active || u->structure_id != r.operator_id ||
        (u->role != domain::Role::kIntervenant && u->role != domain::Role::kCoordinateur)) {
      result.errors.push_back({"workers", "Choisissez des membres actifs de l’équipe."});
      return result;
    }
  }
  a->referral_id = referral;
  if (existing) {
    a->id = existing->appointment.id;
  }
  if (a->tripartite) {
    a->referrer_user_id = InvitableReferrer(tx, r);
    const bool same = existing && existing->appointment.referrer_user_id == a->referrer_user_id &&
                      existing->appointment.starts_at == a->starts_at;
    a->referrer_response = !a->referrer_user_id ? domain::ReferrerResponse::kNone
                           : same               ? existing->appointment.referrer_response
                                                : domain::ReferrerResponse::kPending;
  }
  const auto settings = LoadAgendaSettings(tx);
  const domain::BusySlot candidate{
      a->id, a->starts_at, a->ends_at, domain::IsInPerson(a->place), a->postal_code, a->city, ""};
  for (const auto w : a->workers) {
    const auto busy = tx.appointments().Busy(w, a->starts_at - std::chrono::hours(12),
                                             a->ends_at + std::chrono::hours(12));
    for (auto& c : domain::FindConflicts(candidate, w, busy, settings.travel_minutes)) {
      result.conflicts.push_back(std::move(c));
    }
  }
  if (!result.conflicts.empty() && !force) {
    return result;
  }
  AppointmentFilter earlier;
  earlier.referral = referral;
  earlier.limit = 1;
  const bool first_of_case = !existing && tx.appointments().List(earlier).empty();
  std::string action;
  if (existing) {
    tx.appointments().Update(*a, now);
    result.id = a->id;
    CancelReminders(tx, a->id, existing->appointment.sequence);
    action = "appointment.move";
  } else {
    result.id = tx.appointments().Insert(*a, r.operator_id, ActorUser(actor), now);
    action = "appointment.create";
    ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kAppointmentSet, now,
                          "Rendez-vous fixé " + When(*a));
  }
  tx.audit().Append(MakeAuditEvent(actor, now, action, "appointment", std::to_string(result.id),
                                   "success",
                                   "referral=" + std::to_string(referral) +
                                       (result.conflicts.empty() ? "" : " conflicts_forced=1")));
  const auto saved = tx.appointments().Find(result.id);
  if (!saved) {
    throw Error(ErrorCode::kInternal, "Erreur interne", "appointment not found after save");
  }
  QueueReminders(tx, *saved, settings, now);
  // The referrer: told that an appointment is fixed, invited when tripartite.
  const std::string number = r.number;
  const std::string key = "appointment:" + std::to_string(result.id) + ":" +
                          std::to_string(saved->appointment.sequence);
  if (saved->appointment.tripartite) {
    QueueEmail(tx, r.data.referrer_email,
               "Rendez-vous tripartite " + When(saved->appointment) + " (fiche " + number + ")",
               "Bonjour,\n\nL’équipe mobile numérique vous invite au rendez-vous avec la personne "
               "orientée par la fiche n° " +
                   number + ", " + When(saved->appointment) +
                   ".\nConnectez-vous à Allervers pour confirmer votre présence ou indiquer que "
                   "vous ne pourrez pas venir.",
               key + ":invite", "appointment", std::to_string(result.id), now, now);
  } else if (first_of_case) {
    QueueEmail(tx, r.data.referrer_email, "Fiche de liaison " + number + " : rendez-vous fixé",
               "Bonjour,\n\nUn premier rendez-vous est fixé avec la personne orientée par la "
               "fiche n° " +
                   number + ", " + When(saved->appointment) + ".",
               key + ":referrer", "appointment", std::to_string(result.id), now, now);
  }
  // The team: each worker other than the author learns of it.
  for (const auto w : saved->appointment.workers) {
    if (actor.is_user() && w == actor.user_id) {
      continue;
    }
    if (const auto u = tx.users().FindById(w)) {
      QueueEmail(tx, u->email,
                 std::string(existing ? "Rendez-vous déplacé" : "Nouveau rendez-vous") +
                     " dans votre agenda",
                 "Bonjour,\n\n" + actor.display_name +
                     (existing ? " a déplacé un rendez-vous de votre agenda"
                               : " a ajouté un rendez-vous à votre agenda") +
                     " : " + When(saved->appointment) + " (fiche n° " + number + ").",
                 key + ":worker:" + std::to_string(w), "appointment", std::to_string(result.id),
                 now, now);
    }
  }
  return result;
}

void AppointmentService::QueueReminders(Tx& tx, const AppointmentRecord& r,
                                        const AgendaSettings& settings, Instant now) {
  const auto& a = r.appointment;
  if (a.status != AppointmentStatus::kPlanned) {
    return;
  }
  const auto& prefs = r.person_contact_preferences;
  const bool sms = Has(prefs, "sms") && !r.person_phone.empty() &&
                   (r.person_phone.rfind("+336", 0) == 0 || r.person_phone.rfind("+337", 0) == 0);
  const bool email = Has(prefs, "email") && !r.person_email.empty();
  int n = 0;
  const auto times = domain::ReminderTimes(a.starts_at, settings.reminder_days, now);
  for (const auto at : times) {
    const std::string key = "appointment:" + std::to_string(a.id) + ":" +
                            std::to_string(a.sequence) + ":reminder:" + std::to_string(n++);
    if (sms) {
      OutboxMessage m;
      m.channel = "sms";
      m.recipient = r.person_phone;
      m.body = domain::ReminderSms(settings.letterhead, a);
      m.dedupe_key = key + ":sms";
      m.next_attempt_at = at;
      m.related_type = "appointment";
      m.related_id = std::to_string(a.id);
      m.created_at = now;
      tx.outbox().Enqueue(m);
    }
    if (email) {
      OutboxMessage m;
      m.channel = "email";
      m.recipient = r.person_email;
      m.subject = "Rappel de votre rendez-vous du " + paris::FormatLongDate(a.starts_at);
      m.body = domain::ReminderEmail(settings.letterhead, a, r.person_first_names);
      m.dedupe_key = key + ":email";
      m.next_attempt_at = at;
      m.related_type = "appointment";
      m.related_id = std::to_string(a.id);
      m.created_at = now;
      tx.outbox().Enqueue(m);
    }
  }
}

void AppointmentService::CancelReminders(Tx& tx, domain::AppointmentId id, int sequence) {
  // Reminders only: the invitations and notices about the appointment still go out.
  tx.outbox().CancelPending(
      "appointment", std::to_string(id),
      "appointment:" + std::to_string(id) + ":" + std::to_string(sequence) + ":reminder:");
}

AppointmentResult AppointmentService::Create(const Actor& actor, domain::ReferralId referral,
                                             const domain::AppointmentInput& in, bool force) {
  Require(actor, Permission::kManageAppointments);
  const Instant now = clock_.Now();
  AppointmentResult result;
  store_.Write([&](Tx& tx) { result = Save(actor, tx, nullptr, referral, in, force, now); });
  return result;
}

AppointmentResult AppointmentService::Move(const Actor& actor, domain::AppointmentId id,
                                           const domain::AppointmentInput& in, bool force) {
  Require(actor, Permission::kManageAppointments);
  const Instant now = clock_.Now();
  AppointmentResult result;
  store_.Write([&](Tx& tx) {
    const auto existing = Load(actor, tx, id);
    if (existing.appointment.status != AppointmentStatus::kPlanned) {
      throw Error(ErrorCode::kConflict, "Ce rendez-vous a déjà eu lieu ou a été annulé.");
    }
    result = Save(actor, tx, &existing, existing.referral_id, in, force, now);
  });
  return result;
}

void AppointmentService::SetOutcome(const Actor& actor, domain::AppointmentId id,
                                    AppointmentStatus status, const std::string& note) {
  Require(actor, Permission::kManageAppointments);
  if (status == AppointmentStatus::kPlanned || status == AppointmentStatus::kPostponed) {
    throw Error(ErrorCode::kInvalidArgument, "Choisissez ce qui s’est passé.");
  }
  const std::string clean = text::Trim(note);
  if (!text::IsValidUtf8(clean) || text::CodePointCount(clean) > 2000) {
    throw Error(ErrorCode::kInvalidArgument, "La note est trop longue ou illisible.");
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto a = Load(actor, tx, id);
    if (a.appointment.status != AppointmentStatus::kPlanned) {
      throw Error(ErrorCode::kConflict, "Ce rendez-vous a déjà un résultat.");
    }
    if ((status == AppointmentStatus::kHonoured || status == AppointmentStatus::kAbsent) &&
        a.appointment.starts_at > now) {
      throw Error(ErrorCode::kConflict,
                  "Ce rendez-vous n’a pas encore commencé : il ne peut pas être noté honoré ou "
                  "manqué.");
    }
    tx.appointments().SetOutcome(id, status, clean, std::nullopt, now);
    CancelReminders(tx, id, a.appointment.sequence);
    const auto r = LoadReferral(actor, tx, a.referral_id);
    if (status == AppointmentStatus::kHonoured) {
      tx.contacts().MarkFirstContact(a.referral_id, a.appointment.starts_at);
      tx.contacts().MarkFirstVisit(a.referral_id, a.appointment.starts_at);
      tx.contacts().SetUnreachableProposed(a.referral_id, std::nullopt);
      if (domain::IsOpen(r.status)) {  // a closed case is not reopened by an old appointment
        ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kInProgress, now,
                              "Premier rendez-vous honoré");
      }
    } else if (r.status == ReferralStatus::kAppointmentSet) {
      AppointmentFilter f;
      f.referral = a.referral_id;
      f.planned_only = true;
      if (tx.appointments().List(f).empty()) {
        ChangeStatusIfAllowed(
            actor, tx, r, ReferralStatus::kContact, now,
            std::string("Rendez-vous : ") + std::string(domain::AppointmentStatusLabel(status)));
      }
    }
    tx.audit().Append(
        MakeAuditEvent(actor, now, "appointment.outcome", "appointment", std::to_string(id),
                       "success", "status=" + std::string(domain::AppointmentStatusCode(status))));
    if (status == AppointmentStatus::kCancelledByPerson ||
        status == AppointmentStatus::kCancelledByTeam) {
      if (a.appointment.tripartite) {
        QueueEmail(tx, a.referrer_email, "Rendez-vous annulé (fiche " + a.referral_number + ")",
                   "Bonjour,\n\nLe rendez-vous tripartite " + When(a.appointment) +
                       " pour la fiche n° " + a.referral_number + " est annulé.",
                   "appointment:" + std::to_string(id) + ":cancelled", "appointment",
                   std::to_string(id), now, now);
      }
    }
  });
}

AppointmentResult AppointmentService::Postpone(const Actor& actor, domain::AppointmentId id,
                                               const domain::AppointmentInput& next,
                                               const std::string& note, bool force) {
  Require(actor, Permission::kManageAppointments);
  const std::string clean_note = text::Trim(note);
  if (!text::IsValidUtf8(clean_note) || text::HasControlCharacters(clean_note) ||
      text::CodePointCount(clean_note) > 2000) {
    AppointmentResult bad;
    bad.errors.push_back({"note", "La raison du report est trop longue ou illisible."});
    return bad;
  }
  const Instant now = clock_.Now();
  AppointmentResult result;
  bool rolled_back = false;
  try {
    store_.Write([&](Tx& tx) {
      const auto a = Load(actor, tx, id);
      if (a.appointment.status != AppointmentStatus::kPlanned) {
        throw Error(ErrorCode::kConflict, "Ce rendez-vous a déjà un résultat.");
      }
      // The old one stops blocking its slot before the new one is checked for conflicts.
      tx.appointments().SetOutcome(id, AppointmentStatus::kPostponed, clean_note, std::nullopt,
                                   now);
      result = Save(actor, tx, nullptr, a.referral_id, next, force, now);
      if (!result.errors.empty() || (!result.conflicts.empty() && !force)) {
        rolled_back = true;  // nothing is kept: the old appointment stays planned
        throw Error(ErrorCode::kConflict, "Le report n’a pas été enregistré.");
      }
      tx.appointments().SetOutcome(id, AppointmentStatus::kPostponed, clean_note, result.id, now);
      CancelReminders(tx, id, a.appointment.sequence);
      tx.audit().Append(MakeAuditEvent(actor, now, "appointment.postpone", "appointment",
                                       std::to_string(id), "success",
                                       "to=" + std::to_string(result.id)));
    });
  } catch (const Error&) {
    if (!rolled_back) {
      throw;
    }
    result.id = 0;
  }
  return result;
}

void AppointmentService::Respond(const Actor& actor, domain::AppointmentId id, bool accept) {
  Require(actor, Permission::kRespondTripartite);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto a = Load(actor, tx, id);
    if (a.appointment.referrer_user_id != actor.user_id ||
        a.appointment.status != AppointmentStatus::kPlanned) {
      throw Error(ErrorCode::kConflict, "Cette invitation n’attend plus de réponse.");
    }
    const auto response =
        accept ? domain::ReferrerResponse::kAccepted : domain::ReferrerResponse::kDeclined;
    tx.appointments().SetReferrerResponse(id, response, now);
    tx.audit().Append(MakeAuditEvent(
        actor, now, "appointment.referrer_response", "appointment", std::to_string(id), "success",
        "response=" + std::string(domain::ReferrerResponseCode(response))));
    for (const auto w : a.appointment.workers) {
      if (const auto u = tx.users().FindById(w)) {
        QueueEmail(
            tx, u->email,
            std::string("Rendez-vous tripartite : ") +
                (accept ? "le prescripteur sera présent" : "le prescripteur ne viendra pas"),
            "Bonjour,\n\n" + actor.display_name +
                (accept ? " confirme sa présence" : " ne pourra pas venir") + " au rendez-vous " +
                When(a.appointment) + " (fiche n° " + a.referral_number + ").",
            "appointment:" + std::to_string(id) + ":" + std::to_string(a.appointment.sequence) +
                ":response:" + std::string(domain::ReferrerResponseCode(response)) + ":" +
                std::to_string(w) + ":" + std::to_string(ToEpoch(now)),
            "appointment", std::to_string(id), now, now);
      }
    }
  });
}

std::vector<AppointmentRecord> AppointmentService::Invitations(const Actor& actor, Instant from) {
  Require(actor, Permission::kRespondTripartite);
  std::vector<AppointmentRecord> out;
  if (!actor.is_user()) {
    return out;
  }
  store_.Read([&](Tx& tx) {
    AppointmentFilter f;
    f.referrer_user = actor.user_id;
    f.from = from;
    f.limit = 200;
    for (auto& a : tx.appointments().List(f)) {
      if (a.appointment.tripartite && a.referring_structure_id == actor.structure_id) {
        out.push_back(std::move(a));
      }
    }
  });
  return out;
}

std::vector<AppointmentRecord> AppointmentService::Agenda(const Actor& actor,
                                                          const AgendaQuery& query) {
  Require(actor, Permission::kViewAgenda);
  std::vector<AppointmentRecord> out;
  if (!actor.structure_id) {
    return out;
  }
  store_.Read([&](Tx& tx) {
    AppointmentFilter f;
    f.operator_id = actor.structure_id;
    f.worker = query.worker;
    f.from = query.from;
    f.to = query.to;
    f.planned_only = query.planned_only;
    out = tx.appointments().List(f);
  });
  return out;
}

std::vector<domain::SlotSuggestion> AppointmentService::Suggest(const Actor& actor,
                                                                domain::ReferralId referral,
                                                                domain::UserId worker,
                                                                const LocalDate& day,
                                                                int duration_minutes) {
  Require(actor, Permission::kManageAppointments);
  const Instant now = clock_.Now();
  std::vector<domain::SlotSuggestion> out;
  store_.Read([&](Tx& tx) {
    const auto r = LoadReferral(actor, tx, referral);
    const auto u = tx.users().FindById(worker);
    if (!u || u->structure_id != r.operator_id) {
      throw Error(ErrorCode::kInvalidArgument, "Choisissez un membre de l’équipe.");
    }
    std::string postal;
    std::string city;
    if (r.person_id) {
      if (const auto p = tx.persons().Find(*r.person_id)) {
        postal = p->data.postal_code;
        city = p->data.city;
      }
    }
    const auto settings = LoadAgendaSettings(tx);
    const Instant from = paris::FromLocal(day, 0, 0);
    const auto busy = tx.appointments().Busy(worker, from, from + std::chrono::hours(26));
    out = domain::SuggestSlots(day, std::clamp(duration_minutes, 15, 240), postal, city, busy,
                               settings.travel_minutes, settings.base_postal_code,
                               settings.base_city, now, 5);
  });
  return out;
}

LetterBatch AppointmentService::Letters(const Actor& actor,
                                        const std::vector<domain::AppointmentId>& ids) {
  Require(actor, Permission::kManageAppointments);
  const Instant now = clock_.Now();
  LetterBatch batch;
  store_.Write([&](Tx& tx) {
    const auto settings = LoadAgendaSettings(tx);
    for (const auto id : ids) {
      const auto a = Load(actor, tx, id);
      if (a.appointment.status != AppointmentStatus::kPlanned) {
        continue;
      }
      domain::LetterFacts f;
      f.head = settings.letterhead;
      f.gender = a.person_gender;
      f.first_names = a.person_first_names;
      f.last_name = a.person_last_name;
      f.address_line = a.person_address_line;
      f.postal_code = a.person_postal_code;
      f.city = a.person_city;
      f.appointment = a.appointment;
      for (const auto w : a.appointment.workers) {
        const auto u = tx.users().FindById(w);
        f.worker_names.push_back(u ? u->display_name : "");
        // Accounts carry no gender: the role is said without one.
        f.worker_roles.push_back(u && u->role == domain::Role::kCoordinateur
                                     ? "qui coordonne l’équipe mobile numérique"
                                     : "de l’équipe mobile numérique");
      }
      const auto r = tx.referrals().Find(a.referral_id);
      if (a.appointment.tripartite) {
        f.referrer_name = a.referrer_name;
      }
      f.referring_structure = a.referring_structure_name;
      if (r) {
        for (const auto& code : r->data.procedures) {
          f.procedures.push_back(reference_.procedures.Find(code));
        }
      }
      f.today = now;
      batch.letters.push_back(std::move(f));
      tx.audit().Append(
          MakeAuditEvent(actor, now, "appointment.letter", "appointment", std::to_string(id)));
    }
  });
  return batch;
}

std::string AppointmentService::RenewFeed(const Actor& actor) {
  Require(actor, Permission::kViewAgenda);
  const Instant now = clock_.Now();
  const std::string token = tokens_.NewToken(32);
  store_.Write([&](Tx& tx) {
    tx.calendar_feeds().Put(actor.user_id, tokens_.Digest(token), now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "calendar_feed.renew", "user", std::to_string(actor.user_id)));
  });
  return token;
}

void AppointmentService::RevokeFeed(const Actor& actor) {
  Require(actor, Permission::kViewAgenda);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    tx.calendar_feeds().Delete(actor.user_id);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "calendar_feed.revoke", "user", std::to_string(actor.user_id)));
  });
}

bool AppointmentService::HasFeed(const Actor& actor) {
  Require(actor, Permission::kViewAgenda);
  bool out = false;
  store_.Read([&](Tx& tx) { out = tx.calendar_feeds().Exists(actor.user_id); });
  return out;
}

std::vector<AppointmentRecord> AppointmentService::Feed(const std::string& token,
                                                        std::string& owner_name) {
  const Instant now = clock_.Now();
  std::vector<AppointmentRecord> out;
  if (token.size() < 20 || token.size() > 100) {
    throw Error(ErrorCode::kNotFound, "Ce calendrier n’existe pas.");
  }
  store_.Read([&](Tx& tx) {
    const auto user = tx.calendar_feeds().FindByDigest(tokens_.Digest(token));
    const auto u = user ? tx.users().FindById(*user) : std::nullopt;
    if (!u || !u->active) {
      throw Error(ErrorCode::kNotFound, "Ce calendrier n’existe pas.");
    }
    owner_name = u->display_name;
    AppointmentFilter f;
    f.worker = u->id;
    f.operator_id = u->structure_id;
    f.from = now - std::chrono::hours(24 * 42);
    f.to = now + std::chrono::hours(24 * 183);
    out = tx.appointments().List(f);
  });
  return out;
}

}  // namespace allervers::service
