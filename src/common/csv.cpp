#include "common/csv.hpp"

#include <unicode/ucnv.h>

#include <algorithm>
#include <memory>

#include "common/text.hpp"

namespace allervers::csv {

Decoded DecodeToUtf8(std::string_view bytes) {
  Decoded out;
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    bytes.remove_prefix(3);
    out.encoding = "UTF-8 avec BOM";
  }
  if (text::IsValidUtf8(bytes)) {
    out.text = std::string(bytes);
    if (out.encoding.empty()) {
      out.encoding = "UTF-8";
    }
    return out;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, void (*)(UConverter*)> conv(ucnv_open("windows-1252", &status),
                                                          ucnv_close);
  if (U_FAILURE(status)) {
    out.text = std::string(bytes);
    out.encoding = "inconnu";
    return out;
  }
  std::string result(bytes.size() * 3 + 1, '\0');
  status = U_ZERO_ERROR;
  const int32_t n =
      ucnv_toAlgorithmic(UCNV_UTF8, conv.get(), result.data(), static_cast<int32_t>(result.size()),
                         bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  result.resize(U_SUCCESS(status) ? static_cast<std::size_t>(n) : 0);
  out.text = std::move(result);
  out.encoding = "Windows-1252";
  return out;
}

std::optional<Table> Parse(std::string_view text, ParseError& error) {
  Table table;
  // The separator is the most frequent candidate on the first line, outside quotes.
  const std::string_view first_line = text.substr(0, text.find('\n'));
  std::size_t best = 0;
  for (char candidate : {';', ',', '\t'}) {
    const auto n =
        static_cast<std::size_t>(std::count(first_line.begin(), first_line.end(), candidate));
    if (n > best) {
      best = n;
      table.separator = candidate;
    }
  }
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false;
  bool field_started = false;
  int line = 1;
  int row_line = 1;
  int quote_line = 0;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    const bool empty = row.size() == 1 && row[0].empty();
    if (!empty) {
      table.rows.push_back(std::move(row));
      table.lines.push_back(row_line);
    }
    row.clear();
    field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') {
          ++line;
        }
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
      quote_line = line;
    } else if (c == table.separator) {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      end_row();
      ++line;
      row_line = line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes) {
    error.line = quote_line;
    error.message = "guillemet ouvert ligne " + std::to_string(quote_line) + " et jamais refermé";
    return std::nullopt;
  }
  if (!field.empty() || !row.empty()) {
    end_row();
  }
  return table;
}

std::string Field(std::string_view value, char separator) {
  std::string out(value);
  const bool number =
      !value.empty() && value.find_first_not_of("-0123456789,.") == std::string_view::npos &&
      value.find_first_of("0123456789") != std::string_view::npos && value.rfind('-') == 0;
  if (!value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos && !number) {
    out.insert(out.begin(), '\'');
  }
  if (out.find_first_of(std::string{separator, '"', '\n', '\r'}) != std::string::npos) {
    std::string quoted = "\"";
    for (const char c : out) {
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return quoted + "\"";
  }
  return out;
}

}  // namespace allervers::csv
