#include "oidc/openid_client.hpp"

#include <curl/curl.h>

#include <algorithm>

#include "common/error.hpp"
#include "notify/curl_handle.hpp"
#include "oidc/jws.hpp"

namespace allervers::oidc {
namespace {

using notify::CurlList;
using notify::CurlPtr;

constexpr std::size_t kMaxAnswerBytes = 1 << 20;
constexpr auto kMetadataLife = std::chrono::hours(1);
// Keys are read again only for a token the provider itself sent (over TLS), so this only spares
// the provider a burst.
constexpr auto kKeysMinInterval = std::chrono::seconds(5);

// What the person reads: the reason stays in the error's detail, for the logs.
[[noreturn]] void Refuse(const std::string& name, const std::string& problem) {
  throw Error(ErrorCode::kPermissionDenied,
              name +
                  " n’a pas pu confirmer votre identité. Recommencez ; si cela se reproduit, "
                  "prévenez l’administrateur de la plateforme.",
              "openid: " + problem);
}

[[noreturn]] void Unreachable(const std::string& name, const std::string& problem) {
  throw Error(ErrorCode::kUnavailable,
              name +
                  " ne répond pas pour le moment. Réessayez dans quelques minutes, ou "
                  "connectez-vous avec votre mot de passe.",
              "openid: " + problem);
}

struct Answer {
  long status = 0;
  std::string content_type;
  std::string body;
};

std::size_t Collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * count > kMaxAnswerBytes) {
    return 0;  // too long: curl stops with an error
  }
  body->append(data, size * count);
  return size * count;
}

std::string Escape(CURL* c, std::string_view s) {
  char* out = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string escaped = out != nullptr ? out : "";
  curl_free(out);
  return escaped;
}

