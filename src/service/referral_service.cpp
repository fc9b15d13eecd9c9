#include "service/referral_service.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/calendar.hpp"
#include "domain/identity.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"

namespace allervers::service {
namespace {

using domain::ReferralStatus;

constexpr int kInboxPageSize = 50;
constexpr int kMaxCandidates = 200;  // persons scored per check: blocking keeps far fewer

ReferralFacts FactsOf(const ReferralRecord& r) {
  return ReferralFacts{r.status == ReferralStatus::kDraft, r.structure_id, r.operator_id,
                       r.created_by};
}

std::string ActorLabel(const Actor& actor) {
  if (actor.is_user()) {
    return actor.display_name;
  }
  if (actor.is_api()) {
    return "Système partenaire (API)";
  }
  return actor.is_system() ? "Allervers" : "Anonyme";
}

std::optional<domain::UserId> ActorUser(const Actor& actor) {
  return actor.is_user() ? std::optional(actor.user_id) : std::nullopt;
}

// The folded names a person is searched by.
std::string SearchName(const domain::PersonData& p) {
  return text::FoldForSearch(p.birth_name + " " + p.usage_name + " " + p.first_names);
}

// The team that handles referrals from `referring`: the only operator, or the one of the same
// territory when a platform serves several.
domain::StructureId ResolveOperator(Tx& tx, const domain::Structure& referring) {
  std::vector<domain::Structure> operators;
  for (auto& s : tx.structures().List()) {
    if (s.kind == domain::StructureKind::kOperateur && s.active) {
      operators.push_back(std::move(s));
    }
  }
  if (operators.empty()) {
    throw Error(ErrorCode::kUnavailable,
                "Aucune équipe mobile n’est configurée pour recevoir les fiches : contactez "
                "l’administrateur.");
  }
  for (const auto& o : operators) {
    if (!referring.territory.empty() && o.territory == referring.territory) {
      return o.id;
    }
  }
  return operators.front().id;
}

}  // namespace

void QueueReferrerMessage(Tx& tx, const ReferralRecord& r, const std::string& event,
                          const std::string& subject, const std::string& body, Instant now) {
  if (r.data.referrer_email.empty()) {
    return;
  }
  OutboxMessage m;
  m.channel = "email";
  m.recipient = r.data.referrer_email;
  m.subject = subject;
  m.body = body;
  m.dedupe_key = "referral:" + std::to_string(r.id) + ":" + event;
  m.next_attempt_at = now;
  m.related_type = "referral";
  m.related_id = std::to_string(r.id);
  m.created_at = now;
  tx.outbox().Enqueue(m);
}

// Messages to referrers name the referral by its number only: no identity of the person.
std::string Signature() {
  return "\n\nCe message est envoyé automatiquement par Allervers, le système d’information de "
         "l’équipe mobile "
         "numérique. Connectez-vous à Allervers pour suivre la fiche.";
}

std::string DisplayName(const std::string& last_name, const std::string& first_names) {
  if (last_name.empty() && first_names.empty()) {
    return "Personne anonymisée";  // the retention purge blanks both (docs/retention.md)
  }
  std::string out = text::ToUpper(last_name);
  if (!first_names.empty()) {
    out += (out.empty() ? "" : " ") + first_names;
  }
  return out;
}

ReferralRecord ReferralService::Load(const Actor& actor, Tx& tx, domain::ReferralId id) {
  auto r = service::LoadReferral(actor, tx, id);
  if (r.person_id) {
    if (auto p = tx.persons().Find(*r.person_id)) {
      r.data.person = p->data;
    }
  }
  return r;
}

domain::ReferralId ReferralService::SaveDraft(const Actor& actor,
                                              std::optional<domain::ReferralId> id,
                                              const std::string& data) {
  Require(actor, Permission::kSubmitReferral);
  if (!actor.is_user() || !actor.structure_id) {
    throw Error(ErrorCode::kPermissionDenied,
                "Seul un prescripteur peut enregistrer un brouillon.");
  }
  if (data.size() > 200'000) {
    throw Error(ErrorCode::kPayloadTooLarge, "Le brouillon est trop volumineux.");
  }
  const Instant now = clock_.Now();
  domain::ReferralId saved = 0;
  store_.Write([&](Tx& tx) {
    if (id) {
      const auto r = Load(actor, tx, *id);
      if (r.status != ReferralStatus::kDraft) {
        throw Error(ErrorCode::kConflict,
                    "Cette fiche a déjà été transmise : elle ne peut plus être modifiée.");
      }
      tx.referrals().UpdateDraft(*id, data, now);
      saved = *id;
    } else {
      const auto structure = tx.structures().FindById(*actor.structure_id);
      if (!structure) {
        throw Error(ErrorCode::kPermissionDenied,
                    "Votre compte n’est rattaché à aucune structure.");
      }
      saved = tx.referrals().InsertDraft(structure->id, ResolveOperator(tx, *structure),
                                         actor.user_id, data, now);
    }
    tx.audit().Append(
        MakeAuditEvent(actor, now, "referral.draft_save", "referral", std::to_string(saved)));
  });
  return saved;
}

std::string ReferralService::LoadDraft(const Actor& actor, domain::ReferralId id) {
  std::string data;
  store_.Read([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (r.status != ReferralStatus::kDraft) {
      throw Error(ErrorCode::kConflict, "Cette fiche a déjà été transmise.");
    }
    data = r.draft_data;
  });
  return data;
}

void ReferralService::DeleteDraft(const Actor& actor, domain::ReferralId id) {
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (r.status != ReferralStatus::kDraft) {
      throw Error(ErrorCode::kConflict,
                  "Cette fiche a déjà été transmise : elle ne peut plus être supprimée.");
    }
    tx.referrals().DeleteDraft(id);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "referral.draft_delete", "referral", std::to_string(id)));
  });
}

