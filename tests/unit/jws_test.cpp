// The ID token's signature check (oidc/jws.hpp): keys made here with OpenSSL, tokens signed
// here, so that each refusal is proven on a token that differs from a valid one by one thing.
#include "oidc/jws.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace allervers::oidc {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key NewKey(const char* alg) {
  return Key(std::string(alg) == "ES256" ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
}

std::string BnBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

nlohmann::json Jwk(EVP_PKEY* key, const char* alg, const std::string& kid) {
  if (std::string(alg) == "ES256") {
    unsigned char point[65];
    std::size_t len = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
    const std::string raw(reinterpret_cast<char*>(point), len);
    return {{"kty", "EC"},
            {"crv", "P-256"},
            {"kid", kid},
            {"use", "sig"},
            {"x", Base64UrlEncode(raw.substr(1, 32))},
            {"y", Base64UrlEncode(raw.substr(33, 32))}};
  }
  return {{"kty", "RSA"},
          {"kid", kid},
          {"alg", "RS256"},
          {"use", "sig"},
          {"n", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_N))},
          {"e", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_E))}};
}

std::string Sign(EVP_PKEY* key, const std::string& alg, const nlohmann::json& header,
                 const nlohmann::json& claims) {
  const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
  std::size_t len = 0;
  EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(md);
  if (alg == "ES256") {  // DER to JOSE's r || s
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* der = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(der), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(der), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(der);
    sig = raw;
  }
  return input + "." + Base64UrlEncode(sig);
}

const nlohmann::json kClaims = {{"iss", "https://fournisseur.example"},
                                {"sub", "agent-1"},
                                {"aud", "allervers"},
                                {"nonce", "n"}};

class JwsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(JwsTest, AValidTokenIsReadAndEveryAlterationRefused) {
  const std::string alg = GetParam();
  const Key key = NewKey(GetParam());
  const Key other = NewKey(GetParam());
  const nlohmann::json jwks = {{"keys", {Jwk(key.get(), GetParam(), "k1")}}};
  const nlohmann::json header = {{"alg", alg}, {"kid", "k1"}, {"typ", "JWT"}};
  const std::string token = Sign(key.get(), alg, header, kClaims);

  const auto ok = VerifyJws(token, jwks);
  ASSERT_TRUE(ok.valid) << ok.problem;
  EXPECT_EQ(ok.claims["sub"], "agent-1");

  // Another key signed it, under the same kid.
  EXPECT_EQ(VerifyJws(Sign(other.get(), alg, header, kClaims), jwks).problem, "bad_signature");
  // The claims were changed after signing.
  nlohmann::json changed = kClaims;
  changed["sub"] = "admin";
  const auto dot = token.find('.');
  const auto dot2 = token.find('.', dot + 1);
  const std::string swapped =
      token.substr(0, dot + 1) + Base64UrlEncode(changed.dump()) + token.substr(dot2);
  EXPECT_EQ(VerifyJws(swapped, jwks).problem, "bad_signature");
  // A kid the set does not hold: the caller reads the set again.
  nlohmann::json h2 = header;
  h2["kid"] = "k2";
  const auto unknown = VerifyJws(Sign(key.get(), alg, h2, kClaims), jwks);
  EXPECT_FALSE(unknown.valid);
  EXPECT_TRUE(unknown.unknown_key);
  // Not a JWS at all.
  EXPECT_EQ(VerifyJws("abc", jwks).problem, "not_a_compact_jws");
  EXPECT_EQ(VerifyJws("a.b.c.d", jwks).problem, "not_a_compact_jws");
  EXPECT_EQ(VerifyJws("@@.@@.@@", jwks).problem, "bad_base64url");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwsTest, ::testing::Values("RS256", "ES256"));

TEST(Jws, NoneAndSymmetricAlgorithmsAreNeverAccepted) {
  const Key key = NewKey("RS256");
  const nlohmann::json jwk = Jwk(key.get(), "RS256", "k1");
  const nlohmann::json jwks = {{"keys", {jwk}}};
  const std::string payload = Base64UrlEncode(kClaims.dump());
  // "none": no signature at all.
  const std::string none = Base64UrlEncode(R"({"alg":"none","kid":"k1"})") + "." + payload + ".AA";
  EXPECT_EQ(VerifyJws(none, jwks).problem, "algorithm_refused:none");
  // HS256 with the public key as the shared secret: the classic confusion attack.
  const std::string hs = Base64UrlEncode(R"({"alg":"HS256","kid":"k1"})") + "." + payload + ".AAAA";
  EXPECT_EQ(VerifyJws(hs, jwks).problem, "algorithm_refused:HS256");
  // An RSA key too short to trust.
  nlohmann::json weak = jwk;
  weak["n"] = Base64UrlEncode(std::string(128, '\xff'));
  const std::string token = Sign(key.get(), "RS256", {{"alg", "RS256"}, {"kid", "k1"}}, kClaims);
  EXPECT_EQ(VerifyJws(token, {{"keys", {weak}}}).problem, "unusable_key");
}

TEST(Jws, Base64UrlRoundTripsAndRefusesOtherAlphabets) {
  std::string out;
  const std::string bytes("\xfb\xff\x00zz", 5);
  EXPECT_TRUE(Base64UrlDecode(Base64UrlEncode(bytes), out));
  EXPECT_EQ(out, bytes);
  EXPECT_FALSE(Base64UrlDecode("+/+/", out)) << "standard base64 is not base64url";
  EXPECT_FALSE(Base64UrlDecode("", out));
  EXPECT_EQ(Base64UrlEncode(Sha256("abc")), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

}  // namespace
}  // namespace allervers::oidc
