#include "domain/accompaniment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "common/text.hpp"

namespace allervers::domain {
namespace {

std::optional<int> ParseInt(const std::string& raw) {
  const std::string s = text::Trim(raw);
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// Known codes of `vocabulary`, deduplicated in the order given; an error names the field
// when one is unknown.
std::vector<std::string> Codes(const std::vector<std::string>& in, const Vocabulary& vocabulary,
                               const char* field, const char* what, FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& code : in) {
    if (code.empty()) {
      continue;
    }
    if (!vocabulary.Contains(code)) {
      errors.push_back(
          FieldError{field, fmt::format("{} inconnu : choisissez dans la liste.", what)});
      return {};
    }
    if (std::find(out.begin(), out.end(), code) == out.end()) {
      out.push_back(code);
    }
  }
  return out;
}

// A date a person typed: valid, not after `today`, not before `earliest`.
std::optional<LocalDate> PastDate(const std::string& raw, const LocalDate& today,
                                  const LocalDate& earliest, const char* field, const char* what,
                                  FieldErrors& errors) {
  const auto d = ParseTypedDate(raw);
  if (!d) {
    errors.push_back(FieldError{
        field, fmt::format("{} n’est pas une date valide : écrivez-la comme 01/12/2026.", what)});
    return std::nullopt;
  }
  if (*d > today) {
    errors.push_back(FieldError{field, fmt::format("{} ne peut pas être dans le futur.", what)});
    return std::nullopt;
  }
  if (*d < earliest) {
    errors.push_back(FieldError{field, fmt::format("{} est trop ancienne.", what)});
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string_view AssessmentKindCode(AssessmentKind k) {
  return k == AssessmentKind::kInitial ? "initial" : "final";
}

std::string_view AssessmentKindLabel(AssessmentKind k) {
  return k == AssessmentKind::kInitial ? "Bilan initial" : "Bilan final";
}

std::optional<AssessmentKind> ParseAssessmentKind(std::string_view s) {
  if (s == "initial") {
    return AssessmentKind::kInitial;
  }
  if (s == "final") {
    return AssessmentKind::kFinal;
  }
  return std::nullopt;
}

FieldErrors ValidateExternalScores(const ExternalScoresInput& in, const LocalDate& today,
                                   Assessment& out) {
  FieldErrors errors;
  const LocalDate earliest{today.year - 5, today.month, std::min(today.day, 28)};
  auto score = [&](const std::string& raw, int max, const char* field,
                   const char* what) -> std::optional<int> {
    if (text::Trim(raw).empty()) {
      return std::nullopt;
    }
    const auto v = ParseInt(raw);
    if (!v || *v < 0 || *v > max) {
      errors.push_back(
          FieldError{field, fmt::format("Le score {} est un nombre entier de 0 à {}.", what, max)});
      return std::nullopt;
    }
    return v;
  };
  auto date = [&](const std::string& raw, const char* field) -> std::optional<LocalDate> {
    if (text::Trim(raw).empty()) {
      return std::nullopt;
    }
    return PastDate(raw, today, earliest, field, "La date du test", errors);
  };
  out.abc_diag_score = score(in.abc_diag_score, 100, "abc_diag_score", "ABC Diag");
  out.abc_diag_on = date(in.abc_diag_on, "abc_diag_on");
  out.pix_score = score(in.pix_score, 1024, "pix_score", "Pix");
  out.pix_on = date(in.pix_on, "pix_on");
  if (out.abc_diag_score.has_value() != out.abc_diag_on.has_value() && errors.empty()) {
    errors.push_back(FieldError{out.abc_diag_score ? "abc_diag_on" : "abc_diag_score",
                                "Indiquez le score ABC Diag et la date du test ensemble."});
  }
  if (out.pix_score.has_value() != out.pix_on.has_value() && errors.empty()) {
    errors.push_back(FieldError{out.pix_score ? "pix_on" : "pix_score",
                                "Indiquez le score Pix et la date du test ensemble."});
  }
  return errors;
}

const std::vector<int>& DurationQuickPicks() {
  static const std::vector<int> kPicks = {15, 30, 45, 60, 90, 120};
  return kPicks;
}

std::string FormatMinutes(int m) {
  if (m < 60) {
    return fmt::format("{} min", m);
  }
  return m % 60 == 0 ? fmt::format("{} h", m / 60) : fmt::format("{} h {:02}", m / 60, m % 60);
}

FieldErrors ValidateIntervention(const InterventionInput& in, const Vocabularies& v,
                                 const LocalDate& today, Intervention& out) {
  FieldErrors errors;
  const LocalDate earliest{today.year - 1, today.month, std::min(today.day, 28)};
  if (const auto d = PastDate(in.date, today, earliest, "date", "La date", errors)) {
    out.occurred_on = *d;
  }

  std::optional<int> minutes;
  if (in.duration == "autre") {
    minutes = ParseInt(in.custom_duration);
    if (!minutes || *minutes < 1 || *minutes > kMaxInterventionMinutes) {
      errors.push_back(FieldError{"custom_duration", fmt::format("Indiquez la durée en minutes, "
                                                                 "de 1 à {}.",
                                                                 kMaxInterventionMinutes)});
      minutes.reset();
    }
  } else {
    minutes = ParseInt(in.duration);
    const auto& picks = DurationQuickPicks();
    if (!minutes || std::find(picks.begin(), picks.end(), *minutes) == picks.end()) {
      errors.push_back(FieldError{"duration", "Choisissez la durée de l’intervention."});
      minutes.reset();
    }
  }
  out.duration_minutes = minutes.value_or(0);

  if (!v.intervention_places.Contains(in.place)) {
    errors.push_back(FieldError{"place", "Choisissez le lieu de l’intervention."});
  }
  out.place = in.place;
  if (!v.intervention_modalities.Contains(in.modality)) {
    errors.push_back(FieldError{"modality",
                                "Choisissez la modalité : faire à la place, faire "
                                "avec ou former."});
  }
  out.modality = in.modality;
  if (!in.autonomy.empty() && !v.autonomy.Contains(in.autonomy)) {
    errors.push_back(FieldError{"autonomy", "Autonomie inconnue : choisissez dans la liste."});
  }
  out.autonomy = in.autonomy;
  out.digital_themes =
      Codes(in.digital_themes, v.digital_themes, "digital_themes", "Thème", errors);
  out.administrative_themes = Codes(in.administrative_themes, v.administrative_themes,
                                    "administrative_themes", "Thème de démarche", errors);
  out.equipment = Codes(in.equipment, v.equipment, "equipment", "Matériel", errors);
  if (out.digital_themes.empty() && out.administrative_themes.empty() &&
      std::none_of(errors.begin(), errors.end(), [](const FieldError& e) {
        return e.field == "digital_themes" || e.field == "administrative_themes";
      })) {
    errors.push_back(FieldError{"digital_themes", "Cochez au moins un thème d’accompagnement."});
  }
  if (std::find(out.equipment.begin(), out.equipment.end(), "aucun") != out.equipment.end() &&
      out.equipment.size() > 1) {
    errors.push_back(
        FieldError{"equipment", "« Pas de matériel » ne peut pas être coché avec un appareil."});
  }

  out.workers.clear();
  for (const auto& w : in.workers) {
    const auto id = ParseInt(w);
    if (!id || *id <= 0) {
      errors.push_back(FieldError{"workers", "Intervenant inconnu : choisissez dans la liste."});
      break;
    }
    if (std::find(out.workers.begin(), out.workers.end(), *id) == out.workers.end()) {
      out.workers.push_back(*id);
    }
  }
  if (out.workers.empty() && std::none_of(errors.begin(), errors.end(), [](const FieldError& e) {
        return e.field == "workers";
      })) {
    errors.push_back(FieldError{"workers", "Cochez au moins un intervenant."});
  }

  const std::string summary = text::Trim(in.summary);
  if (!text::IsValidUtf8(summary)) {
    errors.push_back(FieldError{"summary", "Le compte rendu contient des caractères illisibles."});
  } else if (text::CodePointCount(summary) > kMaxSummaryLength) {
    errors.push_back(FieldError{
        "summary", fmt::format("Le compte rendu dépasse {} caractères.", kMaxSummaryLength)});
  } else if (LooksLikeCredential(summary)) {
    errors.push_back(FieldError{"summary", "N’écrivez jamais un mot de passe de la personne."});
  }
  out.summary = summary;

  out.procedures.clear();
  for (const auto& p : in.procedures) {
    const auto id = ParseInt(p);
    if (!id || *id <= 0) {
      errors.push_back(FieldError{"procedures", "Démarche inconnue : choisissez dans la liste."});
      break;
    }
    out.procedures.push_back(*id);
  }

  out.appointment_id.reset();
  if (!text::Trim(in.appointment).empty()) {
    const auto id = ParseInt(in.appointment);
    if (!id || *id <= 0) {
      errors.push_back(FieldError{"appointment", "Rendez-vous inconnu."});
    } else {
      out.appointment_id = *id;
    }
  }
  return errors;
}

namespace {

struct StatusRow {
  ProcedureStatus status;
  const char* code;
  const char* label;
};
constexpr std::array<StatusRow, 8> kStatuses = {{
    {ProcedureStatus::kTodo, "a_faire", "À faire"},
    {ProcedureStatus::kInProgress, "en_cours", "En cours"},
    {ProcedureStatus::kFiled, "deposee", "Déposée"},
    {ProcedureStatus::kCompleted, "finalisee", "Finalisée"},
    {ProcedureStatus::kToFinishAlone, "a_finaliser_autonomie", "À finaliser en autonomie"},
    {ProcedureStatus::kMustReturn, "doit_revenir", "Doit revenir"},
    {ProcedureStatus::kOriented, "orientee", "Orientée vers une autre structure"},
    {ProcedureStatus::kAbandoned, "abandonnee", "Abandonnée"},
}};

struct OutcomeRow {
  RightOutcome outcome;
  const char* code;
  const char* label;
};
constexpr std::array<OutcomeRow, 4> kOutcomes = {{
    {RightOutcome::kNone, "", "Pas encore de réponse"},
    {RightOutcome::kOpened, "ouvert", "Droit ouvert"},
    {RightOutcome::kRefused, "refuse", "Droit refusé"},
    {RightOutcome::kPending, "en_attente", "Réponse en attente"},
}};

// Euros as typed ("607,75", "607.75", "607", "1 200,50") → cents; none when not a sum.
std::optional<std::int64_t> ParseEuros(const std::string& raw) {
  std::string s;
  for (char c : text::Trim(raw)) {
    if (c != ' ') {
      s.push_back(c == ',' ? '.' : c);
    }
  }
  // Non-breaking spaces typed as thousands separators.
  for (const std::string nbsp : {"\u00a0", "\u202f"}) {
    for (auto pos = s.find(nbsp); pos != std::string::npos; pos = s.find(nbsp)) {
      s.erase(pos, nbsp.size());
    }
  }
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "\u20ac") == 0) {
    s.resize(s.size() - 2);
  }
  const auto dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  std::string cents = dot == std::string::npos ? "00" : s.substr(dot + 1);
  if (cents.size() == 1) {
    cents += "0";
  }
  if (whole.empty() || whole.size() > 6 || cents.size() != 2 ||
      whole.find_first_not_of("0123456789") != std::string::npos ||
      cents.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(whole) * 100 + std::stoll(cents);
}

std::optional<LocalDate> OptionalDate(const std::string& raw, const char* field, const char* what,
                                      FieldErrors& errors) {
  if (text::Trim(raw).empty()) {
    return std::nullopt;
  }
  const auto d = ParseTypedDate(raw);
  if (!d || d->year < 2000 || d->year > 2100) {
    errors.push_back(FieldError{
        field, fmt::format("{} n’est pas une date valide : écrivez-la comme 01/12/2026.", what)});
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string_view ProcedureStatusCode(ProcedureStatus s) {
  for (const auto& r : kStatuses) {
    if (r.status == s) {
      return r.code;
    }
  }
  return "a_faire";
}

std::string_view ProcedureStatusLabel(ProcedureStatus s) {
  for (const auto& r : kStatuses) {
    if (r.status == s) {
      return r.label;
    }
  }
  return "";
}

std::optional<ProcedureStatus> ParseProcedureStatus(std::string_view s) {
  for (const auto& r : kStatuses) {
    if (r.code == s) {
      return r.status;
    }
  }
  return std::nullopt;
}

const std::vector<ProcedureStatus>& AllProcedureStatuses() {
  static const std::vector<ProcedureStatus> kAll = [] {
    std::vector<ProcedureStatus> v;
    for (const auto& r : kStatuses) {
      v.push_back(r.status);
    }
    return v;
  }();
  return kAll;
}

bool IsProcedureClosed(ProcedureStatus s) {
  return s == ProcedureStatus::kCompleted || s == ProcedureStatus::kOriented ||
         s == ProcedureStatus::kAbandoned;
}

std::string_view RightOutcomeCode(RightOutcome o) {
  for (const auto& r : kOutcomes) {
    if (r.outcome == o) {
      return r.code;
    }
  }
  return "";
}

std::string_view RightOutcomeLabel(RightOutcome o) {
  for (const auto& r : kOutcomes) {
    if (r.outcome == o) {
      return r.label;
    }
  }
  return "";
}

std::optional<RightOutcome> ParseRightOutcome(std::string_view s) {
  for (const auto& r : kOutcomes) {
    if (r.code == s) {
      return r.outcome;
    }
  }
  return std::nullopt;
}

std::optional<LocalDate> SuggestRenewal(const Procedure& p, const LocalDate& opened_on) {
  if (!p.renewal_months) {
    return std::nullopt;
  }
  LocalDate end = opened_on;
  const int months = end.month - 1 + *p.renewal_months;
  end.year += months / 12;
  end.month = months % 12 + 1;
  // 31 March + 12 months… the same day when it exists, else the month's last day.
  while (!ParseIsoDate(ToIso(end))) {
    end.day -= 1;
  }
  return AddDays(end, -p.renewal_notice_days.value_or(0));
}

std::string FormatEuros(std::int64_t cents) {
  std::string whole = std::to_string(cents / 100);
  // Thousands separated by a narrow no-break space, as French typography asks.
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) {
    whole.insert(static_cast<std::size_t>(i), "\u202f");
  }
  return fmt::format("{},{:02} €", whole, cents % 100);
}

bool LooksLikeCredential(std::string_view raw) {
  const std::string s = text::ToLowerAscii(raw);
  for (const std::string_view word :
       {"mot de passe", "mdp", "password", "code secret", "code pin"}) {
    for (auto pos = s.find(word); pos != std::string::npos; pos = s.find(word, pos + 1)) {
      // A credential follows its name after ":" or "=".
      std::size_t after = pos + word.size();
      while (after < s.size() && s[after] == ' ') {
        ++after;
      }
      if (after < s.size() && (s[after] == ':' || s[after] == '=')) {
        return true;
      }
    }
  }
  return false;
}

FieldErrors ValidateProcedure(const ProcedureInput& in, const Procedure& p, const Vocabularies& v,
                              const LocalDate& today, CaseProcedure& out) {
  FieldErrors errors;
  const auto status = ParseProcedureStatus(in.status);
  if (!status) {
    errors.push_back(FieldError{"status", "Choisissez où en est la démarche."});
  } else {
    out.status = *status;
  }
  if (!in.modality.empty() && !v.intervention_modalities.Contains(in.modality)) {
    errors.push_back(FieldError{"modality", "Modalité inconnue : choisissez dans la liste."});
  }
  out.modality = in.modality;
  out.aidants_connect = in.aidants_connect;
  out.due_on = OptionalDate(in.due_on, "due_on", "L’échéance", errors);
  out.renewal_on = OptionalDate(in.renewal_on, "renewal_on", "La date de renouvellement", errors);

  const auto outcome = ParseRightOutcome(in.outcome);
  if (!outcome) {
    errors.push_back(FieldError{"outcome", "Choisissez la réponse de l’organisme."});
  } else if (*outcome != RightOutcome::kNone && !p.opens_right) {
    errors.push_back(FieldError{"outcome",
                                "Cette démarche n’ouvre pas de droit : laissez « Pas "
                                "encore de réponse »."});
  } else {
    out.outcome = *outcome;
  }
  out.outcome_on = OptionalDate(in.outcome_on, "outcome_on", "La date de la réponse", errors);
  if (out.outcome_on && *out.outcome_on > today) {
    errors.push_back(
        FieldError{"outcome_on", "La date de la réponse ne peut pas être dans le futur."});
  }
  if (out.outcome == RightOutcome::kNone || out.outcome == RightOutcome::kPending) {
    out.outcome_on.reset();
  } else if (!out.outcome_on && errors.empty()) {
    out.outcome_on = today;
  }
  out.monthly_amount_cents.reset();
  if (!text::Trim(in.monthly_amount).empty()) {
    const auto cents = ParseEuros(in.monthly_amount);
    if (!cents) {
      errors.push_back(
          FieldError{"monthly_amount", "Écrivez le montant en euros, par exemple 607,75."});
    } else if (out.outcome != RightOutcome::kOpened) {
      errors.push_back(
          FieldError{"monthly_amount", "Le montant se note quand le droit est ouvert."});
    } else {
      out.monthly_amount_cents = cents;
    }
  }
  if (out.outcome == RightOutcome::kOpened && !out.renewal_on && out.outcome_on) {
    out.renewal_on = SuggestRenewal(p, *out.outcome_on);
  }

  const std::string note = text::Trim(in.note);
  if (!text::IsValidUtf8(note) || text::CodePointCount(note) > kMaxProcedureNote) {
    errors.push_back(FieldError{
        "note", fmt::format("La note dépasse {} caractères ou est illisible.", kMaxProcedureNote)});
  } else if (LooksLikeCredential(note)) {
    errors.push_back(FieldError{"note", "N’écrivez jamais un mot de passe de la personne."});
  }
  out.note = note;

  for (auto& d : out.documents) {
    d.gathered = false;
  }
  for (const auto& g : in.gathered) {
    std::size_t pos = 0;
    const auto [ptr, ec] = std::from_chars(g.data(), g.data() + g.size(), pos);
    if (ec != std::errc() || ptr != g.data() + g.size() || pos >= out.documents.size()) {
      errors.push_back(FieldError{"documents", "Pièce inconnue dans la liste."});
      break;
    }
    out.documents[pos].gathered = true;
  }
  return errors;
}

const std::vector<int>& MandateDurations() {
  static const std::vector<int> kDays = {1, 31, 182, 365};
  return kDays;
}

std::string MandateDurationLabel(int days) {
  switch (days) {
    case 1:
      return "1 jour";
    case 31:
      return "1 mois";
    case 182:
      return "6 mois";
    case 365:
      return "1 an";
    default:
      return fmt::format("{} jours", days);
  }
}

FieldErrors ValidateMandate(const MandateInput& in, const ProcedureCatalogue& catalogue,
                            const LocalDate& today, Mandate& out) {
  FieldErrors errors;
  const LocalDate earliest{today.year - 1, today.month, std::min(today.day, 28)};
  if (const auto d = PastDate(in.starts_on, today, earliest, "starts_on",
                              "La date de signature du mandat", errors)) {
    out.starts_on = *d;
  }
  const auto days = ParseInt(in.duration_days);
  const auto& allowed = MandateDurations();
  if (!days || std::find(allowed.begin(), allowed.end(), *days) == allowed.end()) {
    errors.push_back(FieldError{"duration_days",
                                "Choisissez la durée du mandat : 1 jour, 1 mois, "
                                "6 mois ou 1 an."});
  } else {
    out.duration_days = *days;
  }
  out.domains = Codes(in.domains, catalogue.domains, "domains", "Domaine", errors);
  if (out.domains.empty() && std::none_of(errors.begin(), errors.end(), [](const FieldError& e) {
        return e.field == "domains";
      })) {
    errors.push_back(FieldError{"domains", "Cochez au moins un domaine couvert par le mandat."});
  }
  if (errors.empty()) {
    out.ends_on = AddDays(out.starts_on, out.duration_days);
  }
  return errors;
}

FieldErrors ValidateClosure(const ClosureInput& in, const Vocabularies& v, std::string& note) {
  FieldErrors errors;
  if (!v.closure_reasons.Contains(in.reason)) {
    errors.push_back(FieldError{"reason", "Choisissez le motif de la clôture."});
  }
  note = text::Trim(in.note);
  if (!text::IsValidUtf8(note) || text::CodePointCount(note) > kMaxClosureNote) {
    errors.push_back(FieldError{
        "closure_note",
        fmt::format("Le commentaire dépasse {} caractères ou est illisible.", kMaxClosureNote)});
  } else if (in.reason == "autre" && note.empty()) {
    errors.push_back(FieldError{"closure_note", "Précisez le motif « autre » en quelques mots."});
  } else if (LooksLikeCredential(note)) {
    errors.push_back(
        FieldError{"closure_note", "N’écrivez jamais un mot de passe de la personne."});
  }
  return errors;
}

bool ClosureExpectsFinalBilan(std::string_view reason) {
  return reason != "injoignable" && reason != "refus" && reason != "demenagement" &&
         reason != "deces";
}

FieldErrors ValidateNote(const NoteInput& in, Note& out) {
  FieldErrors errors;
  const std::string body = text::Trim(in.body);
  if (!text::IsValidUtf8(body)) {
    errors.push_back(FieldError{"body", "La note contient des caractères illisibles."});
  } else if (body.empty()) {
    errors.push_back(FieldError{"body", "Écrivez la note avant de l’enregistrer."});
  } else if (text::CodePointCount(body) > kMaxNoteLength) {
    errors.push_back(FieldError{
        "body", fmt::format("La note dépasse {} caractères : découpez-la.", kMaxNoteLength)});
  } else if (LooksLikeCredential(body)) {
    errors.push_back(FieldError{"body", "N’écrivez jamais un mot de passe de la personne."});
  }
  out.body = body;
  out.is_private = in.is_private;
  return errors;
}

// ---- Orientations --------------------------------------------------------------------------

namespace {

struct OrientationRow {
  OrientationStatus status;
  const char* code;
  const char* label;
};
constexpr std::array<OrientationRow, 4> kOrientationStatuses = {{
    {OrientationStatus::kProposed, "proposee", "Proposée"},
    {OrientationStatus::kAccepted, "acceptee", "Acceptée par le partenaire"},
    {OrientationStatus::kDone, "realisee", "Réalisée"},
    {OrientationStatus::kNoFollowUp, "sans_suite", "Sans suite"},
}};

// A free text of the accompaniment: readable, at most `max` characters, never a credential.
std::string FreeText(const std::string& raw, const char* field, const char* what, std::size_t max,
                     bool required, FieldErrors& errors) {
  std::string value = text::Trim(raw);
  if (!text::IsValidUtf8(value)) {
    errors.push_back(
        FieldError{field, fmt::format("{} contient des caractères illisibles.", what)});
  } else if (required && value.empty()) {
    errors.push_back(FieldError{field, fmt::format("{} est à remplir.", what)});
  } else if (text::CodePointCount(value) > max) {
    errors.push_back(FieldError{field, fmt::format("{} dépasse {} caractères.", what, max)});
  } else if (LooksLikeCredential(value)) {
    errors.push_back(FieldError{field, "N’écrivez jamais un mot de passe de la personne."});
  }
  return value;
}

}  // namespace

std::string_view OrientationStatusCode(OrientationStatus s) {
  for (const auto& r : kOrientationStatuses) {
    if (r.status == s) {
      return r.code;
    }
  }
  return "proposee";
}

std::string_view OrientationStatusLabel(OrientationStatus s) {
  for (const auto& r : kOrientationStatuses) {
    if (r.status == s) {
      return r.label;
    }
  }
  return "Proposée";
}

std::optional<OrientationStatus> ParseOrientationStatus(std::string_view s) {
  for (const auto& r : kOrientationStatuses) {
    if (s == r.code) {
      return r.status;
    }
  }
  return std::nullopt;
}

const std::vector<OrientationStatus>& AllOrientationStatuses() {
  static const std::vector<OrientationStatus> all = [] {
    std::vector<OrientationStatus> v;
    for (const auto& r : kOrientationStatuses) {
      v.push_back(r.status);
    }
    return v;
  }();
  return all;
}

bool IsOrientationClosed(OrientationStatus s) {
  return s == OrientationStatus::kDone || s == OrientationStatus::kNoFollowUp;
}

FieldErrors ValidateOrientation(const OrientationInput& in, const Vocabularies& v,
                                const LocalDate& today, Orientation& out) {
  FieldErrors errors;
  const std::string name = FreeText(in.partner_name, "partner_name", "Le nom du partenaire", 200,
                                    !out.service_id, errors);
  if (!name.empty()) {
    out.partner_name = name;
  }
  if (!v.redirection_kinds.Contains(in.partner_kind)) {
    errors.push_back(FieldError{"partner_kind", "Choisissez le type de structure partenaire."});
  }
  out.partner_kind = in.partner_kind;
  out.reason =
      FreeText(in.reason, "reason", "Le motif de l’orientation", kMaxOrientationText, true, errors);
  if (const auto status = ParseOrientationStatus(in.status)) {
    out.status = *status;
  } else {
    errors.push_back(FieldError{"status", "Choisissez où en est l’orientation."});
  }
  out.follow_up_on = OptionalDate(in.follow_up_on, "follow_up_on", "La date de suivi", errors);
  if (out.follow_up_on && *out.follow_up_on < AddDays(today, -366)) {
    errors.push_back(FieldError{"follow_up_on", "La date de suivi est trop ancienne."});
  }
  out.shared = Codes(in.shared, v.orientation_shared, "shared", "Élément partagé", errors);
  if (out.shared.empty()) {
    out.consent_method.clear();
    out.consent_on.reset();
  } else if (!in.consent) {
    errors.push_back(FieldError{"consent",
                                "Rien n’est transmis au partenaire sans l’accord de la personne : "
                                "cochez son accord ou décochez ce qui serait partagé."});
  } else if (!v.orientation_consent_methods.Contains(in.consent_method)) {
    errors.push_back(FieldError{"consent_method", "Dites comment la personne a donné son accord."});
  } else {
    out.consent_method = in.consent_method;
    if (!out.consent_on) {
      out.consent_on = today;
    }
  }
  out.note = FreeText(in.note, "note", "La note", kMaxOrientationText, false, errors);
  return errors;
}

// ---- Feedback and reviews ------------------------------------------------------------------

FieldErrors ValidateFeedback(std::size_t chosen, const std::string& raw_next_steps,
                             std::string& next_steps) {
  FieldErrors errors;
  next_steps = FreeText(raw_next_steps, "next_steps", "Les prochaines étapes", kMaxFeedbackText,
                        false, errors);
  if (errors.empty() && chosen == 0 && next_steps.empty()) {
    errors.push_back(FieldError{"items",
                                "Cochez au moins une information à transmettre, ou écrivez les "
                                "prochaines étapes."});
  }
  return errors;
}

namespace {

struct ReviewRow {
  ReviewStatus status;
  const char* code;
  const char* label;
};
constexpr std::array<ReviewRow, 3> kReviewStatuses = {{
    {ReviewStatus::kPlanned, "prevu", "Prévu"},
    {ReviewStatus::kHeld, "tenu", "Tenu"},
    {ReviewStatus::kCancelled, "annule", "Annulé"},
}};

}  // namespace

std::string_view ReviewStatusCode(ReviewStatus s) {
  for (const auto& r : kReviewStatuses) {
    if (r.status == s) {
      return r.code;
    }
  }
  return "prevu";
}

std::string_view ReviewStatusLabel(ReviewStatus s) {
  for (const auto& r : kReviewStatuses) {
    if (r.status == s) {
      return r.label;
    }
  }
  return "Prévu";
}

std::optional<ReviewStatus> ParseReviewStatus(std::string_view s) {
  for (const auto& r : kReviewStatuses) {
    if (s == r.code) {
      return r.status;
    }
  }
  return std::nullopt;
}

FieldErrors ValidateReview(const ReviewInput& in, const Vocabularies& v, Instant now,
                           CaseReview& out) {
  FieldErrors errors;
  const auto day = ParseTypedDate(in.date);
  const auto hm = ParseHourMinute(text::Trim(in.time));
  if (!day || day->year < 2000 || day->year > 2100) {
    errors.push_back(FieldError{"date", "La date n’est pas valide : écrivez-la comme 01/12/2026."});
  }
  if (!hm) {
    errors.push_back(FieldError{"time", "Indiquez l’heure au format HH:MM, par exemple 14:30."});
  }
  if (day && hm) {
    out.scheduled_at = paris::FromLocal(*day, hm->first, hm->second);
  }
  out.place = FreeText(in.place, "place", "Le lieu", 200, true, errors);
  out.participants =
      Codes(in.participants, v.review_participants, "participants", "Participant", errors);
  const bool has_partner =
      std::any_of(out.participants.begin(), out.participants.end(),
                  [](const std::string& p) { return p == "personne" || p == "prescripteur"; });
  if (!has_partner && std::none_of(errors.begin(), errors.end(),
                                   [](const FieldError& e) { return e.field == "participants"; })) {
    errors.push_back(FieldError{"participants",
                                "Un point d’étape réunit l’équipe avec le ou la prescripteur·rice "
                                "ou la personne : cochez qui y participe."});
  }
  const auto status = ParseReviewStatus(in.status);
  if (!status) {
    errors.push_back(
        FieldError{"status", "Choisissez si le point d’étape est prévu, tenu ou annulé."});
  } else {
    out.status = *status;
  }
  out.minutes =
      FreeText(in.minutes, "minutes", "Le compte rendu", kMaxReviewMinutes, false, errors);
  out.decisions =
      FreeText(in.decisions, "decisions", "Les décisions", kMaxFeedbackText, false, errors);
  if (status == ReviewStatus::kHeld) {
    if (out.minutes.empty() && std::none_of(errors.begin(), errors.end(), [](const FieldError& e) {
          return e.field == "minutes";
        })) {
      errors.push_back(FieldError{"minutes", "Écrivez le compte rendu du point d’étape tenu."});
    }
    if (day && hm && out.scheduled_at > now) {
      errors.push_back(FieldError{"date", "Un point d’étape tenu ne peut pas être dans le futur."});
    }
  }
  return errors;
}

// ---- Delegated cases and quarterly reports ---------------------------------------------------

std::string_view FollowModeCode(FollowMode m) {
  switch (m) {
    case FollowMode::kCoAccompaniment:
      return "co_accompagnement";
    case FollowMode::kDelegation:
      return "delegation";
    case FollowMode::kUnset:
      break;
  }
  return "";
}

std::string_view FollowModeLabel(FollowMode m) {
  switch (m) {
    case FollowMode::kCoAccompaniment:
      return "Co-accompagnement avec le prescripteur";
    case FollowMode::kDelegation:
      return "Intervention déléguée à l’équipe mobile";
    case FollowMode::kUnset:
      break;
  }
  return "Non précisé";
}

std::optional<FollowMode> ParseFollowMode(std::string_view s) {
  for (const auto m : {FollowMode::kUnset, FollowMode::kCoAccompaniment, FollowMode::kDelegation}) {
    if (s == FollowModeCode(m)) {
      return m;
    }
  }
  return std::nullopt;
}

Quarter QuarterOf(const LocalDate& d) { return {d.year, (d.month - 1) / 3 + 1}; }

LocalDate QuarterStart(const Quarter& q) { return {q.year, (q.quarter - 1) * 3 + 1, 1}; }

LocalDate QuarterEnd(const Quarter& q) {
  const Quarter next = q.quarter == 4 ? Quarter{q.year + 1, 1} : Quarter{q.year, q.quarter + 1};
  return AddDays(QuarterStart(next), -1);
}

std::string QuarterLabel(const Quarter& q) {
  return fmt::format("{} trimestre {}", q.quarter == 1 ? "1er" : std::to_string(q.quarter) + "e",
                     q.year);
}

std::optional<Quarter> ParseQuarter(std::string_view year, std::string_view quarter) {
  const auto y = ParseInt(text::Trim(year));
  const auto q = ParseInt(text::Trim(quarter));
  if (!y || !q || *y < 2000 || *y > 2100 || *q < 1 || *q > 4) {
    return std::nullopt;
  }
  return Quarter{*y, *q};
}

FieldErrors ValidateQuarterlyReport(const std::string& observations,
                                    const std::string& perspectives, QuarterlyReport& out) {
  FieldErrors errors;
  out.observations = FreeText(observations, "observations", "Les observations",
                              kMaxReportObservations, true, errors);
  out.perspectives = FreeText(perspectives, "perspectives", "Les perspectives",
                              kMaxReportPerspectives, false, errors);
  return errors;
}

}  // namespace allervers::domain
