#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

json VocabularyJson(const std::string& title, const domain::Vocabulary& v) {
  json items = json::array();
  for (const auto& c : v.items) {
    items.push_back({{"code", c.code}, {"label", c.label}});
  }
  return {{"title", title}, {"items", items}, {"id", "liste-" + v.name}};
}

json TokensView(Deps& deps, RequestContext& ctx) {
  json tokens = json::array();
  for (const auto& t : deps.api_tokens.List(ctx.actor)) {
    std::string scopes;
    for (const auto& s : t.scopes) {
      scopes += (scopes.empty() ? "" : ", ") + s;
    }
    tokens.push_back({{"id", t.id},
                      {"label", t.label},
                      {"hint", t.hint},
                      {"structure_name", t.structure_name},
                      {"scopes", scopes},
                      {"created", paris::FormatDateTime(t.created_at)},
                      {"created_by", t.created_by},
                      {"last_used", t.last_used_at ? paris::FormatDateTime(*t.last_used_at) : ""},
                      {"revoked", t.revoked_at ? paris::FormatDateTime(*t.revoked_at) : ""}});
  }
  json structures = json::array();
  for (const auto& s : deps.structures.List(service::Actor::System("tokens"))) {
    if (s.active && s.kind != domain::StructureKind::kOperateur) {
      structures.push_back({{"value", s.code}, {"label", s.name}});
    }
  }
  return {{"tokens", tokens}, {"empty", tokens.empty()}, {"structures", structures}};
}

}  // namespace

void RegisterReferenceAdminPages(Router& router, Deps& deps) {
  router.Page(
      Method::kGet, "/admin/referentiels", "admin.reference", Permission::kViewReferenceData,
      [&deps](RequestContext& ctx) {
        const auto& ref = deps.reference;
        json procedures = json::array();
        for (const auto& p : ref.procedures.procedures) {
          procedures.push_back({{"code", p.code},
                                {"label", p.label},
                                {"organisation", p.organisation},
                                {"site", p.site},
                                {"domain", ref.procedures.domains.Label(p.domain)},
                                {"channel", p.channel == "en_ligne" ? "en ligne" : p.channel},
                                {"opens_right", p.opens_right},
                                {"prerequisites", p.prerequisites},
                                {"documents", p.documents}});
        }
        const auto& v = ref.vocabularies;
        json lists =
            json::array({VocabularyJson("Préférences de contact", v.contact_preferences),
                         VocabularyJson("Situations", v.situations),
                         VocabularyJson("Difficultés numériques", v.digital_difficulties),
                         VocabularyJson("Thématiques administratives", v.administrative_themes),
                         VocabularyJson("Thématiques de médiation numérique", v.digital_themes),
                         VocabularyJson("Motifs de clôture", v.closure_reasons),
                         VocabularyJson("Motifs de non-recevabilité", v.not_receivable_reasons),
                         VocabularyJson("Statuts sociaux", v.social_statuses),
                         VocabularyJson("Langues", v.languages)});
        RenderPage(ctx, deps, "reference", "Référentiels",
                   {{"catalogue_version", ref.procedures.version},
                    {"catalogue_updated", ref.procedures.updated},
                    {"vocabularies_version", v.version},
                    {"vocabularies_updated", v.updated},
                    {"procedures", procedures},
                    {"lists", lists}});
      });

  router.Page(Method::kGet, "/admin/jetons", "admin.tokens", Permission::kManageApiTokens,
              [&deps](RequestContext& ctx) {
                json data = TokensView(deps, ctx);
                data.update(ErrorSummary({}));
                RenderPage(ctx, deps, "tokens", "Jetons d’API", data);
              });

  router.Page(Method::kPost, "/admin/jetons", "admin.tokens.create", Permission::kManageApiTokens,
              [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                std::vector<std::string> scopes = form.All("scopes");
                try {
                  const auto created = deps.api_tokens.Create(ctx.actor, form.Get("structure"),
                                                              scopes, form.Get("label"));
                  json data = TokensView(deps, ctx);
                  data.update(ErrorSummary({}));
                  data["created_token"] = created.token;
                  data["created_structure"] = created.record.structure_name;
                  RenderPage(ctx, deps, "tokens", "Jetons d’API", data, 201);
                } catch (const Error& e) {
                  if (e.code() != ErrorCode::kInvalidArgument) {
                    throw;
                  }
                  json data = TokensView(deps, ctx);
                  data.update(ErrorSummary({{"structure", e.public_message()}}));
                  data["values"] = {{"label", form.Get("label")}};
                  RenderPage(ctx, deps, "tokens", "Jetons d’API", data, 422);
                }
              });

  router.Page(Method::kPost, R"(/admin/jetons/(\d+)/revoquer)", "admin.tokens.revoke",
              Permission::kManageApiTokens, [&deps](RequestContext& ctx) {
                deps.api_tokens.Revoke(ctx.actor, ParseId(ctx.req.matches[1]));
                Redirect(ctx, "/admin/jetons", "token_revoked");
              });
}

}  // namespace allervers::web
