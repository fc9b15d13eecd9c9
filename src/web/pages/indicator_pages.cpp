#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/accompaniment.hpp"
#include "render/report.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/indicators_json.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

service::IndicatorQuery QueryOf(const RequestContext& ctx, const Deps& deps) {
  service::IndicatorQuery q;
  q.from = ctx.req.get_param_value("du");
  q.to = ctx.req.get_param_value("au");
  if (q.from.empty() && q.to.empty()) {
    // The current quarter by default.
    const auto quarter = domain::QuarterOf(paris::Today(deps.clock.Now()));
    q.from = ToIso(domain::QuarterStart(quarter));
    q.to = ToIso(domain::QuarterEnd(quarter));
  }
  q.structure = ctx.req.get_param_value("structure");
  q.territory = ctx.req.get_param_value("territoire");
  q.worker = ctx.req.get_param_value("intervenant");
  return q;
}

double Number(const json& cell) { return cell.is_number() ? cell.get<double>() : 0.0; }

// A horizontal bar chart of the first column of a table, drawn on the server as SVG (the
// partial escapes every text); the table itself follows it as the data.
json BarChart(const std::string& id, const json& table) {
  const auto& rows = table.at("rows");
  if (rows.empty()) {
    return nullptr;
  }
  double max = 0;
  for (const auto& r : rows) {
    max = std::max(max, Number(r.at("cells").at(0)));
  }
  constexpr int kLabelWidth = 300;
  constexpr int kBarWidth = 360;
  constexpr int kRowHeight = 28;
  json bars = json::array();
  std::string description;
  int y = 8;
  for (const auto& r : rows) {
    const auto& cell = r.at("cells").at(0);
    const double v = Number(cell);
    const int w = max > 0 ? static_cast<int>(std::lround(kBarWidth * v / max)) : 0;
    const std::string label = r.at("label").get<std::string>();
    const std::string value = render::FormatCell(cell);
    // The chart's label is cut to its room; the table under it has the whole label.
    bars.push_back({{"label", text::Truncate(label, 40)},
                    {"value", value},
                    {"x", kLabelWidth},
                    {"y", y},
                    {"w", w},
                    {"full", kBarWidth},
                    {"h", kRowHeight - 10},
                    {"text_y", y + 14},
                    {"value_x", kLabelWidth + w + 6}});
    description += (description.empty() ? "" : " ; ") + label + " : " + value;
    y += kRowHeight;
  }
  return {{"id", id},
          {"title", table.at("title")},
          {"description", description},
          {"bars", bars},
          {"width", kLabelWidth + kBarWidth + 60},
          {"height", y + 4}};
}

// The targets: the year so far against the pro-rata line, one bar per target.
json TargetChart(const json& targets) {
  if (targets.is_null()) {
    return nullptr;
  }
  constexpr int kLabelWidth = 120;
  constexpr int kBarWidth = 480;
  json bars = json::array();
  std::string description;
  int y = 8;
  for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
           {"follow_ups", "Suivis"}, {"receptions", "Accueils"}}) {
    const auto& t = targets.at(key);
    const double target = std::max(1.0, Number(t.at("target")));
    const double actual = Number(t.at("actual"));
    const double pro_rata = Number(t.at("pro_rata"));
    const int w = static_cast<int>(std::lround(kBarWidth * std::min(actual, target) / target));
    const int line_x = kLabelWidth + static_cast<int>(std::lround(kBarWidth * pro_rata / target));
    const std::string value =
        render::FormatCell(t.at("actual")) + " / " + render::FormatCell(t.at("target"));
    bars.push_back({{"label", label},
                    {"value", value},
                    {"x", kLabelWidth},
                    {"y", y},
                    {"w", w},
                    {"full", kBarWidth},
                    {"h", 22},
                    {"text_y", y + 16},
                    {"value_x", kLabelWidth + kBarWidth + 6},
                    {"line_x", line_x},
                    {"line_top", y - 4},
                    {"line_bottom", y + 26}});
    description += (description.empty() ? "" : " ; ") + label + " : " + value + ", prorata " +
                   render::FormatCell(t.at("pro_rata"));
    y += 40;
  }
  return {{"id", "objectifs"},
          {"title", "Réalisé depuis le 1er janvier, objectif annuel et prorata"},
          {"description", description},
          {"bars", bars},
          {"width", kLabelWidth + kBarWidth + 110},
          {"height", y}};
}