std::vector<DuplicateCandidate> ReferralService::FindCandidates(
    Tx& tx, const domain::PersonIdentity& identity, std::optional<domain::PersonId> exclude) {
  std::vector<DuplicateCandidate> out;
  auto ids = tx.persons().FindByKeys(domain::ProbeKeys(identity), kMaxCandidates);
  ids.erase(std::remove(ids.begin(), ids.end(), exclude.value_or(-1)), ids.end());
  for (auto& p : tx.persons().FindMany(ids)) {
    const auto match = domain::ScoreDuplicate(identity, p.data.Identity());
    if (match.score < domain::kPossibleDuplicate) {
      continue;
    }
    DuplicateCandidate c;
    c.person_id = p.id;
    c.person = std::move(p.data);
    c.score = match.score;
    c.probable = match.score >= domain::kProbableDuplicate;
    c.reasons = match.reasons;
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (out.size() > 5) {
    out.resize(5);
  }
  return out;
}

SubmitResult ReferralService::Record(const Actor& actor, Tx& tx,
                                     std::optional<domain::ReferralId> draft,
                                     domain::StructureId structure_id, const std::string& source,
                                     const domain::ReferralData& data, Instant now) {
  const auto structure = tx.structures().FindById(structure_id);
  if (!structure || !structure->active) {
    throw Error(ErrorCode::kPermissionDenied,
                "La structure qui oriente n’existe pas ou est désactivée.");
  }
  SubmitResult result;
  const auto identity = data.person.Identity();
  const auto candidates = FindCandidates(tx, identity, std::nullopt);
  const domain::PersonId person = tx.persons().Insert(data.person, SearchName(data.person), now);
  tx.persons().ReplaceKeys(person, domain::IndexKeys(identity));
  const int year = paris::Today(now).year;
  result.number = domain::FormatReferralNumber(year, tx.referrals().NextSequence(year));
  result.id = tx.referrals().Store(draft, result.number, source, structure->id,
                                   ResolveOperator(tx, *structure), ActorUser(actor), data, person,
                                   candidates.empty() ? "confirmed_new" : "unchecked", now);
  tx.referrals().AddEvent(result.id, ReferralEvent{now, ActorUser(actor), ActorLabel(actor),
                                                   draft ? "draft" : "", "received", ""});
  tx.audit().Append(MakeAuditEvent(actor, now, "referral.submit", "referral",
                                   std::to_string(result.id), "success", "source=" + source));
  // What the submitter may learn about possible duplicates: only its own structure's referrals.
  for (const auto& c : candidates) {
    for (const auto& s : tx.referrals().ForPerson(c.person_id)) {
      auto full = tx.referrals().Find(s.id);
      if (full && AccessReferral(actor, FactsOf(*full)) == Access::kAllow) {
        result.visible_duplicates.push_back(s);
      }
    }
  }
  auto record = tx.referrals().Find(result.id);
  QueueReferrerMessage(
      tx, *record, "received", "Fiche de liaison " + result.number + " reçue",
      "Bonjour,\n\nLa fiche de liaison n° " + result.number + " transmise le " +
          paris::FormatDateTime(now) +
          " a bien été reçue par l’équipe mobile numérique. Elle sera examinée dans les "
          "meilleurs délais ; vous serez informé·e de la suite donnée." +
          Signature(),
      now);
  return result;
}

SubmitResult ReferralService::Submit(const Actor& actor, std::optional<domain::ReferralId> draft,
                                     const domain::ReferralInput& in) {
  Require(actor, Permission::kSubmitReferral);
  if (!actor.structure_id) {
    throw Error(ErrorCode::kPermissionDenied, "Votre compte n’est rattaché à aucune structure.");
  }
  const Instant now = clock_.Now();
  domain::ReferralData data;
  SubmitResult result;
  result.errors = domain::ValidateReferral(in, reference_, paris::Today(now), data);
  if (!result.errors.empty()) {
    return result;
  }
  store_.Write([&](Tx& tx) {
    if (draft) {
      const auto r = Load(actor, tx, *draft);
      if (r.status != ReferralStatus::kDraft) {
        throw Error(ErrorCode::kConflict, "Cette fiche a déjà été transmise.");
      }
    }
    result =
        Record(actor, tx, draft, *actor.structure_id, actor.is_api() ? "api" : "form", data, now);
  });
  return result;
}

IdempotentSubmit ReferralService::SubmitIdempotent(const Actor& actor,
                                                   const domain::ReferralInput& in,
                                                   const std::optional<IdempotencyKey>& key,
                                                   const ResponseRenderer& render) {
  Require(actor, Permission::kSubmitReferral);
  if (!actor.is_api() || !actor.structure_id) {
    throw Error(ErrorCode::kPermissionDenied, "Réservé aux systèmes partenaires.");
  }
  IdempotentSubmit out;
  auto replayed = [&](Tx& tx) {
    if (!key) {
      return false;
    }
    if (auto previous = tx.idempotency().Find(actor.token_id, key->key)) {
      if (previous->request_digest != key->request_digest) {
        throw Error(ErrorCode::kConflict,
                    "Cette clé d’idempotence a déjà servi pour une autre requête.");
      }
      out.replay = *previous;
      return true;
    }
    return false;
  };
  // A retry is answered before validation: the first answer stands even if rules changed since.
  bool done = false;
  store_.Read([&](Tx& tx) { done = replayed(tx); });
  if (done) {
    return out;
  }
  const Instant now = clock_.Now();
  domain::ReferralData data;
  out.result.errors = domain::ValidateReferral(in, reference_, paris::Today(now), data);
  if (!out.result.errors.empty()) {
    return out;
  }
  store_.Write([&](Tx& tx) {
    // Checked again inside the write transaction: two concurrent retries create one referral.
    if (replayed(tx)) {
      return;
    }
    out.result = Record(actor, tx, std::nullopt, *actor.structure_id, "api", data, now);
    if (key) {
      IdempotentResponse response = render(out.result);
      response.request_digest = key->request_digest;
      tx.idempotency().Insert(actor.token_id, key->key, response, now);
    }
  });
  return out;
}

std::vector<SubmitResult> ReferralService::SubmitBatch(
    const Actor& actor, domain::StructureId structure,
    const std::vector<domain::ReferralData>& referrals) {
  Require(actor, Permission::kImportReferrals);
  const Instant now = clock_.Now();
  std::vector<SubmitResult> results;
  store_.Write([&](Tx& tx) {
    const auto s = tx.structures().FindById(structure);
    if (!s || s->kind == domain::StructureKind::kOperateur) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Choisissez la structure qui oriente ces personnes.");
    }
    for (const auto& data : referrals) {
      results.push_back(Record(actor, tx, std::nullopt, structure, "csv", data, now));
    }
    tx.audit().Append(MakeAuditEvent(actor, now, "referral.import", "structure",
                                     std::to_string(structure), "success",
                                     "count=" + std::to_string(referrals.size())));
  });
  return results;
}

