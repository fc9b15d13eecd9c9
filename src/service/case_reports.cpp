// Delegated cases and the written quarterly report per person for the SSD's territory manager.

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "service/appointment_service.hpp"
#include "service/case_internal.hpp"
#include "service/case_service.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"

namespace allervers::service {
namespace {

using case_detail::Audit;
using case_detail::IsTeamCase;
using case_detail::LoadCase;
using case_detail::PersonName;
using case_detail::RequireOpen;

bool Within(const LocalDate& d, const domain::Quarter& q) {
  return !(d < domain::QuarterStart(q)) && !(domain::QuarterEnd(q) < d);
}

bool Within(Instant t, const domain::Quarter& q) { return Within(paris::Today(t), q); }

// The facts of the quarter, composed from the case as it is: what a territory manager needs to
// know about the person's accompaniment, without the bilan's detail or the team's notes.
std::vector<std::string> Summary(Tx& tx, const ReferralRecord& r, const domain::Quarter& q,
                                 const domain::ReferenceData& ref) {
  std::vector<std::string> out;
  std::string status = fmt::format("Statut : {}", domain::StatusLabel(r.status));
  if (r.accepted_at) {
    status += ", depuis le " + paris::FormatDate(*r.accepted_at);
  }
  out.push_back(status + ".");
  int count = 0;
  int minutes = 0;
  int at_home = 0;
  for (const auto& i : tx.interventions().ForReferral(r.id)) {
    if (Within(i.occurred_on, q)) {
      ++count;
      minutes += i.duration_minutes;
      at_home += i.place == "domicile" ? 1 : 0;
    }
  }
  out.push_back(count == 0 ? std::string("Aucune intervention ce trimestre.")
                           : fmt::format("Ce trimestre : {} intervention{} ({}), dont {} à "
                                         "domicile.",
                                         count, count > 1 ? "s" : "",
                                         domain::FormatMinutes(minutes), at_home));
  for (const auto& a : tx.assessments().ForReferral(r.id)) {
    if (a.completed && a.level && Within(a.conducted_on, q)) {
      out.push_back(fmt::format("{} du {} : autonomie numérique {} ({}).",
                                domain::AssessmentKindLabel(a.kind),
                                paris::FormatDate(a.conducted_on), domain::LevelCode(*a.level),
                                domain::LevelLabel(*a.level)));
    }
  }
  for (const auto& p : tx.procedures().ForReferral(r.id)) {
    const bool moved =
        std::any_of(p.events.begin(), p.events.end(),
                    [&](const domain::ProcedureEvent& e) { return Within(e.at, q); });
    const bool answered = p.outcome_on && Within(*p.outcome_on, q);
    if (!moved && !answered) {
      continue;
    }
    const auto* entry = ref.procedures.Find(p.code);
    std::string line = fmt::format("Démarche « {} » : {}", entry != nullptr ? entry->label : p.code,
                                   domain::ProcedureStatusLabel(p.status));
    if (p.outcome != domain::RightOutcome::kNone) {
      line += fmt::format(" — {}", domain::RightOutcomeLabel(p.outcome));
      if (p.outcome == domain::RightOutcome::kOpened && p.monthly_amount_cents) {
        line += ", environ " + domain::FormatEuros(*p.monthly_amount_cents) + " par mois";
      }
    }
    out.push_back(line + ".");
  }
  for (const auto& o : tx.orientations().ForReferral(r.id)) {
    if (Within(o.created_at, q) || std::any_of(o.events.begin(), o.events.end(),
                                               [&](const auto& e) { return Within(e.at, q); })) {
      out.push_back(fmt::format("Orientation vers {} : {}.", o.partner_name,
                                domain::OrientationStatusLabel(o.status)));
    }
  }
  if (r.status == domain::ReferralStatus::kClosed && r.closed_at && Within(*r.closed_at, q)) {
    out.push_back(fmt::format("Accompagnement clôturé le {} : {}.", paris::FormatDate(*r.closed_at),
                              ref.vocabularies.closure_reasons.Label(r.decision_reason)));
  }
  return out;
}

}  // namespace

domain::FieldErrors CaseService::SetFollowMode(const Actor& actor, domain::ReferralId referral,
                                               const std::string& mode) {
  Require(actor, Permission::kRecordAccompaniment);
  const auto parsed = domain::ParseFollowMode(mode);
  if (!parsed) {
    return {{"follow_mode", "Choisissez comment le suivi est partagé avec le prescripteur."}};
  }
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    const Instant now = clock_.Now();
    tx.delegation().SetMode(referral, *parsed, actor.user_id, now);
    Audit(actor, tx, now, "referral.follow_mode", "referral", referral,
          "mode=" + std::string(mode.empty() ? "none" : mode));
  });
  return {};
}

QuarterlyDraft CaseService::Quarterly(const Actor& actor, domain::ReferralId referral,
                                      std::optional<domain::Quarter> period) {
  Require(actor, Permission::kRecordAccompaniment);
  QuarterlyDraft d;
  store_.Read([&](Tx& tx) {
    d.referral = LoadCase(actor, tx, referral);
    d.person_name = PersonName(tx, d.referral);
    Audit(actor, tx, clock_.Now(), "quarterly_draft.read", "referral", referral);
    d.mode = tx.delegation().Mode(referral);
    d.period = period.value_or(domain::QuarterOf(paris::Today(clock_.Now())));
    d.history = tx.delegation().ReportsFor(referral);
    for (const auto& h : d.history) {
      if (h.period == d.period) {
        d.sent = h;
      }
    }
    d.summary = d.sent ? d.sent->summary : Summary(tx, d.referral, d.period, reference_);
  });
  return d;
}

