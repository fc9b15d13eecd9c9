#pragma once

#include <string>
#include <string_view>

namespace allervers::service {

/// Who the identity provider says signed in, once every check passed.
struct ExternalIdentity {
  std::string subject;        // the provider's `sub`
  std::string email;          // the e-mail it vouches for, matched to an account
  bool multi_factor = false;  // the provider checked a second factor (`amr` holds "mfa")
  std::string id_token;       // for the provider's logout (id_token_hint)
};

/// An OpenID Connect provider (ProConnect), for AuthService. The implementation
/// (oidc/openid_client.hpp) talks to the provider; the sign-in under way is AuthService's.
class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;
  /// The provider's name for pages and messages ("ProConnect").
  virtual std::string name() const = 0;
  /// The address of the provider's authorization page for a sign-in (authorization code flow,
  /// PKCE S256 from `code_verifier`). Throws Error(kUnavailable) when the provider cannot be
  /// reached (its discovery document).
  virtual std::string AuthorizationUrl(std::string_view state, std::string_view nonce,
                                       std::string_view code_verifier) = 0;
  /// Redeems `code` and checks the ID token: signature by a key of the provider's JWKS (read
  /// again when a key is unknown: rotation), issuer, audience, expiry, `nonce`; then the
  /// user information (its `sub` must be the token's). Throws Error(kPermissionDenied) with
  /// the reason in the error's detail when a check fails, Error(kUnavailable) when the
  /// provider cannot be reached.
  virtual ExternalIdentity Redeem(std::string_view code, std::string_view code_verifier,
                                  std::string_view nonce) = 0;
  /// The provider's logout address for a session opened with `id_token`; empty when the
  /// provider has none.
  virtual std::string LogoutUrl(std::string_view id_token, std::string_view state) = 0;
};

}  // namespace allervers::service
