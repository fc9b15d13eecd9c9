#pragma once

#include "common/time.hpp"

namespace allervers::domain {

/// French public holidays of metropolitan France (Code du travail L.3133-1): the fixed ones
/// and those following Easter (Easter Monday, Ascension, Whit Monday).
bool IsPublicHoliday(const LocalDate& d);

/// Monday to Friday, not a public holiday.
bool IsWorkingDay(const LocalDate& d);

/// Working days from `from` (excluded) to `to` (included); 0 when `to` is not after `from`.
/// A referral received on Friday and looked at on Monday is one working day old.
int WorkingDaysBetween(const LocalDate& from, const LocalDate& to);

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm).
LocalDate EasterSunday(int year);

}  // namespace allervers::domain
