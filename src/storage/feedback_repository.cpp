#include <soci/soci.h>

#include <map>

#include "domain/accompaniment.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

class SqlFeedbackRepository final : public service::FeedbackRepository {
 public:
  explicit SqlFeedbackRepository(soci::session& sql) : sql_(sql) {}

  domain::FeedbackId Insert(const domain::Feedback& f, std::optional<domain::UserId> author,
                            Instant now) override {
    const long long referral = f.referral_id;
    long long by = author.value_or(0);
    soci::indicator by_ind = author ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    {
      Query q(sql_,
              "INSERT INTO referral_feedback (referral_id, author_user_id, next_steps, sent_at) "
              "VALUES (:r, :a, :n, :s) RETURNING id");
      q.Use(referral).Use(by, by_ind).Use(f.next_steps).Use(at).Into(id);
      q.One();
    }
    int position = 0;
    for (const auto& item : f.items) {
      Query q(sql_,
              "INSERT INTO referral_feedback_item (feedback_id, position, kind, label) VALUES "
              "(:f, :p, :k, :l)");
      q.Use(id).Use(position).Use(item.kind).Use(item.label);
      q.Run();
      ++position;
    }
    return id;
  }

  std::vector<domain::Feedback> ForReferral(domain::ReferralId referral) override {
    const long long key = referral;
    std::vector<domain::Feedback> out;
    std::map<long long, std::size_t> index;
    long long id = 0;
    std::string author;
    std::string next_steps;
    long long sent = 0;
    {
      Query q(sql_,
              "SELECT f.id, COALESCE(u.display_name, ''), f.next_steps, f.sent_at FROM "
              "referral_feedback f LEFT JOIN app_user u ON u.id = f.author_user_id WHERE "
              "f.referral_id = :r ORDER BY f.sent_at DESC, f.id DESC");
      q.Into(id).Into(author).Into(next_steps).Into(sent).Use(key);
      q.ForEach([&] {
        domain::Feedback f;
        f.id = id;
        f.referral_id = referral;
        f.author_name = author;
        f.next_steps = next_steps;
        f.sent_at = FromEpoch(sent);
        index[id] = out.size();
        out.push_back(std::move(f));
      });
    }
    if (out.empty()) {
      return out;
    }
    std::string kind;
    std::string label;
    Query q(sql_,
            "SELECT i.feedback_id, i.kind, i.label FROM referral_feedback_item i JOIN "
            "referral_feedback f ON f.id = i.feedback_id WHERE f.referral_id = :r ORDER BY "
            "i.feedback_id, i.position");
    q.Into(id).Into(kind).Into(label).Use(key);
    q.ForEach([&] { out[index.at(id)].items.push_back({kind, label}); });
    return out;
  }

 private:
  soci::session& sql_;
};

class SqlReviewRepository final : public service::ReviewRepository {
 public:
  explicit SqlReviewRepository(soci::session& sql) : sql_(sql) {}

  domain::ReviewId Insert(const domain::CaseReview& r, std::optional<domain::UserId> created_by,
                          Instant now) override {
    const long long referral = r.referral_id;
    const long long when = ToEpoch(r.scheduled_at);
    const std::string participants = JoinCodes(r.participants);
    const std::string status(domain::ReviewStatusCode(r.status));
    long long by = created_by.value_or(0);
    soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO case_review (referral_id, scheduled_at, place, participants, status, "
            "minutes, decisions, created_by_user_id, created_at, updated_at) VALUES (:r, :w, "
            ":p, :pa, :s, :m, :d, :by, :c, :u) RETURNING id");
    q.Use(referral)
        .Use(when)
        .Use(r.place)
        .Use(participants)
        .Use(status)
        .Use(r.minutes)
        .Use(r.decisions)
        .Use(by, by_ind)
        .Use(at)
        .Use(at)
        .Into(id);
    q.One();
    return id;
  }

