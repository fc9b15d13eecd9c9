#include "domain/phone.hpp"

namespace allervers::domain {

std::optional<std::string> NormalizePhone(std::string_view typed) {
  std::string digits;
  bool plus = false;
  bool seen_digit = false;
  std::size_t i = 0;
  while (i < typed.size()) {
    const char ch = typed[i];
    if (ch >= '0' && ch <= '9') {
      digits.push_back(ch);
      seen_digit = true;
    } else if (ch == '+' && !seen_digit && !plus) {
      plus = true;
    } else if (ch == '(' && i + 2 < typed.size() && typed[i + 1] == '0' && typed[i + 2] == ')') {
      i += 3;  // "+33 (0)6…": the trunk zero in parentheses is dropped
      continue;
    } else if (ch != ' ' && ch != '.' && ch != '-' && ch != '/' && ch != '(' && ch != ')' &&
               static_cast<unsigned char>(ch) != 0xC2 && static_cast<unsigned char>(ch) != 0xA0) {
      return std::nullopt;
    }
    ++i;
  }
  if (!plus && digits.starts_with("00") && digits.size() > 10) {
    digits = digits.substr(2);
    plus = true;
  }
  if (plus) {
    if (digits.starts_with("33")) {
      std::string national = digits.substr(2);
      if (national.starts_with("0")) {
        national = national.substr(1);
      }
      if (national.size() != 9 || national[0] == '0') {
        return std::nullopt;
      }
      return "+33" + national;
    }
    if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
      return std::nullopt;
    }
    return "+" + digits;
  }
  if (digits.size() == 10 && digits[0] == '0' && digits[1] != '0') {
    return "+33" + digits.substr(1);
  }
  return std::nullopt;
}

bool IsFrenchMobile(std::string_view e164) {
  return e164.size() == 12 && e164.starts_with("+33") && (e164[3] == '6' || e164[3] == '7');
}

std::string FormatPhoneFr(std::string_view e164) {
  if (e164.size() != 12 || !e164.starts_with("+33")) {
    return std::string(e164);
  }
  std::string national = "0" + std::string(e164.substr(3));
  std::string out;
  for (std::size_t i = 0; i < national.size(); ++i) {
    if (i > 0 && i % 2 == 0) {
      out.push_back(' ');
    }
    out.push_back(national[i]);
  }
  return out;
}

}  // namespace allervers::domain
