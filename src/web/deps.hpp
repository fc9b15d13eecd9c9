#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "render/template_engine.hpp"
#include "service/api_token_service.hpp"
#include "service/appointment_service.hpp"
#include "service/audit_service.hpp"
#include "service/auth_service.hpp"
#include "service/case_service.hpp"
#include "service/csv_import.hpp"
#include "service/indicator_service.hpp"
#include "service/partner_directory.hpp"
#include "service/ports.hpp"
#include "service/referral_service.hpp"
#include "service/retention_service.hpp"
#include "service/settings_service.hpp"
#include "service/structure_service.hpp"
#include "service/two_factor_service.hpp"
#include "service/user_service.hpp"

namespace allervers::web {

/// What the web layer is given by the composition root. It never sees storage.
struct Deps {
  service::AuthService& auth;
  service::UserService& users;
  service::StructureService& structures;
  service::AuditService& audit;
  service::ReferralService& referrals;
  service::ApiTokenService& api_tokens;
  service::CsvImportService& imports;
  service::AppointmentService& appointments;
  service::CaseService& cases;
  service::PartnerDirectory& partners;
  service::IndicatorService& indicators;
  service::SettingsService& settings;
  service::RetentionService& retention;
  service::TwoFactorService& two_factor;
  const domain::ReferenceData& reference;
  const service::TokenService& tokens;
  const render::TemplateEngine& templates;
  const Clock& clock;
  std::function<bool()> health_check;
  bool trust_proxy = false;
  bool tls = false;
  std::string asset_version;  // appended to static URLs so that browsers may cache them for long
  std::filesystem::path fonts_dir;  // Atkinson Hyperlegible, embedded in letters
  /// Where every request is counted and timed (none: not measured, /metrics answers 404).
  Metrics* metrics = nullptr;
  /// Families read when /metrics is scraped (database pool, outbox, memory).
  std::function<std::vector<MetricFamily>()> metric_gauges;
  /// Bearer token that opens /metrics to other hosts than this one (empty: loopback only).
  std::string metrics_token;
};

}  // namespace allervers::web
