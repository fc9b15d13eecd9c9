// The person's rights over her data (RGPD art. 13–21; docs/retention.md §6): the information
// notice handed over at the first visit, the register of her requests with their one-month
// deadline, the copy of her data (right of access) and erasure on request.

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "domain/phone.hpp"
#include "service/appointment_service.hpp"
#include "service/audit.hpp"
#include "service/case_internal.hpp"
#include "service/case_service.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "service/settings_service.hpp"

namespace allervers::service {
namespace {

using case_detail::IsTeamCase;

// The person (after merges) if the team holds a case of hers; "not found" otherwise, as for
// every read of a case. `open_case` tells whether a case of hers is still open, at any team:
// the person record is shared, and anonymising it would blank another team's open case.
PersonRecord LoadTeamPerson(const Actor& actor, Tx& tx, domain::PersonId id,
                            bool* open_case = nullptr) {
  auto person = tx.persons().Find(id);
  for (int hops = 0; person && person->merged_into && hops < 5; ++hops) {
    person = tx.persons().Find(*person->merged_into);
  }
  if (!person) {
    throw Error(ErrorCode::kNotFound, "Cette personne n’existe pas.");
  }
  bool team = false;
  bool open = false;
  for (const auto& s : tx.referrals().ForPerson(person->id)) {
    const auto r = tx.referrals().Find(s.id);
    if (r && IsTeamCase(actor, *r)) {
      team = true;
    }
    open = open || (r && domain::IsOpen(r->status));
  }
  if (!team) {
    throw Error(ErrorCode::kNotFound, "Cette personne n’existe pas.");
  }
  if (open_case != nullptr) {
    *open_case = open;
  }
  return *person;
}

std::string NameOf(const domain::PersonData& p) {
  return DisplayName(p.usage_name.empty() ? p.birth_name : p.usage_name, p.first_names);
}

// A day typed in a form: not empty, a real date, not after today.
std::optional<LocalDate> PastDay(const std::string& text, const LocalDate& today,
                                 const std::string& field, domain::FieldErrors& errors) {
  const auto day = ParseTypedDate(text);
  if (!day) {
    errors.push_back({field, "Indiquez une date, par exemple " + paris::FormatDate(today) + "."});
    return std::nullopt;
  }
  if (*day > today) {
    errors.push_back({field, "La date ne peut pas être dans le futur."});
    return std::nullopt;
  }
  return day;
}

void RequirePrinter(const LetterPrinter* printer) {
  if (printer == nullptr) {
    throw Error(ErrorCode::kUnavailable, "L’impression des courriers n’est pas disponible.",
                "CaseService built without a LetterPrinter");
  }
}

}  // namespace

const RightsRequestKind* FindRightsRequestKind(std::string_view code) {
  for (const auto& k : kRightsRequestKinds) {
    if (k.code == code) {
      return &k;
    }
  }
  return nullptr;
}

PersonDataView CaseService::PersonData(const Actor& actor, domain::PersonId person) {
  Require(actor, Permission::kViewCases);
  PersonDataView v;
  store_.Read([&](Tx& tx) {
    v.person = LoadTeamPerson(actor, tx, person, &v.open_case);
    v.person_name = NameOf(v.person.data);
    v.requests = tx.persons().RightsRequests(v.person.id);
    case_detail::Audit(actor, tx, clock_.Now(), "person_data.read", "person", v.person.id);
  });
  v.may_erase =
      Allows(actor, Permission::kTriageReferrals) && !v.open_case && !v.person.anonymized_at;
  return v;
}

CaseAccessLog CaseService::AccessLog(const Actor& actor, domain::PersonId person, int limit) {
  Require(actor, Permission::kViewCaseAccessLog);
  CaseAccessLog log;
  store_.Read([&](Tx& tx) {
    const auto p = LoadTeamPerson(actor, tx, person);
    log.person_id = p.id;
    log.person_name = NameOf(p.data);
    log.consultations =
        tx.audit().Consultations(p.id, actor.structure_id.value_or(0), std::clamp(limit, 1, 1000));
  });
  return log;
}

domain::FieldErrors CaseService::RecordPrivacyNotice(const Actor& actor, domain::PersonId person,
                                                     const std::string& on) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto p = LoadTeamPerson(actor, tx, person);
    const Instant now = clock_.Now();
    const auto day = PastDay(on, paris::Today(now), "notice_on", errors);
    if (!day) {
      return;
    }
    tx.persons().SetPrivacyNotice(p.id, *day, now);
    case_detail::Audit(actor, tx, now, "person.privacy_notice_given", "person", p.id);
  });
  return errors;
}

