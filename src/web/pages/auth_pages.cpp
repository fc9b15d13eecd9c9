#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "web/cookies.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {

std::string SafeNext(const std::string& next) {
  if (next.empty() || next.size() > 512 || next.front() != '/' ||
      (next.size() > 1 && (next[1] == '/' || next[1] == '\\'))) {
    return "/";
  }
  for (char ch : next) {
    if (static_cast<unsigned char>(ch) < 0x20) {
      return "/";
    }
  }
  return next;
}

namespace {

using service::Permission;

void RenderLogin(RequestContext& ctx, Deps& deps, const std::string& email, const std::string& next,
                 const domain::FieldErrors& errors, int status) {
  nlohmann::json data = ErrorSummary(errors);
  data["email"] = email;
  data["next"] = next;
  RenderPage(ctx, deps, "login", "Connexion", data, status);
}

}  // namespace

void RegisterAuthPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, "/connexion", "auth.sign_in_form", Permission::kPublic,
              [&deps](RequestContext& ctx) {
                if (ctx.session) {
                  Redirect(ctx, "/");
                  return;
                }
                RenderLogin(ctx, deps, "", SafeNext(ctx.req.get_param_value("suite")), {}, 200);
              });

  router.Page(
      Method::kPost, "/connexion", "auth.sign_in", Permission::kPublic,
      [&deps](RequestContext& ctx) {
        const Form form(ctx.req);
        const std::string email = text::Trim(form.Get("email"));
        const std::string password = form.Get("password");
        const std::string next = SafeNext(form.Get("suite"));
        domain::FieldErrors errors;
        if (email.empty()) {
          errors.push_back({"email", "Indiquez votre adresse e-mail."});
        }
        if (password.empty()) {
          errors.push_back({"password", "Indiquez votre mot de passe."});
        }
        if (!errors.empty()) {
          RenderLogin(ctx, deps, email, next, errors, 422);
          return;
        }
        const auto outcome = deps.auth.SignIn(email, password, ctx.actor);
        if (outcome.status == service::SignInStatus::kThrottled) {
          RenderLogin(
              ctx, deps, email, next,
              {{"email",
                "Trop de tentatives de connexion. Patientez 15 minutes avant de réessayer."}},
              429);
          return;
        }
        if (outcome.status != service::SignInStatus::kSuccess) {
          RenderLogin(ctx, deps, email, next,
                      {{"email", "Adresse e-mail ou mot de passe incorrect."}}, 401);
          return;
        }
        SetCookie(ctx.res, kSessionCookie, outcome.session_token, ctx.secure);
        SetCookie(ctx.res, kPreSessionCsrfCookie, "", ctx.secure, CookieLife::kExpireNow);
        if (outcome.stage != service::SessionStage::kFull) {
          // The second step (code, or enrolment) comes before anything else, even a forced
          // password change.
          Redirect(ctx,
                   StagePath(outcome.stage) + (next == "/" ? "" : "?suite=" + UrlEncode(next)));
        } else if (outcome.user.must_change_password) {
          Redirect(ctx, "/mot-de-passe", "must_change_password");
        } else {
          Redirect(ctx, next);
        }
      });

  router.Page(Method::kPost, "/deconnexion", "auth.sign_out", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                if (auto token = ReadCookie(ctx.req, kSessionCookie)) {
                  deps.auth.SignOut(*token, ctx.actor);
                }
                SetCookie(ctx.res, kSessionCookie, "", ctx.secure, CookieLife::kExpireNow);
                Redirect(ctx, "/connexion", "signed_out");
              });

  router.Page(Method::kGet, "/mot-de-passe", "auth.password", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                nlohmann::json data = ErrorSummary({});
                data["forced"] = ctx.session && ctx.session->user.must_change_password;
                RenderPage(ctx, deps, "password", "Changer mon mot de passe", data);
              });

  router.Page(Method::kPost, "/mot-de-passe", "auth.password", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                const auto result = deps.auth.ChangePassword(
                    ctx.actor, form.Get("current_password"), form.Get("new_password"),
                    form.Get("confirm_password"));
                if (!result.errors.empty()) {
                  nlohmann::json data = ErrorSummary(result.errors);
                  data["forced"] = ctx.session && ctx.session->user.must_change_password;
                  RenderPage(ctx, deps, "password", "Changer mon mot de passe", data, 422);
                  return;
                }
                SetCookie(ctx.res, kSessionCookie, result.session_token, ctx.secure);
                Redirect(ctx, "/", "password_changed");
              });
}

}  // namespace allervers::web
