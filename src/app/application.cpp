#include "app/application.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "notify/http_sms_sender.hpp"
#include "notify/smtp_mailer.hpp"
#include "oidc/openid_client.hpp"
#include "security/secret_box.hpp"
#include "storage/scale_generator.hpp"
#include "web/letters.hpp"
#include "web/server.hpp"

namespace allervers::app {
namespace {

// A file's bytes; empty when it cannot be read (an optional data file).
std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A short digest of the stylesheet and script, so static URLs change when they do.
std::string AssetVersion(const std::filesystem::path& static_dir,
                         const service::TokenService& tokens) {
  std::string all;
  for (const char* file : {"css/app.css", "js/app.js"}) {
    std::ifstream in(static_dir / file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return tokens.Digest(all).substr(0, 12);
}

std::filesystem::path FontsDir(const std::filesystem::path& share) {
  for (const auto& candidate : {share / "fonts", share / "node_modules" / "@fontsource" /
                                                     "atkinson-hyperlegible" / "files"}) {
    std::error_code ec;
    if (std::filesystem::is_directory(candidate, ec)) {
      return candidate;
    }
  }
  return {};
}

double UnixSeconds(Instant t) { return static_cast<double>(ToEpoch(t)); }

// Resident set size from /proc/self/statm (pages), 0 when it cannot be read.
std::size_t ResidentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) {
    return 0;
  }
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// One line per message handled: ids, channels and codes only, never a recipient or a text;
// and each delivery counted for /metrics.
void LogDispatch(const service::DispatchReport& report, Metrics& metrics) {
  using Kind = service::OutboxOutcome::Kind;
  for (const auto& channel : report.unconfigured_channels) {
    spdlog::warn("event=outbox.channel_not_configured channel={}", channel);
  }
  for (const auto& o : report.outcomes) {
    switch (o.kind) {
      case Kind::kSent:
        spdlog::info("event=outbox.sent id={} channel={} attempts={}", o.id, o.channel, o.attempts);
        metrics.CountDelivery(o.channel, "sent");
        break;
      case Kind::kRetry:
        spdlog::warn("event=outbox.retry id={} channel={} attempts={} error=\"{}\"", o.id,
                     o.channel, o.attempts, o.error);
        metrics.CountDelivery(o.channel, "retry");
        break;
      case Kind::kFailed:
        spdlog::error("event=outbox.failed id={} channel={} attempts={} error=\"{}\"", o.id,
                      o.channel, o.attempts, o.error);
        metrics.CountDelivery(o.channel, "failed");
        break;
      case Kind::kReleased:
        spdlog::info("event=outbox.released id={} channel={}", o.id, o.channel);
        break;
      case Kind::kLeaseLost:
        spdlog::warn("event=outbox.lease_lost id={} channel={}", o.id, o.channel);
        break;
    }
  }
}

// Stands for the key ring when there is no key file: every use fails with the reason.
class MissingKeySealer final : public service::SecretSealer {
 public:
  explicit MissingKeySealer(std::string reason) : reason_(std::move(reason)) {}
  std::string Seal(std::string_view /*plaintext*/) const override { Fail(); }
  std::optional<std::string> Open(std::string_view /*sealed*/) const override { Fail(); }
  std::vector<std::string> KeyIds() const override { Fail(); }
  std::optional<std::string> KeyIdOf(std::string_view /*text*/) const override { Fail(); }

 private:
  [[noreturn]] void Fail() const {
    throw Error(ErrorCode::kUnavailable,
                "La double authentification et les notes des dossiers sont indisponibles : le "
                "serveur n’a pas de clé secrète. Prévenez l’administrateur de la plateforme.",
                reason_);
  }
  std::string reason_;
};

// The key ring: the configured file, else allervers.key next to a SQLite database. Sets
// `problem` (and returns a sealer that refuses every use) when there is none.
std::unique_ptr<service::SecretSealer> LoadKeyRing(const config::Config& config,
                                                   KeyFileMissing missing, std::string& problem,
                                                   std::filesystem::path& path) {
  path = config.secret_key_file;
  const auto url = storage::DatabaseUrl::Parse(config.database_url);
  if (path.empty() && url.backend == storage::Backend::kSqlite) {
    const std::filesystem::path db(url.target);
    path = (db.has_parent_path() ? db.parent_path() : std::filesystem::path(".")) / "allervers.key";
  }
  if (path.empty()) {
    problem =
        "Avec PostgreSQL, indiquez le fichier de la clé secrète : secret_key_file dans la "
        "section [security] de la configuration, ou ALLERVERS_SECRET_KEY_FILE (voir "
        "docs/admin.md). With PostgreSQL a secret key file is required: set [security] "
        "secret_key_file or ALLERVERS_SECRET_KEY_FILE.";
    return std::make_unique<MissingKeySealer>("no secret key file configured");
  }
  if (missing == KeyFileMissing::kCreate && security::CreateKeyFileIfMissing(path)) {
    spdlog::warn(
        "event=secret_key.created path={} hint=\"back this file up with the database, elsewhere: "
        "without it the case notes are unreadable and the two-factor secrets lost\"",
        path.string());
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    problem = "Fichier de clé secrète introuvable : " + path.string() +
              " (secret key file not found; « allervers migrate » creates it).";
    return std::make_unique<MissingKeySealer>("secret key file not found: " + path.string());
  }
  auto box = std::make_unique<security::SecretBox>(security::LoadKeyFile(path));
  spdlog::debug("event=secret_key.loaded keys={} sealing_key={}", box->key_count(),
                box->sealing_key_id());
  return box;
}

}  // namespace

Application::Application(config::Config config, KeyFileMissing key_file_missing)
    : config_(std::move(config)) {
  started_unix_seconds_ = UnixSeconds(clock_.Now());
  // This process among the servers sharing the database: the owner of the leases it takes.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  instance_ = std::string(host) + ":" + std::to_string(::getpid()) + ":" + tokens_.NewToken(6);
  security::InitCrypto();
  hasher_ = std::make_unique<security::Argon2PasswordHasher>(
      config_.fast_password_hashing ? security::HashCost::Minimum()
                                    : security::HashCost::Interactive(),
      std::max(1u, std::thread::hardware_concurrency()));
  storage::DatabaseOptions db_options;
  db_options.pool_size = config_.db_pool_size;
  database_ = std::make_unique<storage::Database>(storage::DatabaseUrl::Parse(config_.database_url),
                                                  db_options);
  structures_ = std::make_unique<service::StructureService>(*database_, clock_);
  users_ = std::make_unique<service::UserService>(*database_, clock_, *hasher_, policy_, tokens_);
  service::AuthSettings auth_settings;
  auth_settings.idle_timeout = std::chrono::minutes(config_.session_idle_minutes);
  auth_settings.absolute_timeout = std::chrono::hours(config_.session_absolute_hours);
  sealer_ = LoadKeyRing(config_, key_file_missing, key_problem_, key_file_);
  key_ring_ = std::make_unique<service::KeyRingService>(*database_, clock_, *sealer_);
  two_factor_ =
      std::make_unique<service::TwoFactorService>(*database_, clock_, *sealer_, otp_, tokens_);
  if (!config_.proconnect_issuer.empty()) {
    oidc::OpenIdSettings s;
    s.issuer = config_.proconnect_issuer;
    s.client_id = config_.proconnect_client_id;
    s.client_secret = config_.proconnect_client_secret;
    std::string base = config_.public_url;
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    s.redirect_uri = base.empty() ? "" : base + "/connexion/proconnect/retour";
    s.post_logout_redirect_uri = base.empty() ? "" : base + "/connexion";
    s.scope = config_.proconnect_scope;
    s.acr_values = config_.proconnect_acr_values;
    identity_provider_ = std::make_unique<oidc::OpenIdClient>(std::move(s), clock_);
  }
  auth_ =
      std::make_unique<service::AuthService>(*database_, clock_, *hasher_, policy_, tokens_,
                                             *two_factor_, auth_settings, identity_provider_.get());
  audit_ = std::make_unique<service::AuditService>(*database_);
  reference_ = storage::LoadReferenceData(config_.share_dir / "data");
  referrals_ = std::make_unique<service::ReferralService>(*database_, clock_, reference_);
  api_tokens_ = std::make_unique<service::ApiTokenService>(*database_, clock_, tokens_);
  imports_ = std::make_unique<service::CsvImportService>(*database_, clock_, *referrals_);
  appointments_ =
      std::make_unique<service::AppointmentService>(*database_, clock_, reference_, tokens_);
  letter_printer_ = std::make_unique<web::PdfLetterPrinter>(FontsDir(config_.share_dir));
  cases_ = std::make_unique<service::CaseService>(*database_, clock_, reference_, *sealer_,
                                                  letter_printer_.get());
  partners_ = std::make_unique<service::PartnerDirectory>(*database_, clock_, reference_);
  indicators_ = std::make_unique<service::IndicatorService>(*database_, clock_);
  settings_ = std::make_unique<service::SettingsService>(*database_, clock_);
  retention_ =
      std::make_unique<service::RetentionService>(*database_, clock_, reference_.assessment);
  demo_ = std::make_unique<service::DemoSeeder>(
      *structures_, *users_, *database_, reference_, clock_, tokens_, *sealer_,
      ReadWholeFile(config_.share_dir / "data" / "demo" / "partenaires.json"));
  scale_generator_ = storage::MakeScaleGenerator(*database_);
  scale_demo_ = std::make_unique<service::ScaleDemo>(*scale_generator_, *hasher_, clock_);
  if (!config_.smtp_url.empty()) {
    mailer_ = std::make_unique<notify::SmtpMailer>(
        notify::SmtpSettings{config_.smtp_url, config_.smtp_user, config_.smtp_password,
                             config_.smtp_from, config_.smtp_from_name, config_.smtp_starttls});
  }
  if (!config_.sms_url.empty()) {
    sms_ = std::make_unique<notify::HttpSmsSender>(
        notify::SmsSettings{config_.sms_url, config_.sms_auth_header, config_.sms_body_template});
  }
  outbox_ = std::make_unique<service::OutboxDispatcher>(
      *database_,
      std::map<std::string, service::MessageSender*>{{"email", mailer_.get()}, {"sms", sms_.get()}},
      service::OutboxDispatcher::DefaultOwnerId());
}

Application::~Application() = default;

std::filesystem::path Application::fonts_dir() const { return FontsDir(config_.share_dir); }

std::vector<storage::Migration> Application::Migrations() const {
  return storage::LoadMigrations(config_.share_dir / "migrations", database_->backend());
}

void Application::RequireCurrentSchema() {
  const auto status = storage::ReadSchemaStatus(*database_, Migrations());
  if (status.current == 0) {
    throw Error(ErrorCode::kUnavailable,
                "La base de données n’est pas initialisée : lancez d’abord « allervers migrate ».");
  }
  if (status.current < status.latest) {
    throw Error(ErrorCode::kUnavailable,
                "La base de données est en version " + std::to_string(status.current) +
                    ", ce programme attend la version " + std::to_string(status.latest) +
                    " : lancez « allervers migrate ».");
  }
  if (status.current > status.latest) {
    throw Error(ErrorCode::kUnavailable,
                "La base de données (version " + std::to_string(status.current) +
                    ") est plus récente que ce programme (version " +
                    std::to_string(status.latest) + ") : installez la version à jour.");
  }
}

std::vector<MetricFamily> Application::MetricGauges() {
  using Type = MetricFamily::Type;
  std::vector<MetricFamily> out;
  const auto pool = database_->pool_stats();
  out.push_back({"allervers_db_pool_connections",
                 "Connections in the database pool.",
                 Type::kGauge,
                 {{"", pool.size}}});
  out.push_back({"allervers_db_pool_in_use",
                 "Connections of the pool in use right now.",
                 Type::kGauge,
                 {{"", pool.in_use}}});
  out.push_back({"allervers_db_pool_lease_timeouts_total",
                 "Requests that found no free database connection in time (answered 503).",
                 Type::kCounter,
                 {{"", static_cast<double>(pool.lease_timeouts)}}});
  MetricFamily up{"allervers_db_up", "1 when the database answered this scrape.", Type::kGauge, {}};
  MetricFamily outbox{
      "allervers_outbox_messages", "Messages of the outbox, by status.", Type::kGauge, {}};
  try {
    service::OutboxCounts counts;
    database_->Read([&](service::Tx& tx) { counts = tx.outbox().Counts(); });
    outbox.samples = {{R"(status="pending")", static_cast<double>(counts.pending)},
                      {R"(status="sending")", static_cast<double>(counts.sending)},
                      {R"(status="sent")", static_cast<double>(counts.sent)},
                      {R"(status="failed")", static_cast<double>(counts.failed)},
                      {R"(status="cancelled")", static_cast<double>(counts.cancelled)}};
    up.samples = {{"", 1}};
  } catch (const std::exception&) {
    up.samples = {{"", 0}};  // the outbox depth is then left out rather than shown as zero
  }
  out.push_back(std::move(up));
  out.push_back(std::move(outbox));
  out.push_back({"process_resident_memory_bytes",
                 "Resident memory of this process.",
                 Type::kGauge,
                 {{"", static_cast<double>(ResidentMemoryBytes())}}});
  out.push_back({"process_start_time_seconds",
                 "When this process started (Unix time).",
                 Type::kGauge,
                 {{"", started_unix_seconds_}}});
  return out;
}

void Application::RunDailyRetention() {
  // Once a day, from 2 a.m. Paris time (docs/retention.md); a failed run is tried again at the
  // next check.
  try {
    const auto run = retention_->RunIfDue(instance_);
    if (!run) {
      return;
    }
    spdlog::info(
        "event=job.retention persons={} referrals={} drafts={} imports={} api_replays={} "
        "stale_open={}",
        run->persons, run->referrals, run->drafts, run->imports, run->api_replays, run->stale_open);
    metrics_.ObserveJob("retention", true, UnixSeconds(clock_.Now()));
  } catch (const std::exception& e) {
    spdlog::warn("event=job.retention_failed detail=\"{}\"", e.what());
    metrics_.ObserveJob("retention", false, UnixSeconds(clock_.Now()));
  }
}

int Application::Serve() {
  if (!key_problem_.empty()) {
    throw Error(ErrorCode::kUnavailable, key_problem_);
  }
  RequireCurrentSchema();
  // SIGINT and SIGTERM are handled by one thread with sigwait(): blocked here, before any
  // other thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::filesystem::path static_dir = config_.share_dir / "static";
  render::TemplateEngine templates(config_.share_dir / "templates");

  web::Deps deps{*auth_,
                 *users_,
                 *structures_,
                 *audit_,
                 *referrals_,
                 *api_tokens_,
                 *imports_,
                 *appointments_,
                 *cases_,
                 *partners_,
                 *indicators_,
                 *settings_,
                 *retention_,
                 *two_factor_,
                 reference_,
                 tokens_,
                 templates,
                 clock_,
                 [this] { return database_->Ping(); },
                 config_.trust_proxy,
                 !config_.tls_cert.empty(),
                 AssetVersion(static_dir, tokens_),
                 FontsDir(config_.share_dir),
                 &metrics_,
                 [this] { return MetricGauges(); },
                 config_.metrics_token};
  web::ServerOptions options;
  options.static_dir = static_dir;
  options.fonts_dir = FontsDir(config_.share_dir);
  options.threads = config_.http_threads;
  options.max_body_bytes = config_.max_body_bytes;
  options.tls_cert = config_.tls_cert;
  options.tls_key = config_.tls_key;
  if (identity_provider_) {
    // scheme://host[:port] of the issuer
    const auto& issuer = config_.proconnect_issuer;
    const auto scheme_end = issuer.find("://");
    const auto path =
        scheme_end == std::string::npos ? std::string::npos : issuer.find('/', scheme_end + 3);
    options.identity_provider_origin = issuer.substr(0, path);
  }
  if (options.fonts_dir.empty()) {
    spdlog::warn(
        "event=fonts.missing hint=\"run make setup to install the Atkinson Hyperlegible font\"");
  }

  web::WebServer server(deps, options);
  const int port = server.Bind(config_.listen_host, config_.listen_port);

  // Housekeeping every ten minutes: expired sessions are removed, and the retention purge runs
  // once a day.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread housekeeping([&] {
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; })) {
      try {
        const int removed = auth_->PurgeExpiredSessions();
        spdlog::info("event=job.sessions_purged removed={}", removed);
        metrics_.ObserveJob("sessions_purge", true, UnixSeconds(clock_.Now()));
      } catch (const std::exception& e) {
        spdlog::warn("event=job.sessions_purge_failed detail=\"{}\"", e.what());
        metrics_.ObserveJob("sessions_purge", false, UnixSeconds(clock_.Now()));
      }
      lock.unlock();
      RunDailyRetention();
      lock.lock();
    }
  });

  // Outbox: one dispatcher pass every outbox.interval_seconds; the lock is released while it
  // runs, and a pass stops before its next message once stopping (RequestStop below).
  std::thread outbox_worker([&] {
    std::unique_lock lock(mutex);
    while (!wake.wait_for(lock, std::chrono::seconds(config_.outbox_interval_seconds),
                          [&] { return stopping; })) {
      lock.unlock();
      try {
        LogDispatch(outbox_->RunOnce(clock_.Now()), metrics_);
        metrics_.ObserveJob("outbox", true, UnixSeconds(clock_.Now()));
      } catch (const std::exception& e) {
        spdlog::warn("event=outbox.pass_failed detail=\"{}\"", e.what());
        metrics_.ObserveJob("outbox", false, UnixSeconds(clock_.Now()));
      }
      lock.lock();
    }
  });

  // Graceful stop, on SIGTERM (systemd) or SIGINT: the outbox pass in progress finishes the
  // message it is sending, records it, and gives the messages it leased but did not try back
  // to pending (OutboxDispatcher::RequestStop); the housekeeping waits end; the server stops
  // accepting connections, and Serve() returns once the requests in flight have been answered
  // (httplib's stop() closes the listening socket; its thread pool is joined after draining).
  const auto begin_stop = [&] {
    outbox_->RequestStop();
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
  };
  std::atomic<bool> served{false};
  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (served.load()) {
      return;  // woken by Serve() ending on its own, below
    }
    begin_stop();
    server.Stop();
    spdlog::info("event=server.stopping signal={}", sig);
  });
  const std::string scheme = config_.tls_cert.empty() ? "http" : "https";
  std::cout << "Allervers est prêt : " << scheme << "://" << config_.listen_host << ":" << port
            << "/" << std::endl;
  spdlog::info("event=server.started port={} threads={} database={}", port, config_.http_threads,
               database_->backend() == storage::Backend::kSqlite ? "sqlite" : "postgresql");
  const bool ok = server.Serve();
  served.store(true);
  pthread_kill(signal_waiter.native_handle(), SIGTERM);  // wakes the waiter if still waiting
  signal_waiter.join();
  begin_stop();
  housekeeping.join();
  outbox_worker.join();
  spdlog::info("event=server.stopped");
  return ok ? 0 : 1;
}

}  // namespace allervers::app