ReferralRecord ReferralService::Get(const Actor& actor, domain::ReferralId id) {
  ReferralRecord r;
  store_.Read([&](Tx& tx) {
    r = Load(actor, tx, id);
    tx.audit().Append(
        MakeAuditEvent(actor, clock_.Now(), "referral.read", "referral", std::to_string(id)));
  });
  return r;
}

std::vector<ReferralEvent> ReferralService::History(const Actor& actor, domain::ReferralId id) {
  std::vector<ReferralEvent> events;
  store_.Read([&](Tx& tx) {
    (void)Load(actor, tx, id);
    events = tx.referrals().Events(id);
  });
  return events;
}

std::optional<PersonRecord> ReferralService::Person(const Actor& actor,
                                                    const ReferralRecord& referral) {
  Require(AccessReferral(actor, FactsOf(referral)));
  std::optional<PersonRecord> p;
  if (referral.person_id) {
    store_.Read([&](Tx& tx) { p = tx.persons().Find(*referral.person_id); });
  }
  return p;
}

InboxPage ReferralService::Inbox(const Actor& actor, const InboxQuery& query) {
  Require(actor, Permission::kViewCases);
  InboxPage page;
  page.page = std::max(1, query.page);
  page.page_size = kInboxPageSize;
  ReferralFilter f;
  f.statuses =
      query.statuses.empty()
          ? std::vector<ReferralStatus>{ReferralStatus::kReceived, ReferralStatus::kAccepted,
                                        ReferralStatus::kContact, ReferralStatus::kAppointmentSet}
          : query.statuses;
  f.operator_id = actor.is_system() ? std::nullopt : actor.structure_id;
  if (!actor.is_system() && !actor.structure_id) {
    return page;
  }
  f.structure_id = query.referring_structure;
  f.territory = query.territory;
  f.procedure = query.procedure;
  f.assigned_to = query.assigned_to;
  f.order = ReferralFilter::Order::kInbox;
  f.limit = kInboxPageSize;
  f.offset = (page.page - 1) * kInboxPageSize;
  std::vector<ReferralSummary> rows;
  store_.Read([&](Tx& tx) {
    rows = tx.referrals().List(f);
    page.total = tx.referrals().Count(f);
    if (auto v = tx.settings().Get("triage_flag_working_days")) {
      try {
        page.flag_working_days = std::max(1, std::stoi(*v));
      } catch (const std::exception&) {
        page.flag_working_days = 5;
      }
    }
  });
  const LocalDate today = paris::Today(clock_.Now());
  for (auto& s : rows) {
    InboxLine line;
    if (s.received_at) {
      line.age_working_days = domain::WorkingDaysBetween(paris::Today(*s.received_at), today);
    }
    line.overdue = !s.first_contact_at && domain::IsOpen(s.status) &&
                   s.status != ReferralStatus::kInProgress &&
                   line.age_working_days > page.flag_working_days;
    line.summary = std::move(s);
    page.lines.push_back(std::move(line));
  }
  return page;
}

