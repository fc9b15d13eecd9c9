// The directory of partner services (data·inclusion) and the orientations of a case.

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/case_service.hpp"
#include "service/partner_directory.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

std::optional<std::int64_t> DigitsId(const std::string& raw) {
  if (raw.empty() || raw.size() > 18 || raw.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(raw);
}

std::string Labels(const domain::Vocabulary& v, const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) {
    out += (out.empty() ? "" : ", ") + v.Label(c);
  }
  return out;
}

json ServiceJson(const domain::PartnerService& s, const domain::ReferenceData& ref) {
  json themes = json::array();
  for (const auto& t : s.thematiques) {
    themes.push_back(
        domain::ThemeLabel(ref.inclusion, ref.vocabularies.inclusion_theme_categories, t));
  }
  const std::string commune = s.commune.empty() ? s.structure_commune : s.commune;
  return {{"id", s.id},
          {"nom", s.nom},
          {"structure", s.structure_nom},
          {"description", s.description},
          {"type", s.type.empty() ? std::string() : ref.inclusion.types.Label(s.type)},
          {"themes", themes},
          {"publics", Labels(ref.inclusion.publics, s.publics)},
          {"frais", Labels(ref.inclusion.frais, s.frais)},
          {"modes_accueil", Labels(ref.inclusion.modes_accueil, s.modes_accueil)},
          {"modes_mobilisation", Labels(ref.inclusion.modes_mobilisation, s.modes_mobilisation)},
          {"mobilisable_par", Labels(ref.inclusion.personnes_mobilisatrices, s.mobilisable_par)},
          {"lien_mobilisation", s.lien_mobilisation},
          {"conditions_acces", s.conditions_acces},
          {"contact", s.contact_nom_prenom},
          {"telephone", s.telephone.empty() ? s.structure_telephone : s.telephone},
          {"courriel", s.courriel},
          {"adresse", s.adresse},
          {"code_postal", s.code_postal},
          {"commune", commune},
          {"horaires", s.horaires_accueil},
          {"source", s.source},
          {"date_maj", paris::FormatDate(s.date_maj)}};
}

// The theme select: categories, each followed by its sub-themes.
json ThemeOptions(const domain::ReferenceData& ref, const std::string& selected) {
  json groups = json::array();
  for (const auto& c : ref.vocabularies.inclusion_theme_categories.items) {
    json options = json::array();
    options.push_back({{"value", c.code},
                       {"label", "Toute la thématique « " + c.label + " »"},
                       {"selected", c.code == selected}});
    for (const auto& t : ref.inclusion.thematiques.items) {
      if (t.code.starts_with(c.code + "--")) {
        options.push_back(
            {{"value", t.code}, {"label", t.label}, {"selected", t.code == selected}});
      }
    }
    groups.push_back({{"label", c.label}, {"options", options}});
  }
  return groups;
}

