#include <gtest/gtest.h>

#include <set>

#include "security/password_hasher.hpp"
#include "security/password_policy.hpp"
#include "security/tokens.hpp"

namespace allervers::security {
namespace {

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitCrypto(); }
};

TEST_F(SecurityTest, HasherVerifiesOnlyTheRightPassword) {
  Argon2PasswordHasher hasher(HashCost::Minimum());
  const std::string hash = hasher.Hash("une phrase de passe");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(hasher.Verify(hash, "une phrase de passe"));
  EXPECT_FALSE(hasher.Verify(hash, "une phrase de passE"));
  EXPECT_FALSE(hasher.Verify("", "x"));
  EXPECT_FALSE(hasher.Verify("not a hash", "x"));
  EXPECT_NE(hasher.Hash("une phrase de passe"), hash) << "salted";
}

TEST_F(SecurityTest, ProductionCostIsArgon2idInteractive) {
  Argon2PasswordHasher production(HashCost::Interactive());
  const std::string hash = production.Hash("une phrase de passe");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << hash;
  EXPECT_FALSE(production.NeedsRehash(hash));
  Argon2PasswordHasher cheap(HashCost::Minimum());
  EXPECT_TRUE(production.NeedsRehash(cheap.Hash("x"))) << "weak hashes are upgraded at sign-in";
}

TEST_F(SecurityTest, PolicyRefusesShortCommonAndPersonalPasswords) {
  ZxcvbnPasswordPolicy policy;
  EXPECT_TRUE(policy.Check("court", {}).has_value());
  EXPECT_TRUE(policy.Check("password1234", {}).has_value());
  EXPECT_TRUE(policy.Check("azertyuiop123", {}).has_value());
  EXPECT_TRUE(policy.Check("motdepasse2026", {}).has_value());
  EXPECT_TRUE(policy.Check("aaaaaaaaaaaaaaaa", {}).has_value());
  EXPECT_TRUE(policy.Check("123456789012", {}).has_value());
  EXPECT_TRUE(policy.Check("Allervers2026!", {}).has_value());
  EXPECT_TRUE(policy.Check("claire.lefevre1", {"claire.lefevre@emn.example", "Claire Lefèvre"})
                  .has_value());
  EXPECT_TRUE(policy.Check(std::string(2000, 'x'), {}).has_value());
}

TEST_F(SecurityTest, PolicyAcceptsPassphrasesWithoutCompositionRules) {
  ZxcvbnPasswordPolicy policy;
  EXPECT_FALSE(policy.Check("quatre chevaux bleus au galop", {}).has_value());
  EXPECT_FALSE(policy.Check("la tour eiffel mange des crêpes", {}).has_value());
  EXPECT_FALSE(policy.Check("k7mp-x3qa-9fhr-w2tc", {}).has_value());
}

TEST_F(SecurityTest, TokensAreRandomUrlSafeAndCompared) {
  SodiumTokenService tokens;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = tokens.NewToken(32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(tokens.Digest("abc"), tokens.Digest("abc"));
  EXPECT_NE(tokens.Digest("abc"), tokens.Digest("abd"));
  EXPECT_EQ(tokens.Digest("abc").size(), 64u);
  EXPECT_TRUE(tokens.Equal("same", "same"));
  EXPECT_FALSE(tokens.Equal("same", "sane"));
  EXPECT_FALSE(tokens.Equal("same", "same!"));
}

TEST_F(SecurityTest, TemporaryPasswordsAreReadableAndAccepted) {
  SodiumTokenService tokens;
  ZxcvbnPasswordPolicy policy;
  for (int i = 0; i < 20; ++i) {
    const std::string p = tokens.NewTemporaryPassword();
    EXPECT_EQ(p.size(), 19u);
    EXPECT_EQ(p.find_first_of("01ilo"), std::string::npos) << p;
    EXPECT_FALSE(policy.Check(p, {}).has_value()) << p;
  }
}

}  // namespace
}  // namespace allervers::security