std::vector<ReferralSummary> ReferralService::ForReferrer(const Actor& actor, int limit) {
  Require(actor, Permission::kReadOwnReferrals);
  if (!actor.structure_id) {
    return {};
  }
  ReferralFilter f;
  f.structure_id = actor.structure_id;
  f.include_drafts = true;
  f.created_by = actor.is_user() ? std::optional(actor.user_id) : std::nullopt;
  f.limit = limit;
  std::vector<ReferralSummary> out;
  store_.Read([&](Tx& tx) {
    out = tx.referrals().List(f);
    tx.audit().Append(MakeAuditEvent(actor, clock_.Now(), "referral.list", "referral", "",
                                     "success", "count=" + std::to_string(out.size())));
  });
  return out;
}

std::vector<ReferralSummary> ReferralService::ForApi(const Actor& actor,
                                                     std::optional<ReferralStatus> status,
                                                     int limit) {
  Require(actor, Permission::kReadOwnReferrals);
  ReferralFilter f;
  f.structure_id = actor.structure_id;
  if (status) {
    f.statuses = {*status};
  }
  f.limit = std::clamp(limit, 1, 500);
  std::vector<ReferralSummary> out;
  store_.Read([&](Tx& tx) { out = tx.referrals().List(f); });
  return out;
}

