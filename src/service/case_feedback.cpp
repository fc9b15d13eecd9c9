// What the team tells the referrer: structured retours and co-accompaniment reviews.

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/time.hpp"
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

// A retour is for a case under way or just closed.
void RequireTakenOnOrClosed(const ReferralRecord& r) {
  if (!domain::IsTakenOn(r.status) && r.status != domain::ReferralStatus::kClosed) {
    RequireOpen(r);
  }
}

std::string Plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n > 1 ? many : one);
}

std::vector<FeedbackChoice> Choices(Tx& tx, const ReferralRecord& r,
                                    const domain::ReferenceData& ref) {
  std::vector<FeedbackChoice> out;
  const auto interventions = tx.interventions().ForReferral(r.id);
  int minutes = 0;
  for (const auto& i : interventions) {
    minutes += i.duration_minutes;
  }
  std::string status = fmt::format("Statut : {}", domain::StatusLabel(r.status));
  if (r.accepted_at) {
    status += ", depuis le " + paris::FormatDate(*r.accepted_at);
  }
  status += interventions.empty()
                ? " ; pas encore d’intervention."
                : fmt::format(" ; {} ({}).",
                              Plural(interventions.size(), "intervention", "interventions"),
                              domain::FormatMinutes(minutes));
  if (r.status == domain::ReferralStatus::kClosed) {
    status += " Motif de fin : " + ref.vocabularies.closure_reasons.Label(r.decision_reason) + ".";
  }
  out.push_back({"status", {"status", status}, true});

  const domain::Assessment* initial = nullptr;
  const domain::Assessment* final = nullptr;
  const auto assessments = tx.assessments().ForReferral(r.id);
  for (const auto& a : assessments) {
    if (a.completed && a.level) {
      (a.kind == domain::AssessmentKind::kInitial ? initial : final) = &a;
    }
  }
  const auto level = [](const domain::Assessment& a) {
    return fmt::format("{} ({})", domain::LevelCode(*a.level), domain::LevelLabel(*a.level));
  };
  if (initial != nullptr && final != nullptr) {
    out.push_back({"level",
                   {"level", "Autonomie numérique : " + level(*initial) + " au bilan initial, " +
                                 level(*final) + " au bilan final."},
                   true});
  } else if (initial != nullptr) {
    out.push_back({"level",
                   {"level", "Autonomie numérique au bilan initial : " + level(*initial) + "."},
                   true});
  }

  for (const auto& p : tx.procedures().ForReferral(r.id)) {
    const auto* entry = ref.procedures.Find(p.code);
    std::string label = fmt::format("{} : {}", entry != nullptr ? entry->label : p.code,
                                    domain::ProcedureStatusLabel(p.status));
    if (p.outcome != domain::RightOutcome::kNone) {
      label += fmt::format(" — {}", domain::RightOutcomeLabel(p.outcome));
      if (p.outcome_on && p.outcome != domain::RightOutcome::kPending) {
        label += " le " + paris::FormatDate(*p.outcome_on);
      }
    }
    out.push_back({"procedure:" + std::to_string(p.id), {"procedure", label + "."}, true});
  }
  for (const auto& o : tx.orientations().ForReferral(r.id)) {
    out.push_back({"orientation:" + std::to_string(o.id),
                   {"orientation", fmt::format("Orientation vers {} : {}.", o.partner_name,
                                               domain::OrientationStatusLabel(o.status))},
                   o.status != domain::OrientationStatus::kNoFollowUp});
  }
  return out;
}

domain::CaseReview LoadReview(const Actor& actor, Tx& tx, domain::ReviewId id,
                              ReferralRecord& referral) {
  auto r = tx.reviews().Find(id);
  if (!r) {
    throw Error(ErrorCode::kNotFound, "Ce point d’étape n’existe pas.");
  }
  referral = LoadCase(actor, tx, r->referral_id);
  return *r;
}

}  // namespace

FeedbackForm CaseService::FeedbackDraft(const Actor& actor, domain::ReferralId referral) {
  Require(actor, Permission::kRecordAccompaniment);
  FeedbackForm f;
  store_.Read([&](Tx& tx) {
    f.referral = LoadCase(actor, tx, referral);
    RequireTakenOnOrClosed(f.referral);
    f.person_name = PersonName(tx, f.referral);
    f.choices = Choices(tx, f.referral, reference_);
    f.sent = tx.feedbacks().ForReferral(referral);
    Audit(actor, tx, clock_.Now(), "feedback.read", "referral", referral);
  });
  return f;
}

