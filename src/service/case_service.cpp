#include "service/case_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "service/audit.hpp"
#include "service/case_internal.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "service/sealed_notes.hpp"

namespace allervers::service {
namespace case_detail {

void RequireOpen(const ReferralRecord& r) {
  if (!domain::IsTakenOn(r.status)) {
    throw Error(ErrorCode::kConflict,
                fmt::format("Le dossier {} est « {} » : rien ne peut y être ajouté.", r.number,
                            domain::StatusLabel(r.status)));
  }
}

bool IsTeamCase(const Actor& actor, const ReferralRecord& r) {
  return actor.structure_id && r.operator_id == *actor.structure_id &&
         r.status != domain::ReferralStatus::kDraft;
}

ReferralRecord LoadCase(const Actor& actor, Tx& tx, domain::ReferralId id) {
  auto r = LoadReferral(actor, tx, id);
  if (!IsTeamCase(actor, r)) {
    throw Error(ErrorCode::kNotFound, "Ce dossier n’existe pas.");
  }
  return r;
}

std::string PersonName(Tx& tx, const ReferralRecord& r) {
  if (!r.person_id) {
    return r.number;
  }
  const auto p = tx.persons().Find(*r.person_id);
  if (!p) {
    return r.number;
  }
  const auto& d = p->data;
  return DisplayName(d.usage_name.empty() ? d.birth_name : d.usage_name, d.first_names);
}

void Audit(const Actor& actor, Tx& tx, Instant now, std::string action, std::string type,
           std::int64_t id, std::string detail) {
  tx.audit().Append(MakeAuditEvent(actor, now, std::move(action), std::move(type),
                                   std::to_string(id), "success", std::move(detail)));
}

}  // namespace case_detail

namespace {

using namespace case_detail;  // NOLINT(google-build-using-namespace)

using domain::AssessmentKind;
using domain::ReferralStatus;

domain::Assessment LoadAssessment(const Actor& actor, Tx& tx, domain::AssessmentId id,
                                  ReferralRecord& referral) {
  auto a = tx.assessments().Find(id);
  if (!a) {
    throw Error(ErrorCode::kNotFound, "Ce bilan n’existe pas.");
  }
  referral = LoadCase(actor, tx, a->referral_id);
  return *a;
}

// The grid of a stored bilan; a bilan whose grid file was removed cannot be read.
const domain::AssessmentGrid& GridOf(const domain::ReferenceData& ref,
                                     const domain::Assessment& a) {
  const auto* g = ref.assessment.Find(a.grid_version);
  if (g == nullptr) {
    throw Error(ErrorCode::kInternal,
                "La grille de ce bilan (version " + a.grid_version +
                    ") n’est plus installée : demandez à l’administrateur de la remettre dans "
                    "data/assessment_grids.",
                "assessment grid missing: " + a.grid_version);
  }
  return *g;
}

void StoreScores(const domain::AssessmentGrid& grid, domain::Assessment& a) {
  const auto s = domain::ScoreAssessment(grid, a.answers);
  a.score_access = s.access.value;
  a.score_accounts = s.accounts.value;
  a.score_skills = s.skills.value;
  a.level = s.level;
}

// Where a record kept by day (a bilan, an intervention) sorts in the timeline: when it was
// written, if written that day; otherwise (entered afterwards) at noon of its day.
Instant DayEntryTime(const LocalDate& day, Instant written) {
  return paris::Today(written) == day ? written : paris::FromLocal(day, 12, 0);
}

// The wording of what is due, shared by the case page and the team's list.
std::string AppointmentResultLabel(Instant starts_at) {
  return "Saisir le résultat du rendez-vous du " + paris::FormatDateTime(starts_at);
}
std::string ProcedureDueLabel(const std::string& label) {
  return "Échéance de la démarche « " + label + " »";
}
std::string RenewalLabel(const std::string& label) { return "Renouveler « " + label + " »"; }
std::string MandateEndLabel(const LocalDate& last) {
  return "Le mandat Aidants Connect prend fin le " + paris::FormatDate(last) +
         " : le renouveler avec la personne si besoin";
}
std::string OrientationFollowUpLabel(const std::string& partner) {
  return "Suivre l’orientation vers " + partner;
}
std::string ProcedureLabel(const domain::ReferenceData& ref, const std::string& code) {
  const auto* entry = ref.procedures.Find(code);
  return entry != nullptr ? entry->label : code;
}
// The call for projects asks for a first contact within days of the referral.
constexpr int kFirstContactDays = 5;

bool DueBefore(const NextAction& a, const NextAction& b) {
  if (a.overdue != b.overdue) {
    return a.overdue;
  }
  if (a.due.has_value() != b.due.has_value()) {
    return a.due.has_value();
  }
  return a.due && b.due && *a.due < *b.due;
}

void AddTimeline(CaseFile& file, const CaseRecord& c, const domain::ReferenceData& ref) {
  const auto& r = c.referral;
  const std::string fiche = "/fiches/" + std::to_string(r.id);
  for (const auto& e : c.events) {
    TimelineEntry t;
    t.at = e.at;
    t.kind = "referral";
    const auto to = domain::ParseStatus(e.to_status);
    t.title = fmt::format("Fiche {} : {}", r.number,
                          to ? std::string(domain::StatusLabel(*to)) : e.to_status);
    t.detail = e.actor_label + (e.note.empty() ? "" : " — " + e.note);
    t.href = fiche;
    file.timeline.push_back(std::move(t));
  }
  for (const auto& a : c.contacts) {
    TimelineEntry t;
    t.at = a.at;
    t.kind = "contact";
    t.title = fmt::format("Contact par {} : {}", domain::ChannelLabel(a.channel),
                          domain::OutcomeLabel(a.outcome));
    t.detail = a.author_name + (a.note.empty() ? "" : " — " + a.note);
    t.href = fiche + "/contact";
    file.timeline.push_back(std::move(t));
  }
  for (const auto& rec : c.appointments) {
    const auto& a = rec.appointment;
    TimelineEntry t;
    t.at = a.starts_at;
    t.kind = "appointment";
    t.title = fmt::format("Rendez-vous {} ({}) : {}", paris::FormatDateTime(a.starts_at),
                          domain::PlaceLabel(a.place), domain::AppointmentStatusLabel(a.status));
    std::string workers;
    for (const auto& n : a.worker_names) {
      workers += (workers.empty() ? "" : ", ") + n;
    }
    t.detail = a.purpose + (workers.empty() ? "" : " — " + workers);
    t.href = "/rendez-vous/" + std::to_string(a.id);
    file.timeline.push_back(std::move(t));
  }
  for (const auto& a : c.assessments) {
    TimelineEntry t;
    t.at = DayEntryTime(a.conducted_on, a.completed_at.value_or(a.updated_at));
    t.date_only = true;
    t.kind = "assessment";
    t.title = fmt::format("{} {}", domain::AssessmentKindLabel(a.kind),
                          a.completed ? "terminé" : "en cours");
    t.detail = a.level ? fmt::format("Niveau {} – {}", domain::LevelCode(*a.level),
                                     domain::LevelLabel(*a.level))
                       : std::string("Niveau pas encore calculé");
    t.href = "/bilans/" + std::to_string(a.id);
    file.timeline.push_back(std::move(t));
  }
  const auto& v = ref.vocabularies;
  for (const auto& i : c.interventions) {
    TimelineEntry t;
    t.at = DayEntryTime(i.occurred_on, i.created_at);
    t.date_only = true;
    t.kind = "intervention";
    t.title = fmt::format("Intervention {}, {} — {}", v.intervention_places.Label(i.place),
                          domain::FormatMinutes(i.duration_minutes),
                          v.intervention_modalities.Label(i.modality));
    std::string themes;
    for (const auto& code : i.digital_themes) {
      themes += (themes.empty() ? "" : ", ") + v.digital_themes.Label(code);
    }
    for (const auto& code : i.administrative_themes) {
      themes += (themes.empty() ? "" : ", ") + v.administrative_themes.Label(code);
    }
    std::string workers;
    for (const auto& n : i.worker_names) {
      workers += (workers.empty() ? "" : ", ") + n;
    }
    t.detail = themes + (workers.empty() ? "" : " — " + workers) +
               (i.summary.empty() ? "" : "\n" + i.summary);
    file.timeline.push_back(std::move(t));
  }
  for (const auto& p : c.procedures) {
    const std::string label = ProcedureLabel(ref, p.code);
    for (const auto& e : p.events) {
      TimelineEntry t;
      t.at = e.at;
      t.kind = "procedure";
      const auto to = domain::ParseProcedureStatus(e.to_status);
      t.title = fmt::format("Démarche « {} » : {}", label,
                            to ? std::string(domain::ProcedureStatusLabel(*to)) : e.to_status);
      t.detail = e.actor_name;
      t.href = "/demarches/" + std::to_string(p.id);
      file.timeline.push_back(std::move(t));
    }
  }
  for (const auto& m : c.mandates) {
    TimelineEntry t;
    t.at = m.created_at;
    t.kind = "procedure";
    t.title =
        fmt::format("Mandat Aidants Connect de {} signé le {}",
                    domain::MandateDurationLabel(m.duration_days), paris::FormatDate(m.starts_on));
    t.detail = m.revoked_on ? "Révoqué le " + paris::FormatDate(*m.revoked_on)
                            : "Jusqu’au " + paris::FormatDate(AddDays(m.ends_on, -1)) + " inclus";
    file.timeline.push_back(std::move(t));
  }
  for (const auto& o : c.orientations) {
    for (const auto& e : o.events) {
      TimelineEntry t;
      t.at = e.at;
      t.kind = "orientation";
      const auto to = domain::ParseOrientationStatus(e.to_status);
      t.title = fmt::format("Orientation vers {} : {}", o.partner_name,
                            to ? std::string(domain::OrientationStatusLabel(*to)) : e.to_status);
      t.detail = e.actor_name + (e.from_status.empty() ? " — " + o.reason : "");
      t.href = "/orientations/" + std::to_string(o.id);
      file.timeline.push_back(std::move(t));
    }
  }
  for (const auto& n : c.notes) {
    TimelineEntry t;
    t.at = n.created_at;
    t.kind = "note";
    t.title = n.is_private ? "Note privée de " + n.author_name : "Note de " + n.author_name;
    t.detail = n.body;
    t.is_private = n.is_private;
    file.timeline.push_back(std::move(t));
  }
}

void AddNextActions(CaseFile& file, const CaseRecord& c, Tx& tx, Instant now,
                    const domain::ReferenceData& ref) {
  const auto& r = c.referral;
  if (!domain::IsTakenOn(r.status)) {
    return;
  }
  const LocalDate today = paris::Today(now);
  const std::string fiche = "/fiches/" + std::to_string(r.id);
  bool planned = false;
  bool visited = false;
  for (const auto& rec : c.appointments) {
    const auto& a = rec.appointment;
    if (a.status == domain::AppointmentStatus::kHonoured) {
      visited = true;
    }
    if (a.status != domain::AppointmentStatus::kPlanned) {
      continue;
    }
    planned = true;
    NextAction n;
    n.due = paris::ToLocal(a.starts_at).date;
    n.href = "/rendez-vous/" + std::to_string(a.id);
    if (a.ends_at < now) {
      n.overdue = true;
      n.label = AppointmentResultLabel(a.starts_at);
    } else {
      n.label = "Rendez-vous le " + paris::FormatDateTime(a.starts_at) + " (" +
                std::string(domain::PlaceLabel(a.place)) + ")";
    }
    file.next_actions.push_back(std::move(n));
  }
  if (!planned && !visited) {
    NextAction n;
    n.label = c.contacts.empty() ? "Prendre contact avec la personne"
                                 : "Fixer un rendez-vous avec la personne";
    n.href = c.contacts.empty() ? fiche + "/contact" : fiche + "/rendez-vous";
    if (r.accepted_at) {
      n.due = AddDays(paris::Today(*r.accepted_at), kFirstContactDays);
      n.overdue = *n.due < today;
    }
    file.next_actions.push_back(std::move(n));
  }
  if (const auto proposed = tx.contacts().UnreachableProposedAt(r.id)) {
    NextAction n;
    n.label = "La personne semble injoignable : décider de la suite (clôture proposée le " +
              paris::FormatDate(*proposed) + ")";
    n.href = fiche + "/contact";
    n.due = paris::Today(*proposed);
    n.overdue = true;
    file.next_actions.push_back(std::move(n));
  }
  for (const auto& p : c.procedures) {
    const std::string label = ProcedureLabel(ref, p.code);
    const std::string href = "/demarches/" + std::to_string(p.id);
    if (!domain::IsProcedureClosed(p.status) && p.due_on) {
      file.next_actions.push_back({ProcedureDueLabel(label), p.due_on, *p.due_on < today, href});
    }
    if (p.status == domain::ProcedureStatus::kMustReturn) {
      file.next_actions.push_back(
          {"La personne doit revenir pour « " + label + " »", std::nullopt, false, href});
    }
    // A renewal shows a month ahead (the C2S window, the yearly housing request).
    if (p.outcome == domain::RightOutcome::kOpened && p.renewal_on &&
        DaysBetween(today, *p.renewal_on) <= kRenewalNoticeDays) {
      file.next_actions.push_back({RenewalLabel(label), p.renewal_on, *p.renewal_on < today, href});
    }
  }
  for (const auto& m : c.mandates) {
    const LocalDate last = AddDays(m.ends_on, -1);
    if (m.ActiveOn(today) && DaysBetween(today, last) <= domain::kMandateReminderDays) {
      file.next_actions.push_back({MandateEndLabel(last), last, false, ""});
    }
  }
  for (const auto& o : c.orientations) {
    if (!domain::IsOrientationClosed(o.status) && o.follow_up_on) {
      file.next_actions.push_back({OrientationFollowUpLabel(o.partner_name), o.follow_up_on,
                                   *o.follow_up_on < today,
                                   "/orientations/" + std::to_string(o.id)});
    }
  }
  const domain::Assessment* initial = nullptr;
  for (const auto& a : c.assessments) {
    if (a.kind == AssessmentKind::kInitial) {
      initial = &a;
    }
  }
  if (visited && (initial == nullptr || !initial->completed)) {
    NextAction n;
    n.label = initial == nullptr ? "Faire le bilan initial" : "Terminer le bilan initial";
    n.href = initial == nullptr ? "/personnes/" + std::to_string(file.person.id) + "#bilans-" +
                                      std::to_string(r.id)
                                : "/bilans/" + std::to_string(initial->id);
    file.next_actions.push_back(std::move(n));
  }
}

}  // namespace

CaseFile CaseService::Open(const Actor& actor, domain::PersonId person_id) {
  Require(actor, Permission::kViewCases);
  CaseFile file;
  store_.Read([&](Tx& tx) {
    auto person = tx.persons().Find(person_id);
    // A merged record leads to the one it was merged into.
    for (int hops = 0; person && person->merged_into && hops < 5; ++hops) {
      person = tx.persons().Find(*person->merged_into);
    }
    if (!person) {
      throw Error(ErrorCode::kNotFound, "Cette personne n’existe pas.");
    }
    file.person = *person;
    for (const auto& s : tx.referrals().ForPerson(person->id)) {
      auto r = tx.referrals().Find(s.id);
      // kViewCases (checked above) and the team's own case: what LoadCase allows.
      if (!r || !IsTeamCase(actor, *r)) {
        continue;
      }
      CaseRecord c;
      c.referral = *r;
      c.referral.data.person = person->data;
      c.events = tx.referrals().Events(r->id);
      c.contacts = tx.contacts().ForReferral(r->id);
      AppointmentFilter f;
      f.referral = r->id;
      c.appointments = tx.appointments().List(f);
      c.assessments = tx.assessments().ForReferral(r->id);
      c.interventions = tx.interventions().ForReferral(r->id);
      c.notes = tx.notes().ForReferral(r->id, actor.user_id);
      for (auto& n : c.notes) {
        n.body = OpenNote(sealer_, n.referral_id, n.author, n.body);
      }
      c.procedures = tx.procedures().ForReferral(r->id);
      c.mandates = tx.mandates().ForReferral(r->id);
      c.orientations = tx.orientations().ForReferral(r->id);
      c.feedbacks = tx.feedbacks().ForReferral(r->id);
      c.reviews = tx.reviews().ForReferral(r->id);
      c.follow_mode = tx.delegation().Mode(r->id);
      c.quarterly_reports = tx.delegation().ReportsFor(r->id);
      file.cases.push_back(std::move(c));
    }
    if (file.cases.empty()) {
      throw Error(ErrorCode::kNotFound, "Cette personne n’existe pas.");
    }
    std::sort(file.cases.begin(), file.cases.end(), [](const auto& a, const auto& b) {
      return a.referral.created_at > b.referral.created_at;
    });
    const Instant now = clock_.Now();
    bool open_case = false;
    for (const auto& c : file.cases) {
      AddTimeline(file, c, reference_);
      AddNextActions(file, c, tx, now, reference_);
      open_case = open_case || domain::IsOpen(c.referral.status);
    }
    // The person's rights (case_rights.cpp): the notice to hand over once she has been met,
    // and each request not answered yet, with its legal deadline.
    const std::string data_href = "/personnes/" + std::to_string(person->id) + "/donnees";
    const LocalDate today = paris::Today(now);
    const bool met = std::any_of(file.cases.begin(), file.cases.end(),
                                 [](const CaseRecord& c) { return !c.interventions.empty(); });
    if (open_case && met && !person->privacy_notice_on) {
      file.next_actions.push_back(
          {"Remettre la notice d’information sur ses données", std::nullopt, false, data_href});
    }
    for (const auto& r : tx.persons().RightsRequests(person->id)) {
      if (r.status == "ouverte") {
        file.next_actions.push_back(
            {"Répondre à sa demande sur ses données reçue le " + paris::FormatDate(r.received_on),
             r.due_on, r.due_on < today, data_href});
      }
    }
    // Every opening of the file is traced; the coordinator sees who consulted it.
    Audit(actor, tx, now, "case.read", "person", person->id);
  });
  std::stable_sort(file.timeline.begin(), file.timeline.end(),
                   [](const auto& a, const auto& b) { return a.at > b.at; });
  std::stable_sort(file.next_actions.begin(), file.next_actions.end(), DueBefore);
  return file;
}

std::vector<DueItem> CaseService::Due(const Actor& actor, std::optional<domain::UserId> worker) {
  Require(actor, Permission::kViewCases);
  if (!actor.structure_id) {
    return {};
  }
  const Instant now = clock_.Now();
  const LocalDate today = paris::Today(now);
  DueQuery q;
  q.operator_id = *actor.structure_id;
  q.worker = worker;
  q.now = now;
  q.today = today;
  q.contact_before = now;  // every person still to contact, overdue after kFirstContactDays
  q.due_until = AddDays(today, kDueHorizonDays);
  q.renewal_until = AddDays(today, kRenewalNoticeDays);
  // A mandate's last day is the day before its (exclusive) end.
  q.mandate_ends_until = AddDays(today, domain::kMandateReminderDays + 1);
  std::vector<DueRow> rows;
  store_.Read([&](Tx& tx) { rows = tx.due().Due(q); });
  std::vector<DueItem> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    DueItem item;
    item.person_id = row.person_id;
    item.person_name = DisplayName(row.person_last_name, row.person_first_names);
    item.worker_name = row.worker_name;
    const std::string fiche = "/fiches/" + std::to_string(row.referral_id);
    auto& n = item.action;
    n.due = row.due;
    if (row.kind == "appointment_result" && row.at) {
      n.label = AppointmentResultLabel(*row.at);
      n.due = paris::ToLocal(*row.at).date;
      n.overdue = true;
      n.href = "/rendez-vous/" + std::to_string(row.subject_id);
    } else if (row.kind == "first_contact" && row.at) {
      n.label = "Prendre contact avec la personne";
      n.due = AddDays(paris::Today(*row.at), kFirstContactDays);
      n.href = fiche + "/contact";
    } else if (row.kind == "initial_assessment") {
      n.label = "Faire le bilan initial";
      n.href = "/personnes/" + std::to_string(row.person_id) + "#bilans-" +
               std::to_string(row.referral_id);
    } else if (row.kind == "procedure_due") {
      n.label = ProcedureDueLabel(ProcedureLabel(reference_, row.subject));
      n.href = "/demarches/" + std::to_string(row.subject_id);
    } else if (row.kind == "renewal") {
      n.label = RenewalLabel(ProcedureLabel(reference_, row.subject));
      n.href = "/demarches/" + std::to_string(row.subject_id);
    } else if (row.kind == "mandate_end" && row.due) {
      n.due = AddDays(*row.due, -1);
      n.label = MandateEndLabel(*n.due);
      n.href = "/personnes/" + std::to_string(row.person_id);
    } else if (row.kind == "orientation_follow_up") {
      n.label = OrientationFollowUpLabel(row.subject);
      n.href = "/orientations/" + std::to_string(row.subject_id);
    } else {
      continue;
    }
    n.overdue = n.overdue || (n.due && *n.due < today && row.kind != "mandate_end");
    out.push_back(std::move(item));
  }
  std::stable_sort(out.begin(), out.end(), [](const DueItem& a, const DueItem& b) {
    return DueBefore(a.action, b.action);
  });
  return out;
}