void ReferralService::ChangeStatus(const Actor& actor, Tx& tx, const ReferralRecord& r,
                                   ReferralStatus to, ReferralStatusUpdate update,
                                   const std::string& note) {
  if (!domain::CanTransition(r.status, to)) {
    throw Error(ErrorCode::kConflict, "Cette fiche est « " +
                                          std::string(domain::StatusLabel(r.status)) +
                                          " » : elle ne peut pas passer à « " +
                                          std::string(domain::StatusLabel(to)) + " ».");
  }
  update.status = to;
  tx.referrals().UpdateStatus(r.id, update);
  tx.referrals().AddEvent(r.id, ReferralEvent{update.at, ActorUser(actor), ActorLabel(actor),
                                              std::string(domain::StatusCode(r.status)),
                                              std::string(domain::StatusCode(to)), note});
  tx.audit().Append(MakeAuditEvent(actor, update.at, "referral.status", "referral",
                                   std::to_string(r.id), "success",
                                   "from=" + std::string(domain::StatusCode(r.status)) +
                                       " to=" + std::string(domain::StatusCode(to))));
}

namespace {

domain::User RequireWorker(Tx& tx, domain::UserId id, domain::StructureId operator_id) {
  auto u = tx.users().FindById(id);
  if (!u || !u->active || u->structure_id != operator_id ||
      (u->role != domain::Role::kIntervenant && u->role != domain::Role::kCoordinateur)) {
    throw Error(ErrorCode::kInvalidArgument, "Choisissez un membre actif de l’équipe.");
  }
  return *u;
}

}  // namespace

void ReferralService::Accept(const Actor& actor, domain::ReferralId id, domain::UserId assignee) {
  Require(actor, Permission::kTriageReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    const auto worker = RequireWorker(tx, assignee, r.operator_id);
    ReferralStatusUpdate u;
    u.at = now;
    u.assigned_user_id = worker.id;
    ChangeStatus(actor, tx, r, ReferralStatus::kAccepted, u, "Confiée à " + worker.display_name);
    QueueReferrerMessage(
        tx, r, "accepted", "Fiche de liaison " + r.number + " acceptée",
        "Bonjour,\n\nLa fiche de liaison n° " + r.number +
            " a été acceptée par l’équipe mobile numérique. La personne sera contactée "
            "prochainement pour convenir d’un premier rendez-vous." +
            Signature(),
        now);
  });
}

void ReferralService::Reassign(const Actor& actor, domain::ReferralId id, domain::UserId assignee) {
  Require(actor, Permission::kTriageReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (!domain::IsOpen(r.status) || r.status == ReferralStatus::kReceived) {
      throw Error(ErrorCode::kConflict,
                  "Seule une fiche acceptée et en cours peut être confiée à un autre membre.");
    }
    const auto worker = RequireWorker(tx, assignee, r.operator_id);
    ReferralStatusUpdate u;
    u.at = now;
    u.status = r.status;
    u.assigned_user_id = worker.id;
    tx.referrals().UpdateStatus(r.id, u);
    const std::string code(domain::StatusCode(r.status));
    tx.referrals().AddEvent(r.id, ReferralEvent{now, ActorUser(actor), ActorLabel(actor), code,
                                                code, "Confiée à " + worker.display_name});
    tx.audit().Append(
        MakeAuditEvent(actor, now, "referral.assign", "referral", std::to_string(r.id)));
  });
}

void ReferralService::DeclareNotReceivable(const Actor& actor, domain::ReferralId id,
                                           const std::string& reason, const std::string& message) {
  Require(actor, Permission::kTriageReferrals);
  if (!reference_.vocabularies.not_receivable_reasons.Contains(reason)) {
    throw Error(ErrorCode::kInvalidArgument, "Choisissez le motif de non-recevabilité.");
  }
  const std::string text_message = text::Trim(message);
  if (text_message.empty() || text_message.size() > 4000 || !text::IsValidUtf8(text_message)) {
    throw Error(ErrorCode::kInvalidArgument,
                "Écrivez un message au prescripteur (4 000 caractères au plus).");
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    ReferralStatusUpdate u;
    u.at = now;
    u.decision_reason = reason;
    u.decision_message = text_message;
    ChangeStatus(actor, tx, r, ReferralStatus::kNotReceivable, u,
                 reference_.vocabularies.not_receivable_reasons.Label(reason));
    QueueReferrerMessage(tx, r, "not_receivable", "Fiche de liaison " + r.number + " non recevable",
                         "Bonjour,\n\nLa fiche de liaison n° " + r.number +
                             " n’a pas pu être retenue par l’équipe mobile numérique.\n\nMotif : " +
                             reference_.vocabularies.not_receivable_reasons.Label(reason) + "\n\n" +
                             text_message + Signature(),
                         now);
  });
}