domain::FieldErrors CaseService::SendFeedback(const Actor& actor, domain::ReferralId referral,
                                              const std::vector<std::string>& keys,
                                              const std::string& next_steps) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireTakenOnOrClosed(r);
    domain::Feedback f;
    f.referral_id = referral;
    // Only lines built here from the case are sent: the form names them, it never writes them.
    const auto choices = Choices(tx, r, reference_);
    for (const auto& key : keys) {
      const auto it = std::find_if(choices.begin(), choices.end(),
                                   [&](const FeedbackChoice& c) { return c.key == key; });
      if (it == choices.end()) {
        errors.push_back({"items", "Une information cochée n’existe plus : rechargez la page."});
        return;
      }
      if (std::none_of(f.items.begin(), f.items.end(),
                       [&](const domain::FeedbackItem& i) { return i.label == it->item.label; })) {
        f.items.push_back(it->item);
      }
    }
    errors = domain::ValidateFeedback(f.items.size(), next_steps, f.next_steps);
    if (!errors.empty()) {
      return;
    }
    const Instant now = clock_.Now();
    const auto id = tx.feedbacks().Insert(f, actor.user_id, now);
    std::string kinds;
    for (const auto& i : f.items) {
      kinds += (kinds.empty() ? "" : ",") + i.kind;
    }
    Audit(actor, tx, now, "feedback.send", "referral_feedback", id,
          fmt::format("referral={} items={}", referral, kinds.empty() ? "none" : kinds));
    QueueReferrerMessage(tx, r, "feedback:" + std::to_string(id),
                         "Fiche de liaison " + r.number + " : retour de l’équipe mobile",
                         "L’équipe mobile numérique vous fait un retour sur la fiche " + r.number +
                             ".\nVous le lirez dans Allervers, sur la page de la fiche." +
                             Signature(),
                         now);
  });
  return errors;
}

ReferrerView CaseService::SharedWithReferrer(const Actor& actor, domain::ReferralId referral) {
  ReferrerView v;
  store_.Read([&](Tx& tx) {
    const auto r = LoadReferral(actor, tx, referral);
    const bool team = IsTeamCase(actor, r) && Allows(actor, Permission::kViewCases);
    const bool referrer = Allows(actor, Permission::kReadOwnReferrals) && actor.structure_id &&
                          r.structure_id == *actor.structure_id;
    if (!team && !referrer) {
      throw Error(ErrorCode::kNotFound, "Cette fiche n’existe pas.");
    }
    v.feedbacks = tx.feedbacks().ForReferral(referral);
    v.reviews = tx.reviews().ForReferral(referral);
  });
  return v;
}

domain::FieldErrors CaseService::PlanReview(const Actor& actor, domain::ReferralId referral,
                                            const domain::ReviewInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto r = LoadCase(actor, tx, referral);
    RequireOpen(r);
    const Instant now = clock_.Now();
    domain::CaseReview review;
    review.referral_id = referral;
    errors = domain::ValidateReview(in, reference_.vocabularies, now, review);
    if (!errors.empty()) {
      return;
    }
    const auto id = tx.reviews().Insert(review, actor.user_id, now);
    Audit(actor, tx, now, "review.create", "case_review", id,
          fmt::format("referral={} status={}", referral, domain::ReviewStatusCode(review.status)));
    if (review.status == domain::ReviewStatus::kPlanned) {
      QueueReferrerMessage(tx, r, "review:" + std::to_string(id),
                           "Fiche de liaison " + r.number + " : point d’étape",
                           "Un point d’étape sur la fiche " + r.number + " est prévu le " +
                               paris::FormatDateTime(review.scheduled_at) +
                               ".\nLe lieu et les participants sont sur la page de la fiche, "
                               "dans Allervers." +
                               Signature(),
                           now);
    }
  });
  return errors;
}

ReviewView CaseService::Review(const Actor& actor, domain::ReviewId id) {
  Require(actor, Permission::kViewCases);
  ReviewView v;
  store_.Read([&](Tx& tx) {
    v.review = LoadReview(actor, tx, id, v.referral);
    v.person_name = PersonName(tx, v.referral);
    Audit(actor, tx, clock_.Now(), "review.read", "referral", v.referral.id,
          "review:" + std::to_string(id));
  });
  v.editable =
      domain::IsTakenOn(v.referral.status) && Allows(actor, Permission::kRecordAccompaniment);
  return v;
}

domain::FieldErrors CaseService::UpdateReview(const Actor& actor, domain::ReviewId id,
                                              const domain::ReviewInput& in) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    ReferralRecord r;
    auto review = LoadReview(actor, tx, id, r);
    RequireOpen(r);
    const Instant now = clock_.Now();
    const auto before = review.status;
    errors = domain::ValidateReview(in, reference_.vocabularies, now, review);
    if (!errors.empty()) {
      return;
    }
    tx.reviews().Update(review, now);
    Audit(actor, tx, now, "review.update", "case_review", id,
          fmt::format("status={}", domain::ReviewStatusCode(review.status)));
    if (review.status == domain::ReviewStatus::kHeld && before != domain::ReviewStatus::kHeld) {
      QueueReferrerMessage(tx, r, "review-minutes:" + std::to_string(id),
                           "Fiche de liaison " + r.number + " : compte rendu du point d’étape",
                           "Le compte rendu du point d’étape sur la fiche " + r.number +
                               " est disponible dans Allervers, sur la page de la fiche." +
                               Signature(),
                           now);
    }
  });
  return errors;
}

}  // namespace allervers::service