std::optional<domain::PersonId> CaseService::PersonOf(const Actor& actor,
                                                      domain::ReferralId referral) {
  std::optional<domain::PersonId> out;
  store_.Read([&](Tx& tx) { out = LoadReferral(actor, tx, referral).person_id; });
  return out;
}

domain::AssessmentId CaseService::StartAssessment(const Actor& actor, domain::ReferralId referral,
                                                  AssessmentKind kind) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::AssessmentId id = 0;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    for (const auto& a : tx.assessments().ForReferral(referral)) {
      if (a.kind == kind) {
        id = a.id;
        return;
      }
    }
    RequireOpen(r);
    const Instant now = clock_.Now();
    domain::Assessment a;
    a.referral_id = referral;
    a.kind = kind;
    a.grid_version = reference_.assessment.Current().version;
    a.conducted_on = paris::Today(now);
    a.created_by = actor.user_id;
    id = tx.assessments().Insert(a, now);
    Audit(actor, tx, now, "assessment.start", "assessment", id,
          fmt::format("kind={} grid={}", domain::AssessmentKindCode(kind), a.grid_version));
  });
  return id;
}

AssessmentView CaseService::Assessment(const Actor& actor, domain::AssessmentId id) {
  Require(actor, Permission::kViewCases);
  AssessmentView v;
  store_.Read([&](Tx& tx) {
    v.assessment = LoadAssessment(actor, tx, id, v.referral);
    v.person_name = PersonName(tx, v.referral);
    Audit(actor, tx, clock_.Now(), "assessment.read", "referral", v.referral.id,
          "assessment:" + std::to_string(id));
  });
  v.grid = &GridOf(reference_, v.assessment);
  v.scores = domain::ScoreAssessment(*v.grid, v.assessment.answers);
  v.editable =
      domain::IsTakenOn(v.referral.status) && Allows(actor, Permission::kRecordAccompaniment);
  return v;
}