void ReferralService::Redirect(const Actor& actor, domain::ReferralId id, domain::StructureId to,
                               const std::string& message) {
  Require(actor, Permission::kTriageReferrals);
  const std::string text_message = text::Trim(message);
  if (text_message.size() > 4000 || !text::IsValidUtf8(text_message)) {
    throw Error(ErrorCode::kInvalidArgument,
                "Le message est trop long (4 000 caractères au plus).");
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    const auto target = tx.structures().FindById(to);
    if (!target || !target->active || target->id == r.operator_id) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Choisissez la structure vers laquelle réorienter la personne.");
    }
    ReferralStatusUpdate u;
    u.at = now;
    u.redirected_to = target->id;
    u.decision_message = text_message;
    ChangeStatus(actor, tx, r, ReferralStatus::kRedirected, u, "Réorientée vers " + target->name);
    QueueReferrerMessage(tx, r, "redirected", "Fiche de liaison " + r.number + " réorientée",
                         "Bonjour,\n\nLa fiche de liaison n° " + r.number +
                             " a été réorientée vers : " + target->name + "." +
                             (text_message.empty() ? "" : "\n\n" + text_message) + Signature(),
                         now);
  });
}

void ReferralService::Withdraw(const Actor& actor, domain::ReferralId id,
                               const std::string& message) {
  Require(actor, Permission::kReadOwnReferrals);
  const std::string text_message = text::Trim(message);
  if (text_message.size() > 4000 || !text::IsValidUtf8(text_message)) {
    throw Error(ErrorCode::kInvalidArgument,
                "Le message est trop long (4 000 caractères au plus).");
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    ReferralStatusUpdate u;
    u.at = now;
    u.decision_message = text_message;
    ChangeStatus(actor, tx, r, ReferralStatus::kWithdrawn, u, text_message);
  });
}

std::vector<DuplicateCandidate> ReferralService::Duplicates(const Actor& actor,
                                                            domain::ReferralId id) {
  Require(actor, Permission::kTriageReferrals);
  std::vector<DuplicateCandidate> out;
  store_.Read([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (!r.person_id) {
      return;
    }
    out = FindCandidates(tx, r.data.person.Identity(), r.person_id);
    for (auto& c : out) {
      for (auto& s : tx.referrals().ForPerson(c.person_id)) {
        auto full = tx.referrals().Find(s.id);
        if (full && AccessReferral(actor, FactsOf(*full)) == Access::kAllow) {
          c.referrals.push_back(std::move(s));
        }
      }
    }
  });
  return out;
}

void ReferralService::MergePersons(const Actor& actor, domain::PersonId from,
                                   domain::PersonId into) {
  Require(actor, Permission::kTriageReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) { MergeInTx(actor, tx, from, into, now); });
}

