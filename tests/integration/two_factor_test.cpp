// Two-factor sign-in (issue 7): enrolment, the second step of sign-in, recovery codes, the
// mandatory setting, the administrator's reset, on SQLite and PostgreSQL; and over HTTP, that
// a session waiting for its second factor or its enrolment opens no other page.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "common/error.hpp"
#include "security/totp.hpp"
#include "storage/migrations.hpp"
#include "support/process.hpp"
#include "support/services.hpp"
#include "support/test_db.hpp"
#include "support/test_server.hpp"

namespace allervers::testing {
namespace {

using service::CodeCheck;
using service::SecondFactorStatus;
using service::SessionStage;
using service::SignInStatus;

// The code an authenticator shows for `secret` at `at`.
std::string CodeAt(const std::string& secret, Instant at) {
  return security::Totp(*security::Base32Decode(secret), ToEpoch(at));
}

class TwoFactorTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(GetParam());
    ALLERVERS_SKIP_IF_NO_DB(db_);
    s_ = std::make_unique<TestServices>(db_->db());
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(s_->structures.Create(system, {"EMN", "Équipe", "operateur", ""}).errors.empty());
    ASSERT_TRUE(s_->structures.Create(system, {"SSD", "SSD", "ssd", ""}).errors.empty());
    lea_ = CreateUser(*s_, "lea@emn.example", "intervenant", "EMN");
    admin_ = CreateUser(*s_, "admin@a.example", "admin", "");
    coord_ = CreateUser(*s_, "coord@emn.example", "coordinateur", "EMN");
    pilote_ = CreateUser(*s_, "pilote@ssd.example", "pilote", "SSD");
  }

  service::Actor Visitor(const std::string& ip = "10.0.0.1") {
    return service::Actor::Anonymous("req", ip);
  }

  // Enrols `actor` and returns its secret; `codes` receives the recovery codes.
  std::string Enrol(const service::Actor& actor, std::vector<std::string>* codes = nullptr) {
    const auto start = s_->two_factor.BeginEnrolment(actor);
    const auto result =
        s_->two_factor.ConfirmEnrolment(actor, CodeAt(start.secret, s_->clock.Now()));
    EXPECT_TRUE(result.errors.empty());
    if (codes != nullptr) {
      *codes = result.recovery_codes;
    }
    s_->clock.Advance(std::chrono::seconds(30));  // the enrolment's code is used
    return start.secret;
  }

  int CountAudit(const std::string& action, const std::string& outcome) {
    int n = 0;
    for (const auto& e : s_->audit.List(service::Actor::System("t"), {})) {
      n += (e.action == action && e.outcome == outcome) ? 1 : 0;
    }
    return n;
  }

