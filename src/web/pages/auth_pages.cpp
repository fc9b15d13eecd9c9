#include <nlohmann/json.hpp>

#include "common/error.hpp"
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
  if (const auto* provider = deps.auth.identity_provider()) {
    data["provider_name"] = provider->name();
    data["provider_href"] =
        "/connexion/proconnect" + (next == "/" ? std::string() : "?suite=" + UrlEncode(next));
  }
  RenderPage(ctx, deps, "login", "Connexion", data, status);
}

// Where a signed-in session goes first: the second step, a forced password change, or `next`.
void EnterSession(RequestContext& ctx, const std::string& token, service::SessionStage stage,
                  bool must_change_password, const std::string& next) {
  SetCookie(ctx.res, kSessionCookie, token, ctx.secure);
  SetCookie(ctx.res, kPreSessionCsrfCookie, "", ctx.secure, CookieLife::kExpireNow);
  if (stage != service::SessionStage::kFull) {
    // The second step (code, or enrolment) comes before anything else, even a forced
    // password change.
    Redirect(ctx, StagePath(stage) + (next == "/" ? "" : "?suite=" + UrlEncode(next)));
  } else if (must_change_password) {
    Redirect(ctx, "/mot-de-passe", "must_change_password");
  } else {
    Redirect(ctx, next);
  }
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
        EnterSession(ctx, outcome.session_token, outcome.stage, outcome.user.must_change_password,
                     next);
      });

  // ProConnect (OpenID Connect): to the provider, then back here with its answer.
  router.Page(Method::kGet, "/connexion/proconnect", "auth.external_start", Permission::kPublic,
              [&deps](RequestContext& ctx) {
                if (ctx.session) {
                  Redirect(ctx, "/");
                  return;
                }
                const std::string next = SafeNext(ctx.req.get_param_value("suite"));
                try {
                  Redirect(ctx, deps.auth.StartExternalSignIn(next, ctx.actor));
                } catch (const Error& e) {
                  if (e.code() != ErrorCode::kUnavailable) {
                    throw;
                  }
                  RenderLogin(ctx, deps, "", next, {{"proconnect", e.public_message()}}, 503);
                }
              });

  router.Page(
      Method::kGet, "/connexion/proconnect/retour", "auth.external_finish", Permission::kPublic,
      [&deps](RequestContext& ctx) {
        if (ctx.session) {
          Redirect(ctx, "/");
          return;
        }
        const auto outcome = deps.auth.FinishExternalSignIn(
            ctx.req.get_param_value("state"), ctx.req.get_param_value("code"),
            ctx.req.get_param_value("error"), ctx.actor);
        const std::string next = SafeNext(outcome.return_to);
        const std::string name = deps.auth.identity_provider() != nullptr
                                     ? deps.auth.identity_provider()->name()
                                     : std::string("ProConnect");
        switch (outcome.status) {
          case service::ExternalSignInStatus::kSuccess:
            // The password is not what this person typed: no forced change of it here.
            EnterSession(ctx, outcome.session_token, outcome.stage, false, next);
            return;
          case service::ExternalSignInStatus::kNoAccount:
            RenderLogin(ctx, deps, "", next,
                        {{"proconnect",
                          name + " vous a bien identifié avec l’adresse " + outcome.email +
                              ", mais aucun compte Allervers actif n’a cette adresse. Demandez à "
                              "la coordination de l’équipe ou à l’administrateur de la "
                              "plateforme de vous en créer un avec cette adresse."}},
                        403);
            return;
          case service::ExternalSignInStatus::kUnavailable:
            RenderLogin(ctx, deps, "", next,
                        {{"proconnect", name + " ne répond pas pour le moment. Réessayez dans "
                                               "quelques minutes, ou connectez-vous avec votre "
                                               "mot de passe."}},
                        503);
            return;
          case service::ExternalSignInStatus::kRefused:
            break;
        }
        RenderLogin(ctx, deps, "", next,
                    {{"proconnect", "La connexion avec " + name +
                                        " n’a pas abouti (annulée, expirée, déjà utilisée ou "
                                        "refusée). Recommencez ; si cela se reproduit, prévenez "
                                        "l’administrateur de la plateforme."}},
                    400);
      });

  router.Page(Method::kPost, "/deconnexion", "auth.sign_out", Permission::kSignedIn,
              [&deps](RequestContext& ctx) {
                std::string provider_logout;
                if (auto token = ReadCookie(ctx.req, kSessionCookie)) {
                  provider_logout = deps.auth.SignOut(*token, ctx.actor);
                }
                SetCookie(ctx.res, kSessionCookie, "", ctx.secure, CookieLife::kExpireNow);
                // Opened through ProConnect: its session ends too, and it sends the browser
                // back to the sign-in page.
                Redirect(ctx, provider_logout.empty() ? "/connexion" : provider_logout,
                         "signed_out");
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