domain::FieldErrors CaseService::SaveSection(const Actor& actor, domain::AssessmentId id,
                                             const std::string& section_code,
                                             const domain::Answers& answers) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto a = LoadAssessment(actor, tx, id, r);
    RequireOpen(r);
    const auto& grid = GridOf(reference_, a);
    const auto* section = grid.FindSection(section_code);
    if (section == nullptr) {
      throw Error(ErrorCode::kNotFound, "Cette étape du bilan n’existe pas.");
    }
    domain::Answers clean;
    errors = domain::NormaliseSectionAnswers(grid, *section, answers, clean);
    if (!errors.empty()) {
      return;
    }
    // Replace this step's answers; keep the other steps'.
    for (auto it = a.answers.begin(); it != a.answers.end();) {
      const auto* owner = grid.SectionOf(it->first.substr(0, it->first.find('/')));
      it = owner == section ? a.answers.erase(it) : std::next(it);
    }
    a.answers.insert(clean.begin(), clean.end());
    StoreScores(grid, a);
    const Instant now = clock_.Now();
    tx.assessments().Save(a, now);
    Audit(actor, tx, now, "assessment.save", "assessment", id, "section=" + section_code);
  });
  return errors;
}

domain::FieldErrors CaseService::SetAssessmentDate(const Actor& actor, domain::AssessmentId id,
                                                   const std::string& date) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto a = LoadAssessment(actor, tx, id, r);
    RequireOpen(r);
    const Instant now = clock_.Now();
    const auto d = ParseTypedDate(date);
    if (!d) {
      errors.push_back({"conducted_on",
                        "La date du bilan n’est pas valide : écrivez-la comme "
                        "01/12/2026."});
      return;
    }
    if (*d > paris::Today(now) || (r.received_at && *d < paris::Today(*r.received_at))) {
      errors.push_back({"conducted_on",
                        "La date du bilan doit être entre la réception de la "
                        "fiche et aujourd’hui."});
      return;
    }
    a.conducted_on = *d;
    tx.assessments().Save(a, now);
    Audit(actor, tx, now, "assessment.date", "assessment", id);
  });
  return errors;
}