  void SetRequired(bool on) {
    s_->settings.Set(service::Actor::System("t"), "security.totp_required", on ? "1" : "0");
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServices> s_;
  service::Actor lea_, admin_, coord_, pilote_;
};

TEST_P(TwoFactorTest, MigrationMakesItMandatoryInAFreshDatabase) {
  auto fresh = TestDatabase::Create(GetParam(), /*migrate=*/false);
  ASSERT_TRUE(fresh);
  storage::Migrate(fresh->db(),
                   storage::LoadMigrations(SourceDir() / "migrations", fresh->db().backend()));
  std::optional<std::string> value;
  fresh->db().Read([&](service::Tx& tx) { value = tx.settings().Get("security.totp_required"); });
  EXPECT_EQ(value, "1");
  EXPECT_EQ(service::SettingsService::Default("security.totp_required"), "1");
}

TEST_P(TwoFactorTest, EnrolmentKeepsItsSecretSealedAndShowsTenRecoveryCodesOnce) {
  const auto start = s_->two_factor.BeginEnrolment(lea_);
  EXPECT_EQ(start.secret.size(), 32U);
  EXPECT_TRUE(start.otpauth_uri.starts_with(
      "otpauth://totp/Allervers:lea%40emn.example?secret=" + start.secret + "&issuer=Allervers"))
      << start.otpauth_uri;
  // Reloading the page shows the same secret (it may have been scanned already).
  EXPECT_EQ(s_->two_factor.BeginEnrolment(lea_).secret, start.secret);
  EXPECT_FALSE(s_->two_factor.Status(lea_).enrolled);

  // A wrong code, then bad shapes: refused with a message, nothing enrolled.
  auto wrong = s_->two_factor.ConfirmEnrolment(lea_, "000000");
  if (CodeAt(start.secret, s_->clock.Now()) == "000000") {
    wrong = s_->two_factor.ConfirmEnrolment(lea_, "111111");
  }
  ASSERT_EQ(wrong.errors.size(), 1U);
  EXPECT_EQ(wrong.errors[0].field, "code");
  EXPECT_TRUE(wrong.recovery_codes.empty());
  for (const char* bad : {"", "abcdef", "1234567", "12 34", "𝟙𝟚𝟛𝟜𝟝𝟞"}) {
    EXPECT_EQ(s_->two_factor.ConfirmEnrolment(lea_, bad).errors.size(), 1U) << bad;
  }
  EXPECT_EQ(CountAudit("two_factor.enrol", "failure"), 1);

  const auto result = s_->two_factor.ConfirmEnrolment(lea_, CodeAt(start.secret, s_->clock.Now()));
  ASSERT_TRUE(result.errors.empty());
  ASSERT_EQ(result.recovery_codes.size(), 10U);
  const auto status = s_->two_factor.Status(lea_);
  EXPECT_TRUE(status.enrolled);
  EXPECT_EQ(status.recovery_codes_left, 10);
  EXPECT_EQ(CountAudit("two_factor.enrol", "success"), 1);
  EXPECT_THROW(s_->two_factor.BeginEnrolment(lea_), Error);

  // Neither the secret nor a recovery code is in the database or the audit trail.
  std::string sealed;
  db_->db().Read(
      [&](service::Tx& tx) { sealed = tx.two_factor().Find(lea_.user_id)->secret_sealed; });
  EXPECT_EQ(sealed.find(start.secret), std::string::npos);
  EXPECT_EQ(s_->secret_box.Open(sealed), start.secret);
  for (const auto& e : s_->audit.List(service::Actor::System("t"), {})) {
    EXPECT_EQ(e.detail.find(start.secret), std::string::npos);
    for (const auto& c : result.recovery_codes) {
      EXPECT_EQ(e.detail.find(c), std::string::npos);
    }
  }
}

TEST_P(TwoFactorTest, AnEnrolledAccountSignsInWithItsCodeAndTheSessionIsReplaced) {
  const std::string secret = Enrol(lea_);
  const auto first = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor());
  ASSERT_EQ(first.status, SignInStatus::kSuccess);
  EXPECT_EQ(first.stage, SessionStage::kSecondFactor);
  const auto pending = s_->auth.Authenticate(first.session_token);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->stage, SessionStage::kSecondFactor);
  EXPECT_EQ(CountAudit("auth.sign_in", "success"), 0) << "not signed in yet";

  const auto out =
      s_->auth.VerifySecondFactor(first.session_token, CodeAt(secret, s_->clock.Now()), Visitor());
  ASSERT_EQ(out.status, SecondFactorStatus::kSuccess);
  EXPECT_NE(out.session_token, first.session_token);
  EXPECT_FALSE(s_->auth.Authenticate(first.session_token)) << "the pending session is gone";
  const auto full = s_->auth.Authenticate(out.session_token);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->stage, SessionStage::kFull);
  EXPECT_EQ(CountAudit("auth.second_factor", "success"), 1);
  EXPECT_EQ(CountAudit("auth.sign_in", "success"), 1);
  // The pending session cannot be used again.
  EXPECT_THROW(s_->auth.VerifySecondFactor(first.session_token, "123456", Visitor()), Error);
}

