#include "domain/appointment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "common/text.hpp"

namespace allervers::domain {
namespace {

template <typename E>
struct Entry {
  E value;
  std::string_view code;
  std::string_view label;
};

template <typename E, std::size_t N>
std::string_view CodeOf(const std::array<Entry<E>, N>& table, E v) {
  for (const auto& e : table) {
    if (e.value == v) {
      return e.code;
    }
  }
  return "";
}

template <typename E, std::size_t N>
std::string_view LabelOf(const std::array<Entry<E>, N>& table, E v) {
  for (const auto& e : table) {
    if (e.value == v) {
      return e.label;
    }
  }
  return "";
}

template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<Entry<E>, N>& table, std::string_view code) {
  for (const auto& e : table) {
    if (e.code == code) {
      return e.value;
    }
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::vector<E> Values(const std::array<Entry<E>, N>& table) {
  std::vector<E> out;
  for (const auto& e : table) {
    out.push_back(e.value);
  }
  return out;
}

constexpr std::array<Entry<ContactChannel>, 5> kChannels = {{
    {ContactChannel::kPhone, "telephone", "Téléphone"},
    {ContactChannel::kSms, "sms", "SMS"},
    {ContactChannel::kLetter, "courrier", "Courrier"},
    {ContactChannel::kHomeCall, "domicile", "Passage au domicile"},
    {ContactChannel::kViaReferrer, "prescripteur", "Par le prescripteur"},
}};

constexpr std::array<Entry<ContactOutcome>, 5> kOutcomes = {{
    {ContactOutcome::kReached, "joint", "Personne jointe"},
    {ContactOutcome::kMessageLeft, "message", "Message laissé"},
    {ContactOutcome::kNoAnswer, "sans_reponse", "Pas de réponse"},
    {ContactOutcome::kWrongNumber, "numero_errone", "Numéro ou adresse erronés"},
    {ContactOutcome::kRefused, "refus", "Refus de la personne"},
}};

constexpr std::array<Entry<PlaceKind>, 5> kPlaces = {{
    {PlaceKind::kHome, "domicile", "Au domicile de la personne"},
    {PlaceKind::kPartner, "partenaire", "Dans les locaux d’un partenaire"},
    {PlaceKind::kPublicPlace, "lieu_public", "Dans un lieu public"},
    {PlaceKind::kPhone, "telephone", "Par téléphone"},
    {PlaceKind::kVideo, "visio", "En visioconférence"},
}};

constexpr std::array<Entry<AppointmentStatus>, 6> kAppointmentStatuses = {{
    {AppointmentStatus::kPlanned, "planned", "Prévu"},
    {AppointmentStatus::kHonoured, "honoured", "Honoré"},
    {AppointmentStatus::kAbsent, "absent", "Personne absente"},
    {AppointmentStatus::kCancelledByPerson, "cancelled_person", "Annulé par la personne"},
    {AppointmentStatus::kCancelledByTeam, "cancelled_team", "Annulé par l’équipe"},
    {AppointmentStatus::kPostponed, "postponed", "Reporté"},
}};

constexpr std::array<Entry<ReferrerResponse>, 4> kReferrerResponses = {{
    {ReferrerResponse::kNone, "none", "Non invité"},
    {ReferrerResponse::kPending, "pending", "Invitation en attente de réponse"},
    {ReferrerResponse::kAccepted, "accepted", "Présence confirmée"},
    {ReferrerResponse::kDeclined, "declined", "Ne pourra pas venir"},
}};

std::optional<int> ParsePositive(std::string_view s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    return std::nullopt;
  }
  return v;
}

// The instant of a wall-clock time, or nothing when that time does not exist (skipped by
// the spring change).
std::optional<Instant> ExactLocal(const LocalDate& d, int h, int m) {
  const Instant t = paris::FromLocal(d, h, m);
  const auto back = paris::ToLocal(t);
  if (back.date != d || back.hour != h || back.minute != m) {
    return std::nullopt;
  }
  return t;
}

std::string CleanText(const std::string& field, const std::string& value, std::size_t max,
                      bool required, FieldErrors& errors, const char* required_message) {
  std::string v = text::Trim(value);
  if (!text::IsValidUtf8(v) || text::HasControlCharacters(v)) {
    errors.push_back({field, "Ce texte contient des caractères non autorisés."});
    return {};
  }
  if (required && v.empty()) {
    errors.push_back({field, required_message});
    return {};
  }
  if (text::CodePointCount(v) > max) {
    errors.push_back({field, fmt::format("Ce texte est trop long ({} caractères au plus).", max)});
    return {};
  }
  return text::ToNfc(v);
}

// Multi-line free text keeps its line breaks.
std::string CleanLongText(const std::string& field, const std::string& value, std::size_t max,
                          FieldErrors& errors) {
  std::string v = text::Trim(value);
  std::string without_breaks;
  for (char c : v) {
    without_breaks.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  if (!text::IsValidUtf8(v) || text::HasControlCharacters(without_breaks)) {
    errors.push_back({field, "Ce texte contient des caractères non autorisés."});
    return {};
  }
  if (text::CodePointCount(v) > max) {
    errors.push_back({field, fmt::format("Ce texte est trop long ({} caractères au plus).", max)});
    return {};
  }
  return text::ToNfc(v);
}

// Centroids of the communes the team travels between (WGS 84, rounded to ~100 m), keyed by
// the folded commune name. Communes not listed fall back on the postal code's first three
// digits (same area) or a long trip.
struct Commune {
  std::string_view name;  // folded
  double lat;
  double lon;
};

constexpr std::array<Commune, 26> kCommunes = {{
    {"cergy", 49.0364, 2.0631},
    {"pontoise", 49.0516, 2.1008},
    {"osny", 49.0597, 2.0631},
    {"vaureal", 49.0336, 2.0214},
    {"jouy le moutier", 49.0108, 2.0414},
    {"eragny", 49.0172, 2.0917},
    {"saint ouen l aumone", 49.0436, 2.1108},
    {"courdimanche", 49.0383, 2.0019},
    {"menucourt", 49.0286, 1.9808},
    {"neuville sur oise", 48.9900, 2.0617},
    {"boisemont", 49.0175, 1.9961},
    {"puiseux pontoise", 49.0611, 2.0194},
    {"maurecourt", 48.9969, 2.0622},
    {"conflans sainte honorine", 48.9992, 2.0969},
    {"herblay sur seine", 48.9900, 2.1650},
    {"auvers sur oise", 49.0717, 2.1700},
    {"mery sur oise", 49.0644, 2.1869},
    {"beauchamp", 49.0133, 2.1900},
    {"taverny", 49.0264, 2.2211},
    {"franconville", 48.9886, 2.2264},
    {"ermont", 48.9900, 2.2575},
    {"eaubonne", 48.9922, 2.2806},
    {"argenteuil", 48.9472, 2.2467},
    {"sarcelles", 48.9972, 2.3806},
    {"garges les gonesse", 48.9728, 2.3997},
    {"gonesse", 48.9869, 2.4492},
}};

const Commune* FindCommune(std::string_view city) {
  const std::string folded = text::FoldForSearch(city);
  for (const auto& c : kCommunes) {
    if (c.name == folded) {
      return &c;
    }
  }
  return nullptr;
}

double DistanceKm(const Commune& a, const Commune& b) {
  constexpr double kEarthKm = 6371.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthKm * std::asin(std::sqrt(h));
}

std::string TimeRange(Instant a, Instant b) {
  return paris::FormatTime(a) + " à " + paris::FormatTime(b);
}

}  // namespace

std::string_view ChannelCode(ContactChannel c) { return CodeOf(kChannels, c); }
std::string_view ChannelLabel(ContactChannel c) { return LabelOf(kChannels, c); }
std::optional<ContactChannel> ParseChannel(std::string_view code) { return Parse(kChannels, code); }
const std::vector<ContactChannel>& AllChannels() {
  static const auto v = Values(kChannels);
  return v;
}

std::string_view OutcomeCode(ContactOutcome o) { return CodeOf(kOutcomes, o); }
std::string_view OutcomeLabel(ContactOutcome o) { return LabelOf(kOutcomes, o); }
std::optional<ContactOutcome> ParseOutcome(std::string_view code) { return Parse(kOutcomes, code); }
const std::vector<ContactOutcome>& AllOutcomes() {
  static const auto v = Values(kOutcomes);
  return v;
}

bool IsFailedAttempt(ContactOutcome o) {
  return o == ContactOutcome::kMessageLeft || o == ContactOutcome::kNoAnswer ||
         o == ContactOutcome::kWrongNumber;
}

bool ShouldProposeUnreachable(const std::vector<ContactAttempt>& attempts,
                              const UnreachableRule& rule) {
  std::vector<const ContactAttempt*> sorted;
  for (const auto& a : attempts) {
    sorted.push_back(&a);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->at < b->at; });
  std::vector<Instant> failed;
  for (const auto* a : sorted) {
    if (a->outcome == ContactOutcome::kReached || a->outcome == ContactOutcome::kRefused) {
      failed.clear();  // reached since: count again from there
    } else if (IsFailedAttempt(a->outcome)) {
      failed.push_back(a->at);
    }
  }
  if (static_cast<int>(failed.size()) < std::max(1, rule.attempts)) {
    return false;
  }
  return DaysBetween(paris::Today(failed.front()), paris::Today(failed.back())) >= rule.min_days;
}

std::optional<ContactAttempt> ValidateContactAttempt(const ContactAttemptInput& in, Instant now,
                                                     FieldErrors& errors) {
  const auto before = errors.size();
  ContactAttempt a;
  const auto date = ParseTypedDate(in.date);
  const auto hm = ParseHourMinute(text::Trim(in.time));
  if (!date) {
    errors.push_back({"date", "Indiquez la date au format JJ/MM/AAAA."});
  }
  if (!hm) {
    errors.push_back({"time", "Indiquez l’heure au format HH:MM, par exemple 14:30."});
  }
  if (date && hm) {
    a.at = paris::FromLocal(*date, hm->first, hm->second);
    if (a.at > now + std::chrono::minutes(5)) {
      errors.push_back({"date", "Une tentative de contact ne peut pas être dans le futur."});
    } else if (a.at < now - std::chrono::hours(24 * 365)) {
      errors.push_back({"date", "Cette date remonte à plus d’un an : vérifiez-la."});
    }
  }
  if (const auto c = ParseChannel(text::Trim(in.channel))) {
    a.channel = *c;
  } else {
    errors.push_back({"channel", "Choisissez le moyen de contact."});
  }
  if (const auto o = ParseOutcome(text::Trim(in.outcome))) {
    a.outcome = *o;
  } else {
    errors.push_back({"outcome", "Choisissez le résultat de la tentative."});
  }
  a.note = CleanLongText("note", in.note, 2000, errors);
  if (errors.size() != before) {
    return std::nullopt;
  }
  return a;
}

std::string_view PlaceCode(PlaceKind p) { return CodeOf(kPlaces, p); }
std::string_view PlaceLabel(PlaceKind p) { return LabelOf(kPlaces, p); }
std::optional<PlaceKind> ParsePlace(std::string_view code) { return Parse(kPlaces, code); }
const std::vector<PlaceKind>& AllPlaces() {
  static const auto v = Values(kPlaces);
  return v;
}
bool IsInPerson(PlaceKind p) {
  return p == PlaceKind::kHome || p == PlaceKind::kPartner || p == PlaceKind::kPublicPlace;
}

std::string_view AppointmentStatusCode(AppointmentStatus s) {
  return CodeOf(kAppointmentStatuses, s);
}
std::string_view AppointmentStatusLabel(AppointmentStatus s) {
  return LabelOf(kAppointmentStatuses, s);
}
std::optional<AppointmentStatus> ParseAppointmentStatus(std::string_view code) {
  return Parse(kAppointmentStatuses, code);
}
const std::vector<AppointmentStatus>& AppointmentOutcomes() {
  static const std::vector<AppointmentStatus> v = {
      AppointmentStatus::kHonoured, AppointmentStatus::kAbsent,
      AppointmentStatus::kCancelledByPerson, AppointmentStatus::kCancelledByTeam,
      AppointmentStatus::kPostponed};
  return v;
}

std::string_view ReferrerResponseCode(ReferrerResponse r) { return CodeOf(kReferrerResponses, r); }
std::string_view ReferrerResponseLabel(ReferrerResponse r) {
  return LabelOf(kReferrerResponses, r);
}
std::optional<ReferrerResponse> ParseReferrerResponse(std::string_view code) {
  return Parse(kReferrerResponses, code);
}

std::optional<Appointment> ValidateAppointment(const AppointmentInput& in, const Appointment& home,
                                               Instant now, FieldErrors& errors) {
  const auto before = errors.size();
  Appointment a;
  const auto date = ParseTypedDate(in.date);
  const auto hm = ParseHourMinute(text::Trim(in.start_time));
  const auto duration = ParsePositive(text::Trim(in.duration_minutes));
  if (!date) {
    errors.push_back({"date", "Indiquez la date du rendez-vous au format JJ/MM/AAAA."});
  }
  if (!hm) {
    errors.push_back(
        {"start_time", "Indiquez l’heure de début au format HH:MM, par exemple 14:30."});
  } else if (hm->first < 7 || hm->first > 20) {
    errors.push_back({"start_time", "Un rendez-vous commence entre 7 h et 20 h."});
  }
  if (!duration || *duration < 15 || *duration > 240) {
    errors.push_back({"duration_minutes", "La durée va de 15 minutes à 4 heures."});
  }
  if (date && hm) {
    const auto start = ExactLocal(*date, hm->first, hm->second);
    if (!start) {
      errors.push_back({"start_time",
                        "Cette heure n’existe pas ce jour-là (passage à l’heure d’été) : "
                        "choisissez-en une autre."});
    } else {
      a.starts_at = *start;
      a.ends_at = *start + std::chrono::minutes(duration.value_or(60));
      if (*start < now - std::chrono::hours(24 * 31)) {
        errors.push_back({"date", "Cette date est passée depuis plus d’un mois : vérifiez-la."});
      } else if (*start > now + std::chrono::hours(24 * 366)) {
        errors.push_back({"date", "Un rendez-vous se fixe au plus un an à l’avance."});
      }
    }
  }
  if (const auto p = ParsePlace(text::Trim(in.place))) {
    a.place = *p;
  } else {
    errors.push_back({"place", "Choisissez le lieu du rendez-vous."});
  }
  a.place_label = CleanText("place_label", in.place_label, 120, false, errors, "");
  a.address_line = CleanText("address_line", in.address_line, 200, false, errors, "");
  a.postal_code = text::Trim(in.postal_code);
  a.city = CleanText("city", in.city, 100, false, errors, "");
  if (a.place == PlaceKind::kHome && a.address_line.empty() && a.postal_code.empty() &&
      a.city.empty()) {
    a.address_line = home.address_line;
    a.postal_code = home.postal_code;
    a.city = home.city;
  }
  if (IsInPerson(a.place)) {
    if (a.address_line.empty()) {
      errors.push_back({"address_line", "Indiquez l’adresse du rendez-vous."});
    }
    if (a.city.empty()) {
      errors.push_back({"city", "Indiquez la commune du rendez-vous."});
    }
    if ((a.place == PlaceKind::kPartner || a.place == PlaceKind::kPublicPlace) &&
        a.place_label.empty()) {
      errors.push_back(
          {"place_label", "Indiquez le nom du lieu (par exemple « France services de Cergy »)."});
    }
  }
  if (!a.postal_code.empty() &&
      (a.postal_code.size() != 5 || !std::all_of(a.postal_code.begin(), a.postal_code.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; }))) {
    errors.push_back({"postal_code", "Le code postal compte 5 chiffres."});
  }
  for (const auto& w : in.workers) {
    const auto trimmed = text::Trim(w);
    if (trimmed.empty()) {
      continue;
    }
    const auto id = ParsePositive(trimmed);
    if (!id || *id <= 0) {
      errors.push_back({"workers", "Choisissez les intervenants dans la liste."});
      break;
    }
    if (std::find(a.workers.begin(), a.workers.end(), *id) == a.workers.end()) {
      a.workers.push_back(*id);
    }
  }
  if (a.workers.empty()) {
    errors.push_back({"workers", "Choisissez au moins un intervenant."});
  } else if (a.workers.size() > 4) {
    errors.push_back({"workers", "Quatre intervenants au plus."});
  }
  a.tripartite = in.tripartite;
  a.purpose = CleanText("purpose", in.purpose, 300, true, errors,
                        "Indiquez l’objet du rendez-vous (ce qui sera fait).");
  a.to_bring = CleanLongText("to_bring", in.to_bring, 1000, errors);
  if (errors.size() != before) {
    return std::nullopt;
  }
  return a;
}

