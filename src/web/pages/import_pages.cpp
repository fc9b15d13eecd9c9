#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

json StructureOptions(Deps& deps, RequestContext& ctx, const std::string& selected) {
  json out = json::array();
  for (const auto& s : deps.referrals.ReferringStructures(ctx.actor)) {
    const std::string id = std::to_string(s.id);
    out.push_back({{"value", id}, {"label", s.name}, {"selected", id == selected}});
  }
  return out;
}

json RowJson(const service::ImportRow& row) {
  json errors = json::array();
  for (const auto& e : row.errors) {
    errors.push_back({{"field", e.field}, {"message", e.message}});
  }
  return {{"line", row.line},
          {"person_name", row.person_name},
          {"ok", row.errors.empty()},
          {"errors", errors}};
}

void RenderUpload(RequestContext& ctx, Deps& deps, const std::string& structure,
                  const domain::FieldErrors& errors, int status) {
  json data = ErrorSummary(errors);
  data["structures"] = StructureOptions(deps, ctx, structure);
  RenderPage(ctx, deps, "import_upload", "Importer des fiches (CSV)", data, status);
}

void RenderPreview(RequestContext& ctx, Deps& deps, const service::ImportPreview& p) {
  json rows = json::array();
  for (const auto& r : p.rows) {
    rows.push_back(RowJson(r));
  }
  json data = {
      {"batch_id", p.batch_id},
      {"filename", p.filename},
      {"encoding", p.encoding},
      {"separator", p.separator == '\t' ? std::string("tabulation") : std::string(1, p.separator)},
      {"structure_name", p.structure_name},
      {"file_error", p.file_error},
      {"missing_columns", p.missing_columns},
      {"has_missing", !p.missing_columns.empty()},
      {"unknown_columns", p.unknown_columns},
      {"has_unknown", !p.unknown_columns.empty()},
      {"rows", rows},
      {"valid", p.valid},
      {"invalid", p.invalid},
      {"can_import", p.file_error.empty() && p.missing_columns.empty() && p.valid > 0}};
  RenderPage(ctx, deps, "import_preview", "Vérifier l’import", data);
}

}  // namespace

void RegisterImportPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, "/import", "import.form", Permission::kImportReferrals,
              [&deps](RequestContext& ctx) { RenderUpload(ctx, deps, "", {}, 200); });

  router.Page(
      Method::kPost, "/import", "import.upload", Permission::kImportReferrals,
      [&deps](RequestContext& ctx) {
        const Form form(ctx.req);
        const std::string structure = form.Get("structure");
        domain::FieldErrors errors;
        const auto file = ctx.req.files.find("file");
        if (structure.empty() || structure.find_first_not_of("0123456789") != std::string::npos ||
            structure.size() > 18) {
          errors.push_back({"structure", "Choisissez la structure qui oriente ces personnes."});
        }
        if (file == ctx.req.files.end() || file->second.content.empty()) {
          errors.push_back({"file", "Choisissez un fichier CSV à importer."});
        }
        if (!errors.empty()) {
          RenderUpload(ctx, deps, structure, errors, 422);
          return;
        }
        try {
          const auto preview = deps.imports.Preview(ctx.actor, std::stoll(structure),
                                                    file->second.filename, file->second.content);
          RenderPreview(ctx, deps, preview);
        } catch (const Error& e) {
          if (e.code() != ErrorCode::kInvalidArgument && e.code() != ErrorCode::kPayloadTooLarge) {
            throw;
          }
          RenderUpload(ctx, deps, structure, {{"file", e.public_message()}}, 422);
        }
      });

  router.Page(Method::kGet, R"(/import/(\d+))", "import.preview", Permission::kImportReferrals,
              [&deps](RequestContext& ctx) {
                RenderPreview(ctx, deps, deps.imports.Show(ctx.actor, ParseId(ctx.req.matches[1])));
              });

  router.Page(Method::kPost, R"(/import/(\d+)/confirmer)", "import.confirm",
              Permission::kImportReferrals, [&deps](RequestContext& ctx) {
                const auto report = deps.imports.Import(ctx.actor, ParseId(ctx.req.matches[1]));
                json imported = json::array();
                for (const auto& r : report.imported) {
                  imported.push_back({{"id", r.id},
                                      {"number", r.number},
                                      {"has_duplicates", !r.visible_duplicates.empty()}});
                }
                json rejected = json::array();
                for (const auto& r : report.rejected) {
                  rejected.push_back(RowJson(r));
                }
                RenderPage(ctx, deps, "import_report", "Import terminé",
                           {{"imported", imported},
                            {"imported_count", imported.size()},
                            {"rejected", rejected},
                            {"rejected_count", rejected.size()},
                            {"has_rejected", !rejected.empty()}});
              });

  router.Page(Method::kPost, R"(/import/(\d+)/annuler)", "import.cancel",
              Permission::kImportReferrals, [&deps](RequestContext& ctx) {
                deps.imports.Cancel(ctx.actor, ParseId(ctx.req.matches[1]));
                Redirect(ctx, "/import", "import_cancelled");
              });
}

}  // namespace allervers::web
