// The pure parts of the outbox's carriers (header and body encodings, SMS text and body) and
// the configuration of messages. Delivery itself is tested in integration/outbox_test.cpp.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/error.hpp"
#include "config/config.hpp"
#include "notify/http_sms_sender.hpp"
#include "notify/smtp_mailer.hpp"
#include "support/helpers.hpp"
#include "support/test_db.hpp"

namespace allervers::notify {
namespace {

using allervers::testing::CodeOf;

TEST(EncodeHeaderText, KeepsShortAsciiAndEncodesTheRest) {
  EXPECT_EQ(EncodeHeaderText("Votre demande FL-2026-00042"), "Votre demande FL-2026-00042");
  EXPECT_EQ(EncodeHeaderText("é"), "=?UTF-8?B?w6k=?=");
  EXPECT_EQ(EncodeHeaderText("a\r\nBcc: x@y.fr"), "a  Bcc: x@y.fr") << "no header injection";
  EXPECT_EQ(EncodeHeaderText("=?UTF-8?B?w6k=?="), "=?UTF-8?B?PT9VVEYtOD9CP3c2az0/PQ==?=");
}

TEST(EncodeHeaderText, FoldsIntoWordsThatCutNoCharacter) {
  std::string text = "a";
  for (int i = 0; i < 30; ++i) {
    text += "é";
  }
  // 61 bytes: the first word stops at byte 35, since byte 36 is inside an "é".
  EXPECT_EQ(EncodeHeaderText(text),
            "=?UTF-8?B?YcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n "
            "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=");
}

TEST(QuotedPrintable, EncodesUtf8KeepsLinesShortAndProtectsTrailingSpace) {
  EXPECT_EQ(QuotedPrintable("Zoë = 1 \nfin\t"), "Zo=C3=AB =3D 1=20\r\nfin=09");
  EXPECT_EQ(QuotedPrintable("a\r\nb\rc"), "a\r\nb\r\nc");
  const std::string encoded = QuotedPrintable(std::string(200, 'x'));
  EXPECT_EQ(encoded.substr(0, 78), std::string(75, 'x') + "=\r\n");
  for (std::size_t start = 0; start < encoded.size();) {
    auto end = encoded.find("\r\n", start);
    end = end == std::string::npos ? encoded.size() : end;
    EXPECT_LE(end - start, 76U);
    start = end + 2;
  }
}

TEST(IsPlainAddress, RefusesWhatCouldBreakAnEnvelopeOrHeader) {
  EXPECT_TRUE(IsPlainAddress("a.b+c@exemple.fr"));
  EXPECT_FALSE(IsPlainAddress(""));
  EXPECT_FALSE(IsPlainAddress("a@"));
  EXPECT_FALSE(IsPlainAddress("@b"));
  EXPECT_FALSE(IsPlainAddress("a@b@c"));
  EXPECT_FALSE(IsPlainAddress("a b@c.fr"));
  EXPECT_FALSE(IsPlainAddress("a@c.fr>\r\nBcc: x@y.fr"));
  EXPECT_FALSE(IsPlainAddress("<a@c.fr>"));
  EXPECT_FALSE(IsPlainAddress("é@c.fr"));
}

TEST(RfcDate, FormatsUtcInEnglish) {
  EXPECT_EQ(RfcDate(FromEpoch(1'795'000'000)), "Wed, 18 Nov 2026 11:06:40 +0000");
}

TEST(SmtpMailer, RefusesABadUrlOrSender) {
  EXPECT_EQ(CodeOf([] {
              SmtpMailer m({"http://relay", "", "", "a@b.fr", "", false});
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([] {
              SmtpMailer m({"smtp://relay", "", "", "pas une adresse", "", false});
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_NO_THROW(SmtpMailer({"smtps://relay:465", "u", "p", "a@b.fr", "", false}));
}

TEST(SmtpMailer, BuildsAStableMessage) {
  SmtpMailer mailer({"smtp://relay", "", "", "emn@allervers.example", "EMN \"Cergy\"", false});
  service::OutboxMessage m;
  m.id = 42;
  m.recipient = "a@b.fr";
  m.subject = "Bonjour";
  m.body = "Ligne";
  m.created_at = FromEpoch(1'795'000'000);
  const std::string message = mailer.BuildMessage(m);
  EXPECT_EQ(message, mailer.BuildMessage(m)) << "a retry sends the same bytes";
  EXPECT_NE(message.find("From: \"EMN \\\"Cergy\\\"\" <emn@allervers.example>\r\n"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\r\nMessage-ID: <outbox-42@allervers.example>\r\n"), std::string::npos);
  EXPECT_NE(message.find("\r\nDate: Wed, 18 Nov 2026 11:06:40 +0000\r\n"), std::string::npos);
  EXPECT_TRUE(message.ends_with("\r\n\r\nLigne\r\n"));
}

TEST(TrimSmsText, CutsAtThreeSegmentsOnACharacterBoundary) {
  EXPECT_EQ(TrimSmsText("court"), "court");
  const std::string exact(kMaxSmsCharacters, 'a');
  EXPECT_EQ(TrimSmsText(exact), exact);
  std::string accented;
  for (std::size_t i = 0; i < kMaxSmsCharacters + 10; ++i) {
    accented += "é";
  }
  std::string expected;
  for (std::size_t i = 0; i + 1 < kMaxSmsCharacters; ++i) {
    expected += "é";
  }
  EXPECT_EQ(TrimSmsText(accented), expected + "…");
}

TEST(HttpSmsSender, ChecksItsSettings) {
  EXPECT_EQ(CodeOf([] { HttpSmsSender s({"ftp://sms", "", ""}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([] {
              HttpSmsSender s({"https://sms", "Bearer x", ""});
            }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CodeOf([] {
              HttpSmsSender s({"https://sms", "", R"({"to":{{to}},"t":"{{text}}"})"});
            }),
            ErrorCode::kInvalidArgument)
      << "placeholders go inside quotes";
  EXPECT_EQ(CodeOf([] {
              HttpSmsSender s({"https://sms", "", R"({"to":"{{to}}"})"});
            }),
            ErrorCode::kInvalidArgument)
      << "no {{text}}";
  HttpSmsSender s({"https://sms", "Authorization: Bearer x", ""});
  service::OutboxMessage m;
  m.id = 7;
  m.recipient = "+33600000000";
  m.body = "\"OUI\" \\ {{text}}\n\xff";
  const auto body = nlohmann::json::parse(s.BuildBody(m));
  EXPECT_EQ(body["to"], "+33600000000");
  EXPECT_EQ(body["text"], "\"OUI\" \\ {{text}}\n\xEF\xBF\xBD") << "invalid UTF-8 replaced";
  EXPECT_EQ(body["reference"], "outbox-7");
}

config::GetEnv FakeEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(ConfigMessages, ReadsTomlAndSecretsFromTheEnvironment) {
  testing::TempDir dir;
  const auto file = dir.path() / "allervers.toml";
  std::ofstream(file) << "[smtp]\nurl = \"smtp://relay.example:587\"\nuser = \"emn\"\n"
                         "from = \"emn@exemple.fr\"\nfrom_name = \"EMN\"\nstarttls = true\n"
                         "[sms]\nurl = \"https://sms.example/v1\"\n"
                         "body_template = '{\"n\":\"{{to}}\",\"m\":\"{{text}}\"}'\n"
                         "[outbox]\ninterval_seconds = 30\n";
  config::Overrides flags;
  flags.config_file = file.string();
  const auto c = config::Load(flags, FakeEnv({{"ALLERVERS_SMTP_PASSWORD", "secret"},
                                              {"ALLERVERS_SMS_AUTH_HEADER", "X-Key: k"}}));
  EXPECT_EQ(c.smtp_url, "smtp://relay.example:587");
  EXPECT_EQ(c.smtp_user, "emn");
  EXPECT_EQ(c.smtp_password, "secret");
  EXPECT_EQ(c.smtp_from, "emn@exemple.fr");
  EXPECT_EQ(c.smtp_from_name, "EMN");
  EXPECT_TRUE(c.smtp_starttls);
  EXPECT_EQ(c.sms_url, "https://sms.example/v1");
  EXPECT_EQ(c.sms_auth_header, "X-Key: k");
  EXPECT_EQ(c.sms_body_template, R"({"n":"{{to}}","m":"{{text}}"})");
  EXPECT_EQ(c.outbox_interval_seconds, 30);
}

TEST(ConfigMessages, RefusesBadValuesWithOneFrenchLine) {
  testing::TempDir dir;
  auto load = [&](const std::string& toml, std::map<std::string, std::string> env = {}) {
    const auto file = dir.path() / "c.toml";
    std::ofstream(file) << toml;
    config::Overrides flags;
    flags.config_file = file.string();
    try {
      config::Load(flags, FakeEnv(std::move(env)));
    } catch (const Error& e) {
      EXPECT_EQ(e.public_message().find('\n'), std::string::npos);
      return e.public_message();
    }
    return std::string();
  };
  EXPECT_NE(load("[smtp]\nurl = \"http://relay\"\nfrom = \"a@b.fr\"\n").find("smtp.url"),
            std::string::npos);
  EXPECT_NE(load("[smtp]\nurl = \"smtp://relay\"\n").find("smtp.from"), std::string::npos);
  EXPECT_NE(load("[smtp]\nurl = \"smtp://relay\"\nfrom = \"a@b.fr\"\nuser = \"u\"\n")
                .find("smtp.password"),
            std::string::npos);
  EXPECT_NE(load("[sms]\nurl = \"ftp://sms\"\n").find("sms.url"), std::string::npos);
  EXPECT_NE(load("", {{"ALLERVERS_SMS_AUTH_HEADER", "Bearer x"}}).find("sms.auth_header"),
            std::string::npos);
  EXPECT_NE(load("[outbox]\ninterval_seconds = 0\n").find("outbox.interval_seconds"),
            std::string::npos);
  EXPECT_EQ(load("[smtp]\nurl = \"smtps://relay:465\"\nfrom = \"a@b.fr\"\n"), "");
}

}  // namespace
}  // namespace allervers::notify
