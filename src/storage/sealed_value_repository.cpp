#include <soci/soci.h>

#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

// The table, its key and the sealed column.
struct Column {
  const char* table;
  const char* id;
  const char* text;
  const char* referral;  // the note's case and author, which its sealed text is bound to
  const char* author;
};

Column Describe(service::SealedColumn c) {
  switch (c) {
    case service::SealedColumn::kCaseNoteBody:
      return {"case_note", "id", "body", "referral_id", "author_user_id"};
    case service::SealedColumn::kTotpSecret:
      break;
  }
  return {"user_totp", "user_id", "secret_sealed", "0", "0"};
}

// "sb1.<8 hex digits>.<base64>" (security/secret_box.cpp): the key id is characters 5 to 12.
std::string KeyIdExpression(const Column& c) {
  return std::string("CASE WHEN substr(") + c.text + ", 1, 4) = 'sb1.' AND substr(" + c.text +
         ", 13, 1) = '.' THEN substr(" + c.text + ", 5, 8) ELSE '' END";
}

class SqlSealedValueRepository final : public service::SealedValueRepository {
 public:
  explicit SqlSealedValueRepository(soci::session& sql) : sql_(sql) {}

  std::vector<std::pair<std::string, std::int64_t>> CountByKey(
      service::SealedColumn column) override {
    const Column c = Describe(column);
    std::vector<std::pair<std::string, std::int64_t>> out;
    std::string key;
    long long count = 0;
    Query q(sql_, "SELECT k, COUNT(*) FROM (SELECT " + KeyIdExpression(c) + " AS k FROM " +
                      c.table + " WHERE " + c.text + " <> '') s GROUP BY k ORDER BY k");
    q.Into(key).Into(count);
    q.ForEach([&] { out.emplace_back(key, count); });
    return out;
  }

  std::vector<service::SealedValue> NotSealedBy(service::SealedColumn column,
                                                const std::optional<std::string>& key_id,
                                                std::int64_t after, int limit) override {
    const Column c = Describe(column);
    std::vector<service::SealedValue> out;
    const long long from = after;
    const int n = limit;
    // Without a key id: the values whose key id reads '' (not sealed texts).
    const std::string key = key_id.value_or("");
    const char* test = key_id ? " <> :key" : " = :key";
    long long id = 0;
    std::string text;
    long long referral = 0;
    long long author = 0;
    Query q(sql_, std::string("SELECT ") + c.id + ", " + c.text + ", " + c.referral + ", " +
                      c.author + " FROM " + c.table + " WHERE " + c.id + " > :after AND " + c.text +
                      " <> '' AND " + KeyIdExpression(c) + test + " ORDER BY " + c.id +
                      " LIMIT :n");
    q.Into(id).Into(text).Into(referral).Into(author).Use(from).Use(key).Use(n);
    q.ForEach([&] { out.push_back({id, text, referral, author}); });
    return out;
  }

  bool Replace(service::SealedColumn column, std::int64_t id, const std::string& old_text,
               const std::string& new_text) override {
    const Column c = Describe(column);
    const long long row = id;
    Query q(sql_, std::string("UPDATE ") + c.table + " SET " + c.text + " = :new WHERE " + c.id +
                      " = :id AND " + c.text + " = :old");
    q.Use(new_text).Use(row).Use(old_text);
    return q.Run() == 1;
  }

 private:
  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::SealedValueRepository> MakeSealedValueRepository(soci::session& sql) {
  return std::make_unique<SqlSealedValueRepository>(sql);
}

}  // namespace allervers::storage