void RenderDirectory(RequestContext& ctx, Deps& deps) {
  service::PartnerQuery q;
  q.theme = ctx.req.get_param_value("thematique");
  q.place = ctx.req.get_param_value("lieu");
  q.text = ctx.req.get_param_value("q");
  const std::string page = ctx.req.get_param_value("page");
  if (!page.empty() && page.size() < 6 &&
      page.find_first_not_of("0123456789") == std::string::npos) {
    q.page = std::stoi(page);
  }
  const std::string fiche = ctx.req.get_param_value("fiche");
  const auto fiche_id = DigitsId(fiche);
  const bool for_case = fiche_id.has_value();
  json data;
  if (for_case) {
    // Orienting a person: the case must be the team's (404 otherwise), and still open.
    const auto form = deps.cases.NewOrientation(ctx.actor, *fiche_id, std::nullopt);
    data["fiche"] = {{"id", form.referral.id},
                     {"number", form.referral.number},
                     {"person", form.person_name},
                     {"person_id", form.referral.person_id.value_or(0)}};
  }
  const auto result = deps.partners.Search(ctx.actor, q);
  json services = json::array();
  for (const auto& s : result.result.services) {
    auto j = ServiceJson(s, deps.reference);
    if (for_case) {
      // Built here: inside the template's fiche section, {{id}} would read the fiche's id.
      j["orient_href"] =
          fmt::format("/fiches/{}/orientations/nouvelle?service={}", *fiche_id, s.id);
    }
    services.push_back(std::move(j));
  }
  data["services"] = services;
  data["has_services"] = !services.empty();
  data["total"] = result.result.total;
  data["plural"] = result.result.total > 1;
  data["themes"] = ThemeOptions(deps.reference, q.theme);
  data["lieu"] = q.place;
  data["q"] = q.text;
  data["unknown_theme"] = result.unknown_theme;
  data["searched"] = !q.theme.empty() || !q.place.empty() || !q.text.empty();
  data["can_import"] = service::Allows(ctx.actor, Permission::kManagePartners);
  std::string base = "/partenaires?thematique=" + UrlEncode(q.theme) +
                     "&lieu=" + UrlEncode(q.place) + "&q=" + UrlEncode(q.text) +
                     (for_case ? "&fiche=" + fiche : "");
  data["page"] = result.page;
  data["pages"] = result.pages;
  data["has_pages"] = result.pages > 1;
  if (result.page > 1) {
    data["previous"] = base + "&page=" + std::to_string(result.page - 1);
  }
  if (result.page < result.pages) {
    data["next"] = base + "&page=" + std::to_string(result.page + 1);
  }
  RenderPage(ctx, deps, "partners", "Annuaire des partenaires", data);
}

void RenderImport(RequestContext& ctx, Deps& deps, const service::PartnerImportReport* report,
                  const domain::FieldErrors& errors, int status) {
  json data = ErrorSummary(errors);
  if (report != nullptr) {
    json rejected = json::array();
    for (const auto& p : report->rejected) {
      rejected.push_back({{"record", p.record}, {"message", p.message}});
    }
    json warnings = json::array();
    for (const auto& p : report->warnings) {
      warnings.push_back({{"record", p.record}, {"message", p.message}});
    }
    data["report"] = {{"format", report->format},
                      {"structures_created", report->structures_created},
                      {"structures_updated", report->structures_updated},
                      {"services_created", report->services_created},
                      {"services_updated", report->services_updated},
                      {"rejected", rejected},
                      {"has_rejected", !rejected.empty()},
                      {"warnings", warnings},
                      {"has_warnings", !warnings.empty()}};
  }
  data["max_mb"] = service::PartnerDirectory::kMaxUploadBytes / (1024 * 1024);
  RenderPage(ctx, deps, "partner_import", "Importer l’annuaire des partenaires", data, status);
}

domain::OrientationInput ReadOrientation(const Form& form) {
  domain::OrientationInput in;
  in.service_id = form.Get("service_id");
  in.partner_name = form.Get("partner_name");
  in.partner_kind = form.Get("partner_kind");
  in.reason = form.Get("reason");
  in.status = form.Get("status");
  in.follow_up_on = form.Get("follow_up_on");
  in.shared = form.All("shared");
  in.consent = form.Get("consent") == "1";
  in.consent_method = form.Get("consent_method");
  in.note = form.Get("note");
  return in;
}

domain::OrientationInput InputOf(const domain::Orientation& o) {
  domain::OrientationInput in;
  in.partner_name = o.partner_name;
  in.partner_kind = o.partner_kind;
  in.reason = o.reason;
  in.status = std::string(domain::OrientationStatusCode(o.status));
  in.follow_up_on = o.follow_up_on ? ToIso(*o.follow_up_on) : "";
  in.shared = o.shared;
  in.consent = !o.shared.empty();
  in.consent_method = o.consent_method;
  in.note = o.note;
  return in;
}

struct OrientationPage {
  const service::ReferralRecord* referral = nullptr;
  std::string person_name;
  const std::optional<domain::PartnerService>* service = nullptr;
  const domain::Orientation* existing = nullptr;  // null: a new orientation
  bool editable = true;
};

