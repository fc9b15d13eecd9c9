#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace allervers {

/// Seconds since the Unix epoch, UTC. Every stored instant uses this type.
using Instant = std::chrono::sys_seconds;

inline std::int64_t ToEpoch(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromEpoch(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

/// Source of "now". Production uses SystemClock; tests inject a fake so that
/// timeouts, retention and reminders are tested without sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

/// A clock set by hand: demo data and data generators date what they create in the past.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant t) : now_(ToEpoch(t)) {}
  Instant Now() const override { return FromEpoch(now_.load()); }
  void Set(Instant t) { now_ = ToEpoch(t); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace allervers
