// Two-factor sign-in's building blocks: TOTP against RFC 6238's test vectors, base32, the
// SecretBox (round trip, wrong key, rotation, tampering) and its key file (permissions,
// format, creation), the QR code in SVG.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "common/error.hpp"
#include "render/qr_svg.hpp"
#include "security/password_hasher.hpp"
#include "security/secret_box.hpp"
#include "security/totp.hpp"
#include "support/test_db.hpp"

namespace allervers::security {
namespace {

std::vector<unsigned char> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

SecretKey Key(unsigned char fill) {
  SecretKey k{};
  k.fill(fill);
  return k;
}

class TwoFactorUnitTest : public ::testing::Test {
 protected:
  void SetUp() override { InitCrypto(); }
};

// RFC 6238 Appendix B, SHA-1 column: the seed is the ASCII string "12345678901234567890".
TEST_F(TwoFactorUnitTest, TotpMatchesTheRfc6238TestVectors) {
  const auto seed = Bytes("12345678901234567890");
  const std::vector<std::pair<std::int64_t, std::string>> vectors = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, code] : vectors) {
    EXPECT_EQ(Totp(seed, time, 8), code) << time;
    EXPECT_EQ(Totp(seed, time, 6), code.substr(2)) << time;  // six digits: the last six
  }
}

// RFC 4226 Appendix D: HOTP values of counters 0 to 9.
TEST_F(TwoFactorUnitTest, HotpMatchesTheRfc4226TestVectors) {
  const auto seed = Bytes("12345678901234567890");
  const std::vector<std::string> expected = {"755224", "287082", "359152", "969429", "338314",
                                             "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < expected.size(); ++counter) {
    EXPECT_EQ(Hotp(seed, counter), expected[counter]) << counter;
  }
}

TEST_F(TwoFactorUnitTest, Base32RoundTripsAndReadsWhatAppsShow) {
  EXPECT_EQ(Base32Encode(Bytes("12345678901234567890")), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(Base32Encode(Bytes("foobar")), "MZXW6YTBOI");  // RFC 4648 §10, without padding
  const auto decoded = Base32Decode("gezd gnbv gy3t qojq GEZDGNBVGY3TQOJQ");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, Bytes("12345678901234567890"));
  EXPECT_FALSE(Base32Decode("GEZD1"));  // 1 is not base32
}

TEST_F(TwoFactorUnitTest, MatchAcceptsOneStepOfDriftEitherWayAndNoMore) {
  const TotpGenerator otp;
  const std::string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  const auto seed = Bytes("12345678901234567890");
  const std::int64_t now = 1111111111;  // step 37037037
  const std::int64_t step = now / 30;
  EXPECT_EQ(otp.Match(secret, Totp(seed, now), now), step);
  EXPECT_EQ(otp.Match(secret, Totp(seed, now - 30), now), step - 1);
  EXPECT_EQ(otp.Match(secret, Totp(seed, now + 30), now), step + 1);
  EXPECT_FALSE(otp.Match(secret, Totp(seed, now - 60), now));
  EXPECT_FALSE(otp.Match(secret, Totp(seed, now + 60), now));
  EXPECT_FALSE(otp.Match(secret, "12345", now));
  EXPECT_FALSE(otp.Match(secret, "1234567", now));
  EXPECT_FALSE(otp.Match("not base32!", "123456", now));
}

TEST_F(TwoFactorUnitTest, NewSecretsAndRecoveryCodesAreRandomAndWellFormed) {
  const TotpGenerator otp;
  const std::string secret = otp.NewSecret();
  EXPECT_EQ(secret.size(), 32U);  // 20 bytes
  ASSERT_TRUE(Base32Decode(secret));
  EXPECT_EQ(Base32Decode(secret)->size(), 20U);
  EXPECT_NE(otp.NewSecret(), secret);
  std::set<std::string> codes;
  for (int i = 0; i < 50; ++i) {
    const std::string code = otp.NewRecoveryCode();
    ASSERT_EQ(code.size(), 14U) << code;
    EXPECT_EQ(code[4], '-');
    EXPECT_EQ(code[9], '-');
    EXPECT_EQ(code.find_first_of("ilou"), std::string::npos) << code;
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 50U);
}

