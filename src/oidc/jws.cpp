#include "oidc/jws.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <memory>
#include <vector>

namespace allervers::oidc {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

Ptr<BIGNUM> Bignum(const std::string& bytes) {
  return Ptr<BIGNUM>(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()), nullptr));
}

// A public key from its JWK; nothing when the JWK is not a usable key of `kty`.
Ptr<EVP_PKEY> KeyFromJwk(const nlohmann::json& jwk, const std::string& alg) {
  const std::string kty = JsonString(jwk, "kty");
  Ptr<OSSL_PARAM_BLD> build(OSSL_PARAM_BLD_new());
  Ptr<BIGNUM> n;
  Ptr<BIGNUM> e;
  std::string point;
  const char* type = nullptr;
  if (alg == "RS256" && kty == "RSA") {
    std::string nb;
    std::string eb;
    if (!Base64UrlDecode(JsonString(jwk, "n"), nb) || !Base64UrlDecode(JsonString(jwk, "e"), eb) ||
        nb.size() < 256) {  // 2048-bit keys at least
      return nullptr;
    }
    n = Bignum(nb);
    e = Bignum(eb);
    if (!n || !e || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
      return nullptr;
    }
    type = "RSA";
  } else if (alg == "ES256" && kty == "EC" && JsonString(jwk, "crv") == "P-256") {
    std::string x;
    std::string y;
    if (!Base64UrlDecode(JsonString(jwk, "x"), x) || !Base64UrlDecode(JsonString(jwk, "y"), y) ||
        x.size() != 32 || y.size() != 32) {
      return nullptr;
    }
    point = std::string(1, '\x04') + x + y;  // uncompressed point
    static char group[] = "prime256v1";
    if (OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      return nullptr;
    }
    type = "EC";
  } else {
    return nullptr;
  }
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(build.get()));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return Ptr<EVP_PKEY>(key);
}

// JOSE's ES256 signature is r || s (32 bytes each); OpenSSL wants DER.
bool EcdsaToDer(const std::string& raw, std::string& der) {
  if (raw.size() != 64) {
    return false;
  }
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) {
    return false;
  }
  der.assign(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  return i2d_ECDSA_SIG(sig.get(), &out) == len;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string& out) {
  out.assign(text.size(), '\0');
  std::size_t len = 0;
  if (text.empty() || sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                        text.data(), text.size(), nullptr, &len, nullptr,
                                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    out.clear();
    return false;
  }
  out.resize(len);
  return true;
}

std::string JsonString(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Sha256(std::string_view bytes) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

JwsCheck VerifyJws(std::string_view token, const nlohmann::json& jwks) {
  JwsCheck out;
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (token.size() > 16384 || second == std::string_view::npos ||
      token.find('.', second + 1) != std::string_view::npos) {
    out.problem = "not_a_compact_jws";
    return out;
  }
  std::string header_text;
  std::string payload_text;
  std::string signature;
  if (!Base64UrlDecode(token.substr(0, first), header_text) ||
      !Base64UrlDecode(token.substr(first + 1, second - first - 1), payload_text) ||
      !Base64UrlDecode(token.substr(second + 1), signature)) {
    out.problem = "bad_base64url";
    return out;
  }
  const auto header = nlohmann::json::parse(header_text, nullptr, false);
  if (!header.is_object()) {
    out.problem = "bad_header";
    return out;
  }
  const std::string alg = JsonString(header, "alg");
  if (alg != "RS256" && alg != "ES256") {
    out.problem = "algorithm_refused:" + alg.substr(0, 16);
    return out;
  }
  const std::string kid = JsonString(header, "kid");
  const nlohmann::json* jwk = nullptr;
  if (jwks.is_object() && jwks.contains("keys") && jwks["keys"].is_array()) {
    for (const auto& k : jwks["keys"]) {
      const std::string use = JsonString(k, "use");
      if (k.is_object() && (kid.empty() || JsonString(k, "kid") == kid) &&
          (use.empty() || use == "sig") &&
          (JsonString(k, "alg").empty() || JsonString(k, "alg") == alg) &&
          JsonString(k, "kty") == (alg == "RS256" ? "RSA" : "EC")) {
        jwk = &k;
        break;
      }
    }
  }
  if (jwk == nullptr) {
    out.unknown_key = true;
    out.problem = "unknown_key";
    return out;
  }
  const auto key = KeyFromJwk(*jwk, alg);
  if (!key) {
    out.problem = "unusable_key";
    return out;
  }
  if (alg == "ES256") {
    std::string der;
    if (!EcdsaToDer(signature, der)) {
      out.problem = "bad_signature";
      return out;
    }
    signature = std::move(der);
  }
  const std::string_view signed_part = token.substr(0, second);
  Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) != 1) {
    out.problem = "bad_signature";
    return out;
  }
  out.claims = nlohmann::json::parse(payload_text, nullptr, false);
  if (!out.claims.is_object()) {
    out.problem = "bad_payload";
    out.claims = nlohmann::json();
    return out;
  }
  out.valid = true;
  return out;
}

}  // namespace allervers::oidc
