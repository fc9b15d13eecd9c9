#pragma once

#include <string>

#include "service/referral_repositories.hpp"

namespace allervers::service {

/// What became of one attempt to hand a message to its carrier.
struct SendResult {
  bool ok = false;
  /// When !ok: true if retrying cannot help (an SMTP 5xx, an HTTP 4xx other than 429).
  bool permanent = false;
  /// When !ok: a short reason for the operator (curl code, SMTP or HTTP status). Never personal
  /// data: no recipient, subject, body, nor the server's free text, which may quote them.
  std::string error;
};

/// A carrier of one channel (e-mail, SMS). Implementations live in notify/. Send() runs outside
/// any database transaction, may take seconds (bounded by the implementation's timeouts), and
/// may be called from one thread at a time per instance.
class MessageSender {
 public:
  virtual ~MessageSender() = default;
  virtual SendResult Send(const OutboxMessage& message) = 0;
};

}  // namespace allervers::service
