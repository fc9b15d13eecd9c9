#pragma once

#include <string>
#include <string_view>

namespace allervers::text {

/// Removes ASCII and Unicode spaces (including no-break spaces) at both ends.
std::string Trim(std::string_view s);

std::string ToLowerAscii(std::string_view s);

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view s);

/// Number of Unicode code points in valid UTF-8.
std::size_t CodePointCount(std::string_view s);

/// True when `s` holds a C0/C1 control character other than tab, CR and LF.
bool HasControlCharacters(std::string_view s);

/// Accent-, case- and script-insensitive key used by search and duplicate detection:
/// "Élodie  N'Diaye-Bâ" -> "elodie n diaye ba". Transliterates other scripts to Latin.
std::string FoldForSearch(std::string_view s);

/// At most `max` code points of valid UTF-8 `s`; invalid UTF-8 gives "?". For quoting user
/// input in messages without cutting a character in two.
std::string Truncate(std::string_view s, std::size_t max);

/// Upper case with accents kept ("Lefèvre" → "LEFÈVRE"), for surnames in lists.
std::string ToUpper(std::string_view s);

/// Normalises to Unicode NFC, so that the same name typed on two keyboards is stored alike.
std::string ToNfc(std::string_view s);

}  // namespace allervers::text
