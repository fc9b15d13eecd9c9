#include "domain/referral.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "common/text.hpp"
#include "domain/phone.hpp"
#include "domain/user.hpp"

namespace allervers::domain {
namespace {

struct StatusInfo {
  ReferralStatus status;
  std::string_view code;
  std::string_view label;
};

constexpr std::array<StatusInfo, 10> kStatuses = {{
    {ReferralStatus::kDraft, "draft", "Brouillon"},
    {ReferralStatus::kReceived, "received", "Reçue"},
    {ReferralStatus::kAccepted, "accepted", "Acceptée"},
    {ReferralStatus::kContact, "contact", "Prise de contact"},
    {ReferralStatus::kAppointmentSet, "appointment_set", "Rendez-vous fixé"},
    {ReferralStatus::kInProgress, "in_progress", "Accompagnement en cours"},
    {ReferralStatus::kClosed, "closed", "Clôturée"},
    {ReferralStatus::kNotReceivable, "not_receivable", "Non recevable"},
    {ReferralStatus::kRedirected, "redirected", "Réorientée"},
    {ReferralStatus::kWithdrawn, "withdrawn", "Retirée par le prescripteur"},
}};

constexpr std::size_t kMaxShortText = 200;
constexpr long kMaxPerField = 5;
constexpr std::size_t kMaxLongText = 4000;

class Checker {
 public:
  explicit Checker(FieldErrors& errors) : errors_(errors) {}

  // Trims, checks encoding and length, normalises to NFC.
  std::string Text(const std::string& field, const std::string& value, std::size_t max,
                   bool required, const char* required_message = nullptr) {
    std::string v = text::Trim(value);
    if (!text::IsValidUtf8(v)) {
      Add(field, "Ce texte contient des caractères illisibles : retapez-le.");
      return {};
    }
    if (text::HasControlCharacters(v)) {
      Add(field, "Ce texte contient des caractères non autorisés.");
      return {};
    }
    if (required && v.empty()) {
      Add(field, required_message ? required_message : "Ce champ est obligatoire.");
      return {};
    }
    if (text::CodePointCount(v) > max) {
      Add(field, fmt::format("Ce texte est trop long ({} caractères au plus).", max));
      return {};
    }
    return text::ToNfc(v);
  }

  std::vector<std::string> Codes(const std::string& field, const std::vector<std::string>& values,
                                 const Vocabulary& vocabulary) {
    std::vector<std::string> out;
    for (const auto& raw : values) {
      const std::string v = text::Trim(raw);
      if (v.empty()) {
        continue;
      }
      if (!vocabulary.Contains(v)) {
        Add(field, "Valeur inconnue : « " + Printable(v) + " ».");
        continue;
      }
      if (std::find(out.begin(), out.end(), v) == out.end()) {
        out.push_back(v);
      }
    }
    return out;
  }

  void Add(const std::string& field, std::string message) {
    errors_.push_back({field, std::move(message)});
  }

  static std::string Printable(const std::string& v) { return text::Truncate(v, 40); }