domain::FieldErrors CaseService::SetExternalScores(const Actor& actor, domain::AssessmentId id,
                                                   const domain::ExternalScoresInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto a = LoadAssessment(actor, tx, id, r);
    RequireOpen(r);
    const Instant now = clock_.Now();
    errors = domain::ValidateExternalScores(in, paris::Today(now), a);
    if (!errors.empty()) {
      return;
    }
    tx.assessments().Save(a, now);
    Audit(actor, tx, now, "assessment.external_scores", "assessment", id);
  });
  return errors;
}

void CaseService::CompleteAssessment(const Actor& actor, domain::AssessmentId id) {
  Require(actor, Permission::kRecordAccompaniment);
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto a = LoadAssessment(actor, tx, id, r);
    RequireOpen(r);
    if (a.completed) {
      return;
    }
    const auto& grid = GridOf(reference_, a);
    StoreScores(grid, a);
    const Instant now = clock_.Now();
    a.completed = true;
    a.completed_at = now;
    tx.assessments().Save(a, now);
    Audit(actor, tx, now, "assessment.complete", "assessment", id,
          a.level ? "level=" + std::string(domain::LevelCode(*a.level)) : std::string());
    ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kInProgress, now,
                          std::string(domain::AssessmentKindLabel(a.kind)) + " terminé");
  });
}

