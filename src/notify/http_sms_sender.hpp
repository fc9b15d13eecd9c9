#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "service/message_sender.hpp"

namespace allervers::notify {

struct SmsSettings {
  /// The provider's endpoint, http:// or https://, called with POST.
  std::string url;
  /// One header line giving the credentials, e.g. "Authorization: Bearer …". Never logged.
  std::string auth_header;
  /// The JSON body, with {{to}}, {{text}} and {{id}} replaced by the JSON-escaped recipient,
  /// text and outbox id (placeholders go inside a JSON string: "to":"{{to}}").
  std::string body_template;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{30};
};

inline constexpr std::string_view kDefaultSmsBodyTemplate =
    R"({"to":"{{to}}","text":"{{text}}","reference":"outbox-{{id}}"})";

/// Sends the "sms" messages of the outbox to an HTTP SMS provider with libcurl: a POST of the
/// JSON body with the auth header and "Idempotency-Key: outbox-ID" (the same on every attempt).
/// 2xx is delivered; 429 and 5xx (and network errors, redirections) are temporary failures;
/// any other 4xx is permanent.
class HttpSmsSender final : public service::MessageSender {
 public:
  /// Throws Error(kInvalidArgument) with a French message on a bad URL scheme, a malformed
  /// auth header, or a template that is not JSON once filled in.
  explicit HttpSmsSender(SmsSettings settings);

  service::SendResult Send(const service::OutboxMessage& message) override;

  /// The request body for `message` (text trimmed by TrimSmsText()).
  std::string BuildBody(const service::OutboxMessage& message) const;

 private:
  SmsSettings settings_;
};

/// At most kMaxSmsCharacters characters (code points), cut at a character boundary and ended
/// by "…" when cut.
std::string TrimSmsText(std::string_view utf8);

/// Three concatenated SMS: 3 × 153 GSM-7 characters (a segment of a long SMS carries 153, not
/// 160, since the concatenation header takes 7). Longer texts would cost a fourth segment or
/// be refused by providers. Texts outside GSM-7 (UCS-2: œ, emoji…) fit 67 per segment, so
/// they may take more segments; the messages we write are short and plain.
inline constexpr std::size_t kMaxSmsCharacters = 459;

}  // namespace allervers::notify