TEST_P(TwoFactorTest, ACodeIsAcceptedOnceAndOneStepOfDriftIsAllowed) {
  const std::string secret = Enrol(lea_);
  const auto sign_in = [&] {
    return s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  };
  const std::string code = CodeAt(secret, s_->clock.Now());
  EXPECT_EQ(s_->auth.VerifySecondFactor(sign_in(), code, Visitor()).status,
            SecondFactorStatus::kSuccess);
  EXPECT_EQ(s_->auth.VerifySecondFactor(sign_in(), code, Visitor()).status,
            SecondFactorStatus::kReusedCode);
  // The previous step's code, read a little late: refused, its step is before the last used.
  EXPECT_EQ(
      s_->auth
          .VerifySecondFactor(sign_in(), CodeAt(secret, s_->clock.Now() - std::chrono::seconds(30)),
                              Visitor())
          .status,
      SecondFactorStatus::kReusedCode);
  // The next step's code (the phone's clock a little ahead): accepted.
  EXPECT_EQ(
      s_->auth
          .VerifySecondFactor(sign_in(), CodeAt(secret, s_->clock.Now() + std::chrono::seconds(30)),
                              Visitor())
          .status,
      SecondFactorStatus::kSuccess);
  // Two steps away: wrong.
  s_->clock.Advance(std::chrono::seconds(60));
  EXPECT_EQ(
      s_->auth
          .VerifySecondFactor(sign_in(), CodeAt(secret, s_->clock.Now() + std::chrono::seconds(60)),
                              Visitor())
          .status,
      SecondFactorStatus::kWrongCode);
  EXPECT_EQ(CountAudit("auth.second_factor", "failure"), 3);
}

TEST_P(TwoFactorTest, WrongCodesCountInTheSignInThrottlingAndBadShapesDoNot) {
  const std::string secret = Enrol(lea_);
  const std::string token =
      s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  for (const char* bad : {"", "abc", "1234567", "12345", "zzzz-zzzz-zzzz-zzzz", "é"}) {
    EXPECT_EQ(s_->auth.VerifySecondFactor(token, bad, Visitor()).status,
              SecondFactorStatus::kMalformed)
        << bad;
  }
  std::string wrong = "000000";
  if (CodeAt(secret, s_->clock.Now()) == wrong ||
      CodeAt(secret, s_->clock.Now() - std::chrono::seconds(30)) == wrong ||
      CodeAt(secret, s_->clock.Now() + std::chrono::seconds(30)) == wrong) {
    wrong = "999999";
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(s_->auth.VerifySecondFactor(token, wrong, Visitor()).status,
              SecondFactorStatus::kWrongCode);
  }
  EXPECT_EQ(s_->auth.VerifySecondFactor(token, CodeAt(secret, s_->clock.Now()), Visitor()).status,
            SecondFactorStatus::kThrottled);
  // The account is blocked for the password step too.
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor("10.0.0.9")).status,
            SignInStatus::kThrottled);
  s_->clock.Advance(std::chrono::minutes(16));
  const std::string again =
      s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  EXPECT_EQ(s_->auth.VerifySecondFactor(again, CodeAt(secret, s_->clock.Now()), Visitor()).status,
            SecondFactorStatus::kSuccess);
}

