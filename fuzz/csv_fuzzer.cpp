// libFuzzer target: the CSV import's decoding and parsing (common/csv.cpp) on hostile bytes.
// Properties: nothing crashes or trips ASan/UBSan; whatever the bytes, the decoded text is
// valid UTF-8; a parsed table has one line number per row and its line numbers increase; and
// what csv::Field writes, csv::Parse reads back as the same cell.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/csv.hpp"
#include "common/text.hpp"

namespace {

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace allervers;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto decoded = csv::DecodeToUtf8(bytes);
  Check(text::IsValidUtf8(decoded.text));
  csv::ParseError error;
  const auto table = csv::Parse(decoded.text, error);
  if (!table) {
    Check(!error.message.empty());
    return 0;
  }
  Check(table->rows.size() == table->lines.size());
  for (std::size_t i = 1; i < table->lines.size(); ++i) {
    Check(table->lines[i] > table->lines[i - 1]);
  }
  // A cell written by csv::Field is read back unchanged (a formula-looking one gains its
  // leading apostrophe, which is the point of csv::Field).
  if (!table->rows.empty() && !table->rows.front().empty()) {
    const std::string& cell = table->rows.front().front();
    // (The separator is guessed from the header line: it holds only ';' here.)
    const std::string text = "a;b\nx;" + csv::Field(cell, ';') + "\n";
    csv::ParseError again_error;
    const auto again = csv::Parse(text, again_error);
    Check(again.has_value() && again->rows.size() == 2 && again->rows[1].size() == 2);
    const std::string& back = again->rows[1][1];
    Check(back == cell || back == "'" + cell);
  }
  return 0;
}
