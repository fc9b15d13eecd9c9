#pragma once

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "service/identity_provider.hpp"

namespace allervers::oidc {

/// How to reach the provider (docs/configuration.md « ProConnect »).
struct OpenIdSettings {
  std::string name = "ProConnect";
  std::string issuer;  // e.g. https://auth.agentconnect.gouv.fr/api/v2
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;              // …/connexion/proconnect/retour
  std::string post_logout_redirect_uri;  // …/connexion
  std::string scope = "openid email given_name usual_name uid";
  std::string acr_values;  // sent when set ("eidas1")
  std::chrono::seconds timeout{10};
  std::chrono::seconds clock_skew{60};
};

/// Throws Error(kInvalidArgument) with a French message naming the setting when `s` cannot
/// work: a missing value, or an address in plain HTTP other than the loopback's.
void ValidateSettings(const OpenIdSettings& s);

/// An OpenID Connect relying party for one provider: the authorization code flow with PKCE,
/// the client secret sent in the token request (client_secret_post, as ProConnect asks), the
/// ID token and the user information checked with the provider's JWK set. The discovery
/// document is read on first use and kept an hour; the JWK set is kept until a token names a
/// key it does not hold (the provider rotated its keys), then read again (at most every 5 s).
/// Thread-safe. HTTP with libcurl, signatures with OpenSSL (oidc/jws.hpp).
class OpenIdClient final : public service::IdentityProvider {
 public:
  OpenIdClient(OpenIdSettings settings, const Clock& clock);

  std::string name() const override { return settings_.name; }
  std::string AuthorizationUrl(std::string_view state, std::string_view nonce,
                               std::string_view code_verifier) override;
  service::ExternalIdentity Redeem(std::string_view code, std::string_view code_verifier,
                                   std::string_view nonce) override;
  std::string LogoutUrl(std::string_view id_token, std::string_view state) override;

 private:
  struct Metadata {
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string userinfo_endpoint;
    std::string jwks_uri;
    std::string end_session_endpoint;
    Instant fetched{};
  };
  Metadata Discover();
  nlohmann::json Keys(bool refresh);
  /// The claims of `jws` once its signature is checked (the key set read again once for an
  /// unknown key); throws Error(kPermissionDenied) otherwise.
  nlohmann::json CheckedClaims(const std::string& jws);

  OpenIdSettings settings_;
  const Clock& clock_;
  std::mutex mutex_;
  std::optional<Metadata> metadata_;
  nlohmann::json jwks_;
  Instant jwks_fetched_{};
};

}  // namespace allervers::oidc
