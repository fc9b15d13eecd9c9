#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace allervers::storage {

/// A prepared statement with static binding, the only way repositories query:
///   Query q(sql, "SELECT a, b FROM t WHERE c = :c");
///   q.Into(a).Into(b).Use(c);
///   q.ForEach([&] { out.push_back(...); });
/// Bound variables are held by reference and must outlive the call that runs the query.
class Query {
 public:
  Query(soci::session& sql, std::string text) : st_(sql), text_(std::move(text)) {}

  template <class T>
  Query& Into(T& value) {
    st_.exchange(soci::into(value));
    return *this;
  }
  template <class T>
  Query& Into(T& value, soci::indicator& ind) {
    st_.exchange(soci::into(value, ind));
    return *this;
  }
  template <class T>
  Query& Use(const T& value) {
    st_.exchange(soci::use(value));
    return *this;
  }
  template <class T>
  Query& Use(const T& value, soci::indicator& ind) {
    st_.exchange(soci::use(value, ind));
    return *this;
  }

  /// Runs the query and calls `on_row` after each row is fetched into the Into variables.
  template <class F>
  void ForEach(F on_row) {
    Prepare();
    st_.execute(false);
    while (st_.fetch()) {
      on_row();
    }
  }

  /// Runs a single-row query; false when no row matched.
  bool One() {
    Prepare();
    return st_.execute(true);
  }

  /// Runs a statement without result rows; returns the number of rows affected.
  long long Run() {
    Prepare();
    st_.execute(true);
    return st_.get_affected_rows();
  }

 private:
  void Prepare() {
    st_.alloc();
    st_.prepare(text_);
    st_.define_and_bind();
  }

  soci::statement st_;
  std::string text_;
};

/// Codes stored in one text column, comma-separated (read back with domain::MultiCodes).
inline std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) {
    out += (out.empty() ? "" : ",") + c;
  }
  return out;
}

/// Converts a nullable column fetched with an indicator.
template <class T>
std::optional<T> Nullable(const T& value, soci::indicator ind) {
  return ind == soci::i_null ? std::nullopt : std::optional<T>(value);
}

}  // namespace allervers::storage
