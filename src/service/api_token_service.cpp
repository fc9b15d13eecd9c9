#include "service/api_token_service.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/text.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"

namespace allervers::service {

CreatedToken ApiTokenService::Create(const Actor& actor, const std::string& structure_code,
                                     const std::vector<std::string>& scopes,
                                     const std::string& label) {
  Require(actor, Permission::kManageApiTokens);
  std::vector<std::string> clean;
  for (const auto& s : scopes) {
    const std::string scope = text::Trim(s);
    if (std::find(std::begin(kKnownScopes), std::end(kKnownScopes), scope) ==
        std::end(kKnownScopes)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Portée inconnue « " + scope +
                      " » : referrals:write, referrals:read ou indicators:read.");
    }
    if (std::find(clean.begin(), clean.end(), scope) == clean.end()) {
      clean.push_back(scope);
    }
  }
  if (clean.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                "Indiquez au moins une portée : referrals:write, referrals:read ou "
                "indicators:read.");
  }
  const std::string trimmed_label = text::Trim(label);
  if (trimmed_label.size() > 200 || !text::IsValidUtf8(trimmed_label) ||
      text::HasControlCharacters(trimmed_label)) {
    throw Error(ErrorCode::kInvalidArgument, "Le libellé est invalide (200 caractères au plus).");
  }
  CreatedToken created;
  created.token = "av_" + tokens_.NewToken(32);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    // Codes are stored upper case (domain::ValidateStructure).
    std::string code = text::Trim(structure_code);
    for (char& ch : code) {
      ch = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    }
    const std::optional<domain::Structure> found = tx.structures().FindByCode(code);
    if (!found || !found->active) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Structure inconnue ou désactivée : « " + structure_code + " ».");
    }
    if (found->kind == domain::StructureKind::kOperateur) {
      throw Error(ErrorCode::kInvalidArgument,
                  "Un jeton d’API appartient à une structure qui oriente (SSD ou partenaire), pas "
                  "à l’opérateur.");
    }
    ApiTokenRecord rec;
    rec.structure_id = found->id;
    rec.structure_code = found->code;
    rec.structure_name = found->name;
    rec.label = trimmed_label;
    rec.hint = created.token.substr(0, 9);
    rec.scopes = clean;
    rec.created_at = now;
    rec.created_by = actor.is_user() ? actor.display_name : "ligne de commande";
    rec.id = tx.api_tokens().Insert(rec, tokens_.Digest(created.token));
    created.record = rec;
    tx.audit().Append(
        MakeAuditEvent(actor, now, "api_token.create", "api_token", std::to_string(rec.id)));
  });
  return created;
}

std::vector<ApiTokenRecord> ApiTokenService::List(const Actor& actor) {
  Require(actor, Permission::kManageApiTokens);
  std::vector<ApiTokenRecord> out;
  store_.Read([&](Tx& tx) { out = tx.api_tokens().List(); });
  return out;
}

void ApiTokenService::Revoke(const Actor& actor, std::int64_t id) {
  Require(actor, Permission::kManageApiTokens);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    if (!tx.api_tokens().Find(id)) {
      throw Error(ErrorCode::kNotFound, "Ce jeton n’existe pas.");
    }
    tx.api_tokens().Revoke(id, now);
    tx.audit().Append(
        MakeAuditEvent(actor, now, "api_token.revoke", "api_token", std::to_string(id)));
  });
}

std::optional<Actor> ApiTokenService::Authenticate(std::string_view authorization,
                                                   const std::string& request_id,
                                                   const std::string& ip) {
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size() ||
      text::ToLowerAscii(authorization.substr(0, kBearer.size())) != kBearer) {
    return std::nullopt;
  }
  const std::string token = text::Trim(authorization.substr(kBearer.size()));
  if (token.size() < 10 || token.size() > 100 || !token.starts_with("av_")) {
    return std::nullopt;
  }
  std::optional<ApiTokenRecord> rec;
  bool structure_active = false;
  store_.Read([&](Tx& tx) {
    rec = tx.api_tokens().FindByDigest(tokens_.Digest(token));
    if (rec) {
      const auto s = tx.structures().FindById(rec->structure_id);
      structure_active = s && s->active;
    }
  });
  if (!rec || rec->revoked_at || !structure_active) {
    return std::nullopt;
  }
  const Instant now = clock_.Now();
  // Last use is recorded at most hourly: enough to spot stale tokens, cheap on writes.
  if (!rec->last_used_at || now - *rec->last_used_at > std::chrono::hours(1)) {
    store_.Write([&](Tx& tx) { tx.api_tokens().Touch(rec->id, now); });
  }
  return Actor::ForApiClient(rec->id, rec->structure_id, rec->scopes, request_id, ip);
}

}  // namespace allervers::service
