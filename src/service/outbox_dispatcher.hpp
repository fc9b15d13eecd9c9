#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "service/message_sender.hpp"
#include "service/repositories.hpp"

namespace allervers::service {

struct OutboxSettings {
  /// How long a leased message belongs to its dispatcher. A pass stops sending (and gives back
  /// what it has not tried) well before, so that no other process leases a message being sent.
  std::chrono::seconds lease{600};
  /// Messages leased per pass; with the senders' timeouts (60 s at most each) a pass stays far
  /// within the lease.
  int batch = 10;
  /// Attempts before a message that keeps failing temporarily is given up ('failed').
  int max_attempts = 8;
  /// Delay after the first failed attempt, doubled after each one, capped at `max_delay`.
  std::chrono::seconds first_delay{60};
  std::chrono::seconds max_delay{std::chrono::hours(6)};
};

/// What became of one leased message in a pass. Holds ids and codes only, safe to log.
struct OutboxOutcome {
  enum class Kind {
    kSent,
    kRetry,     // temporary failure, tried again at next_attempt_at
    kFailed,    // permanent failure, or too many attempts
    kReleased,  // not tried (stop requested, or the pass ran out of lease): back to pending
    kLeaseLost  // another dispatcher leased it meanwhile, or it was cancelled: not recorded
  };
  std::int64_t id = 0;
  std::string channel;
  Kind kind = Kind::kSent;
  int attempts = 0;
  std::string error;
  std::optional<Instant> next_attempt_at;
};

struct DispatchReport {
  std::vector<OutboxOutcome> outcomes;
  /// Channels with pending messages but no sender, each reported once per dispatcher.
  std::vector<std::string> unconfigured_channels;

  int Count(OutboxOutcome::Kind kind) const;
};

/// Delivers the outbox: leases due messages in one short transaction, sends each outside any
/// transaction, records each result in a transaction of its own, retries temporary failures
/// with exponential backoff.
///
/// Delivery is at least once, not exactly once. A message is never handed to two senders while
/// its lease holds, and a message recorded 'sent' is never sent again; but if the process dies
/// (or loses the database) after the carrier accepted a message and before MarkSent committed,
/// the message is sent again once its lease expires. The e-mail keeps the same Message-ID
/// (<outbox-ID@domain>) and the SMS the same Idempotency-Key (outbox-ID) on every attempt, so
/// that mail clients and SMS providers that honour them drop the duplicate.
///
/// RunOnce() is meant for one thread at a time; RequestStop() may be called from any thread.
class OutboxDispatcher {
 public:
  /// `senders` maps a channel ("email", "sms") to its sender; a channel without one is left
  /// pending. `owner` names this process in leases (see DefaultOwnerId()).
  OutboxDispatcher(Store& store, std::map<std::string, MessageSender*> senders, std::string owner,
                   OutboxSettings settings = {});

  /// One pass over the messages due at `now`. Throws Error when the database fails.
  DispatchReport RunOnce(Instant now);

  /// Makes the pass in progress stop before its next message, and later passes do nothing.
  void RequestStop() { stop_.store(true); }

  const std::string& owner() const { return owner_; }

  /// Delay before the next attempt once `attempts` attempts have failed (1 → first_delay).
  static std::chrono::seconds Backoff(int attempts, const OutboxSettings& settings);

  /// hostname:pid:random, unique among the processes sharing a database.
  static std::string DefaultOwnerId();

 private:
  Store& store_;
  std::map<std::string, MessageSender*> senders_;
  std::string owner_;
  OutboxSettings settings_;
  std::atomic<bool> stop_{false};
  std::set<std::string> warned_channels_;
};

/// The channels messages may use.
inline constexpr std::array<std::string_view, 2> kOutboxChannels{"email", "sms"};

}  // namespace allervers::service
