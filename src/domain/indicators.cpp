#include "domain/indicators.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "common/text.hpp"
#include "domain/accompaniment.hpp"

namespace allervers::domain {
namespace {

bool In(const std::optional<LocalDate>& d, const Period& p) {
  return d && p.from <= *d && *d <= p.to;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Whether the accompaniment of `f` was open on at least one day of the period: it opens with
// the first session, a closure ends it, a reopening opens it again.
bool OpenDuring(const CaseFacts& f, const Period& p) {
  if (!f.first_session_on || f.first_session_on > p.to) {
    return false;
  }
  bool open_at_start = *f.first_session_on < p.from;
  for (const auto& e : f.closures) {
    if (e.on < p.from) {
      open_at_start = e.reopened;
    }
  }
  if (open_at_start) {
    return true;
  }
  if (In(f.first_session_on, p)) {
    return true;
  }
  return std::any_of(f.closures.begin(), f.closures.end(),
                     [&](const ClosureEvent& e) { return e.reopened && In(e.on, p); });
}

// The closure that ends the period closed: the last event within it is a closure.
std::optional<std::size_t> ExitIn(const CaseFacts& f, const Period& p) {
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < f.closures.size(); ++i) {
    if (In(f.closures[i].on, p)) {
      last = i;
    }
  }
  if (!last || f.closures[*last].reopened) {
    return std::nullopt;
  }
  return last;
}

int LevelRank(const std::string& level) {
  const auto l = ParseLevel(level);
  return l ? static_cast<int>(*l) : -1;
}

}  // namespace

FieldErrors ParsePeriod(const std::string& from, const std::string& to, Period& out) {
  FieldErrors errors;
  const auto f = ParseTypedDate(from);
  const auto t = ParseTypedDate(to);
  if (!f) {
    errors.push_back({"from", "La date de début est une date réelle, au format AAAA-MM-JJ."});
  }
  if (!t) {
    errors.push_back({"to", "La date de fin est une date réelle, au format AAAA-MM-JJ."});
  }
  if (f && t) {
    if (*t < *f) {
      errors.push_back({"to", "La date de fin vient après la date de début."});
    } else if (DaysBetween(*f, *t) >= kMaxPeriodDays) {
      errors.push_back({"to", "La période couvre au plus trois ans."});
    } else if (f->year < 2000 || t->year > 2100) {
      errors.push_back({"from", "La période est comprise entre 2000 et 2100."});
    } else {
      out = {*f, *t};
    }
  }
  return errors;
}

Period QuarterPeriod(int year, int quarter) {
  const Quarter q{year, quarter};
  return {QuarterStart(q), QuarterEnd(q)};
}

Period PreviousPeriod(const Period& p) {
  const Quarter q = QuarterOf(p.from);
  if (p.from == QuarterStart(q) && p.to == QuarterEnd(q)) {
    return q.quarter == 1 ? QuarterPeriod(q.year - 1, 4) : QuarterPeriod(q.year, q.quarter - 1);
  }
  if (p.from == LocalDate{p.from.year, 1, 1} && p.to == LocalDate{p.from.year, 12, 31}) {
    return {{p.from.year - 1, 1, 1}, {p.from.year - 1, 12, 31}};
  }
  const int days = DaysBetween(p.from, p.to);
  const LocalDate to = AddDays(p.from, -1);
  return {AddDays(to, -days), to};
}

DelayStats Summarise(std::vector<long long> days) {
  DelayStats s;
  s.n = static_cast<long long>(days.size());
  if (days.empty()) {
    return s;
  }
  std::sort(days.begin(), days.end());
  const std::size_t n = days.size();
  s.median_days =
      n % 2 == 1 ? static_cast<double>(days[n / 2])
                 : (static_cast<double>(days[n / 2 - 1]) + static_cast<double>(days[n / 2])) / 2.0;
  // Nearest rank: the value of rank ceil(0.9 × n), ranks from 1.
  const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
  s.p90_days = static_cast<double>(days[std::max<std::size_t>(rank, 1) - 1]);
  return s;
}

const std::vector<std::string>& AgeBands() {
  static const std::vector<std::string> bands = {"Moins de 12 ans", "12 - 17 ans",   "18 - 24 ans",
                                                 "25 - 39 ans",     "40 - 59 ans",   "60 - 69 ans",
                                                 "70 ans et plus",  "Non communiqué"};
  return bands;
}

std::string AgeBand(const std::optional<LocalDate>& birth_date,
                    const std::optional<int>& birth_year, const LocalDate& on) {
  // The year alone, as La Coop does: the retention purge keeps the birth year and drops the
  // date, and the bands must not move when it does (docs/retention.md).
  int age = 0;
  if (birth_date) {
    age = on.year - birth_date->year;
  } else if (birth_year) {
    age = on.year - *birth_year;
  } else {
    return AgeBands().back();
  }
  if (age < 0) {
    return AgeBands().back();
  }
  constexpr std::array<int, 6> kUpper = {12, 18, 25, 40, 60, 70};
  for (std::size_t i = 0; i < kUpper.size(); ++i) {
    if (age < kUpper[i]) {
      return AgeBands()[i];
    }
  }
  return AgeBands()[6];
}

CaseIndicators ComputeCaseIndicators(const std::vector<CaseFacts>& facts, const Period& p) {
  CaseIndicators out;
  std::set<std::int64_t> referred;
  std::set<std::int64_t> received;
  std::set<std::int64_t> followed;
  std::map<std::int64_t, const CaseFacts*> person_of_follow_up;
  std::map<std::int64_t, const CaseFacts*> entry_bilan;  // the latest initial bilan per person
  std::vector<long long> to_contact;
  std::vector<long long> contact_to_visit;
  std::vector<long long> to_visit;
  for (const auto& f : facts) {
    if (In(f.received_on, p)) {
      ++out.referrals_received;
      referred.insert(f.person_key);
    }
    if (In(f.first_session_on, p)) {
      received.insert(f.person_key);
    }
    if (OpenDuring(f, p)) {
      followed.insert(f.person_key);
      person_of_follow_up[f.person_key] = &f;
    }
    if (const auto exit = ExitIn(f, p)) {
      ++out.exits;
      // The reason is kept for the current closure only.
      const bool current = *exit + 1 == f.closures.size() && f.status == "closed";
      ++out.exits_by_reason[current && !f.decision_reason.empty() ? f.decision_reason
                                                                  : kUnknownClosureReason];
      const bool met = f.first_session_on && *f.first_session_on <= f.closures[*exit].on;
      if (met && !f.initial_level.empty() && !f.final_level.empty()) {
        ++out.exits_with_levels;
        const int delta = LevelRank(f.final_level) - LevelRank(f.initial_level);
        ++(delta > 0 ? out.exits_improved : delta < 0 ? out.exits_declined : out.exits_unchanged);
      }
    }
    if (f.received_on && In(f.first_contact_on, p)) {
      to_contact.push_back(DaysBetween(*f.received_on, *f.first_contact_on));
    }
    if (f.received_on && In(f.first_session_on, p)) {
      to_visit.push_back(DaysBetween(*f.received_on, *f.first_session_on));
      if (f.first_contact_on && *f.first_contact_on <= *f.first_session_on) {
        contact_to_visit.push_back(DaysBetween(*f.first_contact_on, *f.first_session_on));
      }
    }
    if (!f.initial_level.empty() && In(f.initial_on, p)) {
      auto& kept = entry_bilan[f.person_key];
      if (kept == nullptr || kept->initial_on < f.initial_on) {
        kept = &f;
      }
    }
  }
  out.referral_persons = static_cast<long long>(referred.size());
  out.receptions = static_cast<long long>(received.size());
  out.follow_ups = static_cast<long long>(followed.size());
  for (const auto person : followed) {
    ++(received.contains(person) ? out.follow_ups_new : out.follow_ups_continuing);
  }
  out.referral_to_contact = Summarise(std::move(to_contact));
  out.contact_to_visit = Summarise(std::move(contact_to_visit));
  out.referral_to_visit = Summarise(std::move(to_visit));
  for (const auto& [person, f] : entry_bilan) {
    ++out.entry_levels[f->initial_level];
  }
  for (const auto& [person, f] : person_of_follow_up) {
    ++out.age_bands[AgeBand(f->birth_date, f->birth_year, p.to)];
    ++out.genders[f->gender.empty() ? std::string("non_communique") : f->gender];
    const std::string commune =
        f->postal_code.empty() && f->city.empty() ? std::string() : f->postal_code + " " + f->city;
    ++out.communes[commune];
  }
  return out;
}

TargetProgress Progress(int target, long long actual, const LocalDate& to) {
  TargetProgress t;
  t.target = target;
  t.actual = actual;
  const int elapsed = DaysBetween({to.year, 1, 1}, to) + 1;
  const int in_year = IsLeap(to.year) ? 366 : 365;
  t.pro_rata = static_cast<double>(target) * elapsed / in_year;
  return t;
}

FieldErrors ValidateSteeringTexts(SteeringTexts& t) {
  FieldErrors errors;
  const auto check = [&](std::string& value, const char* field, const char* what) {
    value = text::Trim(value);
    if (!text::IsValidUtf8(value)) {
      errors.push_back({field, std::string(what) + " contient des caractères invalides."});
    } else if (text::CodePointCount(value) > kMaxSteeringText) {
      errors.push_back({field, std::string(what) + " fait au plus " +
                                   std::to_string(kMaxSteeringText) + " caractères."});
    }
  };
  check(t.highlights, "highlights", "Le texte des faits marquants");
  check(t.difficulties, "difficulties", "Le texte des difficultés");
  check(t.perspectives, "perspectives", "Le texte des perspectives");
  return errors;
}

bool IsSmallCell(long long n, int threshold) { return n > 0 && n < threshold; }

}  // namespace allervers::domain
