#include "common/time.hpp"

#include <fmt/format.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <array>
#include <charconv>
#include <chrono>
#include <memory>

#include "common/error.hpp"
#include "common/text.hpp"

namespace allervers {
namespace {

constexpr std::array<const char*, 7> kWeekdays = {"lundi",    "mardi",  "mercredi", "jeudi",
                                                  "vendredi", "samedi", "dimanche"};
constexpr std::array<const char*, 12> kMonths = {"janvier",   "février", "mars",     "avril",
                                                 "mai",       "juin",    "juillet",  "août",
                                                 "septembre", "octobre", "novembre", "décembre"};

// ICU calendars are not thread-safe; each thread keeps its own Europe/Paris calendar.
icu::Calendar& ParisCalendar() {
  thread_local std::unique_ptr<icu::Calendar> cal = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone("Europe/Paris"));
    auto c = std::make_unique<icu::GregorianCalendar>(tz.release(), status);
    if (U_FAILURE(status)) {
      throw Error(ErrorCode::kInternal, "Erreur interne", "ICU calendar for Europe/Paris failed");
    }
    // A skipped time keeps the offset before the change: 02:30 becomes 03:30 summer time.
    c->setSkippedWallTimeOption(UCAL_WALLTIME_LAST);
    c->setRepeatedWallTimeOption(UCAL_WALLTIME_FIRST);
    return c;
  }();
  return *cal;
}

std::chrono::sys_days ToSysDays(const LocalDate& d) {
  return std::chrono::sys_days{std::chrono::year{d.year} /
                               std::chrono::month{static_cast<unsigned>(d.month)} /
                               std::chrono::day{static_cast<unsigned>(d.day)}};
}

LocalDate FromSysDays(std::chrono::sys_days days) {
  const std::chrono::year_month_day ymd{days};
  return LocalDate{static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace

std::optional<LocalDate> ParseTypedDate(std::string_view raw) {
  const std::string s = text::Trim(raw);
  if (s.size() == 10 && s[2] == '/' && s[5] == '/') {
    return ParseIsoDate(s.substr(6, 4) + "-" + s.substr(3, 2) + "-" + s.substr(0, 2));
  }
  return ParseIsoDate(s);
}

std::optional<std::pair<int, int>> ParseHourMinute(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') {
    return std::nullopt;
  }
  int h = 0;
  int m = 0;
  if (std::from_chars(s.data(), s.data() + 2, h).ptr != s.data() + 2 ||
      std::from_chars(s.data() + 3, s.data() + 5, m).ptr != s.data() + 5) {
    return std::nullopt;
  }
  if (h < 0 || h > 23 || m < 0 || m > 59) {
    return std::nullopt;
  }
  return std::pair{h, m};
}

std::optional<LocalDate> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return std::nullopt;
  }
  auto digits = [&](std::size_t from, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = from; i < from + len; ++i) {
      if (s[i] < '0' || s[i] > '9') {
        return std::nullopt;
      }
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = digits(0, 4);
  auto m = digits(5, 2);
  auto d = digits(8, 2);
  if (!y || !m || !d) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return LocalDate{*y, *m, *d};
}

std::string ToIso(const LocalDate& d) {
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

int Weekday(const LocalDate& d) {
  const std::chrono::weekday wd{ToSysDays(d)};
  return static_cast<int>(wd.iso_encoding());
}

LocalDate AddDays(const LocalDate& d, int days) {
  return FromSysDays(ToSysDays(d) + std::chrono::days{days});
}

LocalDate AddMonths(const LocalDate& d, int months) {
  using namespace std::chrono;
  year_month_day ymd{year{d.year}, month{static_cast<unsigned>(d.month)},
                     day{static_cast<unsigned>(d.day)}};
  ymd += std::chrono::months{months};
  if (!ymd.ok()) {
    ymd = ymd.year() / ymd.month() / last;
  }
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

int DaysBetween(const LocalDate& a, const LocalDate& b) {
  return static_cast<int>((ToSysDays(b) - ToSysDays(a)).count());
}

namespace paris {

ParisDateTime ToLocal(Instant t) {
  icu::Calendar& cal = ParisCalendar();
  UErrorCode status = U_ZERO_ERROR;
  cal.setTime(static_cast<UDate>(ToEpoch(t)) * 1000.0, status);
  ParisDateTime out;
  out.date.year = cal.get(UCAL_YEAR, status);
  out.date.month = cal.get(UCAL_MONTH, status) + 1;
  out.date.day = cal.get(UCAL_DATE, status);
  out.hour = cal.get(UCAL_HOUR_OF_DAY, status);
  out.minute = cal.get(UCAL_MINUTE, status);
  if (U_FAILURE(status)) {
    throw Error(ErrorCode::kInternal, "Erreur interne", "ICU calendar get failed");
  }
  out.weekday = Weekday(out.date);
  return out;
}

Instant FromLocal(const LocalDate& date, int hour, int minute) {
  icu::Calendar& cal = ParisCalendar();
  cal.clear();
  cal.set(date.year, date.month - 1, date.day, hour, minute, 0);
  UErrorCode status = U_ZERO_ERROR;
  const UDate ms = cal.getTime(status);
  if (U_FAILURE(status)) {
    throw Error(ErrorCode::kInvalidArgument, "Date ou heure invalide",
                "ICU calendar getTime failed");
  }
  return FromEpoch(static_cast<std::int64_t>(ms / 1000.0));
}

LocalDate Today(Instant now) { return ToLocal(now).date; }

std::string FormatDate(const LocalDate& d) {
  return fmt::format("{:02}/{:02}/{:04}", d.day, d.month, d.year);
}

std::string FormatDate(Instant t) { return FormatDate(ToLocal(t).date); }

std::string FormatTime(Instant t) {
  const ParisDateTime l = ToLocal(t);
  return l.minute == 0 ? fmt::format("{} h", l.hour) : fmt::format("{} h {:02}", l.hour, l.minute);
}

std::string FormatDateTime(Instant t) { return FormatDate(t) + " à " + FormatTime(t); }

std::string FormatLongDate(const LocalDate& d) {
  const int wd = Weekday(d);
  return fmt::format("{} {} {} {}", kWeekdays.at(static_cast<std::size_t>(wd - 1)),
                     d.day == 1 ? std::string("1er") : std::to_string(d.day),
                     kMonths.at(static_cast<std::size_t>(d.month - 1)), d.year);
}

std::string FormatLongDate(Instant t) { return FormatLongDate(ToLocal(t).date); }

}  // namespace paris

}  // namespace allervers