 private:
  FieldErrors& errors_;
};

std::optional<int> ParseInt(const std::string& s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::string_view StatusCode(ReferralStatus s) {
  for (const auto& i : kStatuses) {
    if (i.status == s) {
      return i.code;
    }
  }
  return "";
}

std::string_view StatusLabel(ReferralStatus s) {
  for (const auto& i : kStatuses) {
    if (i.status == s) {
      return i.label;
    }
  }
  return "";
}

std::optional<ReferralStatus> ParseStatus(std::string_view code) {
  for (const auto& i : kStatuses) {
    if (i.code == code) {
      return i.status;
    }
  }
  return std::nullopt;
}

const std::vector<ReferralStatus>& AllStatuses() {
  static const std::vector<ReferralStatus> all = [] {
    std::vector<ReferralStatus> v;
    for (const auto& i : kStatuses) {
      v.push_back(i.status);
    }
    return v;
  }();
  return all;
}

bool CanTransition(ReferralStatus from, ReferralStatus to) {
  using S = ReferralStatus;
  switch (from) {
    case S::kDraft:
      return to == S::kReceived;
    case S::kReceived:
      return to == S::kAccepted || to == S::kNotReceivable || to == S::kRedirected ||
             to == S::kWithdrawn;
    // An intervention or a finished bilan puts the accompaniment under way even without a
    // planned appointment (met at a partner's premises, helped over the telephone).
    case S::kAccepted:
      return to == S::kContact || to == S::kAppointmentSet || to == S::kInProgress ||
             to == S::kWithdrawn || to == S::kClosed;
    case S::kContact:
      return to == S::kAppointmentSet || to == S::kInProgress || to == S::kWithdrawn ||
             to == S::kClosed;
    case S::kAppointmentSet:
      return to == S::kInProgress || to == S::kContact || to == S::kWithdrawn || to == S::kClosed;
    case S::kInProgress:
      return to == S::kClosed;
    case S::kClosed:
      return to == S::kInProgress;  // reopening keeps the history
    case S::kNotReceivable:
    case S::kRedirected:
    case S::kWithdrawn:
      return false;
  }
  return false;
}

bool IsOpen(ReferralStatus s) {
  return s == ReferralStatus::kReceived || s == ReferralStatus::kAccepted ||
         s == ReferralStatus::kContact || s == ReferralStatus::kAppointmentSet ||
         s == ReferralStatus::kInProgress;
}

bool IsTakenOn(ReferralStatus s) {
  return s == ReferralStatus::kAccepted || s == ReferralStatus::kContact ||
         s == ReferralStatus::kAppointmentSet || s == ReferralStatus::kInProgress;
}

PersonIdentity PersonData::Identity() const {
  PersonIdentity id;
  id.birth_name = birth_name;
  id.usage_name = usage_name;
  id.first_names = first_names;
  id.birth_date = birth_date;
  id.birth_year = birth_date ? std::optional<int>(birth_date->year) : birth_year;
  id.phone = phone;
  id.email = email;
  id.postal_code = postal_code;
  return id;
}

std::string FormatReferralNumber(int year, int sequence) {
  return fmt::format("FL-{}-{:05}", year, sequence);
}

std::string_view UrgencyLabel(int urgency) {
  switch (urgency) {
    case 0:
      return "Pas d’urgence";
    case 1:
      return "À traiter sous quelques semaines";
    case 2:
      return "Urgent : échéance proche";
    case 3:
      return "Très urgent : droits interrompus ou menacés";
    default:
      return "";
  }
}

void ValidatePersonFields(const ReferralInput& in, const ReferenceData& ref, const LocalDate& today,
                          PersonData& p, FieldErrors& errors) {
  Checker c(errors);
  const auto& vocab = ref.vocabularies;
  p.birth_name = c.Text("person.last_name", in.last_name, kMaxShortText, true,
                        "Indiquez le nom de la personne.");
  p.usage_name = c.Text("person.usage_name", in.usage_name, kMaxShortText, false);
  p.first_names = c.Text("person.first_name", in.first_names, kMaxShortText, true,
                         "Indiquez le prénom de la personne.");
  const std::string birth_date = text::Trim(in.birth_date);
  const std::string birth_year = text::Trim(in.birth_year);
  if (!birth_date.empty()) {
    const auto d = ParseIsoDate(birth_date);
    if (!d) {
      c.Add("person.birth_date",
            "La date de naissance n’existe pas : utilisez le format JJ/MM/AAAA.");
    } else if (*d > today || d->year < 1900) {
      c.Add("person.birth_date", "La date de naissance doit être passée et postérieure à 1900.");
    } else {
      p.birth_date = d;
      p.birth_year = d->year;
    }
  } else if (!birth_year.empty()) {
    const auto y = ParseInt(birth_year);
    if (!y || *y < 1900 || *y > today.year) {
      c.Add("person.birth_year",
            fmt::format("L’année de naissance est un nombre entre 1900 et {}.", today.year));
    } else {
      p.birth_year = y;
    }
  }
  p.gender = text::Trim(in.gender);
  if (!p.gender.empty() && !vocab.genders.Contains(p.gender)) {
    c.Add("person.gender", "Valeur inconnue pour le genre.");
  }
  if (!text::Trim(in.phone).empty()) {
    if (auto phone = NormalizePhone(in.phone)) {
      p.phone = *phone;
    } else {
      c.Add("person.phone", "Le numéro de téléphone n’est pas valide, par exemple 06 12 34 56 78.");
    }
  }
  p.email = NormalizeEmail(in.email);
  if (!p.email.empty() && !IsPlausibleEmail(p.email)) {
    c.Add("person.email", "L’adresse e-mail n’est pas valide, par exemple prenom.nom@exemple.fr.");
  }
  p.address_line = c.Text("person.address.line", in.address_line, kMaxShortText, false);
  p.postal_code = text::Trim(in.postal_code);
  p.postal_code.erase(std::remove(p.postal_code.begin(), p.postal_code.end(), ' '),
                      p.postal_code.end());
  if (p.postal_code.empty()) {
    c.Add("person.address.postal_code", "Indiquez le code postal du domicile.");
  } else if (p.postal_code.size() != 5 ||
             p.postal_code.find_first_not_of("0123456789") != std::string::npos ||
             p.postal_code.starts_with("00")) {
    c.Add("person.address.postal_code", "Le code postal compte 5 chiffres, par exemple 95000.");
  }
  p.city = c.Text("person.address.city", in.city, kMaxShortText, true,
                  "Indiquez la commune du domicile.");
  if (p.phone.empty() && p.address_line.empty()) {
    c.Add("person.phone",
          "Indiquez au moins un moyen de joindre la personne : son téléphone ou son adresse.");
  }
  p.language = text::Trim(in.language);
  if (!p.language.empty() && !vocab.languages.Contains(p.language)) {
    c.Add("person.language", "Langue inconnue : choisissez-la dans la liste.");
  }
  p.interpreter_needed = in.interpreter_needed;
  p.contact_preferences =
      c.Codes("person.contact_preferences", in.contact_preferences, vocab.contact_preferences);
  p.availability = c.Text("person.availability", in.availability, kMaxShortText, false);
  p.adaptations = c.Text("person.adaptations", in.adaptations, kMaxLongText, false);
  p.carer = c.Text("person.carer", in.carer, kMaxShortText, false);
}

FieldErrors ValidateReferral(const ReferralInput& in, const ReferenceData& ref,
                             const LocalDate& today, ReferralData& out) {
  FieldErrors errors;
  Checker c(errors);
  const auto& vocab = ref.vocabularies;

  // Referrer.
  out.referrer_name = c.Text("referrer.name", in.referrer_name, kMaxShortText, true,
                             "Indiquez le nom du prescripteur.");
  out.referrer_function = c.Text("referrer.function", in.referrer_function, kMaxShortText, false);
  const std::string referrer_email = NormalizeEmail(in.referrer_email);
  if (!referrer_email.empty() && !IsPlausibleEmail(referrer_email)) {
    c.Add("referrer.email", "L’adresse e-mail du prescripteur n’est pas valide.");
  }
  out.referrer_email = referrer_email;
  if (!text::Trim(in.referrer_phone).empty()) {
    if (auto p = NormalizePhone(in.referrer_phone)) {
      out.referrer_phone = *p;
    } else {
      c.Add("referrer.phone",
            "Le téléphone du prescripteur n’est pas valide, par exemple 01 34 25 39 02.");
    }
  }

  ValidatePersonFields(in, ref, today, out.person, errors);

  // Reasons.
  out.situations = c.Codes("reasons.situations", in.situations, vocab.situations);
  for (const auto& raw : in.procedures) {
    const std::string code = text::Trim(raw);
    if (code.empty()) {
      continue;
    }
    if (!ref.procedures.Find(code)) {
      c.Add("reasons.procedures",
            "Démarche inconnue du catalogue : « " + Checker::Printable(code) + " ».");
    } else if (std::find(out.procedures.begin(), out.procedures.end(), code) ==
               out.procedures.end()) {
      out.procedures.push_back(code);
    }
  }
  for (const auto& raw : in.presumed_rights) {
    const std::string code = text::Trim(raw);
    if (code.empty()) {
      continue;
    }
    const Procedure* proc = ref.procedures.Find(code);
    if (!proc || !proc->opens_right) {
      c.Add("reasons.presumed_unclaimed_rights",
            "Droit inconnu : « " + Checker::Printable(code) + " ».");
    } else if (std::find(out.presumed_rights.begin(), out.presumed_rights.end(), code) ==
               out.presumed_rights.end()) {
      out.presumed_rights.push_back(code);
    }
  }
  out.digital_difficulties =
      c.Codes("reasons.digital_difficulties", in.digital_difficulties, vocab.digital_difficulties);
  out.difficulties = c.Text("reasons.difficulties", in.difficulties, kMaxLongText, false);
  out.reason = c.Text("reasons.motive", in.reason, kMaxLongText, false);
  const bool procedure_error = std::any_of(errors.begin(), errors.end(), [](const FieldError& e) {
    return e.field == "reasons.procedures";
  });
  if (out.procedures.empty() && out.reason.empty() && !procedure_error) {
    c.Add("reasons.procedures",
          "Choisissez au moins une démarche ou décrivez le motif de l’orientation.");
  }

  // Urgency.
  const std::string urgency = text::Trim(in.urgency);
  const auto u = ParseInt(urgency.empty() ? "0" : urgency);
  if (!u || *u < 0 || *u > 3) {
    c.Add("urgency", "L’urgence va de 0 (pas d’urgence) à 3 (très urgent).");
  } else {
    out.urgency = *u;
  }
  out.urgency_reason = c.Text("urgency_reason", in.urgency_reason, kMaxLongText, false);
  if (u && *u >= 2 && out.urgency_reason.empty() && text::Trim(in.urgency_reason).empty()) {
    c.Add("urgency_reason", "Expliquez l’urgence : échéance, rupture de droits…");
  }
  out.tripartite_requested = in.tripartite_requested;
  out.tripartite_availability =
      c.Text("tripartite_availability", in.tripartite_availability, kMaxShortText, false);

  // Consent.
  if (!in.consent_given) {
    c.Add(
        "consent.given",
        "L’accord de la personne est obligatoire : sans lui, la fiche ne peut pas être transmise.");
  }
  const std::string consent_date = text::Trim(in.consent_date);
  if (consent_date.empty()) {
    c.Add("consent.date", "Indiquez la date à laquelle la personne a donné son accord.");
  } else if (const auto d = ParseIsoDate(consent_date); !d) {
    c.Add("consent.date", "La date de l’accord n’existe pas.");
  } else if (*d > today) {
    c.Add("consent.date", "La date de l’accord ne peut pas être dans le futur.");
  } else if (DaysBetween(*d, today) > 366) {
    c.Add("consent.date", "L’accord date de plus d’un an : faites-le confirmer par la personne.");
  } else {
    out.consent_date = *d;
  }
  out.consent_how = text::Trim(in.consent_how);
  if (!vocab.consent_methods.Contains(out.consent_how)) {
    c.Add("consent.how", "Indiquez comment l’accord a été recueilli : oral ou écrit.");
  }
  return errors;
}

}  // namespace allervers::domain
