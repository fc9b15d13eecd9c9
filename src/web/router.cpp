#include "web/router.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/error.hpp"
#include "web/cookies.hpp"
#include "web/forms.hpp"
#include "web/http_error.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

std::string ClientAddress(const httplib::Request& req, bool trust_proxy) {
  if (trust_proxy) {
    // The proxy appends the address it saw; earlier entries are client-supplied.
    std::string forwarded = req.get_header_value("X-Forwarded-For");
    if (!forwarded.empty()) {
      const auto comma = forwarded.rfind(',');
      std::string last = comma == std::string::npos ? forwarded : forwarded.substr(comma + 1);
      while (!last.empty() && last.front() == ' ') {
        last.erase(0, 1);
      }
      if (!last.empty() && last.size() <= 64) {
        return last;
      }
    }
  }
  return req.remote_addr;
}

bool IsStateChanging(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// Only same-site relative paths are followed after sign-in, never another origin.
bool IsSafeLocalPath(const std::string& path) {
  return !path.empty() && path.front() == '/' &&
         (path.size() == 1 || (path[1] != '/' && path[1] != '\\'));
}

// The only pages a session still waiting for a step may open.
bool StageAllows(service::SessionStage stage, const std::string& route) {
  if (route == "auth.sign_out") {
    return true;
  }
  switch (stage) {
    case service::SessionStage::kSecondFactor:
      return route == "auth.second_factor";
    case service::SessionStage::kEnrolment:
      return route == "auth.two_factor";
    case service::SessionStage::kFull:
      return true;
  }
  return false;
}

}  // namespace

std::string StagePath(service::SessionStage stage) {
  return stage == service::SessionStage::kEnrolment ? "/double-authentification"
                                                    : "/connexion/code";
}

long long ParseId(const std::string& digits) {
  if (digits.empty() || digits.size() > 18) {
    throw Error(ErrorCode::kNotFound, "Cette page n’existe pas.");
  }
  long long value = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') {
      throw Error(ErrorCode::kNotFound, "Cette page n’existe pas.");
    }
    value = value * 10 + (ch - '0');
  }
  return value;
}

void Router::Page(Method method, const std::string& pattern, std::string name,
                  service::Permission permission, Handler handler) {
  auto route = std::make_shared<Route>(Route{std::move(name), permission, std::move(handler)});
  auto fn = [this, route](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res, *route);
  };
  if (method == Method::kGet) {
    server_.Get(pattern, fn);
  } else {
    server_.Post(pattern, fn);
  }
}

void Router::Prepare(RequestContext& ctx) {
  ctx.request_id = deps_.tokens.NewToken(9);
  ctx.ip = ClientAddress(ctx.req, deps_.trust_proxy);
  ctx.secure =
      deps_.tls || (deps_.trust_proxy && ctx.req.get_header_value("X-Forwarded-Proto") == "https");
  ctx.actor = service::Actor::Anonymous(ctx.request_id, ctx.ip);
  ctx.res.set_header("X-Request-Id", ctx.request_id);
  if (ctx.secure) {
    ctx.res.set_header("Strict-Transport-Security", "max-age=31536000");
  }
  ctx.res.set_header("Cache-Control", "no-store");
  if (auto flash = ReadCookie(ctx.req, kFlashCookie); flash && flash->size() <= 40) {
    ctx.flash = *flash;
  }
  if (auto token = ReadCookie(ctx.req, kSessionCookie)) {
    ctx.session = deps_.auth.Authenticate(*token);
    if (ctx.session && !StageAllows(ctx.session->stage, ctx.route)) {
      // Waiting for its second factor or its enrolment: anywhere else, this request is
      // anonymous (and sent back to that step when the page needs a signed-in user).
      ctx.pending_stage = ctx.session->stage;
      ctx.session.reset();
    } else if (ctx.session) {
      ctx.actor = service::Actor::ForUser(ctx.session->user, ctx.request_id, ctx.ip);
      ctx.csrf_token = ctx.session->csrf_token;
    } else {
      SetCookie(ctx.res, kSessionCookie, "", ctx.secure, CookieLife::kExpireNow);
    }
  }
  if (!ctx.session) {
    // Anonymous forms (sign-in) are protected by a double-submit token.
    auto pre = ReadCookie(ctx.req, kPreSessionCsrfCookie);
    if (pre && pre->size() >= 20 && pre->size() <= 64) {
      ctx.csrf_token = *pre;
    } else {
      ctx.csrf_token = deps_.tokens.NewToken(24);
      SetCookie(ctx.res, kPreSessionCsrfCookie, ctx.csrf_token, ctx.secure);
    }
  }
}

