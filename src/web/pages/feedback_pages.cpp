// Retours to the referrer and co-accompaniment reviews of a case.

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time.hpp"
#include "service/case_service.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using nlohmann::json;
using service::Permission;

void RenderFeedbackForm(RequestContext& ctx, Deps& deps, const service::FeedbackForm& f,
                        const std::vector<std::string>* chosen, const std::string& next_steps,
                        const domain::FieldErrors& errors, int status) {
  json data = ErrorSummary(errors);
  data["fiche"] = f.referral.id;
  data["number"] = f.referral.number;
  data["person"] = f.person_name;
  data["person_id"] = f.referral.person_id.value_or(0);
  data["referrer"] = f.referral.data.referrer_name;
  data["structure"] = f.referral.structure_name;
  json choices = json::array();
  int n = 0;
  for (const auto& c : f.choices) {
    const bool checked = chosen == nullptr
                             ? c.suggested
                             : std::find(chosen->begin(), chosen->end(), c.key) != chosen->end();
    choices.push_back({{"key", c.key},
                       {"id", "f-item-" + std::to_string(n++)},
                       {"label", c.item.label},
                       {"checked", checked}});
  }
  data["choices"] = choices;
  data["next_steps"] = next_steps;
  data["sent"] = FeedbacksJson(f.sent);
  data["has_sent"] = !f.sent.empty();
  RenderPage(ctx, deps, "feedback_form", "Retour au prescripteur — " + f.referral.number, data,
             status);
}

domain::ReviewInput ReadReview(const Form& form) {
  domain::ReviewInput in;
  in.date = form.Get("date");
  in.time = form.Get("time");
  in.place = form.Get("place");
  in.participants = form.All("participants");
  in.status = form.Get("status");
  in.minutes = form.Get("minutes");
  in.decisions = form.Get("decisions");
  return in;
}

domain::ReviewInput InputOf(const domain::CaseReview& r) {
  const auto local = paris::ToLocal(r.scheduled_at);
  domain::ReviewInput in;
  in.date = ToIso(local.date);
  in.time = fmt::format("{:02}:{:02}", local.hour, local.minute);
  in.place = r.place;
  in.participants = r.participants;
  in.status = std::string(domain::ReviewStatusCode(r.status));
  in.minutes = r.minutes;
  in.decisions = r.decisions;
  return in;
}

struct ReviewPage {
  const service::ReferralRecord* referral = nullptr;
  std::string person_name;
  const domain::CaseReview* existing = nullptr;
  bool editable = true;
};

void RenderReviewForm(RequestContext& ctx, Deps& deps, const ReviewPage& page,
                      const domain::ReviewInput& in, const domain::FieldErrors& errors,
                      int status) {
  json data = ErrorSummary(errors);
  data["fiche"] = page.referral->id;
  data["number"] = page.referral->number;
  data["person"] = page.person_name;
  data["person_id"] = page.referral->person_id.value_or(0);
  data["referrer"] = page.referral->data.referrer_name;
  data["is_new"] = page.existing == nullptr;
  data["editable"] = page.editable;
  data["action"] = page.existing == nullptr
                       ? fmt::format("/fiches/{}/points-etape", page.referral->id)
                       : fmt::format("/points-etape/{}", page.existing->id);
  json statuses = json::array();
  for (const auto s : {domain::ReviewStatus::kPlanned, domain::ReviewStatus::kHeld,
                       domain::ReviewStatus::kCancelled}) {
    const std::string code(domain::ReviewStatusCode(s));
    statuses.push_back({{"value", code},
                        {"id", "f-status-" + code},
                        {"label", std::string(domain::ReviewStatusLabel(s))},
                        {"checked", code == (in.status.empty() ? "prevu" : in.status)}});
  }
  data["statuses"] = statuses;
  data["participants"] = VocabularyChoices(deps.reference.vocabularies.review_participants,
                                           in.participants, "f-participants");
  data["values"] = {{"date", in.date},
                    {"time", in.time},
                    {"place", in.place},
                    {"minutes", in.minutes},
                    {"decisions", in.decisions}};
  const std::string title =
      page.existing == nullptr
          ? "Planifier un point d’étape — " + page.referral->number
          : "Point d’étape du " + paris::FormatDateTime(page.existing->scheduled_at);
  data["title"] = title;
  RenderPage(ctx, deps, "review_form", title, data, status);
}

