#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allervers::csv {

/// Text of an uploaded file in UTF-8: a UTF-8 byte-order mark is dropped, and a file that is
/// not valid UTF-8 is read as Windows-1252 (what spreadsheet software on Windows writes).
struct Decoded {
  std::string text;
  std::string encoding;  // "UTF-8", "UTF-8 avec BOM", "Windows-1252"
};
Decoded DecodeToUtf8(std::string_view bytes);

struct Table {
  char separator = ';';
  std::vector<std::vector<std::string>> rows;  // the header row first
  std::vector<int> lines;                      // line number (1-based) where each row starts
};

struct ParseError {
  int line = 0;
  std::string message;  // French
};

/// RFC 4180 parsing (quotes, doubled quotes, line breaks inside quotes, CRLF or LF), with the
/// separator guessed from the header line among ';', ',' and tab. Empty lines are skipped.
/// Returns nothing and fills `error` on an unterminated quote.
std::optional<Table> Parse(std::string_view text, ParseError& error);

/// One field of a CSV file written for spreadsheet software: quoted when it holds the
/// separator, a quote or a line break; a value starting with = + - @ (a formula to a
/// spreadsheet) is prefixed with an apostrophe, unless it is a plain number.
std::string Field(std::string_view value, char separator);

}  // namespace allervers::csv