std::string CaseService::PrivacyNoticePdf(const Actor& actor, domain::PersonId person) {
  Require(actor, Permission::kViewCases);
  RequirePrinter(printer_);
  domain::LetterText letter;
  store_.Write([&](Tx& tx) {
    const auto p = LoadTeamPerson(actor, tx, person);
    const Instant now = clock_.Now();
    domain::PrivacyNoticeFacts f;
    f.head = LoadAgendaSettings(tx).letterhead;
    f.controller = tx.settings()
                       .Get("privacy.controller")
                       .value_or(SettingsService::Default("privacy.controller"));
    f.gender = p.data.gender;
    f.first_names = p.data.first_names;
    f.last_name = p.data.usage_name.empty() ? p.data.birth_name : p.data.usage_name;
    f.address_line = p.data.address_line;
    f.postal_code = p.data.postal_code;
    f.city = p.data.city;
    f.retention_months = IntSetting(tx, "retention.months");
    f.today = now;
    letter = domain::ComposePrivacyNotice(f);
    case_detail::Audit(actor, tx, now, "person.privacy_notice_print", "person", p.id);
  });
  return printer_->Print({letter}, "Vos informations personnelles et vos droits");
}

domain::FieldErrors CaseService::AddRightsRequest(const Actor& actor, domain::PersonId person,
                                                  const std::string& kind,
                                                  const std::string& received_on) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto p = LoadTeamPerson(actor, tx, person);
    const Instant now = clock_.Now();
    if (FindRightsRequestKind(kind) == nullptr) {
      errors.push_back({"kind", "Choisissez ce que la personne demande."});
    }
    const auto day = PastDay(received_on, paris::Today(now), "received_on", errors);
    if (!errors.empty()) {
      return;
    }
    RightsRequest r;
    r.person_id = p.id;
    r.kind = kind;
    r.received_on = *day;
    r.due_on = AddMonths(*day, 1);  // RGPD art. 12.3: one month from receipt
    const auto id = tx.persons().InsertRightsRequest(
        r, actor.is_user() ? std::optional(actor.user_id) : std::nullopt, now);
    case_detail::Audit(actor, tx, now, "rights_request.create", "rights_request", id,
                       "kind=" + kind);
  });
  return errors;
}

domain::FieldErrors CaseService::AnswerRightsRequest(const Actor& actor, domain::PersonId person,
                                                     std::int64_t request,
                                                     const std::string& status,
                                                     const std::string& on) {
  Require(actor, Permission::kRecordAccompaniment);
  domain::FieldErrors errors;
  store_.Write([&](Tx& tx) {
    const auto p = LoadTeamPerson(actor, tx, person);
    const auto r = tx.persons().FindRightsRequest(request);
    if (!r || r->person_id != p.id) {
      throw Error(ErrorCode::kNotFound, "Cette demande n’existe pas.");
    }
    if (r->status != "ouverte") {
      throw Error(ErrorCode::kConflict, "Cette demande a déjà reçu sa réponse.");
    }
    const Instant now = clock_.Now();
    if (status != "repondue" && status != "refusee") {
      errors.push_back({"status", "Choisissez la réponse donnée."});
    }
    const auto day = PastDay(on, paris::Today(now), "answered_on", errors);
    if (day && *day < r->received_on) {
      errors.push_back({"answered_on", "La réponse ne peut pas précéder la demande, reçue le " +
                                           paris::FormatDate(r->received_on) + "."});
    }
    if (!errors.empty()) {
      return;
    }
    tx.persons().AnswerRightsRequest(request, status, *day, now);
    case_detail::Audit(actor, tx, now, "rights_request.answer", "rights_request", request,
                       "status=" + status);
  });
  return errors;
}