ComparisonView CaseService::Compare(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kViewCases);
  ComparisonView v;
  bool have_initial = false;
  bool have_final = false;
  store_.Read([&](Tx& tx) {
    v.referral = LoadCase(actor, tx, referral);
    v.person_name = PersonName(tx, v.referral);
    for (auto& a : tx.assessments().ForReferral(referral)) {
      if (a.kind == AssessmentKind::kInitial) {
        v.initial = std::move(a);
        have_initial = true;
      } else {
        v.final = std::move(a);
        have_final = true;
      }
    }
  });
  if (!have_initial || !have_final) {
    throw Error(ErrorCode::kNotFound, "La comparaison demande un bilan initial et un bilan final.");
  }
  v.comparison = domain::CompareAssessments(GridOf(reference_, v.initial), v.initial.answers,
                                            GridOf(reference_, v.final), v.final.answers);
  return v;
}

InterventionForm CaseService::NewIntervention(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kRecordAccompaniment);
  InterventionForm form;
  const Instant now = clock_.Now();
  const LocalDate today = paris::Today(now);
  store_.Read([&](Tx& tx) {
    form.referral = LoadCase(actor, tx, referral);
    RequireOpen(form.referral);
    form.person_name = PersonName(tx, form.referral);
    form.team = ActiveTeam(tx, form.referral.operator_id);
    AppointmentFilter f;
    f.referral = referral;
    f.from = now - std::chrono::hours(24 * 30);
    f.to = now + std::chrono::hours(24);
    form.visits = tx.appointments().List(f);
    form.procedures = tx.procedures().ForReferral(referral);
  });
  auto& d = form.defaults;
  d.date = ToIso(today);
  d.duration = "60";
  d.place = "domicile";
  d.modality = "faire_avec";
  d.workers = {std::to_string(actor.user_id)};
  // Today's visit, when there is one, fills in the place, the length and who came.
  for (const auto& rec : form.visits) {
    const auto& a = rec.appointment;
    if (paris::ToLocal(a.starts_at).date != today ||
        a.status == domain::AppointmentStatus::kCancelledByPerson ||
        a.status == domain::AppointmentStatus::kCancelledByTeam ||
        a.status == domain::AppointmentStatus::kPostponed ||
        a.status == domain::AppointmentStatus::kAbsent) {
      continue;
    }
    d.appointment = std::to_string(a.id);
    d.place = a.place == domain::PlaceKind::kHome ? "domicile"
              : a.place == domain::PlaceKind::kPhone || a.place == domain::PlaceKind::kVideo
                  ? "a_distance"
              : a.place == domain::PlaceKind::kPartner ? "lieu_partenaire"
                                                       : "autre";
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(a.ends_at - a.starts_at).count();
    const auto& picks = domain::DurationQuickPicks();
    if (std::find(picks.begin(), picks.end(), static_cast<int>(minutes)) != picks.end()) {
      d.duration = std::to_string(minutes);
    } else {
      d.duration = "autre";
      d.custom_duration = std::to_string(minutes);
    }
    d.workers.clear();
    for (const auto w : a.workers) {
      d.workers.push_back(std::to_string(w));
    }
    break;
  }
  return form;
}

