#include "web/forms.hpp"

namespace allervers::web {

std::string Form::Get(std::string_view name) const {
  const std::string key(name);
  if (auto it = req_.files.find(key); it != req_.files.end() && it->second.filename.empty()) {
    return it->second.content;
  }
  if (auto it = req_.params.find(key); it != req_.params.end()) {
    return it->second;
  }
  return {};
}

std::vector<std::string> Form::All(std::string_view name) const {
  const std::string key(name);
  std::vector<std::string> out;
  auto files = req_.files.equal_range(key);
  for (auto it = files.first; it != files.second; ++it) {
    if (it->second.filename.empty()) {
      out.push_back(it->second.content);
    }
  }
  auto params = req_.params.equal_range(key);
  for (auto it = params.first; it != params.second; ++it) {
    out.push_back(it->second);
  }
  return out;
}

bool Form::Has(std::string_view name) const {
  const std::string key(name);
  return req_.files.count(key) > 0 || req_.params.count(key) > 0;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || ch == '-' ||
        ch == '_' || ch == '.' || ch == '~' || ch == '/') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

}  // namespace allervers::web