// The tables of the dashboard, with the previous period's figure next to each key figure and
// a chart above the breakdowns worth seeing at a glance.
json DashboardSections(const json& current, const json* previous) {
  json sections = IndicatorTables(current);
  const json before = previous != nullptr ? IndicatorTables(*previous) : json::array();
  for (std::size_t s = 0; s < sections.size(); ++s) {
    auto& section = sections[s];
    for (std::size_t t = 0; t < section["tables"].size(); ++t) {
      auto& table = section["tables"][t];
      const bool compare = s == 0 && t == 0 && previous != nullptr;
      if (compare) {
        table["columns"].push_back("Période précédente");
      }
      json rows = json::array();
      for (std::size_t r = 0; r < table["rows"].size(); ++r) {
        auto& row = table["rows"][r];
        if (compare) {
          row["cells"].push_back(
              before.at(s).at("tables").at(t).at("rows").at(r).at("cells").at(0));
        }
        json cells = json::array();
        for (const auto& c : row["cells"]) {
          cells.push_back(render::FormatCell(c));
        }
        rows.push_back({{"label", row["label"]}, {"cells", cells}});
      }
      const std::string id = section["id"].get<std::string>() + "-" + std::to_string(t);
      if (section["id"] == "activite" || section["id"] == "problematiques" ||
          section["id"] == "orientations" || section["id"] == "autonomie") {
        table["chart"] = BarChart(id + "-graphique", table);
      }
      table["rows"] = rows;
      table["id"] = id;
      table["empty"] = rows.empty();
    }
  }
  return sections;
}

json Choice(const std::string& value, const std::string& label, const std::string& selected) {
  return {{"value", value}, {"label", label}, {"selected", value == selected}};
}

// The quarter asked for, the current one by default.
std::pair<std::string, std::string> QuarterParams(const RequestContext& ctx, const Deps& deps) {
  std::string year = ctx.req.get_param_value("annee");
  std::string quarter = ctx.req.get_param_value("trimestre");
  if (year.empty() && quarter.empty()) {
    const auto q = domain::QuarterOf(paris::Today(deps.clock.Now()));
    year = std::to_string(q.year);
    quarter = std::to_string(q.quarter);
  }
  return {year, quarter};
}

void RenderSteering(RequestContext& ctx, Deps& deps, const service::SteeringReport& r,
                    const domain::SteeringTexts* typed, const domain::FieldErrors& errors,
                    int status) {
  const std::string query = "?annee=" + std::to_string(r.quarter.year) +
                            "&trimestre=" + std::to_string(r.quarter.quarter) +
                            "&equipe=" + std::to_string(r.team.id);
  const domain::SteeringTexts saved = r.texts ? r.texts->texts : domain::SteeringTexts{};
  const auto& texts = typed != nullptr ? *typed : saved;
  json teams = json::array();
  for (const auto& t : r.teams) {
    teams.push_back(Choice(std::to_string(t.id), t.name, std::to_string(r.team.id)));
  }
  json quarters = json::array();
  for (int q = 1; q <= 4; ++q) {
    quarters.push_back(Choice(std::to_string(q), domain::QuarterLabel({r.quarter.year, q}),
                              std::to_string(r.quarter.quarter)));
  }
  json data = {
      {"team", r.team.name},
      {"teams", teams},
      {"several_teams", r.teams.size() > 1},
      {"year", r.quarter.year},
      {"quarter", r.quarter.quarter},
      {"quarters", quarters},
      {"label", domain::QuarterLabel(r.quarter)},
      {"editable", r.editable},
      {"highlights", texts.highlights},
      {"difficulties", texts.difficulties},
      {"perspectives", texts.perspectives},
      {"has_texts",
       !saved.highlights.empty() || !saved.difficulties.empty() || !saved.perspectives.empty()},
      {"updated", r.texts ? "Enregistré le " + paris::FormatDateTime(r.texts->updated_at) +
                                (r.texts->updated_by.empty() ? "" : " par " + r.texts->updated_by)
                          : std::string()},
      {"pdf_href", "/indicateurs/bilan.pdf" + query},
      {"xlsx_href", "/indicateurs/bilan.xlsx" + query},
      {"csv_href", "/indicateurs.csv?du=" + ToIso(domain::QuarterStart(r.quarter)) +
                       "&au=" + ToIso(domain::QuarterEnd(r.quarter))}};
  data.update(ErrorSummary(errors));
  RenderPage(ctx, deps, "steering", "Bilan trimestriel de l’action", data, status);
}

}  // namespace