std::vector<Conflict> FindConflicts(const BusySlot& candidate, UserId worker,
                                    const std::vector<BusySlot>& busy, int travel_minutes) {
  std::vector<Conflict> out;
  const auto buffer = std::chrono::minutes(std::max(0, travel_minutes));
  for (const auto& b : busy) {
    if (b.id != 0 && b.id == candidate.id) {
      continue;
    }
    if (candidate.starts_at < b.ends_at && b.starts_at < candidate.ends_at) {
      out.push_back({worker, b.id,
                     "Chevauche le rendez-vous de " + TimeRange(b.starts_at, b.ends_at) +
                         (b.label.empty() ? "" : " (" + b.label + ")") + "."});
      continue;
    }
    if (!candidate.in_person || !b.in_person) {
      continue;
    }
    if (b.ends_at <= candidate.starts_at && candidate.starts_at - b.ends_at < buffer) {
      out.push_back({worker, b.id,
                     fmt::format("Moins de {} minutes de trajet après le rendez-vous de {}{}.",
                                 travel_minutes, TimeRange(b.starts_at, b.ends_at),
                                 b.label.empty() ? "" : " (" + b.label + ")")});
    } else if (candidate.ends_at <= b.starts_at && b.starts_at - candidate.ends_at < buffer) {
      out.push_back({worker, b.id,
                     fmt::format("Moins de {} minutes de trajet avant le rendez-vous de {}{}.",
                                 travel_minutes, TimeRange(b.starts_at, b.ends_at),
                                 b.label.empty() ? "" : " (" + b.label + ")")});
    }
  }
  return out;
}

