#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace allervers::config {

/// Everything the binary can be told. Sources, weakest first: defaults, the TOML file
/// (--config), environment variables (ALLERVERS_*), command-line flags.
/// docs/configuration.md documents every key.
struct Config {
  std::string database_url = "sqlite:var/allervers.db";
  std::string listen = "127.0.0.1:8080";
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::filesystem::path share_dir;  // templates/, static/, migrations/, data/
  std::string log_level = "info";
  int http_threads = 8;
  int db_pool_size = 8;
  int session_idle_minutes = 30;
  int session_absolute_hours = 12;
  /// Behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto from it.
  bool trust_proxy = false;
  std::string tls_cert;
  std::string tls_key;
  /// Opens /metrics to other hosts with `Authorization: Bearer <token>` (empty: loopback only).
  std::string metrics_token;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  /// Development only: cheap password hashing (never in production; tests and demos).
  bool fast_password_hashing = false;
  /// E-mail of the outbox: empty smtp_url leaves e-mails pending (see docs/configuration.md).
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_password;
  std::string smtp_from;
  std::string smtp_from_name = "Équipe mobile numérique";
  bool smtp_starttls = false;
  /// SMS of the outbox: empty sms_url leaves SMS pending.
  std::string sms_url;
  std::string sms_auth_header;
  std::string sms_body_template;  // empty: the sender's default
  /// Seconds between two passes of the outbox dispatcher.
  int outbox_interval_seconds = 10;
  /// The key ring sealing the TOTP secrets ([security] secret_key_file,
  /// ALLERVERS_SECRET_KEY_FILE). Empty: allervers.key next to a SQLite database; required
  /// with PostgreSQL.
  std::string secret_key_file;
  /// Sign-in with ProConnect ([proconnect]; docs/configuration.md): on when `issuer` is set.
  std::string proconnect_issuer;
  std::string proconnect_client_id;
  std::string proconnect_client_secret;  // better in ALLERVERS_PROCONNECT_CLIENT_SECRET
  std::string proconnect_scope = "openid email given_name usual_name uid";
  std::string proconnect_acr_values;
  /// The address users reach the service at (https://allervers.example.fr), for the addresses
  /// given to the identity provider.
  std::string public_url;
};

/// Values given as flags; unset ones leave lower sources in force.
struct Overrides {
  std::optional<std::string> config_file;
  std::optional<std::string> database_url;
  std::optional<std::string> listen;
  std::optional<std::string> share_dir;
  std::optional<std::string> log_level;
};

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

/// Builds the configuration; throws Error(kInvalidArgument) with a one-line French message
/// naming the bad source (unreadable file, invalid TOML, bad listen address…).
Config Load(const Overrides& flags, const GetEnv& env = ProcessEnv);

/// Where templates, static files, migrations and data are when nothing says: next to the
/// binary when installed (BIN/../share/allervers), else the source tree it was built from.
std::filesystem::path DefaultShareDir();

/// Parses "HOST:PORT" ("[::1]:8080" for IPv6).
void ParseListen(const std::string& listen, std::string& host, int& port);

}  // namespace allervers::config