TEST_F(TwoFactorUnitTest, SecretBoxRoundTripsAndNeverRepeatsACiphertext) {
  const SecretBox box({Key(1)});
  const std::string sealed = box.Seal("JBSWY3DPEHPK3PXP");
  EXPECT_TRUE(sealed.starts_with("sb1." + box.sealing_key_id() + "."));
  EXPECT_EQ(sealed.find("JBSWY3DPEHPK3PXP"), std::string::npos);
  EXPECT_EQ(box.Open(sealed), "JBSWY3DPEHPK3PXP");
  EXPECT_NE(box.Seal("JBSWY3DPEHPK3PXP"), sealed);  // a fresh nonce each time
  EXPECT_EQ(box.Open(box.Seal("")), "");
}

TEST_F(TwoFactorUnitTest, SecretBoxRefusesAnotherKeyAndAlteredText) {
  const SecretBox box({Key(1)});
  const SecretBox other({Key(2)});
  const std::string sealed = box.Seal("secret");
  EXPECT_FALSE(other.Open(sealed));
  std::string altered = sealed;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(altered));
  // The same key under another id: the id is checked, then the MAC.
  std::string relabelled = sealed;
  relabelled.replace(4, 8, "00000000");
  EXPECT_FALSE(box.Open(relabelled));
  EXPECT_FALSE(box.Open("sb1.short"));
  EXPECT_FALSE(box.Open(""));
  EXPECT_FALSE(box.Open("plain text"));
}

TEST_F(TwoFactorUnitTest, RotationSealsWithTheFirstKeyAndOpensWithEvery) {
  const SecretBox old_ring({Key(1)});
  const std::string before = old_ring.Seal("old secret");
  const SecretBox new_ring({Key(2), Key(1)});
  EXPECT_EQ(new_ring.Open(before), "old secret");
  const std::string after = new_ring.Seal("new secret");
  EXPECT_FALSE(old_ring.Open(after));
  EXPECT_EQ(new_ring.Open(after), "new secret");
  EXPECT_NE(new_ring.sealing_key_id(), old_ring.sealing_key_id());
  const SecretBox retired({Key(2)});  // the old key removed once everything was sealed again
  EXPECT_FALSE(retired.Open(before));
  EXPECT_THROW(SecretBox(std::vector<SecretKey>{}), Error);
}

