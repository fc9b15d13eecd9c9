#pragma once

#include <atomic>
#include <chrono>

#include "common/clock.hpp"

namespace allervers::testing {

/// A clock tests move by hand: no sleeping, no flakiness.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start = FromEpoch(1'790'000'000)) : now_(ToEpoch(start)) {}
  Instant Now() const override { return FromEpoch(now_.load()); }
  void Advance(std::chrono::seconds s) { now_ += s.count(); }
  void Set(Instant t) { now_ = ToEpoch(t); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace allervers::testing