InterventionResult CaseService::RecordIntervention(const Actor& actor, domain::ReferralId referral,
                                                   const domain::InterventionInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  InterventionResult result;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    const Instant now = clock_.Now();
    domain::Intervention i;
    result.errors = domain::ValidateIntervention(in, reference_.vocabularies, paris::Today(now), i);
    const auto team = ActiveTeam(tx, r.operator_id);
    for (const auto w : i.workers) {
      if (std::none_of(team.begin(), team.end(), [&](const auto& u) { return u.id == w; })) {
        result.errors.push_back({"workers", "Cet intervenant ne fait pas partie de l’équipe."});
        break;
      }
    }
    if (!i.procedures.empty()) {
      const auto own = tx.procedures().ForReferral(referral);
      for (const auto p : i.procedures) {
        if (std::none_of(own.begin(), own.end(), [&](const auto& o) { return o.id == p; })) {
          result.errors.push_back({"procedures", "Cette démarche n’est pas celle de ce dossier."});
          break;
        }
      }
    }
    if (i.appointment_id) {
      const auto a = tx.appointments().Find(*i.appointment_id);
      if (!a || a->referral_id != referral) {
        result.errors.push_back({"appointment", "Ce rendez-vous n’est pas celui de ce dossier."});
      }
    }
    if (!result.errors.empty()) {
      return;
    }
    i.referral_id = referral;
    i.created_by = actor.user_id;
    result.id = tx.interventions().Insert(i, now);
    Audit(actor, tx, now, "intervention.create", "intervention", result.id,
          fmt::format("referral={} minutes={}", referral, i.duration_minutes));
    ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kInProgress, now, "Intervention saisie");
  });
  return result;
}

domain::CaseProcedureId CaseService::AddProcedure(const Actor& actor, domain::ReferralId referral,
                                                  const std::string& code) {
  Require(actor, Permission::kRecordAccompaniment);
  const auto* entry = reference_.procedures.Find(code);
  if (entry == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "Choisissez une démarche du catalogue.");
  }
  domain::CaseProcedureId id = 0;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    for (const auto& p : tx.procedures().ForReferral(referral)) {
      if (p.code == code && !domain::IsProcedureClosed(p.status)) {
        id = p.id;
        return;
      }
    }
    const Instant now = clock_.Now();
    domain::CaseProcedure p;
    p.referral_id = referral;
    p.code = code;
    for (const auto& d : entry->documents) {
      p.documents.push_back({d, false});
    }
    id = tx.procedures().Insert(p, actor.user_id, now);
    const std::string status(domain::ProcedureStatusCode(p.status));
    tx.procedures().AddEvent(id, actor.user_id, "", status, now);
    Audit(actor, tx, now, "procedure.create", "case_procedure", id,
          fmt::format("referral={} code={}", referral, code));
  });
  return id;
}

namespace {

domain::CaseProcedure LoadProcedure(const Actor& actor, Tx& tx, domain::CaseProcedureId id,
                                    ReferralRecord& referral) {
  auto p = tx.procedures().Find(id);
  if (!p) {
    throw Error(ErrorCode::kNotFound, "Cette démarche n’existe pas.");
  }
  referral = LoadCase(actor, tx, p->referral_id);
  return *p;
}

}  // namespace