void RenderQuarterly(RequestContext& ctx, Deps& deps, const service::QuarterlyDraft& d,
                     const std::string& observations, const std::string& perspectives,
                     const domain::FieldErrors& errors, int status) {
  json data = ErrorSummary(errors);
  data["fiche"] = d.referral.id;
  data["number"] = d.referral.number;
  data["person"] = d.person_name;
  data["person_id"] = d.referral.person_id.value_or(0);
  data["structure"] = d.referral.structure_name;
  data["delegated"] = d.mode == domain::FollowMode::kDelegation;
  data["period"] = domain::QuarterLabel(d.period);
  data["year"] = d.period.year;
  data["quarter"] = d.period.quarter;
  data["summary"] = d.summary;
  data["observations"] = observations;
  data["perspectives"] = perspectives;
  if (d.sent) {
    data["sent"] = {{"id", d.sent->id},
                    {"at", paris::FormatDateTime(d.sent->sent_at)},
                    {"author", d.sent->author_name},
                    {"observations", d.sent->observations},
                    {"perspectives", d.sent->perspectives}};
  }
  // The quarter shown and the three before it, to write a late report.
  json periods = json::array();
  domain::Quarter q = domain::QuarterOf(paris::Today(deps.clock.Now()));
  for (int i = 0; i < 4; ++i) {
    periods.push_back({{"href", fmt::format("/fiches/{}/bilan-trimestriel?annee={}&trimestre={}",
                                            d.referral.id, q.year, q.quarter)},
                       {"label", domain::QuarterLabel(q)},
                       {"current", q == d.period}});
    q = q.quarter == 1 ? domain::Quarter{q.year - 1, 4} : domain::Quarter{q.year, q.quarter - 1};
  }
  data["periods"] = periods;
  RenderPage(
      ctx, deps, "quarterly_form",
      "Bilan écrit trimestriel — " + d.referral.number + " — " + domain::QuarterLabel(d.period),
      data, status);
}

std::optional<domain::Quarter> QuarterParam(const RequestContext& ctx) {
  const std::string year = ctx.req.get_param_value("annee");
  const std::string quarter = ctx.req.get_param_value("trimestre");
  if (year.empty() && quarter.empty()) {
    return std::nullopt;
  }
  const auto q = domain::ParseQuarter(year, quarter);
  if (!q) {
    throw Error(ErrorCode::kInvalidArgument, "Trimestre invalide : année et trimestre (1 à 4).");
  }
  return q;
}

}  // namespace

json FeedbacksJson(const std::vector<domain::Feedback>& feedbacks) {
  json out = json::array();
  for (const auto& f : feedbacks) {
    json items = json::array();
    for (const auto& i : f.items) {
      items.push_back(i.label);
    }
    out.push_back({{"at", paris::FormatDateTime(f.sent_at)},
                   {"author", f.author_name},
                   {"items", items},
                   {"next_steps", f.next_steps}});
  }
  return out;
}

json ReviewsJson(const std::vector<domain::CaseReview>& reviews, const domain::ReferenceData& ref,
                 bool links) {
  json out = json::array();
  for (const auto& r : reviews) {
    std::string who = "L’équipe mobile";
    for (const auto& p : r.participants) {
      who += ", " + ref.vocabularies.review_participants.Label(p);
    }
    out.push_back({{"id", r.id},
                   {"href", links ? "/points-etape/" + std::to_string(r.id) : std::string()},
                   {"at", paris::FormatDateTime(r.scheduled_at)},
                   {"place", r.place},
                   {"participants", who},
                   {"status", std::string(domain::ReviewStatusLabel(r.status))},
                   {"held", r.status == domain::ReviewStatus::kHeld},
                   {"minutes", r.minutes},
                   {"decisions", r.decisions}});
  }
  return out;
}

void RegisterFeedbackPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, R"(/fiches/(\d+)/retour)", "feedback.new",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const auto f = deps.cases.FeedbackDraft(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderFeedbackForm(ctx, deps, f, nullptr, "", {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/retour)", "feedback.send",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto keys = form.All("items");
                const std::string next_steps = form.Get("next_steps");
                const auto errors = deps.cases.SendFeedback(ctx.actor, id, keys, next_steps);
                const auto f = deps.cases.FeedbackDraft(ctx.actor, id);
                if (errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/personnes/{}#retours", f.referral.person_id.value_or(0)),
                           "feedback_sent");
                  return;
                }
                RenderFeedbackForm(ctx, deps, f, &keys, next_steps, errors, 422);
              });

  // Delegated cases and their quarterly reports.
  router.Page(Method::kPost, R"(/fiches/(\d+)/mode-de-suivi)", "cases.follow_mode",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto errors =
                    deps.cases.SetFollowMode(ctx.actor, id, form.Get("follow_mode"));
                if (!errors.empty()) {
                  throw Error(ErrorCode::kInvalidArgument, errors.front().message);
                }
                const auto person = deps.cases.PersonOf(ctx.actor, id);
                Redirect(ctx, fmt::format("/personnes/{}#retours", person.value_or(0)),
                         "follow_mode_saved");
              });
  router.Page(Method::kGet, R"(/fiches/(\d+)/bilan-trimestriel)", "quarterly.show",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const auto d =
                    deps.cases.Quarterly(ctx.actor, ParseId(ctx.req.matches[1]), QuarterParam(ctx));
                RenderQuarterly(ctx, deps, d, "", "", {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/bilan-trimestriel)", "quarterly.send",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto period = domain::ParseQuarter(form.Get("annee"), form.Get("trimestre"));
                if (!period) {
                  throw Error(ErrorCode::kInvalidArgument,
                              "Trimestre invalide : année et trimestre (1 à 4).");
                }
                const std::string observations = form.Get("observations");
                const std::string perspectives = form.Get("perspectives");
                const auto errors =
                    deps.cases.SendQuarterly(ctx.actor, id, *period, observations, perspectives);
                if (errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/fiches/{}/bilan-trimestriel?annee={}&trimestre={}", id,
                                       period->year, period->quarter),
                           "quarterly_sent");
                  return;
                }
                const auto d = deps.cases.Quarterly(ctx.actor, id, period);
                RenderQuarterly(ctx, deps, d, observations, perspectives, errors, 422);
              });
  router.Page(Method::kGet, "/bilans-trimestriels", "quarterly.list",
              Permission::kReadQuarterlyReports, [&deps](RequestContext& ctx) {
                json reports = json::array();
                for (const auto& e : deps.cases.QuarterlyReports(ctx.actor)) {
                  reports.push_back({{"id", e.report.id},
                                     {"period", domain::QuarterLabel(e.report.period)},
                                     {"number", e.number},
                                     {"person", e.person_name},
                                     {"sent", paris::FormatDate(e.report.sent_at)},
                                     {"author", e.report.author_name}});
                }
                json data;
                data["reports"] = reports;
                data["has_reports"] = !reports.empty();
                RenderPage(ctx, deps, "quarterly_reports", "Bilans écrits trimestriels", data);
              });
  router.Page(Method::kGet, R"(/bilans-trimestriels/(\d+)\.pdf)", "quarterly.pdf",
              Permission::kSignedIn, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const auto pdf = deps.cases.QuarterlyReportPdf(ctx.actor, id);
                ctx.res.set_header(
                    "Content-Disposition",
                    fmt::format("inline; filename=\"bilan-trimestriel-{}.pdf\"", id));
                ctx.res.set_header("Cache-Control", "no-store");
                ctx.res.set_content(pdf, "application/pdf");
              });

  router.Page(Method::kGet, R"(/fiches/(\d+)/points-etape/nouveau)", "reviews.new",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                // The team's own open case, as for any other entry on it.
                const auto f =
                    deps.cases.NewOrientation(ctx.actor, ParseId(ctx.req.matches[1]), std::nullopt);
                ReviewPage page;
                page.referral = &f.referral;
                page.person_name = f.person_name;
                domain::ReviewInput in;
                in.participants = {"personne", "prescripteur"};
                RenderReviewForm(ctx, deps, page, in, {}, 200);
              });
  router.Page(Method::kPost, R"(/fiches/(\d+)/points-etape)", "reviews.create",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto in = ReadReview(form);
                const auto errors = deps.cases.PlanReview(ctx.actor, id, in);
                const auto f = deps.cases.NewOrientation(ctx.actor, id, std::nullopt);
                if (errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/personnes/{}#retours", f.referral.person_id.value_or(0)),
                           "review_saved");
                  return;
                }
                ReviewPage page;
                page.referral = &f.referral;
                page.person_name = f.person_name;
                RenderReviewForm(ctx, deps, page, in, errors, 422);
              });
  router.Page(Method::kGet, R"(/points-etape/(\d+))", "reviews.show", Permission::kViewCases,
              [&deps](RequestContext& ctx) {
                const auto v = deps.cases.Review(ctx.actor, ParseId(ctx.req.matches[1]));
                ReviewPage page;
                page.referral = &v.referral;
                page.person_name = v.person_name;
                page.existing = &v.review;
                page.editable = v.editable;
                RenderReviewForm(ctx, deps, page, InputOf(v.review), {}, 200);
              });
  router.Page(Method::kPost, R"(/points-etape/(\d+))", "reviews.update",
              Permission::kRecordAccompaniment, [&deps](RequestContext& ctx) {
                const long long id = ParseId(ctx.req.matches[1]);
                const Form form(ctx.req);
                const auto in = ReadReview(form);
                const auto errors = deps.cases.UpdateReview(ctx.actor, id, in);
                const auto v = deps.cases.Review(ctx.actor, id);
                if (errors.empty()) {
                  Redirect(ctx,
                           fmt::format("/personnes/{}#retours", v.referral.person_id.value_or(0)),
                           "review_saved");
                  return;
                }
                ReviewPage page;
                page.referral = &v.referral;
                page.person_name = v.person_name;
                page.existing = &v.review;
                page.editable = v.editable;
                RenderReviewForm(ctx, deps, page, in, errors, 422);
              });
}

}  // namespace allervers::web