domain::FieldErrors CaseService::SendQuarterly(const Actor& actor, domain::ReferralId referral,
                                               const domain::Quarter& period,
                                               const std::string& observations,
                                               const std::string& perspectives) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    if (!domain::IsTakenOn(r.status) && r.status != domain::ReferralStatus::kClosed) {
      RequireOpen(r);
    }
    if (tx.delegation().Mode(referral) != domain::FollowMode::kDelegation) {
      throw Error(ErrorCode::kConflict,
                  "Le bilan trimestriel écrit est pour les suivis délégués à l’équipe mobile : "
                  "indiquez d’abord que ce suivi est délégué.");
    }
    const Instant now = clock_.Now();
    if (paris::Today(now) < domain::QuarterStart(period)) {
      errors.push_back({"period", "Ce trimestre n’a pas encore commencé."});
      return;
    }
    domain::QuarterlyReport report;
    report.referral_id = referral;
    report.period = period;
    errors = domain::ValidateQuarterlyReport(observations, perspectives, report);
    if (!errors.empty()) {
      return;
    }
    for (const auto& h : tx.delegation().ReportsFor(referral)) {
      if (h.period == period) {
        throw Error(ErrorCode::kConflict,
                    "Le bilan du " + domain::QuarterLabel(period) + " est déjà transmis.");
      }
    }
    report.summary = Summary(tx, r, period, reference_);
    const auto id = tx.delegation().InsertReport(report, actor.user_id, now);
    Audit(actor, tx, now, "quarterly_report.send", "quarterly_report", id,
          fmt::format("referral={} period={}-T{}", referral, period.year, period.quarter));
  });
  return errors;
}

std::vector<QuarterlyReportEntry> CaseService::QuarterlyReports(const Actor& actor) {
  Require(actor, Permission::kReadQuarterlyReports);
  std::vector<QuarterlyReportEntry> out;
  if (!actor.structure_id) {
    return out;
  }
  store_.Read([&](Tx& tx) {
    for (auto& report : tx.delegation().ReportsOfReferrer(*actor.structure_id, 500)) {
      const auto r = tx.referrals().Find(report.referral_id);
      if (!r) {
        continue;
      }
      out.push_back({std::move(report), r->number, PersonName(tx, *r)});
    }
  });
  return out;
}

std::string CaseService::QuarterlyReportPdf(const Actor& actor, domain::QuarterlyReportId id) {
  if (printer_ == nullptr) {
    throw Error(ErrorCode::kUnavailable, "L’impression des documents n’est pas disponible.",
                "CaseService built without a LetterPrinter");
  }
  domain::LetterText doc;
  store_.Write([&](Tx& tx) {
    const auto report = tx.delegation().FindReport(id);
    const auto r = report ? tx.referrals().Find(report->referral_id) : std::nullopt;
    if (!report || !r) {
      throw Error(ErrorCode::kNotFound, "Ce bilan trimestriel n’existe pas.");
    }
    // The team of the case, or the manager of the structure that referred the person.
    const bool team = IsTeamCase(actor, *r) && Allows(actor, Permission::kViewCases);
    const bool manager = Allows(actor, Permission::kReadQuarterlyReports) && actor.structure_id &&
                         *actor.structure_id == r->structure_id;
    if (!team && !manager) {
      throw Error(ErrorCode::kNotFound, "Ce bilan trimestriel n’existe pas.");
    }
    const Instant now = clock_.Now();
    doc.head = LoadAgendaSettings(tx).letterhead;
    doc.recipient_lines = {"Responsable de territoire", r->structure_name};
    doc.place_and_date = doc.head.city + ", le " + paris::FormatLongDate(report->sent_at);
    doc.subject = "Bilan écrit trimestriel — " + domain::QuarterLabel(report->period) +
                  " — fiche " + r->number;
    doc.salutation = "Madame, Monsieur,";
    std::vector<std::string> person = {PersonName(tx, *r)};
    if (!r->data.person.city.empty()) {
      person.push_back(r->data.person.postal_code + " " + r->data.person.city);
    }
    person.push_back("Orientée par " + r->structure_name +
                     (r->data.referrer_name.empty() ? "" : " (" + r->data.referrer_name + ")") +
                     ". Suivi délégué à l’équipe mobile numérique.");
    doc.blocks.push_back({"La personne accompagnée", person, false});
    doc.blocks.push_back({"Ce trimestre", report->summary, false});
    doc.blocks.push_back({"Observations", {report->observations}, false});
    if (!report->perspectives.empty()) {
      doc.blocks.push_back({"Perspectives", {report->perspectives}, false});
    }
    doc.signature_name = report->author_name.empty() ? doc.head.name : report->author_name;
    doc.signature_role = doc.head.name;
    Audit(actor, tx, now, "quarterly_report.read", "quarterly_report", id);
  });
  return printer_->Print({doc}, "Bilan écrit trimestriel");
}

}  // namespace allervers::service