ProcedureView CaseService::Procedure(const Actor& actor, domain::CaseProcedureId id) {
  Require(actor, Permission::kViewCases);
  ProcedureView v;
  store_.Read([&](Tx& tx) {
    v.procedure = LoadProcedure(actor, tx, id, v.referral);
    v.person_name = PersonName(tx, v.referral);
    Audit(actor, tx, clock_.Now(), "procedure.read", "referral", v.referral.id,
          "procedure:" + std::to_string(id));
  });
  v.catalogue = reference_.procedures.Find(v.procedure.code);
  v.editable = domain::IsTakenOn(v.referral.status) && v.catalogue != nullptr &&
               Allows(actor, Permission::kRecordAccompaniment);
  return v;
}

domain::FieldErrors CaseService::UpdateProcedure(const Actor& actor, domain::CaseProcedureId id,
                                                 const domain::ProcedureInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto p = LoadProcedure(actor, tx, id, r);
    RequireOpen(r);
    const auto* entry = reference_.procedures.Find(p.code);
    if (entry == nullptr) {
      throw Error(ErrorCode::kConflict,
                  "Cette démarche n’est plus au catalogue : elle ne peut plus être modifiée.");
    }
    const Instant now = clock_.Now();
    const auto before = p.status;
    errors = domain::ValidateProcedure(in, *entry, reference_.vocabularies, paris::Today(now), p);
    if (!errors.empty()) {
      return;
    }
    tx.procedures().Update(p, now);
    if (p.status != before) {
      tx.procedures().AddEvent(id, actor.user_id, std::string(domain::ProcedureStatusCode(before)),
                               std::string(domain::ProcedureStatusCode(p.status)), now);
    }
    // The outcome and amount are what reports count; the note itself is not repeated.
    Audit(actor, tx, now, "procedure.update", "case_procedure", id,
          fmt::format("status={} outcome={}", domain::ProcedureStatusCode(p.status),
                      domain::RightOutcomeCode(p.outcome)));
  });
  return errors;
}

domain::FieldErrors CaseService::RecordMandate(const Actor& actor, domain::ReferralId referral,
                                               const domain::MandateInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    const Instant now = clock_.Now();
    domain::Mandate m;
    errors = domain::ValidateMandate(in, reference_.procedures, paris::Today(now), m);
    if (!errors.empty()) {
      return;
    }
    m.referral_id = referral;
    const auto id = tx.mandates().Insert(m, actor.user_id, now);
    Audit(actor, tx, now, "mandate.create", "mandate", id,
          fmt::format("referral={} days={}", referral, m.duration_days));
  });
  return errors;
}

domain::ReferralId CaseService::RevokeMandate(const Actor& actor, domain::MandateId id) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::ReferralId referral = 0;
  store_.Write([&](Tx& tx) {
    const auto m = tx.mandates().Find(id);
    if (!m) {
      throw Error(ErrorCode::kNotFound, "Ce mandat n’existe pas.");
    }
    referral = LoadCase(actor, tx, m->referral_id).id;
    if (m->revoked_on) {
      return;
    }
    const Instant now = clock_.Now();
    tx.mandates().Revoke(id, paris::Today(now));
    Audit(actor, tx, now, "mandate.revoke", "mandate", id);
  });
  return referral;
}

domain::FieldErrors CaseService::Close(const Actor& actor, domain::ReferralId referral,
                                       const domain::ClosureInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    std::string note;
    errors = domain::ValidateClosure(in, reference_.vocabularies, note);
    if (!errors.empty()) {
      return;
    }
    bool initial_done = false;
    bool final_done = false;
    for (const auto& a : tx.assessments().ForReferral(referral)) {
      initial_done = initial_done || (a.kind == AssessmentKind::kInitial && a.completed);
      final_done = final_done || (a.kind == AssessmentKind::kFinal && a.completed);
    }
    if (initial_done && !final_done && domain::ClosureExpectsFinalBilan(in.reason) &&
        !in.without_final_bilan) {
      errors.push_back({"without_final_bilan",
                        "Le bilan final n’est pas fait : faites-le pour mesurer les progrès, ou "
                        "cochez « Clôturer sans bilan final »."});
      return;
    }
    const Instant now = clock_.Now();
    ReferralStatusUpdate u;
    u.at = now;
    u.status = ReferralStatus::kClosed;
    u.decision_reason = in.reason;
    u.decision_message = note;
    tx.referrals().UpdateStatus(referral, u);
    const std::string label = reference_.vocabularies.closure_reasons.Label(in.reason);
    tx.referrals().AddEvent(referral,
                            ReferralEvent{now, actor.user_id, actor.display_name,
                                          std::string(domain::StatusCode(r.status)),
                                          std::string(domain::StatusCode(ReferralStatus::kClosed)),
                                          label + (note.empty() ? "" : " — " + note)});
    Audit(actor, tx, now, "referral.close", "referral", referral, "reason=" + in.reason);
    QueueReferrerMessage(tx, r, "closed:" + std::to_string(ToEpoch(now)),
                         "Fiche de liaison " + r.number + " : accompagnement terminé",
                         "L’accompagnement de la fiche " + r.number +
                             " est terminé.\nMotif : " + label + "." + Signature(),
                         now);
  });
  return errors;
}

void CaseService::Reopen(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kRecordAccompaniment);
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    if (r.status != ReferralStatus::kClosed) {
      throw Error(ErrorCode::kConflict, "Seul un accompagnement clôturé peut être rouvert.");
    }
    const Instant now = clock_.Now();
    ChangeStatusIfAllowed(actor, tx, r, ReferralStatus::kInProgress, now, "Réouverture");
  });
}

