#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <soci/soci.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/test_db.hpp"

namespace allervers::testing {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) {
    q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  }
  return q + "'";
}

class CliTest : public ::testing::Test {
 protected:
  CliResult Run(const std::vector<std::string>& args, const std::string& input = "") {
    std::string cmd = "ALLERVERS_FAST_PASSWORD_HASHING=1 " + Quote(ALLERVERS_BINARY);
    if (std::find(args.begin(), args.end(), "--database") == args.end()) {
      cmd += " --database " + Quote("sqlite:" + (dir_.path() / "cli.db").string());
    }
    for (const auto& a : args) {
      cmd += " " + Quote(a);
    }
    std::ofstream(dir_.path() / "stdin") << input;
    cmd += " < " + Quote((dir_.path() / "stdin").string()) + " > " +
           Quote((dir_.path() / "out").string()) + " 2> " + Quote((dir_.path() / "err").string());
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(dir_.path() / "out");
    r.err = Slurp(dir_.path() / "err");
    return r;
  }

  TempDir dir_;
};

TEST_F(CliTest, MigrateIsIdempotent) {
  auto first = Run({"migrate"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("0001_foundation"), std::string::npos);
  auto second = Run({"migrate"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("déjà à jour"), std::string::npos);
}

TEST_F(CliTest, DemoFillsANewDatabaseOnlyOnce) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  auto demo = Run({"demo"});
  EXPECT_EQ(demo.exit_code, 0) << demo.err;
  for (const char* email : {"admin@allervers.example", "coordination@emn-cergy.example",
                            "yanis.benali@emn-cergy.example", "as.cergy@ssd95.example",
                            "responsable.territoire@ssd95.example"}) {
    EXPECT_NE(demo.out.find(email), std::string::npos) << email;
  }
  auto again = Run({"demo"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("déjà présentes"), std::string::npos);
}

TEST_F(CliTest, PurgeSimulatesThenRuns) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(Run({"demo"}).exit_code, 0);
  auto dry = Run({"purge", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("Simulation, rien n’a été changé"), std::string::npos) << dry.out;
  // The demonstration is recent: nothing is due yet.
  EXPECT_NE(dry.out.find("personnes anonymisées (dernier contact avant le "), std::string::npos);
  EXPECT_NE(dry.out.find(") : 0\n"), std::string::npos) << dry.out;
  auto run = Run({"purge"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Purge terminée"), std::string::npos);
  soci::session sql("sqlite3", "db=" + (dir_.path() / "cli.db").string());
  long long runs = 0;
  sql << "SELECT COUNT(*) FROM retention_run WHERE run_by = 'command'", soci::into(runs);
  EXPECT_EQ(runs, 2);
}

// `audit verify` answers 0 on the demonstration's trail and 1, naming the row, once a row
// has been altered behind the application's back (its trigger dropped first, as an intruder
// with the database file would).
TEST_F(CliTest, AuditVerifyFindsAnAlteredRow) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(Run({"demo"}).exit_code, 0);
  auto ok = Run({"audit", "verify"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("Journal d’audit intègre"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("Empreinte de la dernière ligne : "), std::string::npos) << ok.out;
  {
    soci::session sql("sqlite3", "db=" + (dir_.path() / "cli.db").string());
    sql << "DROP TRIGGER audit_event_no_update";
    sql << "UPDATE audit_event SET actor_label = 'system:x' WHERE id = 5";
  }
  auto bad = Run({"audit", "verify"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("NON INTÈGRE"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("ligne n° 5 a été modifié"), std::string::npos) << bad.err;
}

// Notes sealed, and the key rotated, from the command line (docs/admin.md « Changer la clé
// secrète »).
TEST_F(CliTest, KeysAreRotatedStepByStepAndMigrateSealsOlderNotes) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(Run({"demo"}).exit_code, 0);
  const auto key_file = dir_.path() / "allervers.key";
  const auto key_lines = [&] {
    std::ifstream in(key_file);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      n += !line.empty() && line.front() != '#' ? 1 : 0;
    }
    return n;
  };
  {
    soci::session sql("sqlite3", "db=" + (dir_.path() / "cli.db").string());
    long long sealed = 0;
    sql << "SELECT COUNT(*) FROM case_note WHERE body LIKE 'sb1.%'", soci::into(sealed);
    EXPECT_GT(sealed, 0) << "the demo's notes are sealed";
    // A note as written before notes were sealed.
    sql << "UPDATE case_note SET body = 'Écrite avant.' WHERE id = (SELECT MIN(id) FROM "
           "case_note)";
  }
  auto migrate = Run({"migrate"});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_NE(migrate.out.find("Notes chiffrées avec la clé secrète : 1"), std::string::npos)
      << migrate.out;
  auto status = Run({"keys", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("(chiffre ce qui est écrit désormais)"), std::string::npos);
  EXPECT_EQ(status.out.find("en clair"), std::string::npos) << status.out;

  auto add = Run({"keys", "add"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("allervers keys reseal"), std::string::npos) << add.out;
  EXPECT_EQ(key_lines(), 2);
  EXPECT_EQ(std::filesystem::status(key_file).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // The old key still seals what was written with it: it cannot go yet.
  auto early = Run({"keys", "drop-old"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("lancez d’abord allervers keys reseal"), std::string::npos) << early.err;
  EXPECT_NE(early.out.find("(à rechiffrer : allervers keys reseal)"), std::string::npos)
      << early.out;
  EXPECT_EQ(key_lines(), 2);

  auto reseal = Run({"keys", "reseal"});
  EXPECT_EQ(reseal.exit_code, 0) << reseal.err;
  EXPECT_NE(reseal.out.find("Rechiffrés avec la clé"), std::string::npos) << reseal.out;
  EXPECT_NE(Run({"keys", "status"}).out.find("Les anciennes clés ne servent plus"),
            std::string::npos);
  auto drop = Run({"keys", "drop-old"});
  EXPECT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_NE(drop.out.find("1 ancienne(s) clé(s) retirée(s)"), std::string::npos) << drop.out;
  EXPECT_EQ(key_lines(), 1);
  EXPECT_EQ(std::filesystem::status(key_file).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // What was sealed opens with the one key left, and the rotation is in the audit trail.
  status = Run({"keys", "status"});
  EXPECT_EQ(status.out.find("ABSENTE"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("ancienne clé"), std::string::npos) << status.out;
  EXPECT_EQ(Run({"audit", "verify"}).exit_code, 0);
}

TEST_F(CliTest, DemoRefusesADatabaseWithOtherData) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(
      Run({"structure", "add", "--code", "SSD-X", "--name", "SSD X", "--kind", "ssd"}).exit_code,
      0);
  auto demo = Run({"demo"});
  EXPECT_EQ(demo.exit_code, 1);
  EXPECT_NE(demo.err.find("base neuve"), std::string::npos);
}

TEST_F(CliTest, DemoScaleFillsAnEmptyDatabaseAndRefusesAnyOther) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  for (const char* bad : {"0", "-5", "10000001", "mille", "12abc", ""}) {
    auto refused = Run({"demo", "--scale", bad});
    EXPECT_EQ(refused.exit_code, 1) << bad;
    EXPECT_NE(refused.err.find("compris entre 1 et 10000000"), std::string::npos)
        << bad << ": " << refused.err;
  }
  auto demo = Run({"demo", "--scale", "250"});
  EXPECT_EQ(demo.exit_code, 0) << demo.err;
  EXPECT_NE(demo.out.find("Données générées en"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("coordination.t001@emn.example"), std::string::npos) << demo.out;
  soci::session sql("sqlite3", "db=" + (dir_.path() / "cli.db").string());
  long long persons = 0;
  sql << "SELECT COUNT(*) FROM person", soci::into(persons);
  EXPECT_EQ(persons, 250);
  // A second generation, or one into a database with other data, is refused.
  auto again = Run({"demo", "--scale", "250"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("base neuve"), std::string::npos) << again.err;
  sql << "SELECT COUNT(*) FROM person", soci::into(persons);
  EXPECT_EQ(persons, 250);
}

TEST_F(CliTest, DemoScaleRefusesTheSmallDemo) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(Run({"demo"}).exit_code, 0);
  auto scale = Run({"demo", "--scale", "10"});
  EXPECT_EQ(scale.exit_code, 1);
  EXPECT_NE(scale.err.find("base neuve"), std::string::npos) << scale.err;
}

TEST_F(CliTest, StructuresAndUsersAreManagedWithClearErrors) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  auto bad_kind = Run({"structure", "add", "--code", "X", "--name", "X", "--kind", "mairie"});
  EXPECT_EQ(bad_kind.exit_code, 1);
  EXPECT_NE(bad_kind.err.find("kind"), std::string::npos);
  ASSERT_EQ(Run({"structure", "add", "--code", "EMN", "--name", "Équipe", "--kind", "operateur",
                 "--territory", "Cergy"})
                .exit_code,
            0);
  EXPECT_NE(Run({"structure", "list"}).out.find("EMN\toperateur"), std::string::npos);

  auto bad_role =
      Run({"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "chef", "--password-stdin"},
          "un mot de passe très solide\n");
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_NE(bad_role.err.find("rôle"), std::string::npos);

  auto no_structure = Run({"user", "add", "--email", "a@b.fr", "--name", "A", "--role",
                           "intervenant", "--structure", "NOPE", "--password-stdin"},
                          "un mot de passe très solide\n");
  EXPECT_EQ(no_structure.exit_code, 1);
  EXPECT_NE(no_structure.err.find("structure"), std::string::npos);

  auto weak = Run({"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "intervenant",
                   "--structure", "EMN", "--password-stdin"},
                  "motdepasse123\n");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_NE(weak.err.find("courant"), std::string::npos);

  auto no_password = Run({"user", "add", "--email", "a@b.fr", "--name", "A", "--role",
                          "intervenant", "--structure", "EMN"});
  EXPECT_EQ(no_password.exit_code, 1) << "no terminal to prompt on";
  EXPECT_NE(no_password.err.find("--password-stdin"), std::string::npos);

  auto ok = Run({"user", "add", "--email", "A@B.fr", "--name", "Anne Bé", "--role", "intervenant",
                 "--structure", "EMN", "--fte", "0.5", "--password-stdin"},
                "un mot de passe très solide\n");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(Run({"user", "list"}).out.find("a@b.fr\tintervenant"), std::string::npos);

  auto reset = Run({"user", "reset-password", "--email", "a@b.fr", "--password-stdin"},
                   "encore un autre mot de passe\n");
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  auto disable = Run({"user", "disable", "--email", "a@b.fr"});
  EXPECT_EQ(disable.exit_code, 0);
  EXPECT_NE(Run({"user", "list"}).out.find("désactivé"), std::string::npos);
  auto unknown = Run({"user", "disable", "--email", "nobody@b.fr"});
  EXPECT_EQ(unknown.exit_code, 1);
}

TEST_F(CliTest, PasswordsAreNeverTakenFromTheCommandLine) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  auto r = Run({"user", "add", "--email", "a@b.fr", "--name", "A", "--role", "admin", "--password",
                "secret secret"});
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(CliTest, BadDatabaseUrlsFailInOneLine) {
  auto r = Run({"--database", "mysql://x", "migrate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sqlite:CHEMIN"), std::string::npos);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  auto unreachable = Run({"--database", "postgresql://nobody@127.0.0.1:1/none", "migrate"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("Impossible d’ouvrir la base"), std::string::npos);
  EXPECT_EQ(std::count(unreachable.err.begin(), unreachable.err.end(), '\n'), 1);
}

TEST_F(CliTest, ServeRefusesAnUnmigratedOrNewerDatabase) {
  auto unmigrated = Run({"--listen", "127.0.0.1:0", "serve"});
  EXPECT_EQ(unmigrated.exit_code, 1);
  EXPECT_NE(unmigrated.err.find("allervers migrate"), std::string::npos);

  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  storage::Database db(storage::DatabaseUrl::Parse("sqlite:" + (dir_.path() / "cli.db").string()),
                       {1});
  db.WithSession([&](soci::session& sql) {
    db.ExecuteScript(sql,
                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, "
                     "'9999_future', 0)");
  });
  auto newer = Run({"--listen", "127.0.0.1:0", "serve"});
  EXPECT_EQ(newer.exit_code, 1);
  EXPECT_NE(newer.err.find("plus récente"), std::string::npos);
}

TEST_F(CliTest, ServeReportsABusyPort) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  const int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(sock, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  auto r = Run({"--listen", "127.0.0.1:" + std::to_string(port), "serve"});
  close(sock);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Impossible d’écouter"), std::string::npos);
}

TEST_F(CliTest, TheQuarterlyReportIsWrittenAsPdfWorkbookOrCsv) {
  ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(Run({"demo"}).exit_code, 0);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  const std::string year = std::to_string(tm.tm_year + 1900);
  const std::string quarter = std::to_string(tm.tm_mon / 3 + 1);
  for (const auto& [format, magic] : std::vector<std::pair<std::string, std::string>>{
           {"pdf", "%PDF-"}, {"xlsx", "PK"}, {"csv", "\xEF\xBB\xBFPériode;"}}) {
    const auto file = dir_.path() / ("bilan." + format);
    auto r = Run({"report", "quarterly", "--year", year, "--quarter", quarter, "--format", format,
                  "--output", file.string(), "--team", "EMN-CERGY"});
    EXPECT_EQ(r.exit_code, 0) << format << r.err;
    EXPECT_NE(r.out.find("écrit dans"), std::string::npos);
    EXPECT_EQ(Slurp(file).rfind(magic, 0), 0u) << format;
  }
  auto bad = Run({"report", "quarterly", "--year", year, "--quarter", "5", "--output",
                  (dir_.path() / "x.pdf").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Trimestre inconnu"), std::string::npos);
  bad = Run({"report", "quarterly", "--year", year, "--quarter", "1", "--team", "SSD-CERGY",
             "--output", (dir_.path() / "x.pdf").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Aucune équipe"), std::string::npos);
  EXPECT_NE(Run({"report", "quarterly", "--year", year, "--quarter", "1", "--format", "docx",
                 "--output", (dir_.path() / "x.docx").string()})
                .exit_code,
            0);
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"serve", "--help"},
                                             {"migrate", "--help"},
                                             {"demo", "--help"},
                                             {"structure", "add", "--help"},
                                             {"user", "add", "--help"},
                                             {"user", "reset-password", "--help"},
                                             {"report", "quarterly", "--help"}}) {
    auto r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_FALSE(r.out.empty()) << args[0];
  }
}

TEST_F(CliTest, UnknownCommandsAndOptionsFail) {
  EXPECT_NE(Run({"explode"}).exit_code, 0);
  EXPECT_NE(Run({"user", "add", "--email"}).exit_code, 0);
}

}  // namespace
}  // namespace allervers::testing
