// Letters to the person about their accompaniment: the closure letter.

#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "service/appointment_service.hpp"
#include "service/audit.hpp"
#include "service/case_internal.hpp"
#include "service/case_service.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

// The person as the file knows them now: a record merged into another leads to that one,
// which holds the current address.
std::optional<PersonRecord> CurrentPerson(Tx& tx, domain::PersonId id) {
  auto person = tx.persons().Find(id);
  for (int hops = 0; person && person->merged_into && hops < 5; ++hops) {
    person = tx.persons().Find(*person->merged_into);
  }
  return person;
}

domain::ClosureLetterFacts ClosureFacts(Tx& tx, const ReferralRecord& r,
                                        const domain::ReferenceData& reference, Instant now) {
  domain::ClosureLetterFacts f;
  f.head = LoadAgendaSettings(tx).letterhead;
  const auto person = r.person_id ? CurrentPerson(tx, *r.person_id) : std::nullopt;
  if (!person) {
    throw Error(ErrorCode::kNotFound, "La personne de ce dossier n’existe plus.");
  }
  const auto& p = person->data;
  f.gender = p.gender;
  f.first_names = p.first_names;
  f.last_name = p.usage_name.empty() ? p.birth_name : p.usage_name;
  f.address_line = p.address_line;
  f.postal_code = p.postal_code;
  f.city = p.city;
  f.closed_on = paris::Today(r.closed_at.value_or(r.updated_at));
  f.reason = r.decision_reason;
  f.reason_label = reference.vocabularies.closure_reasons.Label(r.decision_reason);
  for (const auto& cp : tx.procedures().ForReferral(r.id)) {
    // A procedure dropped from the catalogue has no words for the person: it is left out.
    if (const auto* entry = reference.procedures.Find(cp.code)) {
      f.procedures.push_back({entry->label, cp.status, cp.outcome});
    }
  }
  // The partners the person was oriented to, unless the orientation came to nothing.
  for (const auto& o : tx.orientations().ForReferral(r.id)) {
    if (o.status != domain::OrientationStatus::kNoFollowUp) {
      f.orientations.push_back({o.partner_name, o.reason});
    }
  }
  f.referrer_name = r.data.referrer_name;
  f.referring_structure = r.structure_name;
  if (r.assigned_user_id) {
    if (const auto u = tx.users().FindById(*r.assigned_user_id)) {
      f.worker_name = u->display_name;
      // Accounts carry no gender: the role is said without one (as on appointment letters).
      f.worker_role = u->role == domain::Role::kCoordinateur
                          ? "qui coordonne l’équipe mobile numérique"
                          : "de l’équipe mobile numérique";
    }
  }
  // What the retention purge applies (docs/retention.md).
  f.retention_months = IntSetting(tx, "retention.months");
  f.today = now;
  return f;
}

}  // namespace

std::string CaseService::ClosureLetterPdf(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kViewCases);
  if (printer_ == nullptr) {
    throw Error(ErrorCode::kUnavailable, "L’impression des courriers n’est pas disponible.",
                "CaseService built without a LetterPrinter");
  }
  domain::LetterText letter;
  store_.Write([&](Tx& tx) {
    // The team's own cases only, as every read of the case: others answer "not found".
    const auto r = case_detail::LoadCase(actor, tx, referral);
    if (r.status != domain::ReferralStatus::kClosed) {
      throw Error(ErrorCode::kConflict,
                  "Le courrier de fin d’accompagnement se prépare une fois l’accompagnement "
                  "clôturé.");
    }
    const Instant now = clock_.Now();
    // Refuses a closure after a death (kConflict) before anything is recorded.
    letter = domain::ComposeClosureLetter(ClosureFacts(tx, r, reference_, now));
    // Ids only: the audit trail holds no personal data.
    case_detail::Audit(actor, tx, now, "referral.closure_letter", "referral", referral);
  });
  // Laid out after the transaction, which stays short (SQLite has one writer at a time).
  return printer_->Print({letter}, "Courrier de fin d’accompagnement");
}

}  // namespace allervers::service
