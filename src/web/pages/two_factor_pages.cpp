// Two-factor sign-in: the « Code de vérification » step of sign-in, the user's « Double
// authentification » page (enrolment, then its state), and the administrator's reset.
#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "common/time.hpp"
#include "render/qr_svg.hpp"
#include "web/cookies.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using service::Permission;
using service::SessionStage;

constexpr std::size_t kSecretGroup = 4;

// "JBSW Y3DP EHPK 3PXP…": the secret in groups of four, for typing it by hand.
std::string GroupSecret(const std::string& secret) {
  std::string out;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (i > 0 && i % kSecretGroup == 0) {
      out.push_back(' ');
    }
    out.push_back(secret[i]);
  }
  return out;
}

void RenderCodeStep(RequestContext& ctx, Deps& deps, const std::string& next,
                    const domain::FieldErrors& errors, int status) {
  nlohmann::json data = ErrorSummary(errors);
  data["next"] = next;
  data["email"] = ctx.session ? ctx.session->user.email : "";
  RenderPage(ctx, deps, "second_factor", "Code de vérification", data, status);
}

void RenderTwoFactor(RequestContext& ctx, Deps& deps, const std::string& next,
                     const domain::FieldErrors& errors, int status) {
  nlohmann::json data = ErrorSummary(errors);
  const auto state = deps.two_factor.Status(ctx.actor);
  data["next"] = next;
  data["pending"] = ctx.session && ctx.session->stage == SessionStage::kEnrolment;
  data["required"] = state.required;
  data["enrolled"] = state.enrolled;
  if (state.enrolled) {
    data["enrolled_on"] = state.enrolled_at ? paris::FormatDate(*state.enrolled_at) : "";
    data["codes_left"] = std::to_string(state.recovery_codes_left);
    data["codes_left_plural"] = state.recovery_codes_left > 1;
    data["codes_low"] = state.recovery_codes_left <= 3;
  } else {
    const auto start = deps.two_factor.BeginEnrolment(ctx.actor);
    data["qr_svg"] = render::QrSvg(start.otpauth_uri,
                                   "QR code à scanner avec votre application d’authentification");
    data["secret_groups"] = GroupSecret(start.secret);
    data["otpauth_uri"] = start.otpauth_uri;
  }
  RenderPage(ctx, deps, "two_factor", "Double authentification", data, status);
}

}  // namespace

void RegisterTwoFactorPages(Router& router, Deps& deps) {
  // The second step of sign-in. The router lets a session waiting for its second factor
  // reach this page and sign-out only.
  router.Page(Method::kGet, "/connexion/code", "auth.second_factor", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                if (ctx.session->stage != SessionStage::kSecondFactor) {
                  Redirect(ctx, "/");
                  return;
                }
                RenderCodeStep(ctx, deps, SafeNext(ctx.req.get_param_value("suite")), {}, 200);
              });

  router.Page(
      Method::kPost, "/connexion/code", "auth.second_factor", Permission::kSignedIn,
      [&deps](RequestContext& ctx) {
        if (ctx.session->stage != SessionStage::kSecondFactor) {
          Redirect(ctx, "/");
          return;
        }
        const Form form(ctx.req);
        const std::string code = text::Trim(form.Get("code"));
        const std::string next = SafeNext(form.Get("suite"));
        const auto token = ReadCookie(ctx.req, kSessionCookie);
        const auto outcome = deps.auth.VerifySecondFactor(token.value_or(""), code, ctx.actor);
        switch (outcome.status) {
          case service::SecondFactorStatus::kMalformed:
            RenderCodeStep(
                ctx, deps, next,
                {{"code", code.empty() ? "Saisissez le code à 6 chiffres de votre application "
                                         "d’authentification, ou un code de secours."
                                       : "Le code de l’application compte 6 chiffres ; un code "
                                         "de secours, 12 caractères (par exemple "
                                         "« 7k2m-q9xa-4fde »)."}},
                422);
            return;
          case service::SecondFactorStatus::kWrongCode:
            RenderCodeStep(ctx, deps, next,
                           {{"code",
                             "Ce code est incorrect. Saisissez le code affiché maintenant par "
                             "l’application, ou un code de secours encore inutilisé."}},
                           401);
            return;
          case service::SecondFactorStatus::kReusedCode:
            RenderCodeStep(ctx, deps, next,
                           {{"code",
                             "Ce code a déjà servi. Attendez que l’application affiche le code "
                             "suivant (30 secondes au plus) et saisissez-le."}},
                           401);
            return;
          case service::SecondFactorStatus::kThrottled:
            RenderCodeStep(
                ctx, deps, next,
                {{"code",
                  "Trop de tentatives de connexion. Patientez 15 minutes avant de réessayer."}},
                429);
            return;
          case service::SecondFactorStatus::kSuccess:
            break;
        }
        SetCookie(ctx.res, kSessionCookie, outcome.session_token, ctx.secure);
        if (outcome.used_recovery_code) {
          Redirect(ctx, "/double-authentification", "recovery_code_used");
        } else if (outcome.user.must_change_password) {
          Redirect(ctx, "/mot-de-passe", "must_change_password");
        } else {
          Redirect(ctx, next);
        }
      });

  // The user's own page: enrolment (QR code, secret, first code), then its state. A session
  // waiting for a mandatory enrolment reaches this page and sign-out only.
  router.Page(Method::kGet, "/double-authentification", "auth.two_factor", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                RenderTwoFactor(ctx, deps, SafeNext(ctx.req.get_param_value("suite")), {}, 200);
              });

  router.Page(Method::kPost, "/double-authentification", "auth.two_factor", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                const std::string next = SafeNext(form.Get("suite"));
                const auto result =
                    deps.two_factor.ConfirmEnrolment(ctx.actor, text::Trim(form.Get("code")));
                if (!result.errors.empty()) {
                  RenderTwoFactor(ctx, deps, next, result.errors, 422);
                  return;
                }
                if (ctx.session->stage == SessionStage::kEnrolment) {
                  const std::string token = deps.auth.CompleteEnrolment(
                      ReadCookie(ctx.req, kSessionCookie).value_or(""), ctx.actor);
                  SetCookie(ctx.res, kSessionCookie, token, ctx.secure);
                  // The page below belongs to the new session (its menu, its sign-out form).
                  ctx.session = deps.auth.Authenticate(token);
                  if (ctx.session) {
                    ctx.csrf_token = ctx.session->csrf_token;
                  }
                }
                nlohmann::json data;
                nlohmann::json codes = nlohmann::json::array();
                for (const auto& c : result.recovery_codes) {
                  codes.push_back(c);
                }
                data["codes"] = codes;
                data["next"] = next;
                RenderPage(ctx, deps, "recovery_codes", "Vos codes de secours", data, 200);
              });

  // The administrator's reset: the account enrols again at its next sign-in.
  router.Page(Method::kPost, R"(/admin/utilisateurs/(\d+)/double-authentification)",
              "admin.users.reset_two_factor", Permission::kResetTwoFactor,
              [&deps](RequestContext& ctx) {
                const auto id = ParseId(ctx.req.matches[1]);
                deps.two_factor.Reset(ctx.actor, id);
                Redirect(ctx, "/admin/utilisateurs/" + std::to_string(id), "two_factor_reset");
              });
}

}  // namespace allervers::web
