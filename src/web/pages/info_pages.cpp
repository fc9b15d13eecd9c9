#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "domain/letter.hpp"
#include "service/permissions.hpp"
#include "service/referral_service.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using service::Permission;

// What each role finds on its home page: the first steps of its daily work.
nlohmann::json RoleIntro(domain::Role role) {
  switch (role) {
    case domain::Role::kIntervenant:
      return "Retrouvez ici les personnes qui vous sont confiées, vos rendez-vous et vos démarches "
             "en cours.";
    case domain::Role::kCoordinateur:
      return "Répartissez les fiches de liaison reçues, suivez l’activité de l’équipe et préparez "
             "les bilans.";
    case domain::Role::kPrescripteur:
      return "Orientez une personne vers l’équipe mobile numérique et suivez les fiches de liaison "
             "de votre "
             "structure.";
    case domain::Role::kPilote:
      return "Consultez les indicateurs de l’action et les bilans trimestriels.";
    case domain::Role::kAdmin:
      return "Gérez les structures, les comptes et les référentiels de la plateforme.";
  }
  return "";
}

}  // namespace

void RegisterInfoPages(Router& router, Deps& deps) {
  router.Page(Method::kGet, "/", "home", Permission::kSignedIn, [&deps](RequestContext& ctx) {
    const auto& user = ctx.session->user;
    nlohmann::json data;
    data["display_name"] = user.display_name;
    data["intro"] = RoleIntro(user.role);
    data["role_label"] = std::string(domain::RoleLabel(user.role));
    data["structure_name"] = user.structure_name;
    nlohmann::json links = nlohmann::json::array();
    if (service::Allows(ctx.actor, Permission::kViewAgenda)) {
      // The day ahead: one's own appointments (the whole team's for a coordinator).
      service::AgendaQuery q;
      const LocalDate today = paris::Today(deps.clock.Now());
      q.from = paris::FromLocal(today, 0, 0);
      q.to = paris::FromLocal(AddDays(today, 1), 0, 0);
      q.planned_only = true;
      if (user.role == domain::Role::kIntervenant) {
        q.worker = user.id;
      }
      nlohmann::json day = nlohmann::json::array();
      for (const auto& r : deps.appointments.Agenda(ctx.actor, q)) {
        day.push_back(
            {{"href", "/rendez-vous/" + std::to_string(r.appointment.id)},
             {"time", paris::FormatTime(r.appointment.starts_at)},
             {"person", service::DisplayName(r.person_last_name, r.person_first_names)},
             {"place", r.appointment.city},
             {"workers", r.appointment.worker_names.empty() ? std::string()
                                                            : r.appointment.worker_names.front()}});
      }
      data["today"] = {
          {"label", paris::FormatLongDate(today)}, {"appointments", day}, {"empty", day.empty()}};
      links.push_back(
          {{"href", "/agenda"},
           {"label", "Agenda"},
           {"text", "Les rendez-vous de la semaine, la feuille de route et les courriers."}});
      links.push_back(
          {{"href", "/triage"},
           {"label", "Fiches reçues"},
           {"text", "Les personnes orientées vers l’équipe, à contacter et à suivre."}});
    }
    if (service::Allows(ctx.actor, Permission::kViewCases)) {
      // What is due: one's own cases for an intervenant, the team's for a coordinator.
      const bool own = user.role == domain::Role::kIntervenant;
      const auto items =
          deps.cases.Due(ctx.actor, own ? std::optional<domain::UserId>(user.id) : std::nullopt);
      constexpr std::size_t kShown = 8;
      std::size_t overdue = 0;
      for (const auto& i : items) {
        overdue += i.action.overdue ? 1 : 0;
      }
      const std::vector<service::DueItem> first(
          items.begin(),
          items.begin() + static_cast<std::ptrdiff_t>(std::min(kShown, items.size())));
      data["due"] = {{"items", DueItemsJson(first)},
                     {"empty", items.empty()},
                     {"count", items.size()},
                     {"overdue", overdue},
                     {"more", items.size() > kShown},
                     {"own", own},
                     {"href", own ? "/echeances" : "/echeances?intervenant=equipe"}};
    }
    if (service::Allows(ctx.actor, Permission::kExportActivity)) {
      links.push_back({{"href", "/activite/export-coop"},
                       {"label", "Export pour La Coop"},
                       {"text",
                        "Votre activité dans les colonnes de La Coop de la médiation "
                        "numérique, sans la saisir deux fois."}});
    }
    if (service::Allows(ctx.actor, Permission::kViewIndicators)) {
      links.push_back(
          {{"href", "/indicateurs"},
           {"label", "Indicateurs"},
           {"text", "Les chiffres de l’action, les objectifs et le bilan trimestriel."}});
    }
    if (service::Allows(ctx.actor, Permission::kRespondTripartite)) {
      int pending = 0;
      for (const auto& r : deps.appointments.Invitations(ctx.actor, deps.clock.Now())) {
        pending += r.appointment.referrer_response == domain::ReferrerResponse::kPending ? 1 : 0;
      }
      links.push_back(
          {{"href", "/invitations"},
           {"label", "Rendez-vous tripartites"},
           {"text", pending == 0 ? std::string("Aucune invitation en attente de réponse.")
                    : pending == 1
                        ? std::string("1 invitation attend votre réponse.")
                        : std::to_string(pending) + " invitations attendent votre réponse."}});
    }
    if (service::Allows(ctx.actor, Permission::kManageStructures)) {
      links.push_back(
          {{"href", "/admin/structures"},
           {"label", "Structures"},
           {"text", "L’opérateur, les territoires du service social et les partenaires."}});
    }
    if (service::Allows(ctx.actor, Permission::kManageUsers)) {
      links.push_back({{"href", "/admin/utilisateurs"},
                       {"label", user.role == domain::Role::kAdmin ? "Comptes" : "Mon équipe"},
                       {"text", "Créer, modifier et désactiver des comptes."}});
    }
    if (service::Allows(ctx.actor, Permission::kViewAudit)) {
      links.push_back({{"href", "/admin/journal"},
                       {"label", "Journal d’audit"},
                       {"text", "Qui a fait quoi, et quand."}});
    }
    links.push_back({{"href", "/mot-de-passe"},
                     {"label", "Mon mot de passe"},
                     {"text", "Changer votre mot de passe."}});
    links.push_back({{"href", "/double-authentification"},
                     {"label", "Double authentification"},
                     {"text", "Un code de votre téléphone en plus du mot de passe."}});
    data["links"] = links;
    RenderPage(ctx, deps, "home", "Accueil", data);
  });

  router.Page(Method::kGet, "/accessibilite", "info.accessibility", Permission::kPublic,
              [&deps](RequestContext& ctx) {
                RenderPage(ctx, deps, "accessibility", "Accessibilité", {});
              });

  router.Page(Method::kGet, "/confidentialite", "info.privacy", Permission::kPublic,
              [&deps](RequestContext& ctx) {
                const auto policy = deps.retention.Policy();
                RenderPage(
                    ctx, deps, "privacy", "Mentions légales et données personnelles",
                    {{"retention", domain::MonthsInWords(policy.months)},
                     {"retention_unaccepted", domain::MonthsInWords(policy.unaccepted_months)},
                     {"retention_audit", domain::MonthsInWords(policy.audit_months)}});
              });
}

}  // namespace allervers::web