TEST_P(TwoFactorTest, ARecoveryCodeServesOnceAndTheRemainingCountIsGiven) {
  std::vector<std::string> codes;
  Enrol(lea_, &codes);
  const auto sign_in = [&] {
    return s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  };
  // Typed in capitals, with spaces instead of hyphens: the same code.
  std::string typed = codes[3];
  for (auto& ch : typed) {
    ch = ch == '-' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  const auto out = s_->auth.VerifySecondFactor(sign_in(), typed, Visitor());
  ASSERT_EQ(out.status, SecondFactorStatus::kSuccess);
  EXPECT_TRUE(out.used_recovery_code);
  EXPECT_EQ(out.recovery_codes_left, 9);
  EXPECT_EQ(s_->two_factor.Status(lea_).recovery_codes_left, 9);
  EXPECT_EQ(s_->auth.VerifySecondFactor(sign_in(), codes[3], Visitor()).status,
            SecondFactorStatus::kWrongCode);
  EXPECT_EQ(CountAudit("auth.second_factor", "success"), 1);

  // Another account's code is no code of this one.
  std::vector<std::string> coord_codes;
  Enrol(coord_, &coord_codes);
  EXPECT_EQ(s_->auth.VerifySecondFactor(sign_in(), coord_codes[0], Visitor()).status,
            SecondFactorStatus::kWrongCode);
}

TEST_P(TwoFactorTest, WhenMandatoryAnAccountThatSeesPersonsMustEnrolFirst) {
  SetRequired(true);
  const auto lea = s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor());
  EXPECT_EQ(lea.stage, SessionStage::kEnrolment);
  EXPECT_EQ(s_->auth.SignIn("pilote@ssd.example", kGoodPassword, Visitor()).stage,
            SessionStage::kFull)
      << "the pilote sees aggregates only";
  for (const char* email : {"admin@a.example", "coord@emn.example"}) {
    EXPECT_EQ(s_->auth.SignIn(email, kGoodPassword, Visitor()).stage, SessionStage::kEnrolment);
  }
  EXPECT_TRUE(s_->two_factor.Status(lea_).required);
  EXPECT_FALSE(s_->two_factor.Status(pilote_).required);

  // Not before the enrolment is finished…
  EXPECT_THROW((void)s_->auth.CompleteEnrolment(lea.session_token, lea_), Error);
  Enrol(lea_);
  // …nor for someone else's session.
  EXPECT_THROW((void)s_->auth.CompleteEnrolment(lea.session_token, coord_), Error);
  const std::string token = s_->auth.CompleteEnrolment(lea.session_token, lea_);
  const auto session = s_->auth.Authenticate(token);
  ASSERT_TRUE(session);
  EXPECT_EQ(session->stage, SessionStage::kFull);
  EXPECT_FALSE(s_->auth.Authenticate(lea.session_token));

  SetRequired(false);
  EXPECT_EQ(s_->auth.SignIn("coord@emn.example", kGoodPassword, Visitor()).stage,
            SessionStage::kFull);
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).stage,
            SessionStage::kSecondFactor)
      << "an enrolled account keeps its second factor";
}

TEST_P(TwoFactorTest, APendingSessionLastsTenMinutes) {
  const std::string secret = Enrol(lea_);
  const std::string token =
      s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token;
  s_->clock.Advance(std::chrono::minutes(10));
  EXPECT_FALSE(s_->auth.Authenticate(token));
  EXPECT_THROW(s_->auth.VerifySecondFactor(token, CodeAt(secret, s_->clock.Now()), Visitor()),
               Error);
}

TEST_P(TwoFactorTest, AnAdministratorResetsTheSecondFactorAndItIsAudited) {
  const std::string secret = Enrol(lea_);
  const auto full = s_->auth.VerifySecondFactor(
      s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).session_token,
      CodeAt(secret, s_->clock.Now()), Visitor());
  ASSERT_EQ(full.status, SecondFactorStatus::kSuccess);
  EXPECT_TRUE(s_->two_factor.IsEnrolled(admin_, lea_.user_id));

  // Only the administrator: the coordinator manages her team's accounts but not this.
  try {
    s_->two_factor.Reset(coord_, lea_.user_id);
    ADD_FAILURE() << "a coordinator reset a second factor";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPermissionDenied);
  }
  try {
    s_->two_factor.Reset(admin_, 999999);
    ADD_FAILURE() << "an unknown account";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }

  s_->two_factor.Reset(admin_, lea_.user_id);
  EXPECT_FALSE(s_->two_factor.IsEnrolled(admin_, lea_.user_id));
  EXPECT_FALSE(s_->auth.Authenticate(full.session_token)) << "its sessions are closed";
  EXPECT_EQ(CountAudit("two_factor.reset", "success"), 1);
  int recovery_rows = -1;
  db_->db().Read(
      [&](service::Tx& tx) { recovery_rows = tx.two_factor().UnusedRecoveryCodes(lea_.user_id); });
  EXPECT_EQ(recovery_rows, 0);
  EXPECT_EQ(s_->auth.SignIn("lea@emn.example", kGoodPassword, Visitor()).stage,
            SessionStage::kFull);
  // A new enrolment gets a new secret.
  EXPECT_NE(s_->two_factor.BeginEnrolment(lea_).secret, secret);
}