namespace {

domain::Orientation LoadOrientation(const Actor& actor, Tx& tx, domain::OrientationId id,
                                    ReferralRecord& referral) {
  auto o = tx.orientations().Find(id);
  if (!o) {
    throw Error(ErrorCode::kNotFound, "Cette orientation n’existe pas.");
  }
  referral = LoadCase(actor, tx, o->referral_id);
  return *o;
}

std::optional<domain::PartnerService> FindPartnerService(Tx& tx, std::optional<std::int64_t> id) {
  return id ? tx.partners().FindService(*id) : std::nullopt;
}

std::optional<std::int64_t> ParseId(const std::string& raw) {
  const std::string s = text::Trim(raw);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v <= 0) {
    return std::nullopt;
  }
  return v;
}

// What was shared with a partner, for the audit row: codes only, never the data.
std::string SharedCodes(const domain::Orientation& o) {
  std::string out;
  for (const auto& code : o.shared) {
    out += (out.empty() ? "" : ",") + code;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

OrientationForm CaseService::NewOrientation(const Actor& actor, domain::ReferralId referral,
                                            std::optional<domain::PartnerServiceId> service) {
  Require(actor, Permission::kRecordAccompaniment);
  OrientationForm f;
  store_.Read([&](Tx& tx) {
    f.referral = LoadCase(actor, tx, referral);
    RequireOpen(f.referral);
    f.person_name = PersonName(tx, f.referral);
    f.service = FindPartnerService(tx, service);
    if (service && !f.service) {
      throw Error(ErrorCode::kNotFound, "Ce service n’existe pas dans l’annuaire.");
    }
  });
  return f;
}

OrientationResult CaseService::RecordOrientation(const Actor& actor, domain::ReferralId referral,
                                                 const domain::OrientationInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  OrientationResult result;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    const Instant now = clock_.Now();
    domain::Orientation o;
    o.referral_id = referral;
    if (!text::Trim(in.service_id).empty()) {
      const auto id = ParseId(in.service_id);
      const auto service = id ? tx.partners().FindService(*id) : std::nullopt;
      if (!service) {
        result.errors.push_back({"service_id",
                                 "Ce service n’est plus dans l’annuaire : "
                                 "choisissez-en un autre ou nommez le partenaire."});
        return;
      }
      o.service_id = service->id;
      o.partner_name = service->nom + " — " + service->structure_nom;
    }
    result.errors = domain::ValidateOrientation(in, reference_.vocabularies, paris::Today(now), o);
    if (!result.errors.empty()) {
      return;
    }
    result.id = tx.orientations().Insert(o, actor.user_id, now);
    tx.orientations().AddEvent(result.id, actor.user_id, "",
                               std::string(domain::OrientationStatusCode(o.status)), now);
    // What was shared is part of the audit (codes only): the person's data left the team.
    Audit(actor, tx, now, "orientation.create", "orientation", result.id,
          fmt::format("referral={} kind={} shared={}", referral, o.partner_kind, SharedCodes(o)));
  });
  return result;
}

OrientationView CaseService::Orientation(const Actor& actor, domain::OrientationId id) {
  Require(actor, Permission::kViewCases);
  OrientationView v;
  store_.Read([&](Tx& tx) {
    v.orientation = LoadOrientation(actor, tx, id, v.referral);
    v.person_name = PersonName(tx, v.referral);
    v.service = FindPartnerService(tx, v.orientation.service_id);
    Audit(actor, tx, clock_.Now(), "orientation.read", "referral", v.referral.id,
          "orientation:" + std::to_string(id));
  });
  v.editable =
      domain::IsTakenOn(v.referral.status) && Allows(actor, Permission::kRecordAccompaniment);
  return v;
}

domain::FieldErrors CaseService::UpdateOrientation(const Actor& actor, domain::OrientationId id,
                                                   const domain::OrientationInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto o = LoadOrientation(actor, tx, id, r);
    RequireOpen(r);
    const Instant now = clock_.Now();
    const auto before = o.status;
    domain::OrientationInput kept = in;
    kept.partner_name = o.service_id ? std::string() : o.partner_name;  // not changed here
    errors = domain::ValidateOrientation(kept, reference_.vocabularies, paris::Today(now), o);
    if (!errors.empty()) {
      return;
    }
    tx.orientations().Update(o, now);
    if (o.status != before) {
      tx.orientations().AddEvent(id, actor.user_id,
                                 std::string(domain::OrientationStatusCode(before)),
                                 std::string(domain::OrientationStatusCode(o.status)), now);
    }
    Audit(actor, tx, now, "orientation.update", "orientation", id,
          fmt::format("status={} shared={}", domain::OrientationStatusCode(o.status),
                      SharedCodes(o)));
  });
  return errors;
}

domain::FieldErrors CaseService::AddNote(const Actor& actor, domain::ReferralId referral,
                                         const domain::NoteInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  if (!actor.is_user()) {
    throw Error(ErrorCode::kPermissionDenied, "notes need a user");
  }
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    domain::Note n;
    errors = domain::ValidateNote(in, n);
    if (!errors.empty()) {
      return;
    }
    const Instant now = clock_.Now();
    n.referral_id = referral;
    n.author = actor.user_id;
    n.body = SealNote(sealer_, referral, actor.user_id, n.body);
    const auto id = tx.notes().Insert(n, now);
    // The audit row says a note was written, never what it says.
    Audit(actor, tx, now, "note.create", "case_note", id,
          fmt::format("referral={} private={}", referral, n.is_private ? 1 : 0));
  });
  return errors;
}

}  // namespace allervers::service