void Router::Handle(const httplib::Request& req, httplib::Response& res, const Route& route) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext ctx(req, res);
  ctx.route = route.name;
  try {
    Prepare(ctx);
    const bool is_public = route.permission == service::Permission::kPublic;
    if (!is_public && !ctx.session && ctx.pending_stage) {
      Redirect(ctx, StagePath(*ctx.pending_stage));
    } else if (!is_public && !ctx.session) {
      const bool had_cookie = ReadCookie(req, kSessionCookie).has_value();
      std::string target = "/connexion";
      if (req.method == "GET" && IsSafeLocalPath(req.path) && req.path != "/") {
        target += "?suite=" + UrlEncode(req.path);
      }
      Redirect(ctx, target, had_cookie ? "session_expired" : "");
    } else if (ctx.session && ctx.session->stage == service::SessionStage::kFull &&
               ctx.session->user.must_change_password && route.name != "auth.password" &&
               route.name != "auth.sign_out" && !is_public) {
      Redirect(ctx, "/mot-de-passe", "must_change_password");
    } else if (IsStateChanging(req.method) &&
               !deps_.tokens.Equal(Form(req).Get("_csrf"), ctx.csrf_token)) {
      RenderError(
          ctx, deps_, 403,
          "Cette page a expiré ou n’a pas été envoyée depuis Allervers. Revenez en arrière, "
          "rechargez la page et recommencez.");
    } else if (!service::Allows(ctx.actor, route.permission)) {
      RenderError(ctx, deps_, 403, "Votre rôle ne donne pas accès à cette page.");
    } else {
      route.handler(ctx);
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInternal || e.code() == ErrorCode::kUnavailable) {
      spdlog::error("event=http.error route={} request_id={} code={} detail=\"{}\"", ctx.route,
                    ctx.request_id, ErrorCodeName(e.code()), e.what());
    }
    if (e.code() == ErrorCode::kUnauthenticated && !req.path.starts_with("/api/")) {
      Redirect(ctx, "/connexion");
    } else {
      RenderError(ctx, deps_, HttpStatus(e.code()), e.public_message());
    }
  } catch (const std::exception& e) {
    spdlog::error("event=http.error route={} request_id={} code=internal detail=\"{}\"", ctx.route,
                  ctx.request_id, e.what());
    RenderError(ctx, deps_, 500,
                "Une erreur inattendue s’est produite. Rien n’a été perdu de ce qui était déjà "
                "enregistré.");
  }
  Log(ctx, started);
}

void Router::Log(const RequestContext& ctx, std::chrono::steady_clock::time_point started) {
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  std::string who = "-";
  if (ctx.actor.is_user()) {
    who = std::to_string(ctx.actor.user_id);
  } else if (ctx.actor.is_api()) {
    who = "token:" + std::to_string(ctx.actor.token_id);
  }
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveRequest(ctx.route, ctx.req.method, ctx.res.status,
                                  static_cast<double>(elapsed.count()) / 1e6);
  }
  spdlog::info(
      "event=http.request method={} route={} status={} duration_ms={:.2f} request_id={} user={}",
      ctx.req.method, ctx.route, ctx.res.status, static_cast<double>(elapsed.count()) / 1000.0,
      ctx.request_id, who);
}

void Router::Api(Method method, const std::string& pattern, std::string name,
                 service::Permission permission, Handler handler) {
  auto route = std::make_shared<Route>(Route{std::move(name), permission, std::move(handler)});
  auto fn = [this, route](const httplib::Request& req, httplib::Response& res) {
    HandleApi(req, res, *route);
  };
  if (method == Method::kGet) {
    server_.Get(pattern, fn);
  } else {
    server_.Post(pattern, fn);
  }
}

