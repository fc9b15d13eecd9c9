#include "notify/http_sms_sender.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/error.hpp"
#include "notify/curl_handle.hpp"

namespace allervers::notify {
namespace {

// The JSON string literal of `s` without its quotes, invalid UTF-8 replaced (U+FFFD).
std::string JsonEscaped(std::string_view s) {
  const std::string quoted =
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

void ReplaceAll(std::string& text, std::string_view placeholder, const std::string& value) {
  for (auto pos = text.find(placeholder); pos != std::string::npos;
       pos = text.find(placeholder, pos + value.size())) {
    text.replace(pos, placeholder.size(), value);
  }
}

std::string Fill(const std::string& tmpl, std::string_view to, std::string_view text,
                 std::int64_t id) {
  std::string body = tmpl;
  // {{id}} first: the recipient's or the text's own braces are never placeholders.
  ReplaceAll(body, "{{id}}", std::to_string(id));
  const std::string escaped_to = JsonEscaped(to);
  const std::string escaped_text = JsonEscaped(text);
  // Substitute from one pass over the template so that a value containing "{{text}}" is not
  // substituted again.
  std::string out;
  std::size_t i = 0;
  while (i < body.size()) {
    if (body.compare(i, 6, "{{to}}") == 0) {
      out += escaped_to;
      i += 6;
    } else if (body.compare(i, 8, "{{text}}") == 0) {
      out += escaped_text;
      i += 8;
    } else {
      out += body[i++];
    }
  }
  return out;
}

std::size_t Discard(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;  // the provider's answer may quote the number: never kept
}

}  // namespace

std::string TrimSmsText(std::string_view utf8) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0U) != 0x80U) {
      if (characters == kMaxSmsCharacters) {
        // Cut here; the last kept character becomes the ellipsis.
        std::string out(utf8.substr(0, i));
        std::size_t last = out.size();
        do {
          --last;
        } while (last > 0 && (static_cast<unsigned char>(out[last]) & 0xC0U) == 0x80U);
        out.resize(last);
        return out + "…";
      }
      ++characters;
    }
  }
  return std::string(utf8);
}

HttpSmsSender::HttpSmsSender(SmsSettings settings) : settings_(std::move(settings)) {
  if (!settings_.url.starts_with("https://") && !settings_.url.starts_with("http://")) {
    throw Error(ErrorCode::kInvalidArgument,
                "sms.url : attendu https://… (adresse du service d’envoi de SMS)");
  }
  const auto colon = settings_.auth_header.find(':');
  if (!settings_.auth_header.empty() &&
      (colon == std::string::npos || colon == 0 ||
       settings_.auth_header.find_first_of("\r\n") != std::string::npos)) {
    throw Error(ErrorCode::kInvalidArgument,
                "sms.auth_header : attendu « Nom: valeur », par exemple « Authorization: Bearer "
                "… »");
  }
  if (settings_.body_template.empty()) {
    settings_.body_template = kDefaultSmsBodyTemplate;
  }
  if (settings_.body_template.find("{{to}}") == std::string::npos ||
      settings_.body_template.find("{{text}}") == std::string::npos) {
    throw Error(ErrorCode::kInvalidArgument,
                "sms.body_template : le modèle doit contenir {{to}} et {{text}}");
  }
  const std::string sample = Fill(settings_.body_template, "+33600000000", "a \"b\"\n", 1);
  if (!nlohmann::json::accept(sample)) {
    throw Error(ErrorCode::kInvalidArgument,
                "sms.body_template : le modèle n’est pas du JSON valide une fois rempli (placez "
                "{{to}} et {{text}} entre guillemets)");
  }
  EnsureCurlInitialised();
}

std::string HttpSmsSender::BuildBody(const service::OutboxMessage& m) const {
  return Fill(settings_.body_template, m.recipient, TrimSmsText(m.body), m.id);
}

service::SendResult HttpSmsSender::Send(const service::OutboxMessage& m) {
  if (m.recipient.empty()) {
    return {false, true, "numéro du destinataire vide"};
  }
  const std::string body = BuildBody(m);
  CurlPtr curl(curl_easy_init());
  if (!curl) {
    return {false, false, "curl_easy_init failed"};
  }
  CURL* c = curl.get();
  CurlList headers;
  Append(headers, "Content-Type: application/json");
  Append(headers, "Accept: application/json");
  Append(headers, "Idempotency-Key: outbox-" + std::to_string(m.id));
  Append(headers, "Expect:");  // no 100-continue round trip
  if (!settings_.auth_header.empty()) {
    Append(headers, settings_.auth_header);
  }
  SetRequest(c, settings_.url, "http,https", settings_.connect_timeout, settings_.timeout);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return {false, false, CurlError(rc)};
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    return {true, false, ""};
  }
  const bool permanent = status >= 400 && status < 500 && status != 429;
  return {false, permanent, "http " + std::to_string(status)};
}

}  // namespace allervers::notify
