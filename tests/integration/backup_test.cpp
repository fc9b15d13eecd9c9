// `allervers backup` and `allervers restore`, run as the real binary: on SQLite, a backup taken
// while another connection keeps writing holds every write acknowledged before it started and
// restores into a fresh database; bad inputs are refused with a clear message and leave the
// target as it was. On PostgreSQL, the command prints and checks the pg_dump route.

#include "storage/backup.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "common/time.hpp"
#include "storage/migrations.hpp"
#include "support/helpers.hpp"
#include "support/process.hpp"
#include "support/services.hpp"

namespace allervers::testing {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long long CountLines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

// Opens a SQLite file with SOCI, outside the application (what an operator's sqlite3 would see).
struct SqliteFile {
  explicit SqliteFile(const fs::path& path)
      : sql(*soci::factory_sqlite3(), "db=" + path.string()) {}

  std::string IntegrityCheck() {
    std::string result;
    sql << "PRAGMA integrity_check", soci::into(result);
    return result;
  }
  std::set<std::string> ReferralNumbers() {
    std::set<std::string> out;
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT number FROM referral WHERE number IS NOT NULL");
    for (const auto& n : rows) {
      out.insert(n);
    }
    return out;
  }
  int SchemaVersion() {
    int v = 0;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(v);
    return v;
  }
  soci::session sql;
};

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    s_ = std::make_unique<TestServices>(db_->db());
    s_->clock.Set(paris::FromLocal({2026, 11, 16}, 10, 0));
    for (const auto& in :
         std::vector<domain::StructureInput>{{"EMN", "Équipe mobile", "operateur", "Cergy"},
                                             {"SSD", "SSD Cergy", "ssd", "Cergy"}}) {
      ASSERT_TRUE(s_->structures.Create(service::Actor::System("t"), in).errors.empty());
    }
    referrer_ = CreateUser(*s_, "as@ssd.example", "prescripteur", "SSD");
  }

  fs::path DbPath() const { return db_->url().substr(std::string("sqlite:").size()); }

  // One referral, acknowledged (committed) when this returns its number.
  std::string Submit(int i) {
    auto in = SampleReferral();
    in.last_name = "Personne" + std::to_string(i);
    in.phone = "06 12 34 " + std::to_string(10 + i % 90) + " " + std::to_string(10 + i / 90 % 90);
    const auto r = s_->referrals.Submit(referrer_, std::nullopt, in);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].message);
    return r.number;
  }

  ProcessResult Cli(const std::string& database, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> all{"--database", database};
    all.insert(all.end(), args.begin(), args.end());
    return RunAllervers(all, env);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor referrer_;
  TempDir dir_;
};