TEST_P(TwoFactorTest, ASecretSealedByAnotherKeyIsAClearFailureNotAWrongCode) {
  const std::string secret = Enrol(lea_);
  security::SecretKey other{};
  other.fill(0x11);
  security::SecretBox other_box(std::vector<security::SecretKey>{other});
  service::TwoFactorService other_two_factor(db_->db(), s_->clock, other_box, s_->otp, s_->tokens);
  db_->db().Write([&](service::Tx& tx) {
    try {
      (void)other_two_factor.Check(tx, lea_.user_id, CodeAt(secret, s_->clock.Now()),
                                   s_->clock.Now());
      ADD_FAILURE() << "a secret opened with the wrong key";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, TwoFactorTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

// ProConnect (issue 7 §2) as AuthService sees it: the provider stands in for the OpenID
// provider (its own checks are tested in tests/unit/jws_test.cpp and, against a real provider,
// in tests/browser/proconnect.test.mjs).
class FakeProvider final : public service::IdentityProvider {
 public:
  std::string name() const override { return "ProConnect"; }
  std::string AuthorizationUrl(std::string_view state, std::string_view nonce,
                               std::string_view code_verifier) override {
    nonce_ = nonce;
    verifier_ = code_verifier;
    return "https://idp.example/auth?state=" + std::string(state);
  }
  service::ExternalIdentity Redeem(std::string_view code, std::string_view code_verifier,
                                   std::string_view nonce) override {
    ++redeemed;
    if (unreachable) {
      throw Error(ErrorCode::kUnavailable, "ProConnect ne répond pas.", "openid: curl 7");
    }
    if (code != "good" || code_verifier != verifier_ || nonce != nonce_) {
      throw Error(ErrorCode::kPermissionDenied, "Refusé.", "openid: nonce mismatch");
    }
    return {"sub-1", email, multi_factor, "id-token-of-the-provider"};
  }
  std::string LogoutUrl(std::string_view id_token, std::string_view state) override {
    return "https://idp.example/logout?id_token_hint=" + std::string(id_token) +
           "&state=" + std::string(state);
  }

  std::string email = "lea@emn.example";
  bool multi_factor = false;
  bool unreachable = false;
  int redeemed = 0;

 private:
  std::string nonce_;
  std::string verifier_;
};

class ExternalSignInTest : public TwoFactorTest {
 protected:
  void SetUp() override {
    TwoFactorTest::SetUp();
    if (IsSkipped()) {
      return;
    }
    auth_ = std::make_unique<service::AuthService>(db_->db(), s_->clock, s_->hasher, s_->policy,
                                                   s_->tokens, s_->two_factor,
                                                   service::AuthSettings{}, &idp_);
  }

  // The state the provider is sent, read from the authorization address.
  std::string Start(const std::string& next = "/agenda") {
    const std::string url = auth_->StartExternalSignIn(next, Visitor());
    return url.substr(url.find("state=") + 6);
  }

  FakeProvider idp_;
  std::unique_ptr<service::AuthService> auth_;
};

TEST_P(ExternalSignInTest, AnIdentityIsMatchedByEmailAndItsAnswerServesOnce) {
  const std::string state = Start();
  const auto out = auth_->FinishExternalSignIn(state, "good", "", Visitor());
  ASSERT_EQ(out.status, service::ExternalSignInStatus::kSuccess);
  EXPECT_EQ(out.user.id, lea_.user_id);
  EXPECT_EQ(out.stage, SessionStage::kFull);
  EXPECT_EQ(out.return_to, "/agenda");
  ASSERT_TRUE(auth_->Authenticate(out.session_token));
  EXPECT_EQ(CountAudit("auth.sign_in", "success"), 1);
  // The same answer again: the sign-in it belonged to is spent, the provider not even asked.
  const auto again = auth_->FinishExternalSignIn(state, "good", "", Visitor());
  EXPECT_EQ(again.status, service::ExternalSignInStatus::kRefused);
  EXPECT_EQ(idp_.redeemed, 1);
  // Signing out gives the provider's logout, with its ID token.
  const std::string logout = auth_->SignOut(out.session_token, lea_);
  EXPECT_EQ(logout.rfind("https://idp.example/logout?id_token_hint=id-token-of-the-provider", 0),
            0u)
      << logout;
  EXPECT_FALSE(auth_->Authenticate(out.session_token));
  // A password session signs out here only.
  const auto pw = auth_->SignIn("lea@emn.example", kGoodPassword, Visitor());
  EXPECT_EQ(auth_->SignOut(pw.session_token, lea_), "");
}

TEST_P(ExternalSignInTest, UnknownExpiredCancelledOrRefusedAnswersOpenNothing) {
  EXPECT_EQ(auth_->FinishExternalSignIn("", "good", "", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  EXPECT_EQ(auth_->FinishExternalSignIn("made-up-state", "good", "", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  // Ten minutes to come back.
  std::string state = Start();
  s_->clock.Advance(std::chrono::minutes(11));
  EXPECT_EQ(auth_->FinishExternalSignIn(state, "good", "", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  // Cancelled at the provider: the sign-in is spent too.
  state = Start();
  EXPECT_EQ(auth_->FinishExternalSignIn(state, "", "access_denied", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  EXPECT_EQ(auth_->FinishExternalSignIn(state, "good", "", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  // The provider's checks fail (here, the nonce), or it cannot be reached.
  state = Start();
  EXPECT_EQ(auth_->FinishExternalSignIn(state, "forged", "", Visitor()).status,
            service::ExternalSignInStatus::kRefused);
  idp_.unreachable = true;
  state = Start();
  EXPECT_EQ(auth_->FinishExternalSignIn(state, "good", "", Visitor()).status,
            service::ExternalSignInStatus::kUnavailable);
  EXPECT_EQ(CountAudit("auth.sign_in", "success"), 0);
  EXPECT_EQ(CountAudit("auth.sign_in", "failure"), 7);
}

TEST_P(ExternalSignInTest, NobodySignsThemselvesUpAndADisabledAccountStaysOut) {
  const auto system = service::Actor::System("t");
  const auto before = s_->users.List(system).size();
  idp_.email = "Inconnue@Administration.example";
  auto out = auth_->FinishExternalSignIn(Start(), "good", "", Visitor());
  EXPECT_EQ(out.status, service::ExternalSignInStatus::kNoAccount);
  EXPECT_EQ(out.email, "Inconnue@Administration.example");
  EXPECT_TRUE(out.session_token.empty());
  EXPECT_EQ(s_->users.List(system).size(), before) << "no account created";
  // The e-mail is matched as the password sign-in matches it: case aside.
  idp_.email = "LEA@emn.example";
  EXPECT_EQ(auth_->FinishExternalSignIn(Start(), "good", "", Visitor()).status,
            service::ExternalSignInStatus::kSuccess);
  s_->users.SetActive(system, lea_.user_id, false);
  EXPECT_EQ(auth_->FinishExternalSignIn(Start(), "good", "", Visitor()).status,
            service::ExternalSignInStatus::kNoAccount);
}

TEST_P(ExternalSignInTest, OurSecondFactorIsAskedUnlessTheProviderCheckedOne) {
  const std::string secret = Enrol(lea_);
  auto out = auth_->FinishExternalSignIn(Start(), "good", "", Visitor());
  ASSERT_EQ(out.status, service::ExternalSignInStatus::kSuccess);
  EXPECT_EQ(out.stage, SessionStage::kSecondFactor);
  const auto full =
      auth_->VerifySecondFactor(out.session_token, CodeAt(secret, s_->clock.Now()), Visitor());
  ASSERT_EQ(full.status, SecondFactorStatus::kSuccess);
  // The provider's session is still ended at sign-out: its token went along.
  EXPECT_NE(auth_->SignOut(full.session_token, lea_), "");
  idp_.multi_factor = true;  // amr "mfa"
  out = auth_->FinishExternalSignIn(Start(), "good", "", Visitor());
  EXPECT_EQ(out.stage, SessionStage::kFull);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExternalSignInTest,
                         ::testing::Values(TestBackend::kSqlite, TestBackend::kPostgres),
                         BackendName);

// Over HTTP: what a session waiting for a step can reach.
class TwoFactorWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Create(TestBackend::kSqlite);
    server_ = std::make_unique<TestServer>(db_->db());
    auto& s = server_->services();
    const auto system = service::Actor::System("t");
    ASSERT_TRUE(s.structures.Create(system, {"EMN", "Équipe", "operateur", ""}).errors.empty());
    lea_ = CreateUser(s, "lea@emn.example", "intervenant", "EMN");
    admin_ = CreateUser(s, "admin@a.example", "admin", "");
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<TestServer> server_;
  service::Actor lea_, admin_;
};

TEST_F(TwoFactorWebTest, ASessionWaitingForItsCodeOpensOnlyTheCodePageAndSignOut) {
  auto& s = server_->services();
  const auto start = s.two_factor.BeginEnrolment(lea_);
  ASSERT_TRUE(
      s.two_factor.ConfirmEnrolment(lea_, CodeAt(start.secret, s.clock.Now())).errors.empty());
  s.clock.Advance(std::chrono::seconds(30));

  Browser browser(*server_);
  ASSERT_EQ(browser.SignIn("lea@emn.example", kGoodPassword), 303);
  for (const char* path : {"/", "/triage", "/agenda", "/mot-de-passe", "/double-authentification",
                           "/admin/utilisateurs"}) {
    auto res = browser.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 303) << path;
    EXPECT_EQ(res->get_header_value("Location"), "/connexion/code") << path;
  }
  auto page = browser.Get("/connexion/code");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("lea@emn.example"), std::string::npos);
  EXPECT_EQ(page->body.find("Menu principal"), std::string::npos) << "no menu yet";
  // A POST elsewhere is refused as well (redirected before any handler runs).
  auto post = browser.Post("/mot-de-passe", {{"current_password", kGoodPassword}});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 303);

  for (const char* bad : {"", "abcdef", "1234567"}) {
    auto res = browser.Post("/connexion/code", {{"code", bad}});
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 422) << bad;
    EXPECT_NE(res->body.find("error-summary"), std::string::npos) << bad;
  }
  auto ok = browser.Post("/connexion/code",
                         {{"code", CodeAt(start.secret, s.clock.Now())}, {"suite", "/agenda"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 303);
  EXPECT_EQ(ok->get_header_value("Location"), "/agenda");
  auto home = browser.Get("/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
}

TEST_F(TwoFactorWebTest, WhenMandatoryTheEnrolmentComesFirstAndThenTheCodes) {
  auto& s = server_->services();
  s.settings.Set(service::Actor::System("t"), "security.totp_required", "1");
  Browser browser(*server_);
  auto res = browser.Get("/connexion");
  res = browser.Post(
      "/connexion",
      {{"email", "lea@emn.example"}, {"password", kGoodPassword}, {"suite", "/agenda"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_EQ(res->get_header_value("Location"), "/double-authentification?suite=/agenda");
  for (const char* path : {"/", "/agenda", "/connexion/code"}) {
    auto r = browser.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->get_header_value("Location"), "/double-authentification") << path;
  }
  auto page = browser.Get("/double-authentification");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<svg"), std::string::npos);
  EXPECT_NE(page->body.find("otpauth://totp/Allervers:lea%40emn.example"), std::string::npos);
  const auto start = s.two_factor.BeginEnrolment(lea_);  // the same pending secret
  auto confirm =
      browser.Post("/double-authentification",
                   {{"code", CodeAt(start.secret, s.clock.Now())}, {"suite", "/agenda"}});
  ASSERT_TRUE(confirm);
  EXPECT_EQ(confirm->status, 200);
  EXPECT_NE(confirm->body.find("recovery-codes"), std::string::npos);
  auto agenda = browser.Get("/agenda");
  ASSERT_TRUE(agenda);
  EXPECT_EQ(agenda->status, 200) << "signed in after the enrolment";
}

TEST_F(TwoFactorWebTest, TheAdministratorResetsFromTheAccountPage) {
  auto& s = server_->services();
  const auto start = s.two_factor.BeginEnrolment(lea_);
  ASSERT_TRUE(
      s.two_factor.ConfirmEnrolment(lea_, CodeAt(start.secret, s.clock.Now())).errors.empty());
  Browser browser(*server_);
  ASSERT_EQ(browser.SignIn("admin@a.example", kGoodPassword), 303);
  const std::string page = "/admin/utilisateurs/" + std::to_string(lea_.user_id);
  auto form = browser.Get(page);
  ASSERT_TRUE(form);
  EXPECT_NE(form->body.find("Réinitialiser la double authentification"), std::string::npos);
  auto res = browser.Post(page + "/double-authentification", {});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 303);
  EXPECT_FALSE(s.two_factor.IsEnrolled(admin_, lea_.user_id));
}

// The key file as the binary finds it: created next to a SQLite database by migrate (0600,
// logged, never printed), refused when others may read it, required with PostgreSQL.
TEST(TwoFactorKeyFile, MigrateCreatesItNextToTheSqliteDatabaseAndServeRefusesLooseModes) {
  TempDir dir;
  const std::string db = "sqlite:" + (dir.path() / "a.db").string();
  const auto key = dir.path() / "allervers.key";
  auto first = RunAllervers({"--database", db, "migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(std::filesystem::exists(key));
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_NE(first.err.find("secret_key.created"), std::string::npos) << first.err;
  std::ifstream in(key);
  std::string line;
  std::string key_line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') {
      key_line = line;
    }
  }
  ASSERT_FALSE(key_line.empty());
  EXPECT_EQ(first.err.find(key_line), std::string::npos) << "the key is never printed";
  EXPECT_EQ(first.out.find(key_line), std::string::npos);

  auto second = RunAllervers({"--database", db, "migrate"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.err.find("secret_key.created"), std::string::npos);

  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  auto loose = RunAllervers({"--database", db, "--listen", "127.0.0.1:0", "serve"});
  EXPECT_NE(loose.exit_code, 0);
  EXPECT_NE((loose.out + loose.err).find("chmod 600"), std::string::npos) << loose.err;
}

// The administrator who lost phone and recovery codes has no one to reset them from the web.
TEST(TwoFactorCli, UserResetTwoFactorRemovesTheSecondFactorAndIsAudited) {
  auto db = TestDatabase::Create(TestBackend::kSqlite);
  TestServices s(db->db());
  const auto system = service::Actor::System("t");
  const auto admin = CreateUser(s, "admin@a.example", "admin", "");
  const auto start = s.two_factor.BeginEnrolment(admin);
  ASSERT_TRUE(
      s.two_factor.ConfirmEnrolment(admin, CodeAt(start.secret, s.clock.Now())).errors.empty());
  ASSERT_TRUE(s.two_factor.IsEnrolled(system, admin.user_id));

  auto res = RunAllervers(
      {"--database", db->url(), "user", "reset-two-factor", "--email", "admin@a.example"});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  EXPECT_FALSE(s.two_factor.IsEnrolled(system, admin.user_id));
  int resets = 0;
  for (const auto& e : s.audit.List(system, {})) {
    resets += e.action == "two_factor.reset" && e.actor_label == "system:cli" ? 1 : 0;
  }
  EXPECT_EQ(resets, 1);
  auto unknown = RunAllervers(
      {"--database", db->url(), "user", "reset-two-factor", "--email", "personne@nulle.part"});
  EXPECT_NE(unknown.exit_code, 0);
}

TEST(TwoFactorKeyFile, ServeOnPostgresqlWithoutAKeyFileRefusesToStart) {
  const char* dsn = std::getenv("ALLERVERS_TEST_PG_DSN");
  if (dsn == nullptr || std::string(dsn).empty()) {
    GTEST_SKIP() << "PostgreSQL not configured (set ALLERVERS_TEST_PG_DSN to run these)";
  }
  auto res = RunAllervers({"--database", dsn, "--listen", "127.0.0.1:0", "serve"},
                          {{"ALLERVERS_SECRET_KEY_FILE", ""}});
  EXPECT_NE(res.exit_code, 0);
  EXPECT_NE((res.out + res.err).find("ALLERVERS_SECRET_KEY_FILE"), std::string::npos) << res.err;
}

}  // namespace
}  // namespace allervers::testing
