#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "service/message_sender.hpp"

namespace allervers::notify {

struct SmtpSettings {
  /// smtp://host:port (optionally upgraded by STARTTLS) or smtps://host:port (TLS from the start).
  std::string url;
  std::string user;      // empty: no authentication
  std::string password;  // never logged
  std::string from;      // the sender's address
  std::string from_name;
  /// Require STARTTLS on smtp:// (CURLUSESSL_ALL): the message is never sent in clear.
  bool starttls = false;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};
};

/// Sends the "email" messages of the outbox through an SMTP relay with libcurl.
/// An SMTP 5xx answer is a permanent failure (except a refused login, a configuration problem),
/// anything else (4xx, network, timeout) a temporary one.
class SmtpMailer final : public service::MessageSender {
 public:
  /// Throws Error(kInvalidArgument) with a French message on a bad URL scheme or From address.
  explicit SmtpMailer(SmtpSettings settings);

  service::SendResult Send(const service::OutboxMessage& message) override;

  /// The RFC 5322 message: From, To, Subject (RFC 2047 when not plain ASCII), Date (the
  /// message's creation), Message-ID <outbox-ID@from-domain> (the same on every attempt),
  /// MIME headers, a UTF-8 body in quoted-printable; CRLF line ends. Dot-stuffing is curl's.
  std::string BuildMessage(const service::OutboxMessage& message) const;

 private:
  SmtpSettings settings_;
  std::string domain_;  // of the From address
};

/// An unstructured header value in RFC 2047 encoded words (UTF-8, base64), folded every 36
/// bytes at character boundaries; short (60) plain printable ASCII is returned as is. CR, LF
/// and other control characters become spaces.
std::string EncodeHeaderText(std::string_view utf8);

/// Quoted-printable (RFC 2045) of a UTF-8 text: line ends become CRLF, lines at most 76
/// characters, trailing spaces protected.
std::string QuotedPrintable(std::string_view text);

/// A plain address (local@domain, ASCII, no spaces, brackets or separators): the only kind
/// put in an envelope or a header.
bool IsPlainAddress(std::string_view address);

/// RFC 5322 date-time in UTC: "Sun, 29 Nov 2026 02:44:15 +0000".
std::string RfcDate(Instant at);

}  // namespace allervers::notify
