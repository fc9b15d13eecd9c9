#include "service/outbox_dispatcher.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <random>
#include <utility>

namespace allervers::service {

int DispatchReport::Count(OutboxOutcome::Kind kind) const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [&](const OutboxOutcome& o) { return o.kind == kind; }));
}

OutboxDispatcher::OutboxDispatcher(Store& store, std::map<std::string, MessageSender*> senders,
                                   std::string owner, OutboxSettings settings)
    : store_(store), senders_(std::move(senders)), owner_(std::move(owner)), settings_(settings) {
  std::erase_if(senders_, [](const auto& entry) { return entry.second == nullptr; });
}

std::chrono::seconds OutboxDispatcher::Backoff(int attempts, const OutboxSettings& settings) {
  std::chrono::seconds delay = settings.first_delay;
  for (int i = 1; i < attempts && delay < settings.max_delay; ++i) {
    delay *= 2;
  }
  return std::min(delay, settings.max_delay);
}

std::string OutboxDispatcher::DefaultOwnerId() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) {
    host[0] = '\0';
  }
  std::random_device random;
  const auto nonce = (static_cast<unsigned long long>(random()) << 32U) ^ random();
  return std::string(host.data()) + ":" + std::to_string(getpid()) + ":" + std::to_string(nonce);
}

DispatchReport OutboxDispatcher::RunOnce(Instant now) {
  DispatchReport report;
  if (stop_.load()) {
    return report;
  }

  // Say once per channel that messages wait for a sender nobody configured.
  std::vector<std::string> unconfigured;
  for (const std::string_view name : kOutboxChannels) {
    const std::string channel(name);
    if (!senders_.contains(channel) && !warned_channels_.contains(channel)) {
      unconfigured.push_back(channel);
    }
  }
  if (!unconfigured.empty()) {
    store_.Read([&](Tx& tx) {
      for (const std::string& channel : unconfigured) {
        if (tx.outbox().CountPending(channel) > 0) {
          report.unconfigured_channels.push_back(channel);
          warned_channels_.insert(channel);
        }
      }
    });
  }

  std::vector<std::string> channels;
  for (const auto& [channel, sender] : senders_) {
    channels.push_back(channel);
  }
  if (channels.empty()) {
    return report;
  }

  // The lease commits before anything is sent: a transaction is never held across the network.
  std::vector<OutboxMessage> leased;
  store_.Write([&](Tx& tx) {
    leased = tx.outbox().LeaseDue(now, owner_, settings_.lease, settings_.batch, channels);
  });

  // Stop sending once half the lease is spent: what is left goes back to pending rather than
  // risk being leased by another process while this one is still sending it.
  const auto started = std::chrono::steady_clock::now();
  const auto budget = settings_.lease / 2;
  std::size_t next = 0;
  for (; next < leased.size(); ++next) {
    if (stop_.load() || std::chrono::steady_clock::now() - started > budget) {
      break;
    }
    const OutboxMessage& m = leased[next];
    SendResult result;
    try {
      if (m.attempts > settings_.max_attempts) {
        // Leased again and again without a result: its senders died while sending it (a
        // message that crashes the process?). Give up rather than loop.
        result = SendResult{false, true, "trop de tentatives interrompues"};
      } else {
        result = senders_.at(m.channel)->Send(m);
      }
    } catch (const std::exception&) {
      // A sender bug must not stop the delivery of the other messages; what() may quote the
      // message, so only the fact is kept.
      result = SendResult{false, false, "exception lors de l’envoi"};
    }

    OutboxOutcome outcome{m.id, m.channel, OutboxOutcome::Kind::kSent, m.attempts, "", {}};
    store_.Write([&](Tx& tx) {
      bool recorded = false;
      if (result.ok) {
        recorded = tx.outbox().MarkSent(m.id, owner_, now);
      } else if (result.permanent || m.attempts >= settings_.max_attempts) {
        outcome.kind = OutboxOutcome::Kind::kFailed;
        outcome.error = result.error;
        recorded = tx.outbox().MarkFailed(m.id, owner_, result.error);
      } else {
        outcome.kind = OutboxOutcome::Kind::kRetry;
        outcome.error = result.error;
        outcome.next_attempt_at = now + Backoff(m.attempts, settings_);
        recorded = tx.outbox().MarkRetry(m.id, owner_, result.error, *outcome.next_attempt_at);
      }
      if (!recorded) {
        outcome.kind = OutboxOutcome::Kind::kLeaseLost;
      }
    });
    report.outcomes.push_back(std::move(outcome));
  }

  if (next < leased.size()) {
    store_.Write([&](Tx& tx) {
      for (std::size_t i = next; i < leased.size(); ++i) {
        tx.outbox().Release(leased[i].id, owner_);
        report.outcomes.push_back(OutboxOutcome{leased[i].id,
                                                leased[i].channel,
                                                OutboxOutcome::Kind::kReleased,
                                                leased[i].attempts - 1,
                                                "",
                                                {}});
      }
    });
  }
  return report;
}

}  // namespace allervers::service