TEST_F(BackupTest, ABackupUnderWriteLoadHoldsEveryAcknowledgedWriteAndRestores) {
  // A writer keeps submitting referrals through the service, as the server would.
  std::mutex mutex;
  std::condition_variable progress;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string number = Submit(i);
      std::lock_guard lock(mutex);
      acknowledged.push_back(number);
      progress.notify_all();
    }
  });

  std::vector<std::string> before;
  {
    std::unique_lock lock(mutex);
    progress.wait(lock, [&] { return acknowledged.size() >= 20; });
    before = acknowledged;  // acknowledged before the backup starts
  }
  const fs::path backup = dir_.path() / "sauvegardes" / "allervers.db";
  fs::create_directories(backup.parent_path());
  const auto r = Cli(db_->url(), {"backup", "--output", backup.string()});
  // The same, in process and at once: the rows just acknowledged are still in the WAL file, not
  // yet checkpointed into the database file, so a copy of the file alone would miss them.
  std::vector<std::string> just_before;
  {
    std::lock_guard lock(mutex);
    just_before = acknowledged;
  }
  const fs::path in_process = dir_.path() / "en-cours.db";
  const auto direct = storage::BackupSqlite(db_->db(), in_process);
  std::size_t after_backup = 0;
  {
    // Let the writer commit at least once more after the backup, then stop it.
    std::unique_lock lock(mutex);
    after_backup = acknowledged.size();
    progress.wait(lock, [&] { return acknowledged.size() > after_backup; });
    stop.store(true);
  }
  writer.join();

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Sauvegarde écrite dans " + backup.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::to_string(fs::file_size(backup)) + " octets"), std::string::npos);
  EXPECT_NE(r.out.find("contrôle d’intégrité réussi"), std::string::npos);

  // One self-contained file, readable by its owner only, and nothing half-written left around.
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(backup.parent_path())) {
    files.push_back(e.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"allervers.db"});  // no -wal, no partial file
  EXPECT_EQ(fs::status(backup).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  const std::string header = Slurp(backup).substr(0, 20);
  EXPECT_EQ(header[18], 1) << "rollback journal, not WAL: no -wal file is needed";

  std::set<std::string> in_backup;
  int backup_version = 0;
  {
    SqliteFile copy(backup);
    EXPECT_EQ(copy.IntegrityCheck(), "ok");
    in_backup = copy.ReferralNumbers();
    backup_version = copy.SchemaVersion();
  }
  EXPECT_NE(r.out.find("schéma en version " + std::to_string(backup_version)), std::string::npos);
  for (const auto& number : before) {
    EXPECT_TRUE(in_backup.contains(number)) << number << " acknowledged before the backup";
  }
  // Nothing the writer had not committed: at most the one it was recording as the CLI returned.
  EXPECT_LE(in_backup.size(), after_backup + 1);

  {
    SqliteFile copy(in_process);
    EXPECT_EQ(copy.IntegrityCheck(), "ok");
    const auto numbers = copy.ReferralNumbers();
    for (const auto& number : just_before) {
      EXPECT_TRUE(numbers.contains(number)) << number << " acknowledged before the backup";
    }
    EXPECT_EQ(direct.schema_version, backup_version);
  }

  // Restored into a fresh database, every one of those rows is found.
  const std::string fresh = "sqlite:" + (dir_.path() / "neuve" / "allervers.db").string();
  const auto restored = Cli(fresh, {"restore", "--input", backup.string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("restaurée depuis"), std::string::npos) << restored.out;
  storage::Database target(storage::DatabaseUrl::Parse(fresh), {1});
  TestServices on_target(target);
  const auto coordinator = CreateUser(on_target, "coord@emn.example", "coordinateur", "EMN");
  const auto inbox = on_target.referrals.Inbox(coordinator, {});
  EXPECT_EQ(static_cast<std::size_t>(inbox.total), in_backup.size());
  {
    SqliteFile check(dir_.path() / "neuve" / "allervers.db");
    EXPECT_EQ(check.IntegrityCheck(), "ok");
    const auto numbers = check.ReferralNumbers();
    for (const auto& number : before) {
      EXPECT_TRUE(numbers.contains(number)) << number;
    }
    EXPECT_EQ(numbers, in_backup);
  }
  // The restored database serves: the server's own schema check passes.
  const auto migrate = Cli(fresh, {"migrate"});
  EXPECT_NE(migrate.out.find("déjà à jour"), std::string::npos) << migrate.out << migrate.err;
}

TEST_F(BackupTest, RestoreRefusesBadInputsAndLeavesTheTargetUntouched) {
  for (int i = 0; i < 3; ++i) {
    Submit(i);
  }
  const fs::path good = dir_.path() / "bonne.db";
  ASSERT_EQ(Cli(db_->url(), {"backup", "--output", good.string()}).exit_code, 0);

  // The target: another database, with its own referral.
  const fs::path target_path = dir_.path() / "cible.db";
  const std::string target = "sqlite:" + target_path.string();
  {
    storage::Database target_db(storage::DatabaseUrl::Parse(target), {1});
    ASSERT_FALSE(storage::Migrate(target_db, storage::LoadMigrations(SourceDir() / "migrations",
                                                                     storage::Backend::kSqlite))
                     .empty());
    TestServices s(target_db);
    s.clock.Set(paris::FromLocal({2026, 11, 16}, 10, 0));
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(
        s.structures.Create(system, {"EMN", "Équipe", "operateur", "Cergy"}).errors.empty());
    ASSERT_TRUE(s.structures.Create(system, {"SSD", "SSD", "ssd", "Cergy"}).errors.empty());
    const auto who = CreateUser(s, "x@ssd.example", "prescripteur", "SSD");
    ASSERT_TRUE(s.referrals.Submit(who, std::nullopt, SampleReferral()).errors.empty());
  }
  const auto fingerprint = [&] {
    SqliteFile f(target_path);
    std::string numbers;
    for (const auto& n : f.ReferralNumbers()) {
      numbers += n + ",";
    }
    return numbers + " v" + std::to_string(f.SchemaVersion()) + " " + f.IntegrityCheck();
  };
  const std::string untouched = fingerprint();
  ASSERT_NE(untouched.find("FL-"), std::string::npos) << untouched;

  const fs::path text = dir_.path() / "notes.txt";
  std::ofstream(text) << "Ceci n’est pas une base.\n";
  const fs::path truncated = dir_.path() / "tronquee.db";
  {
    const std::string bytes = Slurp(good);
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  const fs::path newer = dir_.path() / "future.db";
  fs::copy_file(good, newer);
  {
    SqliteFile f(newer);
    f.sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, "
             "'9999_future', 0)";
  }
  const fs::path foreign = dir_.path() / "autre.db";
  {
    SqliteFile f(foreign);
    f.sql << "CREATE TABLE t (x INTEGER)";
  }

  const std::vector<std::pair<fs::path, std::string>> cases{
      {dir_.path() / "absente.db", "n’existe pas"},  {dir_.path(), "n’est pas un fichier"},
      {text, "n’est pas une base SQLite"},           {truncated, "est endommagée"},
      {newer, "plus récente que ce programme"},      {foreign, "ne contient pas de base Allervers"},
      {target_path, "la base configurée elle-même"},
  };
  for (const auto& [input, message] : cases) {
    const auto r = Cli(target, {"restore", "--input", input.string()});
    EXPECT_EQ(r.exit_code, 1) << input;
    EXPECT_NE(r.err.find(message), std::string::npos) << input << ": " << r.err;
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_EQ(fingerprint(), untouched) << input;
  }

  // The good one is accepted, and replaces the target's content.
  const auto ok = Cli(target, {"restore", "--input", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(fingerprint(), untouched);
  EXPECT_EQ(SqliteFile(target_path).ReferralNumbers(), SqliteFile(good).ReferralNumbers());
}

TEST_F(BackupTest, BackupRefusesWhatItCannotDoWithoutLeavingFiles) {
  Submit(1);
  // A mistyped database path: said, and not created.
  const fs::path missing = dir_.path() / "pas-de-base.db";
  auto r =
      Cli("sqlite:" + missing.string(), {"backup", "--output", (dir_.path() / "x.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("n’existe pas : rien à sauvegarder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(missing));

  r = Cli(db_->url(), {"backup", "--output", (dir_.path() / "absent" / "x.db").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("n’existe pas"), std::string::npos) << r.err;

  r = Cli(db_->url(), {"backup", "--output", DbPath().string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ne peut pas remplacer la base elle-même"), std::string::npos) << r.err;
  EXPECT_EQ(SqliteFile(DbPath()).ReferralNumbers().size(), 1U);

  r = Cli(db_->url(), {"backup", "--output", dir_.path().string()});
  EXPECT_EQ(r.exit_code, 1);

  // An existing backup file is replaced whole, by rename.
  const fs::path out = dir_.path() / "b.db";
  std::ofstream(out) << "ancienne";
  r = Cli(db_->url(), {"backup", "--output", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteFile(out).ReferralNumbers().size(), 1U);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    files.push_back(e.path().filename().string());
  }
  EXPECT_EQ(files, std::vector<std::string>{"b.db"});
}

TEST_F(BackupTest, HelpSaysTheServiceMustBeStoppedForARestore) {
  const auto r = RunAllervers({"restore", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Arrêtez le service avant de restaurer"), std::string::npos) << r.out;
  const auto b = RunAllervers({"backup", "--help"});
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_NE(b.out.find("--output"), std::string::npos);
}

TEST(BackupUrl, PostgresCommandsCarryNoPassword) {
  using storage::DatabaseUrl;
  EXPECT_EQ(storage::PostgresUrlWithoutPassword(
                DatabaseUrl::Parse("postgresql://bob:s3cret@db.example:5432/allervers")),
            "postgresql://bob@db.example:5432/allervers");
  EXPECT_EQ(storage::PostgresUrlWithoutPassword(DatabaseUrl::Parse(
                "postgres://bob@db.example/allervers?password=s3cret&sslmode=require")),
            "postgres://bob@db.example/allervers?sslmode=require");
  EXPECT_EQ(storage::PostgresUrlWithoutPassword(
                DatabaseUrl::Parse("postgresql://db.example/allervers?sslmode=require&password=x")),
            "postgresql://db.example/allervers?sslmode=require");
  EXPECT_EQ(storage::PostgresUrlWithoutPassword(DatabaseUrl::Parse(
                "postgresql://bob@db.example/allervers?options=-csearch_path%3Dx")),
            "postgresql://bob@db.example/allervers?options=-csearch_path%3Dx");
}

// --- PostgreSQL: the pg_dump route -----------------------------------------------------------

class PostgresBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kPostgres);
    ALLERVERS_SKIP_IF_NO_DB(db_);
  }

  // The password of the test server's URL, if it has one (never printed by the command).
  std::string Password() const {
    static const std::regex kPassword(R"(^postgres(ql)?://[^:@/]*:([^@/]*)@)");
    std::smatch m;
    return std::regex_search(db_->url(), m, kPassword) ? m[2].str() : "";
  }

  std::unique_ptr<TestDatabase> db_;
  TempDir dir_;
};

TEST_F(PostgresBackupTest, BackupPrintsACheckedPgDumpCommandThatWorks) {
  const int server = storage::PostgresServerMajor(db_->db());
  ASSERT_GE(server, 10);
  const auto tool = storage::FindPgClientTool("pg_dump");
  if (tool.path.empty() || tool.major < server) {
    GTEST_SKIP() << "no pg_dump of version " << server << " or later on PATH";
  }
  const fs::path dump = dir_.path() / "allervers.dump";
  const auto r = RunAllervers({"--database", db_->url(), "backup", "--output", dump.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("pg_dump --format=custom --file='" + dump.string() + "'"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("convient au serveur PostgreSQL " + std::to_string(server)),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("PGPASSWORD"), std::string::npos);
  if (const std::string password = Password(); !password.empty()) {
    EXPECT_EQ(r.out.find(password), std::string::npos) << "the password is never printed";
    EXPECT_EQ(r.err.find(password), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dump)) << "the command only explains";

  // The printed command runs as is, the password coming from PGPASSWORD.
  std::string command;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("  pg_dump ")) {
      command = line;
    }
  }
  ASSERT_FALSE(command.empty()) << r.out;
  const std::string env = Password().empty() ? "" : "PGPASSWORD='" + Password() + "' ";
  ASSERT_EQ(std::system((env + command + " 2>/dev/null").c_str()), 0) << command;
  const std::string list = (dir_.path() / "list").string();
  ASSERT_EQ(std::system(("pg_restore --list '" + dump.string() + "' > '" + list + "'").c_str()), 0);
  EXPECT_NE(Slurp(list).find("TABLE DATA " + db_->url().substr(db_->url().rfind("%3D") + 3) +
                             " referral "),
            std::string::npos)
      << "the dump holds the application's tables";

  const auto restore =
      RunAllervers({"--database", db_->url(), "restore", "--input", dump.string()});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_NE(restore.out.find("pg_restore --clean --if-exists"), std::string::npos) << restore.out;
  EXPECT_NE(restore.out.find("systemctl stop allervers"), std::string::npos);
}

TEST_F(PostgresBackupTest, AMissingOrOlderPgDumpIsRefused) {
  const fs::path empty_dir = dir_.path() / "vide";
  fs::create_directories(empty_dir);
  const std::string output = (dir_.path() / "x.dump").string();
  auto r = RunAllervers({"--database", db_->url(), "backup", "--output", output},
                        {{"PATH", empty_dir.string()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pg_dump est introuvable"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("pg_dump --format=custom"), std::string::npos) << "the route is still shown";

  // An old client: pg_dump refuses to dump a newer server, so the command says it first.
  const fs::path old_dir = dir_.path() / "ancien";
  fs::create_directories(old_dir);
  std::ofstream(old_dir / "pg_dump") << "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n";
  fs::permissions(old_dir / "pg_dump", fs::perms::owner_all);
  r = RunAllervers({"--database", db_->url(), "backup", "--output", output},
                   {{"PATH", old_dir.string() + ":/usr/bin:/bin"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("est en version 9.6.24, plus ancienne que le serveur"), std::string::npos)
      << r.err;
  EXPECT_EQ(CountLines(r.err), 1) << r.err;

  std::ofstream(output) << "x";
  r = RunAllervers({"--database", db_->url(), "restore", "--input", output},
                   {{"PATH", empty_dir.string()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("pg_restore est introuvable"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace allervers::testing
