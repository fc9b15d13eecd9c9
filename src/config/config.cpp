#include "config/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>

#include "common/error.hpp"

#ifndef ALLERVERS_DEFAULT_SHARE_DIR
#define ALLERVERS_DEFAULT_SHARE_DIR "."
#endif

namespace allervers::config {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

int ParsePositive(const std::string& value, const std::string& what, int max) {
  int out = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || out < 1 || out > max) {
    Invalid(what + " : nombre entier attendu entre 1 et " + std::to_string(max) + ", reçu « " +
            value + " »");
  }
  return out;
}

bool ParseBool(const std::string& value, const std::string& what) {
  if (value == "1" || value == "true" || value == "yes" || value == "oui") {
    return true;
  }
  if (value == "0" || value == "false" || value == "no" || value == "non" || value.empty()) {
    return false;
  }
  Invalid(what + " : true ou false attendu, reçu « " + value + " »");
}

bool HasControlCharacter(const std::string& s) {
  for (const char ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20U || ch == 0x7F) {
      return true;
    }
  }
  return false;
}

// A short token could be guessed by whoever reaches the port; one line, since it goes in a header.
void ValidateMetricsToken(const std::string& token) {
  if (!token.empty() &&
      (token.size() < 24 || HasControlCharacter(token) || token.find(' ') != std::string::npos)) {
    Invalid("server.metrics_token : au moins 24 caractères, sans espace ni retour à la ligne");
  }
}

// The senders (notify/) check the finer points (From address, SMS body template) when built.
void ValidateMessaging(const Config& c) {
  if (!c.smtp_url.empty()) {
    if (!c.smtp_url.starts_with("smtp://") && !c.smtp_url.starts_with("smtps://")) {
      Invalid("smtp.url : attendu smtp://hôte:port ou smtps://hôte:port");
    }
    if (c.smtp_from.empty()) {
      Invalid("smtp.from : indiquez l’adresse d’expéditeur des e-mails");
    }
    if (c.smtp_user.empty() != c.smtp_password.empty()) {
      Invalid("smtp : indiquez à la fois smtp.user et smtp.password (ou ALLERVERS_SMTP_PASSWORD)");
    }
  }
  if (HasControlCharacter(c.smtp_from) || HasControlCharacter(c.smtp_from_name)) {
    Invalid("smtp.from et smtp.from_name : une seule ligne attendue");
  }
  if (!c.sms_url.empty() && !c.sms_url.starts_with("https://") &&
      !c.sms_url.starts_with("http://")) {
    Invalid("sms.url : attendu https://… (adresse du service d’envoi de SMS)");
  }
  if (!c.sms_auth_header.empty() &&
      (c.sms_auth_header.find(':') == std::string::npos || c.sms_auth_header.front() == ':' ||
       HasControlCharacter(c.sms_auth_header))) {
    Invalid("sms.auth_header : attendu « Nom: valeur », par exemple « Authorization: Bearer … »");
  }
}

void ApplyToml(Config& c, const std::string& file) {
  toml::table t;
  try {
    t = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    Invalid("Fichier de configuration " + file + " invalide (ligne " + std::to_string(where.line) +
            ") : " + std::string(e.description()));
  }
  auto str = [&](const char* section, const char* key, std::string& out) {
    if (auto node = t[section][key]; node) {
      if (auto v = node.value<std::string>()) {
        out = *v;
      } else {
        Invalid("Fichier de configuration " + file + " : " + section + "." + key +
                " doit être un texte");
      }
    }
  };
  auto integer = [&](const char* section, const char* key, int& out, int max) {
    if (auto node = t[section][key]; node) {
      auto v = node.value<int64_t>();
      if (!v || *v < 1 || *v > max) {
        Invalid("Fichier de configuration " + file + " : " + section + "." + key +
                " doit être un entier entre 1 et " + std::to_string(max));
      }
      out = static_cast<int>(*v);
    }
  };
  auto boolean = [&](const char* section, const char* key, bool& out) {
    if (auto node = t[section][key]; node) {
      auto v = node.value<bool>();
      if (!v) {
        Invalid("Fichier de configuration " + file + " : " + section + "." + key +
                " doit valoir true ou false");
      }
      out = *v;
    }
  };
  std::string share;
  str("server", "listen", c.listen);
  integer("server", "threads", c.http_threads, 256);
  boolean("server", "trust_proxy", c.trust_proxy);
  str("server", "tls_cert", c.tls_cert);
  str("server", "tls_key", c.tls_key);
  str("server", "metrics_token", c.metrics_token);
  str("database", "url", c.database_url);
  integer("database", "pool_size", c.db_pool_size, 256);
  integer("session", "idle_minutes", c.session_idle_minutes, 24 * 60);
  integer("session", "absolute_hours", c.session_absolute_hours, 24 * 7);
  str("paths", "share_dir", share);
  str("log", "level", c.log_level);
  str("security", "secret_key_file", c.secret_key_file);
  str("proconnect", "issuer", c.proconnect_issuer);
  str("proconnect", "client_id", c.proconnect_client_id);
  str("proconnect", "client_secret", c.proconnect_client_secret);
  str("proconnect", "public_url", c.public_url);
  str("proconnect", "scope", c.proconnect_scope);
  str("proconnect", "acr_values", c.proconnect_acr_values);
  str("smtp", "url", c.smtp_url);
  str("smtp", "user", c.smtp_user);
  str("smtp", "password", c.smtp_password);
  str("smtp", "from", c.smtp_from);
  str("smtp", "from_name", c.smtp_from_name);
  boolean("smtp", "starttls", c.smtp_starttls);
  str("sms", "url", c.sms_url);
  str("sms", "auth_header", c.sms_auth_header);
  str("sms", "body_template", c.sms_body_template);
  integer("outbox", "interval_seconds", c.outbox_interval_seconds, 3600);
  if (!share.empty()) {
    c.share_dir = share;
  }
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

void ParseListen(const std::string& listen, std::string& host, int& port) {
  std::string h;
  std::string p;
  if (listen.starts_with("[")) {
    const auto close = listen.find("]:");
    if (close == std::string::npos) {
      Invalid("Adresse d’écoute invalide « " + listen +
              " » : attendu HÔTE:PORT, par exemple 127.0.0.1:8080");
    }
    h = listen.substr(1, close - 1);
    p = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      Invalid("Adresse d’écoute invalide « " + listen +
              " » : attendu HÔTE:PORT, par exemple 127.0.0.1:8080");
    }
    h = listen.substr(0, colon);
    p = listen.substr(colon + 1);
  }
  int value = 0;
  const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (h.empty() || ec != std::errc() || ptr != p.data() + p.size() || value < 0 || value > 65535) {
    Invalid("Adresse d’écoute invalide « " + listen +
            " » : le port doit être un nombre entre 0 et 65535");
  }
  host = h;
  port = value;
}