// One HTTP exchange. `form` set: a POST of url-encoded fields.
Answer Exchange(const OpenIdSettings& s, const std::string& url,
                const std::vector<std::pair<std::string, std::string>>* form,
                const std::string& bearer = {}) {
  CurlPtr curl(curl_easy_init());
  if (!curl) {
    Unreachable(s.name, "curl_easy_init");
  }
  CURL* c = curl.get();
  Answer answer;
  CurlList headers;
  notify::Append(headers, "Accept: application/json, application/jwt");
  if (!bearer.empty()) {
    notify::Append(headers, "Authorization: Bearer " + bearer);
  }
  std::string body;
  if (form != nullptr) {
    for (const auto& [name, value] : *form) {
      body += (body.empty() ? "" : "&") + Escape(c, name) + "=" + Escape(c, value);
    }
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  notify::SetRequest(c, url, "http,https", s.timeout, s.timeout);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer.body);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    Unreachable(s.name, notify::CurlError(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  answer.content_type = type != nullptr ? type : "";
  return answer;
}

nlohmann::json JsonObject(const OpenIdSettings& s, const Answer& a, const std::string& what) {
  if (a.status >= 500) {
    Unreachable(s.name, what + " http " + std::to_string(a.status));
  }
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  if (a.status != 200 || !j.is_object()) {
    Refuse(s.name, what + " http " + std::to_string(a.status));
  }
  return j;
}

std::optional<std::int64_t> Seconds(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_number()) {
    return std::nullopt;
  }
  return it->is_number_integer() ? it->get<std::int64_t>()
                                 : static_cast<std::int64_t>(it->get<double>());
}

bool IsLoopbackHttp(const std::string& url) {
  for (const char* prefix : {"http://127.0.0.1:", "http://127.0.0.1/",
                             "http://localhost:", "http://localhost/", "http://[::1]:"}) {
    if (url.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

void ValidateSettings(const OpenIdSettings& s) {
  const auto require = [](const std::string& value, const char* key) {
    if (value.empty()) {
      throw Error(ErrorCode::kInvalidArgument, std::string("proconnect.") + key +
                                                   " : valeur requise dès que proconnect.issuer "
                                                   "est indiqué (voir docs/admin.md)");
    }
  };
  require(s.client_id, "client_id");
  require(s.client_secret, "client_secret");
  require(s.redirect_uri, "public_url");
  for (const auto* url : {&s.issuer, &s.redirect_uri}) {
    if (url->rfind("https://", 0) != 0 && !IsLoopbackHttp(*url)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "proconnect : « " + *url +
                      " » doit commencer par https:// (http seulement sur la machine même, pour "
                      "les essais)");
    }
  }
}

OpenIdClient::OpenIdClient(OpenIdSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
  while (!settings_.issuer.empty() && settings_.issuer.back() == '/') {
    settings_.issuer.pop_back();
  }
  ValidateSettings(settings_);
  notify::EnsureCurlInitialised();
}

OpenIdClient::Metadata OpenIdClient::Discover() {
  const Instant now = clock_.Now();
  {
    std::lock_guard lock(mutex_);
    if (metadata_ && now - metadata_->fetched < kMetadataLife) {
      return *metadata_;
    }
  }
  const auto j = JsonObject(
      settings_,
      Exchange(settings_, settings_.issuer + "/.well-known/openid-configuration", nullptr),
      "discovery");
  // The document must be the issuer's own (OpenID Connect Discovery §4.3).
  if (JsonString(j, "issuer") != settings_.issuer) {
    Unreachable(settings_.name, "discovery issuer mismatch");
  }
  Metadata m;
  m.authorization_endpoint = JsonString(j, "authorization_endpoint");
  m.token_endpoint = JsonString(j, "token_endpoint");
  m.userinfo_endpoint = JsonString(j, "userinfo_endpoint");
  m.jwks_uri = JsonString(j, "jwks_uri");
  m.end_session_endpoint = JsonString(j, "end_session_endpoint");
  m.fetched = now;
  if (m.authorization_endpoint.empty() || m.token_endpoint.empty() || m.jwks_uri.empty()) {
    Unreachable(settings_.name, "discovery incomplete");
  }
  std::lock_guard lock(mutex_);
  metadata_ = m;
  return m;
}

nlohmann::json OpenIdClient::Keys(bool refresh) {
  const Instant now = clock_.Now();
  {
    std::lock_guard lock(mutex_);
    const bool fresh_enough = now - jwks_fetched_ < kKeysMinInterval;
    if (!jwks_.is_null() && (!refresh || fresh_enough)) {
      return jwks_;
    }
  }
  const Metadata meta = Discover();
  auto keys = JsonObject(settings_, Exchange(settings_, meta.jwks_uri, nullptr), "jwks");
  std::lock_guard lock(mutex_);
  jwks_ = keys;
  jwks_fetched_ = now;
  return keys;
}

std::string OpenIdClient::AuthorizationUrl(std::string_view state, std::string_view nonce,
                                           std::string_view code_verifier) {
  const Metadata meta = Discover();
  CurlPtr curl(curl_easy_init());
  CURL* c = curl.get();
  std::string url = meta.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + Escape(c, settings_.client_id) +
         "&redirect_uri=" + Escape(c, settings_.redirect_uri) +
         "&scope=" + Escape(c, settings_.scope) + "&state=" + Escape(c, state) +
         "&nonce=" + Escape(c, nonce) +
         "&code_challenge=" + Base64UrlEncode(Sha256(code_verifier)) +
         "&code_challenge_method=S256";
  if (!settings_.acr_values.empty()) {
    url += "&acr_values=" + Escape(c, settings_.acr_values);
  }
  return url;
}

nlohmann::json OpenIdClient::CheckedClaims(const std::string& jws) {
  JwsCheck check = VerifyJws(jws, Keys(false));
  if (check.unknown_key) {
    check = VerifyJws(jws, Keys(true));  // the provider may have rotated its keys
  }
  if (!check.valid) {
    Refuse(settings_.name, check.problem);
  }
  return check.claims;
}

service::ExternalIdentity OpenIdClient::Redeem(std::string_view code,
                                               std::string_view code_verifier,
                                               std::string_view nonce) {
  const Metadata meta = Discover();
  const std::vector<std::pair<std::string, std::string>> form = {
      {"grant_type", "authorization_code"},     {"code", std::string(code)},
      {"redirect_uri", settings_.redirect_uri}, {"code_verifier", std::string(code_verifier)},
      {"client_id", settings_.client_id},       {"client_secret", settings_.client_secret}};
  const auto tokens =
      JsonObject(settings_, Exchange(settings_, meta.token_endpoint, &form), "token");
  const std::string id_token = JsonString(tokens, "id_token");
  const std::string access_token = JsonString(tokens, "access_token");
  if (id_token.empty()) {
    Refuse(settings_.name, "no id_token");
  }
  const auto claims = CheckedClaims(id_token);

  // OpenID Connect Core §3.1.3.7.
  const std::int64_t now = ToEpoch(clock_.Now());
  const std::int64_t skew = settings_.clock_skew.count();
  if (JsonString(claims, "iss") != settings_.issuer) {
    Refuse(settings_.name, "wrong issuer");
  }
  const auto aud = claims.find("aud");
  bool audience_ok = false;
  if (aud != claims.end() && aud->is_string()) {
    audience_ok = aud->get<std::string>() == settings_.client_id;
  } else if (aud != claims.end() && aud->is_array()) {
    audience_ok = std::find(aud->begin(), aud->end(), settings_.client_id) != aud->end() &&
                  (aud->size() == 1 || JsonString(claims, "azp") == settings_.client_id);
  }
  if (!audience_ok) {
    Refuse(settings_.name, "wrong audience");
  }
  const auto exp = Seconds(claims, "exp");
  if (!exp || *exp + skew < now) {
    Refuse(settings_.name, "expired");
  }
  const auto iat = Seconds(claims, "iat");
  if (!iat || *iat - skew > now) {
    Refuse(settings_.name, "issued in the future");
  }
  if (JsonString(claims, "nonce") != nonce || nonce.empty()) {
    Refuse(settings_.name, "nonce mismatch");
  }
  const std::string subject = JsonString(claims, "sub");
  if (subject.empty()) {
    Refuse(settings_.name, "no subject");
  }

  service::ExternalIdentity identity;
  identity.subject = subject;
  identity.id_token = id_token;
  identity.email = JsonString(claims, "email");
  if (const auto amr = claims.find("amr"); amr != claims.end() && amr->is_array()) {
    identity.multi_factor = std::find(amr->begin(), amr->end(), "mfa") != amr->end();
  }
  // ProConnect gives the e-mail in the user information, as a signed JWT.
  if (!meta.userinfo_endpoint.empty() && !access_token.empty()) {
    const Answer a = Exchange(settings_, meta.userinfo_endpoint, nullptr, access_token);
    nlohmann::json info;
    if (a.status == 200 && a.content_type.rfind("application/jwt", 0) == 0) {
      std::string jws = a.body;
      while (!jws.empty() && (jws.back() == '\n' || jws.back() == '\r' || jws.back() == ' ')) {
        jws.pop_back();
      }
      info = CheckedClaims(jws);
    } else {
      info = JsonObject(settings_, a, "userinfo");
    }
    if (JsonString(info, "sub") != subject) {
      Refuse(settings_.name, "userinfo subject mismatch");
    }
    if (!JsonString(info, "email").empty()) {
      identity.email = JsonString(info, "email");
    }
  }
  if (identity.email.empty()) {
    Refuse(settings_.name, "no email");
  }
  return identity;
}

std::string OpenIdClient::LogoutUrl(std::string_view id_token, std::string_view state) {
  const Metadata meta = Discover();
  if (meta.end_session_endpoint.empty()) {
    return {};
  }
  CurlPtr curl(curl_easy_init());
  CURL* c = curl.get();
  std::string url = meta.end_session_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "id_token_hint=" + Escape(c, id_token) + "&state=" + Escape(c, state);
  if (!settings_.post_logout_redirect_uri.empty()) {
    url += "&post_logout_redirect_uri=" + Escape(c, settings_.post_logout_redirect_uri);
  }
  return url;
}

}  // namespace allervers::oidc