void WriteFile(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  std::ofstream(path) << content;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

TEST_F(TwoFactorUnitTest, KeyFileReadsHexAndBase64AndSkipsCommentsAndBlankLines) {
  testing::TempDir dir;
  const auto path = dir.path() / "secret.key";
  WriteFile(path,
            "# rotated on 2026-11-29\n"
            "\n"
            "0101010101010101010101010101010101010101010101010101010101010101\n"
            "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\r\n"
            "  AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM  \n",
            0600);
  const auto keys = LoadKeyFile(path);
  ASSERT_EQ(keys.size(), 3U);
  EXPECT_EQ(keys[0], Key(1));
  EXPECT_EQ(keys[1], Key(2));
  EXPECT_EQ(keys[2], Key(3));
}

TEST_F(TwoFactorUnitTest, KeyFileReadableByGroupOrOthersIsRefused) {
  testing::TempDir dir;
  const auto path = dir.path() / "secret.key";
  for (mode_t mode : {0640, 0604, 0660, 0644, 0602}) {
    WriteFile(path, NewKeyLine() + "\n", mode);
    try {
      (void)LoadKeyFile(path);
      ADD_FAILURE() << "mode " << std::oct << mode << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_NE(e.public_message().find("chmod 600"), std::string::npos) << e.public_message();
    }
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_EQ(LoadKeyFile(path).size(), 1U);
}

TEST_F(TwoFactorUnitTest, MalformedMissingOrEmptyKeyFilesAreRefusedWithoutQuotingTheKey) {
  testing::TempDir dir;
  const auto path = dir.path() / "secret.key";
  EXPECT_THROW((void)LoadKeyFile(path), Error);  // missing
  WriteFile(path, "# nothing\n\n", 0600);
  EXPECT_THROW((void)LoadKeyFile(path), Error);
  const std::string short_key = "0101010101010101";  // 8 bytes
  WriteFile(path, NewKeyLine() + "\n" + short_key + "\n", 0600);
  try {
    (void)LoadKeyFile(path);
    ADD_FAILURE() << "a short key accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.public_message().find("ligne 2"), std::string::npos) << e.public_message();
    EXPECT_EQ(e.public_message().find(short_key), std::string::npos);
  }
}

TEST_F(TwoFactorUnitTest, SecretBoxSealsLongNotesAndNamesTheirKey) {
  const SecretBox box({Key(1)});
  std::string note;
  for (int i = 0; i < 5000; ++i) {
    note += "é";  // a note at its longest, in two-byte characters
  }
  const std::string sealed = box.Seal(note);
  EXPECT_EQ(box.Open(sealed).value_or(""), note);
  EXPECT_EQ(box.KeyIdOf(sealed).value_or(""), box.sealing_key_id());
  EXPECT_EQ(box.KeyIds(), std::vector<std::string>{box.sealing_key_id()});
  EXPECT_FALSE(box.KeyIdOf("Une note en clair."));
  EXPECT_FALSE(box.KeyIdOf("sb1.abc"));
  EXPECT_FALSE(box.KeyIdOf(""));
}

TEST_F(TwoFactorUnitTest, AKeyIsAddedFirstThenTheOldOnesDroppedKeepingTheFilePrivate) {
  testing::TempDir dir;
  const auto path = dir.path() / "secret.key";
  WriteFile(path, "# Allervers secret key\n" + NewKeyLine() + "\n", 0600);
  const auto before = LoadKeyFile(path);
  const SecretBox old_box(before);
  const std::string sealed = old_box.Seal("JBSWY3DPEHPK3PXP");

  const std::string id = AddKeyFirst(path);
  const auto after = LoadKeyFile(path);
  ASSERT_EQ(after.size(), 2U);
  EXPECT_EQ(after[1], before[0]);
  const SecretBox rotated(after);
  EXPECT_EQ(rotated.sealing_key_id(), id);
  EXPECT_EQ(rotated.Open(sealed).value_or(""), "JBSWY3DPEHPK3PXP");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".new"));

  EXPECT_EQ(KeepOnlyFirstKey(path), 1);
  const auto last = LoadKeyFile(path);
  ASSERT_EQ(last.size(), 1U);
  EXPECT_EQ(last[0], after[0]);
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(KeepOnlyFirstKey(path), 0);
  // A key file that would be refused is not rewritten.
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_THROW(AddKeyFirst(path), Error);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_EQ(LoadKeyFile(path).size(), 1U);
}

TEST_F(TwoFactorUnitTest, CreateKeyFileWritesOneKeyReadableByItsOwnerOnly) {
  testing::TempDir dir;
  const auto path = dir.path() / "sub" / "allervers.key";
  ASSERT_TRUE(CreateKeyFileIfMissing(path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  const auto keys = LoadKeyFile(path);
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_FALSE(CreateKeyFileIfMissing(path));  // never replaced
  EXPECT_EQ(LoadKeyFile(path), keys);
}

TEST(QrSvg, IsOneAccessibleImageWithTheQuietZone) {
  const std::string svg = render::QrSvg(
      "otpauth://totp/Allervers:a%40b.fr?secret=JBSWY3DPEHPK3PXP&issuer=Allervers", "QR <code>");
  EXPECT_TRUE(svg.starts_with("<svg "));
  EXPECT_NE(svg.find(R"(role="img")"), std::string::npos);
  EXPECT_NE(svg.find("<title id=\"qr-title\">QR &lt;code&gt;</title>"), std::string::npos);
  EXPECT_NE(svg.find(R"(<path d="M4 4h1v1h-1z)"), std::string::npos);  // finder pattern corner
  EXPECT_EQ(svg.find("style"), std::string::npos);  // nothing the CSP would block
}

}  // namespace
}  // namespace allervers::security