AccessCopy CaseService::ExportPersonData(const Actor& actor, domain::PersonId person) {
  AccessCopy copy;
  copy.file = Open(actor, person);
  store_.Write([&](Tx& tx) {
    copy.history = tx.persons().Changes(copy.file.person.id);
    copy.requests = tx.persons().RightsRequests(copy.file.person.id);
    copy.generated_at = clock_.Now();
    case_detail::Audit(actor, tx, copy.generated_at, "person.access_export", "person",
                       copy.file.person.id);
  });
  return copy;
}

std::string CaseService::AccessCopyPdf(const Actor& actor, domain::PersonId person) {
  RequirePrinter(printer_);
  const AccessCopy copy = ExportPersonData(actor, person);
  const auto& p = copy.file.person.data;
  domain::Letterhead head;
  store_.Read([&](Tx& tx) { head = LoadAgendaSettings(tx).letterhead; });
  // Addressed like the other letters; the body lists what the file holds, in plain words.
  domain::LetterText t = domain::Addressed(
      head, p.gender, p.first_names, p.usage_name.empty() ? p.birth_name : p.usage_name,
      p.address_line, p.postal_code, p.city, copy.generated_at);
  t.subject = "Copie des informations que nous avons sur vous";
  t.signature_name = head.name;
  t.blocks.push_back({"Pourquoi ce courrier",
                      {"Vous avez le droit de voir toutes les informations sur vous.",
                       "Voici la copie de votre dossier, faite le " +
                           paris::FormatLongDate(paris::Today(copy.generated_at)) + "."}});
  std::vector<std::string> identity;
  const auto add = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) {
      identity.push_back(label + " : " + value);
    }
  };
  add("Nom de naissance", p.birth_name);
  add("Nom d’usage", p.usage_name);
  add("Prénoms", p.first_names);
  if (p.birth_date) {
    add("Date de naissance", paris::FormatDate(*p.birth_date));
  } else if (p.birth_year) {
    add("Année de naissance", std::to_string(*p.birth_year));
  }
  add("Adresse", text::Trim(p.address_line + " " + p.postal_code + " " + p.city));
  add("Téléphone", domain::FormatPhoneFr(p.phone));
  add("E-mail", p.email);
  add("Langue",
      p.language.empty() ? std::string() : reference_.vocabularies.languages.Label(p.language));
  add("Disponibilités", p.availability);
  add("Adaptations", p.adaptations);
  add("Aidant", p.carer);
  t.blocks.push_back({"Votre identité et vos coordonnées", identity});
  const auto text_items = domain::FreeTextItems(reference_.assessment);
  for (const auto& c : copy.file.cases) {
    std::vector<std::string> lines;
    lines.push_back("Orientée par : " + c.referral.structure_name + ".");
    if (!c.referral.data.reason.empty()) {
      lines.push_back("Motif : " + c.referral.data.reason);
    }
    if (!c.referral.data.difficulties.empty()) {
      lines.push_back("Difficultés décrites : " + c.referral.data.difficulties);
    }
    // The texts the timeline does not show in full.
    const auto add_text = [&lines](const std::string& label, const std::string& text) {
      if (!text.empty()) {
        lines.push_back(label + " : " + text);
      }
    };
    add_text("Disponibilités pour un rendez-vous à trois", c.referral.data.tripartite_availability);
    for (const auto& a : c.appointments) {
      const auto& v = a.appointment;
      const std::string when = "Rendez-vous du " + paris::FormatDateTime(v.starts_at);
      add_text(when + ", lieu", text::Trim(v.place_label + " " + v.address_line));
      add_text(when + ", à préparer", v.to_bring);
      add_text(when + ", résultat", v.outcome_note);
    }
    for (const auto& b : c.assessments) {
      for (const auto& [item, value] : b.answers) {
        if (item.ends_with("/adaptation") ||
            std::find(text_items.begin(), text_items.end(), item) != text_items.end()) {
          add_text("Bilan du " + paris::FormatDate(b.conducted_on), value);
        }
      }
    }
    for (const auto& pr : c.procedures) {
      add_text("Démarche " + pr.code, pr.note);
    }
    for (const auto& o : c.orientations) {
      add_text("Orientation vers " + o.partner_name, o.note);
    }
    for (const auto& r : c.reviews) {
      const std::string when = "Point d’étape du " + paris::FormatDate(r.scheduled_at);
      add_text(when + ", compte rendu", r.minutes);
      add_text(when + ", décisions", r.decisions);
    }
    for (const auto& f : c.feedbacks) {
      add_text("Retour au prescripteur du " + paris::FormatDate(f.sent_at), f.next_steps);
    }
    for (const auto& q : c.quarterly_reports) {
      add_text("Bilan trimestriel du " + paris::FormatDate(q.sent_at), q.observations);
      add_text("Bilan trimestriel du " + paris::FormatDate(q.sent_at) + ", perspectives",
               q.perspectives);
    }
    t.blocks.push_back({"Accompagnement " + c.referral.number, lines});
  }
  std::vector<std::string> history;
  for (const auto& e : copy.file.timeline) {
    const std::string when = e.date_only ? paris::FormatDate(e.at) : paris::FormatDateTime(e.at);
    history.push_back(when + " — " + e.title + (e.detail.empty() ? "" : " : " + e.detail));
  }
  t.blocks.push_back({"Ce que nous avons noté, du plus récent au plus ancien", history});
  std::vector<std::string> changes;
  for (const auto& ch : copy.history) {
    changes.push_back(paris::FormatDate(ch.at) + " — " + ch.field + " : « " + ch.old_value +
                      " » remplacé par « " + ch.new_value + " »");
  }
  t.blocks.push_back({"Les corrections de votre fiche", changes});
  std::vector<std::string> requests;
  for (const auto& r : copy.requests) {
    requests.push_back(
        (FindRightsRequestKind(r.kind) != nullptr
             ? std::string(FindRightsRequestKind(r.kind)->phrase)
             : r.kind) +
        " reçue le " + paris::FormatDate(r.received_on) +
        (r.answered_on ? ", répondue le " + paris::FormatDate(*r.answered_on) : ", en cours") +
        ".");
  }
  t.blocks.push_back({"Vos demandes sur vos données", requests});
  t.blocks.push_back(
      {"Vos droits",
       {"Si une information est fausse, vous pouvez la faire corriger.",
        head.privacy_contact.empty()
            ? "Demandez-le à l’équipe qui vous aide."
            : "Demandez-le à l’équipe qui vous aide, ou ici : " + head.privacy_contact + "."}});
  return printer_->Print({t}, "Copie de vos informations");
}

void CaseService::ErasePerson(const Actor& actor, domain::PersonId person) {
  Require(actor, Permission::kTriageReferrals);
  store_.Write([&](Tx& tx) {
    bool open = false;
    const auto p = LoadTeamPerson(actor, tx, person, &open);
    if (p.anonymized_at) {
      throw Error(ErrorCode::kConflict, "Cette personne est déjà anonymisée.");
    }
    if (open) {
      throw Error(ErrorCode::kConflict,
                  "Un accompagnement de cette personne est encore ouvert, dans l’équipe ou "
                  "ailleurs : il doit être clôturé avant de l’anonymiser.");
    }
    const Instant now = clock_.Now();
    tx.retention().AnonymisePerson(p.id, now, domain::FreeTextItems(reference_.assessment));
    case_detail::Audit(actor, tx, now, "person.erase", "person", p.id);
  });
}

}  // namespace allervers::service
