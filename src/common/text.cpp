#include "common/text.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <memory>
#include <stdexcept>

namespace allervers::text {
namespace {

bool IsSpaceCodePoint(UChar32 c) {
  return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C || c == 0xA0 ||
         c == 0x202F || c == 0x2009 || c == 0x3000 || c == 0xFEFF;
}

// ICU transliterators are expensive to build and not documented as thread-safe,
// so each thread builds its own once.
const icu::Transliterator& SearchFolder() {
  thread_local std::unique_ptr<icu::Transliterator> folder = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
        "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !t) {
      throw std::runtime_error("ICU transliterator Any-Latin; Latin-ASCII; Lower unavailable");
    }
    return t;
  }();
  return *folder;
}

}  // namespace

std::string Trim(std::string_view s) {
  int32_t begin = 0;
  int32_t end = static_cast<int32_t>(s.size());
  while (begin < end) {
    UChar32 c = 0;
    int32_t i = begin;
    U8_NEXT(s.data(), i, end, c);
    if (!IsSpaceCodePoint(c)) {
      break;
    }
    begin = i;
  }
  while (end > begin) {
    UChar32 c = 0;
    int32_t i = end;
    U8_PREV(s.data(), begin, i, c);
    if (!IsSpaceCodePoint(c)) {
      break;
    }
    end = i;
  }
  return std::string(
      s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)));
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') {
      ch = static_cast<char>(ch - 'A' + 'a');
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c = 0;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0) {
      return false;
    }
  }
  return true;
}

std::size_t CodePointCount(std::string_view s) {
  std::size_t count = 0;
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c = 0;
    U8_NEXT(s.data(), i, n, c);
    ++count;
  }
  return count;
}

bool HasControlCharacters(std::string_view s) {
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c = 0;
    U8_NEXT(s.data(), i, n, c);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c < 0xA0)) {
      return true;
    }
  }
  return false;
}

std::string FoldForSearch(std::string_view s) {
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  SearchFolder().transliterate(u);
  std::string folded;
  u.toUTF8String(folded);
  // Everything but ASCII letters and digits becomes a space; runs of spaces collapse.
  std::string out;
  out.reserve(folded.size());
  bool space = true;
  for (char ch : folded) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (!keep) {
      if (!space) {
        out.push_back(' ');
      }
      space = true;
    } else {
      out.push_back(ch);
      space = false;
    }
  }
  if (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

std::string Truncate(std::string_view s, std::size_t max) {
  if (!IsValidUtf8(s)) {
    return "?";
  }
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  std::size_t count = 0;
  while (i < n && count < max) {
    UChar32 c = 0;
    U8_NEXT(s.data(), i, n, c);
    ++count;
  }
  std::string out(s.substr(0, static_cast<std::size_t>(i)));
  if (i < n) {
    out += "…";
  }
  return out;
}

std::string ToUpper(std::string_view s) {
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.toUpper(icu::Locale::getFrench());
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string ToNfc(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) {
    return std::string(s);
  }
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  icu::UnicodeString normalized = nfc->normalize(u, status);
  if (U_FAILURE(status)) {
    return std::string(s);
  }
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

}  // namespace allervers::text
