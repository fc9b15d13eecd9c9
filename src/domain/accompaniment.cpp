#include "domain/accompaniment.hpp"

#include <fmt/format.h>

#include <algorithm>
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
  }
  out.summary = summary;

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
  }
  out.body = body;
  out.is_private = in.is_private;
  return errors;
}

}  // namespace allervers::domain