void RenderOrientation(RequestContext& ctx, Deps& deps, const OrientationPage& page,
                       const domain::OrientationInput& in, const domain::FieldErrors& errors,
                       int status) {
  const auto& v = deps.reference.vocabularies;
  json data = ErrorSummary(errors);
  data["fiche"] = page.referral->id;
  data["number"] = page.referral->number;
  data["person"] = page.person_name;
  data["person_id"] = page.referral->person_id.value_or(0);
  data["editable"] = page.editable;
  data["is_new"] = page.existing == nullptr;
  if (page.service != nullptr && page.service->has_value()) {
    data["service"] = ServiceJson(**page.service, deps.reference);
  }
  data["service_id"] = page.service != nullptr && page.service->has_value()
                           ? std::to_string((*page.service)->id)
                           : std::string();
  data["action"] = page.existing == nullptr
                       ? fmt::format("/fiches/{}/orientations", page.referral->id)
                       : fmt::format("/orientations/{}", page.existing->id);
  json statuses = json::array();
  for (const auto s : domain::AllOrientationStatuses()) {
    const std::string code(domain::OrientationStatusCode(s));
    statuses.push_back({{"value", code},
                        {"id", "f-status-" + code},
                        {"label", std::string(domain::OrientationStatusLabel(s))},
                        {"checked", code == (in.status.empty() ? "proposee" : in.status)}});
  }
  data["statuses"] = statuses;
  json kinds = json::array();
  for (const auto& c : v.redirection_kinds.items) {
    kinds.push_back(
        {{"value", c.code}, {"label", c.label}, {"selected", c.code == in.partner_kind}});
  }
  data["kinds"] = kinds;
  data["shared"] = VocabularyChoices(v.orientation_shared, in.shared, "f-shared");
  data["consent_methods"] =
      VocabularyChoices(v.orientation_consent_methods, {in.consent_method}, "f-consent_method");
  data["values"] = {{"partner_name", in.partner_name},
                    {"reason", in.reason},
                    {"follow_up_on", in.follow_up_on},
                    {"note", in.note},
                    {"consent", in.consent}};
  if (page.existing != nullptr) {
    const auto& o = *page.existing;
    data["partner_name"] = o.partner_name;
    data["status_label"] = std::string(domain::OrientationStatusLabel(o.status));
    data["kind_label"] = v.redirection_kinds.Label(o.partner_kind);
    data["shared_label"] =
        o.shared.empty() ? std::string("Rien") : Labels(v.orientation_shared, o.shared);
    if (o.consent_on) {
      data["consent_label"] = v.orientation_consent_methods.Label(o.consent_method) + ", le " +
                              paris::FormatDate(*o.consent_on);
      data["consent_date"] = paris::FormatDate(*o.consent_on);
    }
    json events = json::array();
    for (const auto& e : o.events) {
      const auto to = domain::ParseOrientationStatus(e.to_status);
      events.push_back(
          {{"at", paris::FormatDateTime(e.at)},
           {"status", to ? std::string(domain::OrientationStatusLabel(*to)) : e.to_status},
           {"actor", e.actor_name}});
    }
    data["events"] = events;
  }
  const std::string title = page.existing == nullptr
                                ? "Orienter " + page.person_name + " vers un partenaire"
                                : "Orientation vers " + page.existing->partner_name;
  data["title"] = title;
  RenderPage(ctx, deps, "orientation_form", title, data, status);
}

}  // namespace

void RegisterPartnerPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, "/partenaires", "partners.search", Permission::kViewPartners,
              [&deps](RequestContext& ctx) { RenderDirectory(ctx, deps); });
  router.Page(Method::kGet, R"(/partenaires/services/(\d+))", "partners.service",
              Permission::kViewPartners, [&deps](RequestContext& ctx) {
                const auto s = deps.partners.Service(ctx.actor, ParseId(ctx.req.matches[1]));
                json data;
                data["service"] = ServiceJson(s, deps.reference);
                RenderPage(ctx, deps, "partner_service", s.nom + " — " + s.structure_nom, data);
              });
  router.Page(Method::kGet, "/partenaires/import", "partners.import_form",
              Permission::kManagePartners,
              [&deps](RequestContext& ctx) { RenderImport(ctx, deps, nullptr, {}, 200); });
  router.Page(Method::kPost, "/partenaires/import", "partners.import", Permission::kManagePartners,
              [&deps](RequestContext& ctx) {
                const auto file = ctx.req.files.find("file");
                if (file == ctx.req.files.end() || file->second.content.empty()) {
                  RenderImport(ctx, deps, nullptr,
                               {{"file", "Choisissez un fichier JSON ou CSV à importer."}}, 422);
                  return;
                }
                const auto report = deps.partners.Import(ctx.actor, file->second.content);
                if (!report.file_error.empty()) {
                  RenderImport(ctx, deps, nullptr, {{"file", report.file_error}}, 422);
                  return;
                }
                RenderImport(ctx, deps, &report, {}, 200);
              });

  // Orientations of a case.
  router.Page(Method::kGet, R"(/fiches/(\d+)/orientations/nouvelle)", "orientations.new",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const auto f =
                    deps.cases.NewOrientation(ctx.actor, ParseId(ctx.req.matches[1]),
                                              DigitsId(ctx.req.get_param_value("service")));
                OrientationPage page;
                page.referral = &f.referral;
                page.person_name = f.person_name;
                page.service = &f.service;
                RenderOrientation(ctx, deps, page, {}, {}, 200);
              });
  router.Page(
      Method::kPost, R"(/fiches/(\d+)/orientations)", "orientations.create",
      Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
        const long long id = ParseId(ctx.req.matches[1]);
        const Form form(ctx.req);
        const auto in = ReadOrientation(form);
        const auto result = deps.cases.RecordOrientation(ctx.actor, id, in);
        const auto f = deps.cases.NewOrientation(ctx.actor, id, std::nullopt);
        if (result.errors.empty()) {
          Redirect(ctx, fmt::format("/personnes/{}#orientations", f.referral.person_id.value_or(0)),
                   "orientation_saved");
          return;
        }
        // The service chosen stays chosen when it still exists.
        std::optional<domain::PartnerService> service;
        if (const auto sid = DigitsId(in.service_id)) {
          service = deps.cases.NewOrientation(ctx.actor, id, sid).service;
        }
        OrientationPage page;
        page.referral = &f.referral;
        page.person_name = f.person_name;
        page.service = &service;
        RenderOrientation(ctx, deps, page, in, result.errors, 422);
      });
  router.Page(Method::kGet, R"(/orientations/(\d+))", "orientations.show", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                const auto v = deps.cases.Orientation(ctx.actor, ParseId(ctx.req.matches[1]));
                OrientationPage page;
                page.referral = &v.referral;
                page.person_name = v.person_name;
                page.service = &v.service;
                page.existing = &v.orientation;
                page.editable = v.editable;
                RenderOrientation(ctx, deps, page, InputOf(v.orientation), {}, 200);
              });
  router.Page(
      Method::kPost, R"(/orientations/(\d+))", "orientations.update",
      Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
        const long long id = ParseId(ctx.req.matches[1]);
        const Form form(ctx.req);
        const auto in = ReadOrientation(form);
        const auto errors = deps.cases.UpdateOrientation(ctx.actor, id, in);
        const auto v = deps.cases.Orientation(ctx.actor, id);
        if (errors.empty()) {
          Redirect(ctx, fmt::format("/personnes/{}#orientations", v.referral.person_id.value_or(0)),
                   "orientation_updated");
          return;
        }
        OrientationPage page;
        page.referral = &v.referral;
        page.person_name = v.person_name;
        page.service = &v.service;
        page.existing = &v.orientation;
        page.editable = v.editable;
        RenderOrientation(ctx, deps, page, in, errors, 422);
      });
}

}  // namespace allervers::web