std::filesystem::path DefaultShareDir() {
  // Installed (the Debian package: /usr/bin/allervers), the files are in ../share/allervers
  // next to the binary; otherwise in the source tree it was built from.
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "allervers";
    if (std::filesystem::is_directory(installed / "templates", ec)) {
      return installed;
    }
  }
  return ALLERVERS_DEFAULT_SHARE_DIR;
}

Config Load(const Overrides& flags, const GetEnv& env) {
  Config c;
  c.share_dir = DefaultShareDir();

  std::optional<std::string> file = flags.config_file;
  if (!file) {
    file = env("ALLERVERS_CONFIG");
  }
  if (file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec)) {
      Invalid("Fichier de configuration introuvable : " + *file);
    }
    ApplyToml(c, *file);
  }

  if (auto v = env("ALLERVERS_DATABASE_URL")) c.database_url = *v;
  if (auto v = env("ALLERVERS_LISTEN")) c.listen = *v;
  if (auto v = env("ALLERVERS_SHARE_DIR")) c.share_dir = *v;
  if (auto v = env("ALLERVERS_LOG_LEVEL")) c.log_level = *v;
  if (auto v = env("ALLERVERS_HTTP_THREADS"))
    c.http_threads = ParsePositive(*v, "ALLERVERS_HTTP_THREADS", 256);
  if (auto v = env("ALLERVERS_DB_POOL_SIZE"))
    c.db_pool_size = ParsePositive(*v, "ALLERVERS_DB_POOL_SIZE", 256);
  if (auto v = env("ALLERVERS_TRUST_PROXY")) c.trust_proxy = ParseBool(*v, "ALLERVERS_TRUST_PROXY");
  // Secrets may come from the environment rather than the file.
  if (auto v = env("ALLERVERS_SMTP_PASSWORD")) c.smtp_password = *v;
  if (auto v = env("ALLERVERS_SMS_AUTH_HEADER")) c.sms_auth_header = *v;
  if (auto v = env("ALLERVERS_METRICS_TOKEN")) c.metrics_token = *v;
  if (auto v = env("ALLERVERS_SECRET_KEY_FILE")) c.secret_key_file = *v;
  if (auto v = env("ALLERVERS_PROCONNECT_ISSUER")) c.proconnect_issuer = *v;
  if (auto v = env("ALLERVERS_PROCONNECT_CLIENT_ID")) c.proconnect_client_id = *v;
  if (auto v = env("ALLERVERS_PROCONNECT_CLIENT_SECRET")) c.proconnect_client_secret = *v;
  if (auto v = env("ALLERVERS_PUBLIC_URL")) c.public_url = *v;
  if (auto v = env("ALLERVERS_FAST_PASSWORD_HASHING")) {
    c.fast_password_hashing = ParseBool(*v, "ALLERVERS_FAST_PASSWORD_HASHING");
  }

  if (flags.database_url) c.database_url = *flags.database_url;
  if (flags.listen) c.listen = *flags.listen;
  if (flags.share_dir) c.share_dir = *flags.share_dir;
  if (flags.log_level) c.log_level = *flags.log_level;

  ParseListen(c.listen, c.listen_host, c.listen_port);
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  bool known = false;
  for (const char* l : kLevels) {
    known = known || c.log_level == l;
  }
  if (!known) {
    Invalid("Niveau de journal inconnu « " + c.log_level +
            " » : trace, debug, info, warn, error ou off");
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    Invalid("TLS : indiquez à la fois server.tls_cert et server.tls_key");
  }
  ValidateMessaging(c);
  ValidateMetricsToken(c.metrics_token);
  return c;
}

}  // namespace allervers::config
