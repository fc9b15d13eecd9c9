#include <ctime>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "service/permissions.hpp"
#include "web/pages/pages.hpp"
#include "web/referral_form.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

constexpr std::size_t kMaxApiBody = 256 * 1024;

std::string IsoInstant(const std::optional<Instant>& t) {
  if (!t) {
    return "";
  }
  // RFC 3339 in UTC: unambiguous for partner systems whatever their time zone.
  const std::time_t secs = ToEpoch(*t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json NullableTime(const std::optional<Instant>& t) {
  return t ? json(IsoInstant(t)) : json(nullptr);
}

void WriteJson(RequestContext& ctx, int status, const json& body) {
  ctx.res.status = status;
  ctx.res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                      "application/json; charset=utf-8");
}

void WriteFieldErrors(RequestContext& ctx, const domain::FieldErrors& errors) {
  json fields = json::array();
  for (const auto& e : errors) {
    fields.push_back({{"field", e.field}, {"message", e.message}});
  }
  WriteJson(ctx, 422,
            {{"error",
              {{"code", "invalid_argument"},
               {"message", "La fiche de liaison contient des erreurs : voir fields."},
               {"fields", fields},
               {"request_id", ctx.request_id}}}});
}

json ReferralJson(const service::ReferralRecord& r) {
  return {
      {"id", r.id},
      {"number", r.number},
      {"status", std::string(domain::StatusCode(r.status))},
      {"status_label", std::string(domain::StatusLabel(r.status))},
      {"received_at", NullableTime(r.received_at)},
      {"accepted_at", NullableTime(r.accepted_at)},
      {"first_contact_at", NullableTime(r.first_contact_at)},
      {"first_visit_at", NullableTime(r.first_visit_at)},
      {"closed_at", NullableTime(r.closed_at)},
      {"decision_reason", r.decision_reason.empty() ? json(nullptr) : json(r.decision_reason)},
      {"decision_message", r.decision_message.empty() ? json(nullptr) : json(r.decision_message)},
      {"redirected_to", r.redirected_to_name.empty() ? json(nullptr) : json(r.redirected_to_name)}};
}

json SummaryJson(const service::ReferralSummary& s) {
  return {{"id", s.id},
          {"number", s.number},
          {"status", std::string(domain::StatusCode(s.status))},
          {"received_at", NullableTime(s.received_at)},
          {"updated_at", IsoInstant(s.updated_at)}};
}

// "application/json", with or without parameters ("; charset=utf-8"), in any case.
bool IsJsonContentType(const std::string& content_type) {
  const std::string media =
      text::Trim(text::ToLowerAscii(content_type.substr(0, content_type.find(';'))));
  return media == "application/json";
}

}  // namespace

void RegisterReferralApi(Router& router, Deps& deps) {
  router.Api(
      Method::kPost, "/api/v1/referrals", "api.referrals.create", Permission::kSubmitReferral,
      [&deps](RequestContext& ctx) {
        if (ctx.req.body.size() > kMaxApiBody) {
          throw Error(ErrorCode::kPayloadTooLarge, "La requête dépasse 256 Kio.");
        }
        if (!IsJsonContentType(ctx.req.get_header_value("Content-Type"))) {
          ctx.res.status = 415;
          WriteJson(ctx, 415,
                    {{"error",
                      {{"code", "invalid_argument"},
                       {"message", "Content-Type application/json attendu."},
                       {"request_id", ctx.request_id}}}});
          return;
        }
        if (!text::IsValidUtf8(ctx.req.body)) {
          throw Error(ErrorCode::kInvalidArgument, "Le corps de la requête doit être en UTF-8.");
        }
        const json body = json::parse(ctx.req.body, nullptr, false);
        if (body.is_discarded()) {
          throw Error(ErrorCode::kInvalidArgument, "JSON mal formé.");
        }
        std::optional<service::IdempotencyKey> key;
        const std::string raw_key = ctx.req.get_header_value("Idempotency-Key");
        if (!raw_key.empty()) {
          if (raw_key.size() > 200 || text::HasControlCharacters(raw_key) ||
              !text::IsValidUtf8(raw_key)) {
            throw Error(
                ErrorCode::kInvalidArgument,
                "Idempotency-Key invalide (200 octets au plus, sans caractère de contrôle).");
          }
          key = service::IdempotencyKey{raw_key, deps.tokens.Digest(ctx.req.body)};
        }
        domain::FieldErrors type_errors;
        const auto input = ReferralInputFromApi(body, type_errors);
        if (!type_errors.empty()) {
          WriteFieldErrors(ctx, type_errors);
          return;
        }
        auto render = [&](const service::SubmitResult& r) {
          json duplicates = json::array();
          for (const auto& d : r.visible_duplicates) {
            duplicates.push_back({{"id", d.id},
                                  {"number", d.number},
                                  {"status", std::string(domain::StatusCode(d.status))}});
          }
          json out = {{"id", r.id},
                      {"number", r.number},
                      {"status", "received"},
                      {"possible_duplicates", duplicates}};
          return service::IdempotentResponse{"", 201, out.dump(),
                                             "/api/v1/referrals/" + std::to_string(r.id)};
        };
        const auto outcome = deps.referrals.SubmitIdempotent(ctx.actor, input, key, render);
        if (outcome.replay) {
          ctx.res.status = outcome.replay->status;
          ctx.res.set_header("Location", outcome.replay->location);
          ctx.res.set_header("Idempotent-Replayed", "true");
          ctx.res.set_content(outcome.replay->body, "application/json; charset=utf-8");
          return;
        }
        if (!outcome.result.errors.empty()) {
          WriteFieldErrors(ctx, outcome.result.errors);
          return;
        }
        const auto response = render(outcome.result);
        ctx.res.status = 201;
        ctx.res.set_header("Location", response.location);
        ctx.res.set_content(response.body, "application/json; charset=utf-8");
      });

  router.Api(Method::kGet, "/api/v1/referrals", "api.referrals.list", Permission::kReadOwnReferrals,
             [&deps](RequestContext& ctx) {
               std::optional<domain::ReferralStatus> status;
               const std::string s = ctx.req.get_param_value("status");
               if (!s.empty()) {
                 status = domain::ParseStatus(s);
                 if (!status || *status == domain::ReferralStatus::kDraft) {
                   throw Error(ErrorCode::kInvalidArgument,
                               "Statut inconnu : « " + text::Truncate(text::Trim(s), 40) + " ».");
                 }
               }
               json items = json::array();
               for (const auto& r : deps.referrals.ForApi(ctx.actor, status, 500)) {
                 items.push_back(SummaryJson(r));
               }
               WriteJson(ctx, 200, {{"referrals", items}});
             });

  router.Api(Method::kGet, R"(/api/v1/referrals/(\d+))", "api.referrals.show",
             Permission::kReadOwnReferrals, [&deps](RequestContext& ctx) {
               const auto r = deps.referrals.Get(ctx.actor, ParseId(ctx.req.matches[1]));
               if (r.status == domain::ReferralStatus::kDraft) {
                 throw Error(ErrorCode::kNotFound, "Cette fiche de liaison n’existe pas.");
               }
               WriteJson(ctx, 200, ReferralJson(r));
             });
}

}  // namespace allervers::web