void RegisterIndicatorPages(Router& router, Deps& deps) {
  // One's activity in La Coop de la médiation numérique's layout.
  router.Page(Method::kGet, "/activite/export-coop", "activity.coop", Permission::kExportActivity,
              [&deps](RequestContext& ctx) {
                const auto quarter = domain::QuarterOf(paris::Today(deps.clock.Now()));
                json workers = json::array();
                const bool coordinator = ctx.actor.role == domain::Role::kCoordinateur;
                if (coordinator) {
                  workers.push_back(Choice("", "Toute l’équipe", ""));
                  for (const auto& u : deps.appointments.Workers(ctx.actor)) {
                    workers.push_back(Choice(std::to_string(u.id), u.display_name, ""));
                  }
                }
                RenderPage(ctx, deps, "coop_export",
                           "Export pour La Coop de la médiation numérique",
                           {{"from", ToIso(domain::QuarterStart(quarter))},
                            {"to", ToIso(paris::Today(deps.clock.Now()))},
                            {"workers", workers},
                            {"coordinator", coordinator}});
              });
  router.Page(Method::kGet, "/activite/export-coop.csv", "activity.coop_csv",
              Permission::kExportActivity, [&deps](RequestContext& ctx) {
                const auto result = deps.indicators.Coop(ctx.actor, ctx.req.get_param_value("du"),
                                                         ctx.req.get_param_value("au"),
                                                         ctx.req.get_param_value("intervenant"));
                if (!result.errors.empty()) {
                  throw Error(ErrorCode::kInvalidArgument, result.errors.front().message);
                }
                ctx.res.set_header("Content-Disposition", "attachment; filename=\"activite-coop-" +
                                                              ToIso(result.period.from) + "-" +
                                                              ToIso(result.period.to) + ".csv\"");
                ctx.res.set_content(CoopCsv(result.rows, deps.reference),
                                    "text/csv; charset=utf-8");
              });

  // The quarterly steering report: its written parts, then the PDF and the workbook.
  router.Page(Method::kGet, "/indicateurs/bilan", "steering.show", Permission::kViewIndicators,
              [&deps](RequestContext& ctx) {
                const auto [year, quarter] = QuarterParams(ctx, deps);
                RenderSteering(ctx, deps,
                               deps.indicators.Steering(
                                   ctx.actor, ctx.req.get_param_value("equipe"), year, quarter),
                               nullptr, {}, 200);
              });
  router.Page(Method::kPost, "/indicateurs/bilan", "steering.save",
              Permission::kWriteSteeringReport, [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                const std::string year = form.Get("annee");
                const std::string quarter = form.Get("trimestre");
                domain::SteeringTexts texts{form.Get("highlights"), form.Get("difficulties"),
                                            form.Get("perspectives")};
                const auto errors = deps.indicators.SaveSteering(ctx.actor, year, quarter, texts);
                if (errors.empty()) {
                  Redirect(ctx,
                           "/indicateurs/bilan?annee=" + UrlEncode(year) +
                               "&trimestre=" + UrlEncode(quarter),
                           "steering_saved");
                  return;
                }
                RenderSteering(ctx, deps, deps.indicators.Steering(ctx.actor, "", year, quarter),
                               &texts, errors, 422);
              });
  for (const auto& [suffix, name] : std::vector<std::pair<std::string, std::string>>{
           {"pdf", "steering.pdf"}, {"xlsx", "steering.xlsx"}}) {
    router.Page(
        Method::kGet, "/indicateurs/bilan." + suffix, name, Permission::kViewIndicators,
        [&deps, pdf = suffix == "pdf"](RequestContext& ctx) {
          const auto [year, quarter] = QuarterParams(ctx, deps);
          const auto report =
              deps.indicators.Steering(ctx.actor, ctx.req.get_param_value("equipe"), year, quarter);
          const json model = SteeringReportModel(report, deps.reference);
          const std::string file = "bilan-trimestriel-" + std::to_string(report.quarter.year) +
                                   "-T" + std::to_string(report.quarter.quarter);
          if (pdf) {
            ctx.res.set_header("Content-Disposition", "inline; filename=\"" + file + ".pdf\"");
            ctx.res.set_content(render::RenderReportPdf(model, deps.fonts_dir), "application/pdf");
          } else {
            ctx.res.set_header("Content-Disposition", "attachment; filename=\"" + file + ".xlsx\"");
            ctx.res.set_content(
                render::RenderReportXlsx(model),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
          }
        });
  }

  router.Page(
      Method::kGet, "/indicateurs", "indicators.show", Permission::kViewIndicators,
      [&deps](RequestContext& ctx) {
        const auto q = QueryOf(ctx, deps);
        const auto result = deps.indicators.Compute(ctx.actor, q, true);
        const bool suppress = service::IndicatorService::SuppressSmallCells(ctx.actor);
        const auto choices = deps.indicators.Choices(ctx.actor);
        json structures = json::array({Choice("", "Toutes", q.structure)});
        for (const auto& s : choices.structures) {
          structures.push_back(Choice(std::to_string(s.id), s.name, q.structure));
        }
        json territories = json::array({Choice("", "Tous", q.territory)});
        for (const auto& t : choices.territories) {
          territories.push_back(Choice(t, t, q.territory));
        }
        json workers = json::array({Choice("", "Toute l’équipe", q.worker)});
        for (const auto& u : choices.workers) {
          workers.push_back(Choice(std::to_string(u.id), u.display_name, q.worker));
        }
        // Quick periods: this quarter, the previous one, the year so far, the previous year.
        const LocalDate today = paris::Today(deps.clock.Now());
        const auto quarter = domain::QuarterOf(today);
        const domain::Quarter last = quarter.quarter == 1
                                         ? domain::Quarter{quarter.year - 1, 4}
                                         : domain::Quarter{quarter.year, quarter.quarter - 1};
        json presets = json::array();
        for (const auto& [label, from, to] :
             std::vector<std::tuple<std::string, LocalDate, LocalDate>>{
                 {domain::QuarterLabel(quarter), domain::QuarterStart(quarter),
                  domain::QuarterEnd(quarter)},
                 {domain::QuarterLabel(last), domain::QuarterStart(last), domain::QuarterEnd(last)},
                 {"Année " + std::to_string(today.year), LocalDate{today.year, 1, 1},
                  LocalDate{today.year, 12, 31}},
                 {"Année " + std::to_string(today.year - 1), LocalDate{today.year - 1, 1, 1},
                  LocalDate{today.year - 1, 12, 31}}}) {
          presets.push_back({{"label", label},
                             {"href", "/indicateurs?du=" + ToIso(from) + "&au=" + ToIso(to)},
                             {"current", ToIso(from) == q.from && ToIso(to) == q.to}});
        }
        json data = {{"from", q.from},           {"to", q.to},
                     {"structures", structures}, {"territories", territories},
                     {"workers", workers},       {"has_workers", !choices.workers.empty()},
                     {"presets", presets},       {"suppressed", suppress}};
        if (!result.errors.empty()) {
          data.update(ErrorSummary(result.errors));
          RenderPage(ctx, deps, "indicators", "Indicateurs", data, 422);
          return;
        }
        const json current = IndicatorsJson(*result.current, deps.reference, suppress);
        const json previous = IndicatorsJson(*result.previous, deps.reference, suppress);
        data["period_label"] = "du " + paris::FormatDate(result.current->period.from) + " au " +
                               paris::FormatDate(result.current->period.to);
        data["previous_label"] = "du " + paris::FormatDate(result.previous->period.from) + " au " +
                                 paris::FormatDate(result.previous->period.to);
        data["sections"] = DashboardSections(current, &previous);
        data["has_sections"] = true;
        data["target_chart"] = TargetChart(current.at("targets"));
        data["csv_href"] = "/indicateurs.csv?du=" + UrlEncode(q.from) + "&au=" + UrlEncode(q.to) +
                           "&structure=" + UrlEncode(q.structure) +
                           "&territoire=" + UrlEncode(q.territory) +
                           "&intervenant=" + UrlEncode(q.worker);
        RenderPage(ctx, deps, "indicators", "Indicateurs", data);
      });

  // The same figures as a spreadsheet can read them; aggregates only, under the small-cell rule
  // whoever downloads them: a file leaves the team.
  router.Page(Method::kGet, "/indicateurs.csv", "indicators.csv", Permission::kViewIndicators,
              [&deps](RequestContext& ctx) {
                const auto q = QueryOf(ctx, deps);
                const auto result = deps.indicators.Compute(ctx.actor, q, false);
                if (!result.errors.empty()) {
                  throw Error(ErrorCode::kInvalidArgument, result.errors.front().message);
                }
                const json j = IndicatorsJson(*result.current, deps.reference, true);
                ctx.res.set_header("Content-Disposition", "attachment; filename=\"indicateurs-" +
                                                              q.from + "-" + q.to + ".csv\"");
                ctx.res.set_content(IndicatorsCsv(j), "text/csv; charset=utf-8");
              });

  router.Api(Method::kGet, "/api/v1/indicators", "api.indicators", Permission::kViewIndicators,
             [&deps](RequestContext& ctx) {
               service::IndicatorQuery q;
               q.from = ctx.req.get_param_value("from");
               q.to = ctx.req.get_param_value("to");
               q.structure = ctx.req.get_param_value("structure");
               q.territory = ctx.req.get_param_value("territory");
               if (q.from.empty() || q.to.empty()) {
                 throw Error(ErrorCode::kInvalidArgument,
                             "Indiquez la période : from=AAAA-MM-JJ&to=AAAA-MM-JJ.");
               }
               const auto result = deps.indicators.Compute(ctx.actor, q, false);
               if (!result.errors.empty()) {
                 json fields = json::array();
                 for (const auto& e : result.errors) {
                   fields.push_back({{"field", e.field}, {"message", e.message}});
                 }
                 ctx.res.status = 422;
                 ctx.res.set_content(
                     json({{"error",
                            {{"code", "invalid_argument"},
                             {"message", "La période ou les filtres sont invalides : voir fields."},
                             {"fields", fields},
                             {"request_id", ctx.request_id}}}})
                         .dump(-1, ' ', false, json::error_handler_t::replace),
                     "application/json; charset=utf-8");
                 return;
               }
               const json body =
                   IndicatorsJson(*result.current, deps.reference,
                                  service::IndicatorService::SuppressSmallCells(ctx.actor));
               ctx.res.status = 200;
               ctx.res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                                   "application/json; charset=utf-8");
             });
}

}  // namespace allervers::web
