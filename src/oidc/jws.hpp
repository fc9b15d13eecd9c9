#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace allervers::oidc {

/// The outcome of checking a compact JWS (RFC 7515) against a JWK set (RFC 7517).
struct JwsCheck {
  bool valid = false;
  bool unknown_key = false;  // no key of the set has the token's `kid`: read the set again
  std::string problem;       // why it is not valid, for logs (never the token)
  nlohmann::json claims;     // the payload, when valid
};

/// Checks the signature of `token` with the key of `jwks` its header names. Only RS256 and
/// ES256 are accepted (never "none", never a symmetric algorithm, which would let a public key
/// serve as a shared secret). OpenSSL's libcrypto verifies; nothing is trusted before.
JwsCheck VerifyJws(std::string_view token, const nlohmann::json& jwks);

/// base64url without padding (RFC 4648 §5), as in JOSE.
std::string Base64UrlEncode(std::string_view bytes);
/// Empty when `text` is not base64url.
bool Base64UrlDecode(std::string_view text, std::string& out);

/// The string member `name` of a JSON object; empty when it is missing or not a string.
std::string JsonString(const nlohmann::json& j, const char* name);

/// SHA-256 of `bytes`, raw (PKCE's S256 code challenge is its base64url).
std::string Sha256(std::string_view bytes);

}  // namespace allervers::oidc
