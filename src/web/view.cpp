#include "web/view.hpp"

#include <algorithm>
#include <array>

#include "service/permissions.hpp"
#include "web/cookies.hpp"
#include "web/http_error.hpp"

namespace allervers::web {
namespace {

struct NavItem {
  const char* label;
  const char* href;
  service::Permission permission;
};

// The navigation, filtered per role by the permissions module.
constexpr std::array<NavItem, 18> kNav = {{
    {"Accueil", "/", service::Permission::kSignedIn},
    {"Orienter une personne", "/fiches/nouvelle", service::Permission::kSubmitReferral},
    {"Mes fiches", "/fiches", service::Permission::kReadOwnReferrals},
    {"Fiches reçues", "/triage", service::Permission::kViewCases},
    {"Échéances", "/echeances", service::Permission::kViewCases},
    {"Agenda", "/agenda", service::Permission::kViewAgenda},
    {"Partenaires", "/partenaires", service::Permission::kViewPartners},
    {"Indicateurs", "/indicateurs", service::Permission::kViewIndicators},
    {"Bilans trimestriels", "/bilans-trimestriels", service::Permission::kReadQuarterlyReports},
    {"Rendez-vous tripartites", "/invitations", service::Permission::kRespondTripartite},
    {"Import CSV", "/import", service::Permission::kImportReferrals},
    {"Structures", "/admin/structures", service::Permission::kManageStructures},
    {"Comptes", "/admin/utilisateurs", service::Permission::kManageUsers},
    {"Référentiels", "/admin/referentiels", service::Permission::kViewReferenceData},
    {"Réglages", "/admin/reglages", service::Permission::kManageStructures},
    {"Conservation", "/admin/conservation", service::Permission::kRunRetention},
    {"Jetons d’API", "/admin/jetons", service::Permission::kManageApiTokens},
    {"Journal d’audit", "/admin/journal", service::Permission::kViewAudit},
}};

struct Flash {
  std::string_view code;
  std::string_view message;
};

// Messages carried across a redirect by code: the cookie never holds free text.
constexpr std::array<Flash, 59> kFlashes = {{
    {"notice_recorded", "La remise de la notice d’information est notée."},
    {"rights_request_saved", "La demande est enregistrée ; la réponse est due dans un mois."},
    {"rights_request_answered", "La réponse à la demande est enregistrée."},
    {"person_erased",
     "La personne est anonymisée : son identité et les textes libres sont effacés."},
    {"retention_done", "La purge est faite : son rapport est en tête du tableau."},
    {"retention_simulated",
     "Simulation faite, rien n’a été changé : ses chiffres sont en tête du tableau."},
    {"settings_saved", "Les réglages sont enregistrés."},
    {"steering_saved", "Le texte du bilan trimestriel est enregistré."},
    {"orientation_saved", "L’orientation est enregistrée."},
    {"feedback_sent", "Le retour est envoyé : le prescripteur le lit sur la page de la fiche."},
    {"review_saved", "Le point d’étape est enregistré."},
    {"follow_mode_saved", "Le partage du suivi est enregistré."},
    {"quarterly_sent", "Le bilan trimestriel est transmis au ou à la responsable de territoire."},
    {"orientation_updated", "Le suivi de l’orientation est enregistré."},
    {"case_closed", "L’accompagnement est clôturé. Le prescripteur en est informé."},
    {"case_reopened", "L’accompagnement est rouvert ; son historique est conservé."},
    {"procedure_opened", "La démarche est ouverte, avec la liste des pièces à réunir."},
    {"procedure_saved", "La démarche est enregistrée."},
    {"mandate_saved", "Le mandat Aidants Connect est enregistré."},
    {"mandate_revoked", "Le mandat est révoqué à la date d’aujourd’hui."},
    {"note_saved", "La note est enregistrée."},
    {"intervention_saved", "L’intervention est enregistrée."},
    {"assessment_step_saved", "L’étape est enregistrée."},
    {"assessment_completed",
     "Le bilan est terminé ; son niveau est enregistré avec la version de la grille."},
    {"assessment_saved", "Le bilan est enregistré."},
    {"contact_saved", "La tentative de contact est enregistrée."},
    {"appointment_saved",
     "Le rendez-vous est enregistré. Les rappels sont programmés selon les préférences de la "
     "personne."},
    {"appointment_moved", "Le rendez-vous est déplacé ; les rappels sont reprogrammés."},
    {"appointment_postponed", "Le rendez-vous est reporté. Voici le nouveau rendez-vous."},
    {"appointment_outcome", "Le résultat du rendez-vous est enregistré."},
    {"invitation_answered", "Votre réponse est transmise à l’équipe mobile."},
    {"feed_revoked", "L’adresse de votre calendrier est désactivée."},
    {"person_saved",
     "La fiche de la personne est enregistrée ; les anciennes valeurs sont dans l’historique."},
    {"draft_saved",
     "Le brouillon est enregistré. Vous pourrez le reprendre depuis « Mes fiches »."},
    {"draft_deleted", "Le brouillon a été supprimé."},
    {"referral_withdrawn", "La fiche a été retirée. L’équipe mobile en est informée."},
    {"referral_accepted", "La fiche est acceptée et confiée. Le prescripteur est informé."},
    {"referral_reassigned", "La fiche est confiée à un autre membre de l’équipe."},
    {"referral_not_receivable",
     "La fiche est déclarée non recevable. Le prescripteur est informé du motif."},
    {"referral_redirected", "La fiche est réorientée. Le prescripteur est informé."},
    {"identity_linked",
     "La fiche est rattachée à la personne déjà connue ; les deux historiques sont conservés."},
    {"identity_new", "La personne est confirmée comme nouvelle."},
    {"import_cancelled", "L’import est annulé ; le fichier a été supprimé."},
    {"token_revoked", "Le jeton est révoqué : il ne donne plus accès à l’API."},
    {"import_nothing", "Aucune ligne valide : rien n’a été importé."},
    {"signed_out", "Vous êtes déconnecté·e."},
    {"password_changed", "Votre mot de passe a été changé."},
    {"structure_created", "La structure a été créée."},
    {"structure_saved", "La structure a été enregistrée."},
    {"structure_disabled", "La structure a été désactivée."},
    {"structure_enabled", "La structure a été réactivée."},
    {"user_saved", "Le compte a été enregistré."},
    {"user_disabled", "Le compte a été désactivé et ses sessions fermées."},
    {"user_enabled", "Le compte a été réactivé."},
    {"session_expired", "Votre session a expiré. Connectez-vous à nouveau."},
    {"must_change_password", "Choisissez un mot de passe personnel avant de continuer."},
    {"signed_in", "Vous êtes connecté·e."},
    {"recovery_code_used",
     "Vous êtes connecté·e avec un code de secours : il ne servira plus. Le nombre de codes "
     "qui vous restent est indiqué ci-dessous."},
    {"two_factor_reset",
     "La double authentification de ce compte est réinitialisée et ses sessions sont fermées. "
     "À sa prochaine connexion, la personne l’activera de nouveau."},
}};

std::string_view FlashMessage(std::string_view code) {
  for (const auto& f : kFlashes) {
    if (f.code == code) {
      return f.message;
    }
  }
  return {};
}

// The most specific navigation entry matching the path is the current one.
std::string_view CurrentHref(const std::string& path) {
  std::string_view best;
  for (const auto& item : kNav) {
    const std::string_view href = item.href;
    const bool match =
        href == "/" ? path == "/" : (path == href || path.starts_with(std::string(href) + "/"));
    if (match && href.size() > best.size()) {
      best = href;
    }
  }
  return best;
}

nlohmann::json LayoutData(const RequestContext& ctx, const Deps& deps, std::string_view title) {
  nlohmann::json layout;
  layout["page_title"] = title;
  layout["csrf_token"] = ctx.csrf_token;
  layout["asset_version"] = deps.asset_version;
  layout["request_id"] = ctx.request_id;
  if (ctx.session) {
    const auto& u = ctx.session->user;
    layout["current_user"] = {{"display_name", u.display_name},
                              {"role_label", std::string(domain::RoleLabel(u.role))},
                              {"structure_name", u.structure_name}};
    nlohmann::json nav = nlohmann::json::array();
    if (!u.must_change_password && ctx.session->stage == service::SessionStage::kFull) {
      const std::string_view current = CurrentHref(ctx.req.path);
      for (const auto& item : kNav) {
        if (service::Allows(ctx.actor, item.permission)) {
          nav.push_back(
              {{"label", item.label}, {"href", item.href}, {"current", current == item.href}});
        }
      }
    }
    layout["has_nav"] = !nav.empty();
    layout["nav"] = nav;
  }
  if (auto message = FlashMessage(ctx.flash); !message.empty()) {
    layout["flash"] = message;
  }
  return layout;
}

}  // namespace

std::string FieldId(std::string_view field) {
  std::string id = "f-";
  for (char ch : field) {
    id.push_back(ch == '.' || ch == '[' || ch == ']' ? '-' : ch);
  }
  return id;
}

nlohmann::json ErrorSummary(const domain::FieldErrors& errors) {
  nlohmann::json out;
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json by_field = nlohmann::json::object();
  for (const auto& e : errors) {
    list.push_back(
        {{"field", e.field}, {"message", e.message}, {"anchor", "#" + FieldId(e.field)}});
    // Templates read field_errors.<name>; dots would be taken as nesting by mustache, so
    // "person.last_name" is keyed "person-last_name".
    std::string key = e.field;
    std::replace(key.begin(), key.end(), '.', '-');
    if (!by_field.contains(key)) {
      by_field[key] = e.message;
    }
  }
  out["errors"] = list;
  out["field_errors"] = by_field;
  out["has_errors"] = !errors.empty();
  out["error_count"] = errors.size();
  out["error_count_plural"] = errors.size() > 1;
  return out;
}

void RenderPage(RequestContext& ctx, const Deps& deps, std::string_view page,
                std::string_view title, nlohmann::json data, int status) {
  nlohmann::json merged = LayoutData(ctx, deps, title);
  if (data.is_object()) {
    for (auto& [key, value] : data.items()) {
      merged[key] = std::move(value);
    }
  }
  if (!ctx.flash.empty()) {
    SetCookie(ctx.res, kFlashCookie, "", ctx.secure, CookieLife::kExpireNow);
  }
  ctx.res.status = status;
  ctx.res.set_content(deps.templates.RenderPage(page, merged), "text/html; charset=utf-8");
}

void RenderError(RequestContext& ctx, const Deps& deps, int status, const std::string& message) {
  ctx.res.status = status;
  if (ctx.req.path.starts_with("/api/")) {
    nlohmann::json body;
    const char* code = status == 404   ? "not_found"
                       : status == 401 ? "unauthenticated"
                       : status == 403 ? "permission_denied"
                       : status == 409 ? "conflict"
                       : status == 413 ? "payload_too_large"
                       : status == 503 ? "unavailable"
                       : status >= 500 ? "internal"
                                       : "invalid_argument";
    body["error"] = {{"code", code}, {"message", message}, {"request_id", ctx.request_id}};
    // Messages may quote input: invalid UTF-8 is replaced rather than making dump() throw.
    ctx.res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                        "application/json; charset=utf-8");
    return;
  }
  nlohmann::json data;
  data["status"] = status;
  data["title"] = StatusTitle(status);
  data["message"] = message;
  data["not_found"] = status == 404;
  data["forbidden"] = status == 403;
  ctx.res.set_content(deps.templates.RenderPage("error",
                                                [&] {
                                                  nlohmann::json merged =
                                                      LayoutData(ctx, deps, StatusTitle(status));
                                                  merged.update(data);
                                                  return merged;
                                                }()),
                      "text/html; charset=utf-8");
}

void Redirect(RequestContext& ctx, const std::string& location, std::string_view flash_code) {
  ctx.res.status = 303;
  ctx.res.set_header("Location", location);
  if (!flash_code.empty()) {
    SetCookie(ctx.res, kFlashCookie, flash_code, ctx.secure);
  }
}

nlohmann::json VocabularyChoices(const domain::Vocabulary& v,
                                 const std::vector<std::string>& selected,
                                 const std::string& prefix) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : v.items) {
    out.push_back(
        {{"value", c.code},
         {"label", c.label},
         {"id", prefix + "-" + c.code},
         {"checked", std::find(selected.begin(), selected.end(), c.code) != selected.end()}});
  }
  return out;
}

}  // namespace allervers::web