  std::optional<domain::CaseReview> Find(domain::ReviewId id) override {
    auto list = Select("WHERE c.id = :k", id);
    if (list.empty()) {
      return std::nullopt;
    }
    return list.front();
  }

  std::vector<domain::CaseReview> ForReferral(domain::ReferralId referral) override {
    return Select("WHERE c.referral_id = :k", referral);
  }

  void Update(const domain::CaseReview& r, Instant now) override {
    const long long key = r.id;
    const long long when = ToEpoch(r.scheduled_at);
    const std::string participants = JoinCodes(r.participants);
    const std::string status(domain::ReviewStatusCode(r.status));
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE case_review SET scheduled_at = :w, place = :p, participants = :pa, status = "
            ":s, minutes = :m, decisions = :d, updated_at = :u WHERE id = :id");
    q.Use(when)
        .Use(r.place)
        .Use(participants)
        .Use(status)
        .Use(r.minutes)
        .Use(r.decisions)
        .Use(at)
        .Use(key);
    q.Run();
  }

 private:
  std::vector<domain::CaseReview> Select(const std::string& where, long long key) {
    std::vector<domain::CaseReview> out;
    long long id = 0;
    long long referral = 0;
    long long when = 0;
    std::string place;
    std::string participants;
    std::string status;
    std::string minutes;
    std::string decisions;
    std::string author;
    long long created = 0;
    long long updated = 0;
    Query q(sql_,
            "SELECT c.id, c.referral_id, c.scheduled_at, c.place, c.participants, c.status, "
            "c.minutes, c.decisions, COALESCE(u.display_name, ''), c.created_at, c.updated_at "
            "FROM case_review c LEFT JOIN app_user u ON u.id = c.created_by_user_id " +
                where + " ORDER BY c.scheduled_at, c.id");
    q.Into(id)
        .Into(referral)
        .Into(when)
        .Into(place)
        .Into(participants)
        .Into(status)
        .Into(minutes)
        .Into(decisions)
        .Into(author)
        .Into(created)
        .Into(updated)
        .Use(key);
    q.ForEach([&] {
      domain::CaseReview r;
      r.id = id;
      r.referral_id = referral;
      r.scheduled_at = FromEpoch(when);
      r.place = place;
      r.participants = domain::MultiCodes(participants);
      r.status = domain::ParseReviewStatus(status).value_or(domain::ReviewStatus::kPlanned);
      r.minutes = minutes;
      r.decisions = decisions;
      r.author_name = author;
      r.created_at = FromEpoch(created);
      r.updated_at = FromEpoch(updated);
      out.push_back(std::move(r));
    });
    return out;
  }

  soci::session& sql_;
};

class SqlDelegationRepository final : public service::DelegationRepository {
 public:
  explicit SqlDelegationRepository(soci::session& sql) : sql_(sql) {}

  domain::FollowMode Mode(domain::ReferralId referral) override {
    const long long key = referral;
    std::string mode;
    Query q(sql_, "SELECT mode FROM case_follow_mode WHERE referral_id = :r");
    q.Into(mode).Use(key);
    if (!q.One()) {
      return domain::FollowMode::kUnset;
    }
    return domain::ParseFollowMode(mode).value_or(domain::FollowMode::kUnset);
  }