int EstimatedTravelMinutes(std::string_view postal_a, std::string_view city_a,
                           std::string_view postal_b, std::string_view city_b) {
  const Commune* a = FindCommune(city_a);
  const Commune* b = FindCommune(city_b);
  if (a && b) {
    if (a == b) {
      return 10;
    }
    return 8 + static_cast<int>(std::lround(DistanceKm(*a, *b) * 1.3 / 25.0 * 60.0));
  }
  if (!city_a.empty() && text::FoldForSearch(city_a) == text::FoldForSearch(city_b)) {
    return 10;
  }
  if (postal_a.size() == 5 && postal_b.size() == 5 &&
      postal_a.substr(0, 3) == postal_b.substr(0, 3)) {
    return 25;
  }
  return 45;
}

std::vector<SlotSuggestion> SuggestSlots(const LocalDate& day, int duration_minutes,
                                         std::string_view postal_code, std::string_view city,
                                         const std::vector<BusySlot>& busy, int travel_minutes,
                                         std::string_view base_postal_code,
                                         std::string_view base_city, Instant now, int limit) {
  std::vector<BusySlot> today;
  for (const auto& b : busy) {
    if (paris::Today(b.starts_at) == day) {
      today.push_back(b);
    }
  }
  std::sort(today.begin(), today.end(),
            [](const BusySlot& a, const BusySlot& b) { return a.starts_at < b.starts_at; });
  const auto where = [](const BusySlot& s) { return std::pair{s.postal_code, s.city}; };

  std::vector<SlotSuggestion> out;
  const auto duration = std::chrono::minutes(duration_minutes);
  for (int minutes = 9 * 60; minutes + duration_minutes <= 17 * 60 + 30; minutes += 15) {
    const auto start = ExactLocal(day, minutes / 60, minutes % 60);
    if (!start || *start < now) {
      continue;
    }
    BusySlot candidate{
        0, *start, *start + duration, true, std::string(postal_code), std::string(city), ""};
    if (!FindConflicts(candidate, 0, today, travel_minutes).empty()) {
      continue;
    }
    // The in-person appointments just before and after, or the base.
    std::pair<std::string, std::string> prev{std::string(base_postal_code), std::string(base_city)};
    std::pair<std::string, std::string> next = prev;
    for (const auto& b : today) {
      if (!b.in_person) {
        continue;
      }
      if (b.ends_at <= candidate.starts_at) {
        prev = where(b);
      } else if (b.starts_at >= candidate.ends_at) {
        next = where(b);
        break;
      }
    }
    const int added = EstimatedTravelMinutes(prev.first, prev.second, postal_code, city) +
                      EstimatedTravelMinutes(postal_code, city, next.first, next.second) -
                      EstimatedTravelMinutes(prev.first, prev.second, next.first, next.second);
    out.push_back({candidate.starts_at, candidate.ends_at, added});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.added_travel_minutes < b.added_travel_minutes;
  });
  // Keep the choice varied: at most two suggestions an hour apart from each other.
  std::vector<SlotSuggestion> picked;
  for (const auto& s : out) {
    const bool close = std::any_of(picked.begin(), picked.end(), [&](const auto& p) {
      return std::chrono::abs(p.starts_at - s.starts_at) < std::chrono::minutes(60);
    });
    if (!close) {
      picked.push_back(s);
    }
    if (static_cast<int>(picked.size()) >= limit) {
      break;
    }
  }
  return picked;
}

std::vector<Instant> ReminderTimes(Instant starts_at, const std::vector<int>& days_before,
                                   Instant now) {
  std::vector<Instant> out;
  const LocalDate day = paris::Today(starts_at);
  for (int d : days_before) {
    if (d <= 0) {
      continue;
    }
    const Instant at = paris::FromLocal(AddDays(day, -d), 10, 0);
    if (at > now && at < starts_at) {
      out.push_back(at);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string ApproximateTime(Instant t, PlaceKind place) {
  return (place == PlaceKind::kHome ? "vers " : "à ") + paris::FormatTime(t);
}

}  // namespace allervers::domain