void ReferralService::MergeInTx(const Actor& actor, Tx& tx, domain::PersonId from,
                                domain::PersonId into, Instant now) {
  if (from == into) {
    throw Error(ErrorCode::kInvalidArgument,
                "Une personne ne peut pas être fusionnée avec elle-même.");
  }
  auto a = tx.persons().Find(from);
  auto b = tx.persons().Find(into);
  if (!a || !b || a->merged_into || b->merged_into) {
    throw Error(ErrorCode::kNotFound, "Cette personne n’existe pas ou a déjà été fusionnée.");
  }
  // An anonymised record must stay so: nothing is written back into it (docs/retention.md).
  if (a->anonymized_at || b->anonymized_at) {
    throw Error(ErrorCode::kConflict,
                "Cette personne a été anonymisée : elle ne peut plus être rapprochée d’une autre.");
  }
  // The actor must be allowed on every referral of both persons.
  for (const auto id : {from, into}) {
    for (const auto& s : tx.referrals().ForPerson(id)) {
      (void)Load(actor, tx, s.id);
    }
  }
  // Contacts the kept record lacks are taken from the merged one; nothing is overwritten.
  domain::PersonData merged = b->data;
  auto fill = [&](std::string& target, const std::string& source, const char* field) {
    if (target.empty() && !source.empty()) {
      tx.persons().AddChange(
          into, PersonChange{now, ActorUser(actor), ActorLabel(actor), field, "", source});
      target = source;
    }
  };
  fill(merged.phone, a->data.phone, "phone");
  fill(merged.email, a->data.email, "email");
  fill(merged.address_line, a->data.address_line, "address_line");
  fill(merged.usage_name, a->data.usage_name, "usage_name");
  if (!merged.birth_date && a->data.birth_date) {
    tx.persons().AddChange(into, PersonChange{now, ActorUser(actor), ActorLabel(actor),
                                              "birth_date", "", ToIso(*a->data.birth_date)});
    merged.birth_date = a->data.birth_date;
    merged.birth_year = a->data.birth_date->year;
  }
  tx.persons().Update(into, merged, SearchName(merged), now);
  tx.persons().ReplaceKeys(into, domain::IndexKeys(merged.Identity()));
  tx.referrals().MovePerson(from, into);
  tx.persons().MarkMerged(from, into, now);
  tx.persons().AddChange(into, PersonChange{now, ActorUser(actor), ActorLabel(actor), "merge",
                                            "personne n° " + std::to_string(from), "fusionnée"});
  tx.audit().Append(MakeAuditEvent(actor, now, "person.merge", "person", std::to_string(into),
                                   "success", "from=" + std::to_string(from)));
}

void ReferralService::LinkToPerson(const Actor& actor, domain::ReferralId id,
                                   domain::PersonId existing) {
  Require(actor, Permission::kTriageReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (!r.person_id) {
      throw Error(ErrorCode::kConflict, "Cette fiche n’a pas de personne à rapprocher.");
    }
    if (*r.person_id == existing) {
      throw Error(ErrorCode::kInvalidArgument, "La fiche est déjà rattachée à cette personne.");
    }
    MergeInTx(actor, tx, *r.person_id, existing, now);
    tx.referrals().SetPerson(id, existing, "linked", now);
    tx.audit().Append(MakeAuditEvent(actor, now, "referral.link_person", "referral",
                                     std::to_string(id), "success",
                                     "person=" + std::to_string(existing)));
  });
}

void ReferralService::ConfirmNewPerson(const Actor& actor, domain::ReferralId id) {
  Require(actor, Permission::kTriageReferrals);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (!r.person_id) {
      throw Error(ErrorCode::kConflict, "Cette fiche n’a pas de personne.");
    }
    tx.referrals().SetPerson(id, *r.person_id, "confirmed_new", now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "referral.confirm_new_person", "referral", std::to_string(id)));
  });
}

namespace {

// The fields of a person's record, by name, for the history of changes.
std::vector<std::pair<const char*, std::string>> Fields(const domain::PersonData& p) {
  std::string prefs;
  for (const auto& c : p.contact_preferences) {
    prefs += (prefs.empty() ? "" : ",") + c;
  }
  return {{"birth_name", p.birth_name},
          {"usage_name", p.usage_name},
          {"first_names", p.first_names},
          {"birth_date", p.birth_date ? ToIso(*p.birth_date) : ""},
          {"birth_year", p.birth_year ? std::to_string(*p.birth_year) : ""},
          {"gender", p.gender},
          {"phone", p.phone},
          {"email", p.email},
          {"address_line", p.address_line},
          {"postal_code", p.postal_code},
          {"city", p.city},
          {"language", p.language},
          {"interpreter_needed", p.interpreter_needed ? "oui" : "non"},
          {"contact_preferences", prefs},
          {"availability", p.availability},
          {"adaptations", p.adaptations},
          {"carer", p.carer}};
}

}  // namespace