  void SetMode(domain::ReferralId referral, domain::FollowMode mode,
               std::optional<domain::UserId> by, Instant now) override {
    const long long key = referral;
    {
      Query del(sql_, "DELETE FROM case_follow_mode WHERE referral_id = :r");
      del.Use(key);
      del.Run();
    }
    if (mode == domain::FollowMode::kUnset) {
      return;
    }
    const std::string code(domain::FollowModeCode(mode));
    long long user = by.value_or(0);
    soci::indicator user_ind = by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "INSERT INTO case_follow_mode (referral_id, mode, set_by_user_id, set_at) VALUES "
            "(:r, :m, :u, :a)");
    q.Use(key).Use(code).Use(user, user_ind).Use(at);
    q.Run();
  }

  domain::QuarterlyReportId InsertReport(const domain::QuarterlyReport& r,
                                         std::optional<domain::UserId> author,
                                         Instant now) override {
    const long long referral = r.referral_id;
    const int year = r.period.year;
    const int quarter = r.period.quarter;
    std::string summary;
    for (const auto& line : r.summary) {
      summary += (summary.empty() ? "" : "\n") + line;
    }
    long long user = author.value_or(0);
    soci::indicator user_ind = author ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO quarterly_report (referral_id, year, quarter, summary, observations, "
            "perspectives, author_user_id, sent_at) VALUES (:r, :y, :q, :s, :o, :p, :u, :a) "
            "RETURNING id");
    q.Use(referral)
        .Use(year)
        .Use(quarter)
        .Use(summary)
        .Use(r.observations)
        .Use(r.perspectives)
        .Use(user, user_ind)
        .Use(at)
        .Into(id);
    q.One();
    return id;
  }

  std::optional<domain::QuarterlyReport> FindReport(domain::QuarterlyReportId id) override {
    const long long key = id;
    auto list = Select("WHERE q.id = :k", key, 1);
    if (list.empty()) {
      return std::nullopt;
    }
    return list.front();
  }

  std::vector<domain::QuarterlyReport> ReportsFor(domain::ReferralId referral) override {
    const long long key = referral;
    return Select("WHERE q.referral_id = :k", key, 100);
  }

  std::vector<domain::QuarterlyReport> ReportsOfReferrer(domain::StructureId structure,
                                                         int limit) override {
    const long long key = structure;
    return Select("WHERE q.referral_id IN (SELECT id FROM referral WHERE structure_id = :k)", key,
                  limit);
  }

 private:
  std::vector<domain::QuarterlyReport> Select(const std::string& where, long long key, int limit) {
    std::vector<domain::QuarterlyReport> out;
    long long id = 0;
    long long referral = 0;
    int year = 0;
    int quarter = 0;
    std::string summary;
    std::string observations;
    std::string perspectives;
    std::string author;
    long long sent = 0;
    const long long max = limit;
    Query q(sql_,
            "SELECT q.id, q.referral_id, q.year, q.quarter, q.summary, q.observations, "
            "q.perspectives, COALESCE(u.display_name, ''), q.sent_at FROM quarterly_report q "
            "LEFT JOIN app_user u ON u.id = q.author_user_id " +
                where + " ORDER BY q.year DESC, q.quarter DESC, q.id DESC LIMIT :lim");
    q.Into(id)
        .Into(referral)
        .Into(year)
        .Into(quarter)
        .Into(summary)
        .Into(observations)
        .Into(perspectives)
        .Into(author)
        .Into(sent)
        .Use(key)
        .Use(max);
    q.ForEach([&] {
      domain::QuarterlyReport r;
      r.id = id;
      r.referral_id = referral;
      r.period = {year, quarter};
      std::size_t start = 0;
      while (start <= summary.size() && !summary.empty()) {
        const auto end = summary.find('\n', start);
        r.summary.push_back(summary.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) {
          break;
        }
        start = end + 1;
      }
      r.observations = observations;
      r.perspectives = perspectives;
      r.author_name = author;
      r.sent_at = FromEpoch(sent);
      out.push_back(std::move(r));
    });
    return out;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::FeedbackRepository> MakeFeedbackRepository(soci::session& sql) {
  return std::make_unique<SqlFeedbackRepository>(sql);
}

std::unique_ptr<service::ReviewRepository> MakeReviewRepository(soci::session& sql) {
  return std::make_unique<SqlReviewRepository>(sql);
}

std::unique_ptr<service::DelegationRepository> MakeDelegationRepository(soci::session& sql) {
  return std::make_unique<SqlDelegationRepository>(sql);
}

}  // namespace allervers::storage