void Router::HandleApi(const httplib::Request& req, httplib::Response& res, const Route& route) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext ctx(req, res);
  ctx.route = route.name;
  ctx.request_id = deps_.tokens.NewToken(9);
  ctx.ip = ClientAddress(req, deps_.trust_proxy);
  ctx.actor = service::Actor::Anonymous(ctx.request_id, ctx.ip);
  res.set_header("X-Request-Id", ctx.request_id);
  res.set_header("Cache-Control", "no-store");
  try {
    auto client = deps_.api_tokens.Authenticate(req.get_header_value("Authorization"),
                                                ctx.request_id, ctx.ip);
    if (!client) {
      res.set_header("WWW-Authenticate", "Bearer");
      RenderError(ctx, deps_, 401, "Jeton d’API absent, inconnu ou révoqué.");
    } else {
      ctx.actor = *client;
      if (!service::Allows(ctx.actor, route.permission)) {
        RenderError(ctx, deps_, 403, "Ce jeton n’a pas la portée nécessaire.");
      } else {
        route.handler(ctx);
      }
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInternal || e.code() == ErrorCode::kUnavailable) {
      spdlog::error("event=http.error route={} request_id={} code={} detail=\"{}\"", ctx.route,
                    ctx.request_id, ErrorCodeName(e.code()), e.what());
    }
    RenderError(ctx, deps_, HttpStatus(e.code()), e.public_message());
  } catch (const std::exception& e) {
    spdlog::error("event=http.error route={} request_id={} code=internal detail=\"{}\"", ctx.route,
                  ctx.request_id, e.what());
    RenderError(ctx, deps_, 500, "Erreur interne.");
  }
  Log(ctx, started);
}

void Router::InstallFallbacks() {
  server_.set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string detail = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          detail = e.what();
        } catch (...) {
          detail = "non-standard exception";
        }
        spdlog::error("event=http.unhandled_exception path_length={} detail=\"{}\"",
                      req.path.size(), detail);
        RequestContext ctx(req, res);
        ctx.request_id = deps_.tokens.NewToken(9);
        res.set_header("X-Request-Id", ctx.request_id);
        res.set_header("Cache-Control", "no-store");
        RenderError(ctx, deps_, 500, "Une erreur inattendue s’est produite.");
        if (deps_.metrics != nullptr) {
          deps_.metrics->ObserveRequest("unhandled", req.method, 500, -1);
        }
      });
  server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) {
      return;  // a handler already wrote its own error body
    }
    RequestContext ctx(req, res);
    ctx.request_id = deps_.tokens.NewToken(9);
    ctx.route = "fallback";
    res.set_header("X-Request-Id", ctx.request_id);
    res.set_header("Cache-Control", "no-store");
    const int status = res.status;
    std::string message = "Cette page n’existe pas. Vérifiez l’adresse ou revenez à l’accueil.";
    if (status == 413) {
      message = "L’envoi est trop volumineux. Réduisez la taille des fichiers ou du texte.";
    } else if (status == 400) {
      message = "La demande n’a pas pu être lue. Rechargez la page et recommencez.";
    } else if (status == 405) {
      message = "Cette action n’est pas permise à cette adresse.";
    } else if (status >= 500) {
      message = "Une erreur inattendue s’est produite.";
    }
    // A signed-in visitor keeps their header and menu on a 404 page. The session is read on a
    // best-effort basis: the fallback must still answer when the database does not.
    if (status == 404 && !req.path.starts_with("/api/")) {
      try {
        if (auto token = ReadCookie(req, kSessionCookie)) {
          ctx.session = deps_.auth.Authenticate(*token);
          if (ctx.session && ctx.session->stage != service::SessionStage::kFull) {
            ctx.session.reset();
          }
          if (ctx.session) {
            ctx.actor = service::Actor::ForUser(ctx.session->user, ctx.request_id, req.remote_addr);
            ctx.csrf_token = ctx.session->csrf_token;
          }
        }
      } catch (const std::exception& e) {
        spdlog::warn("event=http.fallback_session_failed detail=\"{}\"", e.what());
      }
    }
    RenderError(ctx, deps_, status, message);
    if (deps_.metrics != nullptr) {
      deps_.metrics->ObserveRequest("fallback", req.method, status, -1);
    }
    spdlog::info("event=http.request method={} route=fallback status={} request_id={}", req.method,
                 status, ctx.request_id);
  });
}

}  // namespace allervers::web