domain::FieldErrors ReferralService::UpdatePerson(const Actor& actor, domain::ReferralId id,
                                                  const domain::ReferralInput& in) {
  Require(actor, Permission::kViewCases);
  const Instant now = clock_.Now();
  domain::FieldErrors errors;
  domain::PersonData updated;
  domain::ValidatePersonFields(in, reference_, paris::Today(now), updated, errors);
  if (!errors.empty()) {
    return errors;
  }
  store_.Write([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (!r.person_id) {
      throw Error(ErrorCode::kConflict, "Cette fiche n’a pas de personne.");
    }
    if (const auto p = tx.persons().Find(*r.person_id); p && p->anonymized_at) {
      throw Error(ErrorCode::kConflict,
                  "Cette personne a été anonymisée : ses données ne peuvent plus être modifiées.");
    }
    const auto before = Fields(r.data.person);
    const auto after = Fields(updated);
    int changed = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
      if (before[i].second != after[i].second) {
        tx.persons().AddChange(
            *r.person_id, PersonChange{now, ActorUser(actor), ActorLabel(actor), before[i].first,
                                       before[i].second, after[i].second});
        ++changed;
      }
    }
    if (changed == 0) {
      return;
    }
    tx.persons().Update(*r.person_id, updated, SearchName(updated), now);
    tx.persons().ReplaceKeys(*r.person_id, domain::IndexKeys(updated.Identity()));
    tx.audit().Append(MakeAuditEvent(actor, now, "person.update", "person",
                                     std::to_string(*r.person_id), "success",
                                     "fields=" + std::to_string(changed)));
  });
  return errors;
}

std::vector<PersonChange> ReferralService::PersonHistory(const Actor& actor,
                                                         domain::ReferralId id) {
  Require(actor, Permission::kViewCases);
  std::vector<PersonChange> out;
  store_.Read([&](Tx& tx) {
    const auto r = Load(actor, tx, id);
    if (r.person_id) {
      out = tx.persons().Changes(*r.person_id);
    }
  });
  return out;
}

std::vector<domain::User> ReferralService::AssignableWorkers(const Actor& actor) {
  Require(actor, Permission::kTriageReferrals);
  std::vector<domain::User> out;
  if (!actor.structure_id) {
    return out;
  }
  store_.Read([&](Tx& tx) { out = ActiveTeam(tx, *actor.structure_id); });
  return out;
}

ReferralRecord LoadReferral(const Actor& actor, Tx& tx, domain::ReferralId id) {
  auto r = tx.referrals().Find(id);
  if (!r) {
    throw Error(ErrorCode::kNotFound, "Cette fiche de liaison n’existe pas.");
  }
  Require(AccessReferral(actor, FactsOf(*r)));
  return *r;
}

void ChangeStatusIfAllowed(const Actor& actor, Tx& tx, const ReferralRecord& r,
                           domain::ReferralStatus to, Instant now, const std::string& note) {
  if (r.status == to || !domain::CanTransition(r.status, to)) {
    return;
  }
  ReferralStatusUpdate u;
  u.at = now;
  u.status = to;
  tx.referrals().UpdateStatus(r.id, u);
  tx.referrals().AddEvent(r.id, ReferralEvent{now, ActorUser(actor), ActorLabel(actor),
                                              std::string(domain::StatusCode(r.status)),
                                              std::string(domain::StatusCode(to)), note});
  tx.audit().Append(MakeAuditEvent(actor, now, "referral.status", "referral", std::to_string(r.id),
                                   "success",
                                   "from=" + std::string(domain::StatusCode(r.status)) +
                                       " to=" + std::string(domain::StatusCode(to))));
}

std::vector<domain::User> ActiveTeam(Tx& tx, domain::StructureId team) {
  std::vector<domain::User> out;
  UserFilter f;
  f.structure_id = team;
  for (auto& u : tx.users().List(f)) {
    if (u.active &&
        (u.role == domain::Role::kIntervenant || u.role == domain::Role::kCoordinateur)) {
      out.push_back(std::move(u));
    }
  }
  return out;
}

std::vector<domain::Structure> ReferralService::RedirectTargets(const Actor& actor) {
  Require(actor, Permission::kTriageReferrals);
  std::vector<domain::Structure> out;
  store_.Read([&](Tx& tx) {
    for (auto& s : tx.structures().List()) {
      if (s.active && s.kind != domain::StructureKind::kOperateur) {
        out.push_back(std::move(s));
      }
    }
  });
  return out;
}

std::vector<domain::Structure> ReferralService::ReferringStructures(const Actor& actor) {
  Require(actor, Permission::kViewCases);
  return RedirectTargets(Actor::System("list"));
}

}  // namespace allervers::service
