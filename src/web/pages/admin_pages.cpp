#include <fmt/format.h>

#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "service/permissions.hpp"
#include "web/forms.hpp"
#include "web/pages/pages.hpp"
#include "web/view.hpp"

namespace allervers::web {
namespace {

using service::Permission;

constexpr std::array<domain::StructureKind, 3> kKinds = {domain::StructureKind::kOperateur,
                                                         domain::StructureKind::kSsd,
                                                         domain::StructureKind::kPartenaire};
constexpr std::array<domain::Role, 5> kRoles = {
    domain::Role::kIntervenant, domain::Role::kCoordinateur, domain::Role::kPrescripteur,
    domain::Role::kPilote, domain::Role::kAdmin};

// ---- structures -------------------------------------------------------------------------

nlohmann::json StructureJson(const domain::Structure& s) {
  return {{"id", s.id},
          {"code", s.code},
          {"name", s.name},
          {"kind", std::string(domain::StructureKindCode(s.kind))},
          {"kind_label", std::string(domain::StructureKindLabel(s.kind))},
          {"territory", s.territory},
          {"active", s.active}};
}

nlohmann::json KindOptions(const std::string& selected) {
  nlohmann::json out = nlohmann::json::array();
  for (auto k : kKinds) {
    const std::string code(domain::StructureKindCode(k));
    out.push_back({{"value", code},
                   {"label", std::string(domain::StructureKindLabel(k))},
                   {"selected", code == selected}});
  }
  return out;
}

domain::StructureInput ReadStructure(const Form& form) {
  return domain::StructureInput{form.Get("code"), form.Get("name"), form.Get("kind"),
                                form.Get("territory")};
}

void RenderStructureForm(RequestContext& ctx, Deps& deps, const domain::StructureInput& in,
                         const domain::FieldErrors& errors,
                         std::optional<domain::Structure> existing, int status) {
  nlohmann::json data = ErrorSummary(errors);
  data["values"] = {{"code", in.code}, {"name", in.name}, {"territory", in.territory}};
  data["kinds"] = KindOptions(in.kind);
  if (existing) {
    data["structure"] = StructureJson(*existing);
    data["action"] = "/admin/structures/" + std::to_string(existing->id);
  } else {
    data["action"] = "/admin/structures/nouvelle";
  }
  RenderPage(ctx, deps, "structure_form", existing ? "Modifier la structure" : "Nouvelle structure",
             data, status);
}

// ---- users --------------------------------------------------------------------------------

nlohmann::json UserJson(const domain::User& u) {
  nlohmann::json j = {{"id", u.id},
                      {"email", u.email},
                      {"display_name", u.display_name},
                      {"role_label", std::string(domain::RoleLabel(u.role))},
                      {"structure_name", u.structure_name},
                      {"active", u.active},
                      {"must_change_password", u.must_change_password}};
  if (u.fte) {
    std::string fte = fmt::format("{:g}", *u.fte);
    for (char& ch : fte) {
      ch = ch == '.' ? ',' : ch;
    }
    j["fte"] = fte;
  }
  if (u.last_sign_in_at) {
    j["last_sign_in"] = paris::FormatDateTime(*u.last_sign_in_at);
  }
  return j;
}

// The audit trail stores stable codes; the page shows them in French.
std::string AuditActionLabel(const std::string& action) {
  static const std::map<std::string, std::string> kLabels = {
      {"auth.sign_in", "Connexion"},
      {"auth.sign_out", "Déconnexion"},
      {"auth.password", "Mot de passe correct, code de vérification attendu"},
      {"auth.second_factor", "Code de vérification (double authentification)"},
      {"auth.external_start", "Départ vers ProConnect"},
      {"auth.external", "Identité confirmée par ProConnect, code de vérification attendu"},
      {"keys.reseal", "Rechiffrement avec une nouvelle clé secrète"},
      {"two_factor.enrol", "Activation de la double authentification"},
      {"two_factor.reset", "Réinitialisation de la double authentification"},
      {"user.create", "Création d’un compte"},
      {"user.update", "Modification d’un compte"},
      {"user.enable", "Réactivation d’un compte"},
      {"user.disable", "Désactivation d’un compte"},
      {"user.reset_password", "Réinitialisation d’un mot de passe"},
      {"user.set_password", "Mot de passe défini en ligne de commande"},
      {"user.change_password", "Changement de son mot de passe"},
      {"structure.create", "Création d’une structure"},
      {"structure.update", "Modification d’une structure"},
      {"structure.enable", "Réactivation d’une structure"},
      {"structure.disable", "Désactivation d’une structure"},
      {"referral.draft_save", "Brouillon de fiche enregistré"},
      {"referral.draft_delete", "Brouillon de fiche supprimé"},
      {"referral.submit", "Fiche de liaison reçue"},
      {"referral.status", "Changement d’état d’une fiche"},
      {"referral.assign", "Fiche confiée à un membre de l’équipe"},
      {"referral.link_person", "Fiche rattachée à une personne connue"},
      {"referral.confirm_new_person", "Nouvelle personne confirmée"},
      {"referral.import", "Import de fiches (CSV)"},
      {"person.merge", "Fusion de deux fiches personne"},
      {"person.update", "Correction d’une fiche personne"},
      {"import.upload", "Fichier CSV déposé"},
      {"import.done", "Import CSV terminé"},
      {"import.cancel", "Import CSV annulé"},
      {"api_token.create", "Création d’un jeton d’API"},
      {"api_token.revoke", "Révocation d’un jeton d’API"},
      {"person.anonymise", "Personne rendue anonyme (durée de conservation passée)"},
      {"referral.anonymise", "Fiche jamais acceptée rendue anonyme"},
      {"referral.draft_expire", "Brouillon abandonné supprimé"},
      {"retention.run", "Purge de conservation"},
      {"retention.dry_run", "Simulation de la purge de conservation"},
  };
  auto it = kLabels.find(action);
  return it == kLabels.end() ? action : it->second;
}

std::string AuditRecordLabel(const std::string& type) {
  static const std::map<std::string, std::string> kLabels = {
      {"user", "compte"},     {"structure", "structure"},      {"referral", "fiche"},
      {"person", "personne"}, {"import_batch", "fichier CSV"}, {"api_token", "jeton d’API"}};
  auto it = kLabels.find(type);
  return it == kLabels.end() ? type : it->second;
}

std::string AuditActorLabel(const service::AuditEvent& e,
                            const std::map<domain::UserId, std::string>& names) {
  if (e.actor_user_id) {
    auto it = names.find(*e.actor_user_id);
    return it == names.end() ? "compte n° " + std::to_string(*e.actor_user_id) : it->second;
  }
  if (e.actor_label == "anonymous") {
    return "Visiteur non connecté";
  }
  if (e.actor_label.starts_with("system:")) {
    return "Allervers (" + e.actor_label.substr(7) + ")";
  }
  if (e.actor_label.starts_with("api:token:")) {
    return "API, jeton n° " + e.actor_label.substr(10);
  }
  return e.actor_label;
}

nlohmann::json RoleOptions(const service::Actor& actor, const std::string& selected) {
  nlohmann::json out = nlohmann::json::array();
  for (auto r : kRoles) {
    const bool allowed = actor.role == domain::Role::kAdmin || r == domain::Role::kIntervenant ||
                         r == domain::Role::kCoordinateur;
    if (!allowed) {
      continue;
    }
    const std::string code(domain::RoleCode(r));
    out.push_back({{"value", code},
                   {"label", std::string(domain::RoleLabel(r))},
                   {"selected", code == selected}});
  }
  return out;
}

domain::UserInput ReadUser(const Form& form) {
  return domain::UserInput{form.Get("email"), form.Get("display_name"), form.Get("role"),
                           form.Get("structure"), form.Get("fte")};
}

domain::UserInput InputOf(const domain::User& u, const std::vector<domain::Structure>& structures) {
  domain::UserInput in;
  in.email = u.email;
  in.display_name = u.display_name;
  in.role = std::string(domain::RoleCode(u.role));
  for (const auto& s : structures) {
    if (u.structure_id == s.id) {
      in.structure_code = s.code;
    }
  }
  if (u.fte) {
    in.fte = fmt::format("{:g}", *u.fte);
    for (char& ch : in.fte) {
      ch = ch == '.' ? ',' : ch;
    }
  }
  return in;
}

void RenderUserForm(RequestContext& ctx, Deps& deps, const domain::UserInput& in,
                    const domain::FieldErrors& errors, std::optional<domain::User> existing,
                    int status) {
  nlohmann::json data = ErrorSummary(errors);
  data["values"] = {{"email", in.email}, {"display_name", in.display_name}, {"fte", in.fte}};
  data["roles"] = RoleOptions(ctx.actor, in.role);
  nlohmann::json structures = nlohmann::json::array();
  const bool is_admin = ctx.actor.role == domain::Role::kAdmin;
  for (const auto& s : deps.users.AssignableStructures(ctx.actor)) {
    structures.push_back(
        {{"value", s.code},
         {"label", s.name + " (" + std::string(domain::StructureKindLabel(s.kind)) + ")"},
         {"selected", s.code == in.structure_code}});
  }
  data["structures"] = structures;
  data["allow_no_structure"] = is_admin;
  if (existing) {
    data["account"] = UserJson(*existing);
    data["action"] = "/admin/utilisateurs/" + std::to_string(existing->id);
    data["is_self"] = ctx.actor.user_id == existing->id;
    if (service::Allows(ctx.actor, service::Permission::kResetTwoFactor)) {
      data["two_factor"] = {{"enrolled", deps.two_factor.IsEnrolled(ctx.actor, existing->id)}};
    }
  } else {
    data["action"] = "/admin/utilisateurs/nouveau";
  }
  RenderPage(ctx, deps, "user_form", existing ? "Modifier le compte" : "Nouveau compte", data,
             status);
}

void RenderTemporaryPassword(RequestContext& ctx, Deps& deps, const domain::User& user,
                             const std::string& password, bool created) {
  nlohmann::json data;
  data["account"] = UserJson(user);
  data["temporary_password"] = password;
  data["created"] = created;
  RenderPage(ctx, deps, "user_password", created ? "Compte créé" : "Mot de passe réinitialisé",
             data, created ? 201 : 200);
}

// The settings form: each setting with its label, its value (or the default) and its error.
void RenderSettings(RequestContext& ctx, Deps& deps,
                    const std::map<std::string, std::string>* typed,
                    const domain::FieldErrors& errors, int status) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : deps.settings.List(ctx.actor)) {
    const auto& d = s.definition;
    std::string value = s.value.value_or(d.default_value);
    if (typed != nullptr && typed->contains(d.key)) {
      value = typed->at(d.key);
    }
    std::string error;
    for (const auto& e : errors) {
      if (e.field == d.key) {
        error = e.message;
      }
    }
    const std::string id = "s-" + d.key;
    std::string hint = d.integer ? "Nombre entier de " + std::to_string(d.min) + " à " +
                                       std::to_string(d.max) + "."
                                 : std::string();
    if (!s.value) {
      hint += (hint.empty() ? "" : " ") + std::string("Valeur par défaut.");
    }
    items.push_back({{"key", d.key},
                     {"id", id},
                     {"label", d.label},
                     {"value", value},
                     {"integer", d.integer},
                     {"min", d.min},
                     {"max", d.max},
                     {"multiline", d.key == "operator.address"},
                     {"max_length", d.max_length},
                     {"hint", hint},
                     {"error", error}});
  }
  nlohmann::json data = {{"settings", items}};
  data.update(ErrorSummary(errors));
  // The summary links to each field by its id.
  for (auto& e : data["errors"]) {
    e["anchor"] = "#s-" + e["field"].get<std::string>();
  }
  RenderPage(ctx, deps, "settings", "Réglages", data, status);
}

void RenderRetention(RequestContext& ctx, Deps& deps) {
  const auto policy = deps.retention.Policy();
  nlohmann::json runs = nlohmann::json::array();
  static const std::map<std::string, std::string> kRunBy = {{"daily", "Tâche de chaque nuit"},
                                                            {"command", "Ligne de commande"},
                                                            {"admin", "Administrateur"}};
  for (const auto& r : deps.retention.Runs(ctx.actor)) {
    runs.push_back({{"started", paris::FormatDateTime(r.started_at)},
                    {"run_by", kRunBy.contains(r.run_by) ? kRunBy.at(r.run_by) : r.run_by},
                    {"dry_run", r.dry_run},
                    {"failed", r.outcome != "success"},
                    {"error", r.error},
                    {"persons", r.persons},
                    {"referrals", r.referrals},
                    {"drafts", r.drafts},
                    {"files", r.imports + r.api_replays},
                    {"stale_open", r.stale_open},
                    {"audit_rows", r.audit_rows}});
  }
  RenderPage(ctx, deps, "retention", "Conservation des données",
             {{"months_text", domain::MonthsInWords(policy.months)},
              {"unaccepted_text", domain::MonthsInWords(policy.unaccepted_months)},
              {"audit_text", domain::MonthsInWords(policy.audit_months)},
              {"audit_cutoff", paris::FormatDate(policy.cutoffs.audit)},
              {"person_cutoff", paris::FormatDate(policy.cutoffs.persons)},
              {"unaccepted_cutoff", paris::FormatDate(policy.cutoffs.unaccepted)},
              {"runs", runs},
              {"empty", runs.empty()}});
}

}  // namespace

void RegisterAdminPages(Router& router, Deps& deps) {
  // Retention: the rule in force, the reports of the last runs, a run or a dry run on demand.
  router.Page(Method::kGet, "/admin/conservation", "admin.retention", Permission::kRunRetention,
              [&deps](RequestContext& ctx) { RenderRetention(ctx, deps); });
  router.Page(Method::kPost, "/admin/conservation/simulation", "admin.retention.dry_run",
              Permission::kRunRetention, [&deps](RequestContext& ctx) {
                deps.retention.Run(ctx.actor, true, "admin");
                Redirect(ctx, "/admin/conservation#runs-title", "retention_simulated");
              });
  router.Page(Method::kPost, "/admin/conservation/purge", "admin.retention.run",
              Permission::kRunRetention, [&deps](RequestContext& ctx) {
                deps.retention.Run(ctx.actor, false, "admin");
                Redirect(ctx, "/admin/conservation#runs-title", "retention_done");
              });

  // Settings of the platform: letterhead, agenda, reminders, indicators; each change audited.
  router.Page(Method::kGet, "/admin/reglages", "admin.settings", Permission::kManageStructures,
              [&deps](RequestContext& ctx) { RenderSettings(ctx, deps, nullptr, {}, 200); });
  router.Page(Method::kPost, "/admin/reglages", "admin.settings.update",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                const Form form(ctx.req);
                std::map<std::string, std::string> typed;
                std::vector<std::pair<std::string, std::string>> values;
                for (const auto& d : service::SettingsService::Definitions()) {
                  if (form.Has(d.key)) {
                    typed[d.key] = form.Get(d.key);
                    values.emplace_back(d.key, form.Get(d.key));
                  }
                }
                const auto errors = deps.settings.SetMany(ctx.actor, values);
                if (!errors.empty()) {
                  RenderSettings(ctx, deps, &typed, errors, 422);
                  return;
                }
                Redirect(ctx, "/admin/reglages", "settings_saved");
              });

  // Structures: administrators only.
  router.Page(Method::kGet, "/admin/structures", "admin.structures.list",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& s : deps.structures.List(ctx.actor)) {
                  list.push_back(StructureJson(s));
                }
                RenderPage(ctx, deps, "structures", "Structures",
                           {{"structures", list}, {"empty", list.empty()}});
              });

  router.Page(Method::kGet, "/admin/structures/nouvelle", "admin.structures.new",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                RenderStructureForm(ctx, deps, domain::StructureInput{"", "", "partenaire", ""}, {},
                                    std::nullopt, 200);
              });

  router.Page(Method::kPost, "/admin/structures/nouvelle", "admin.structures.create",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                domain::StructureInput in = ReadStructure(Form(ctx.req));
                const auto result = deps.structures.Create(ctx.actor, in);
                if (!result.errors.empty()) {
                  RenderStructureForm(ctx, deps, in, result.errors, std::nullopt, 422);
                  return;
                }
                Redirect(ctx, "/admin/structures", "structure_created");
              });

  router.Page(Method::kGet, R"(/admin/structures/(\d+))", "admin.structures.edit",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                const auto s = deps.structures.Get(ctx.actor, ParseId(ctx.req.matches[1]));
                domain::StructureInput in{
                    s.code, s.name, std::string(domain::StructureKindCode(s.kind)), s.territory};
                RenderStructureForm(ctx, deps, in, {}, s, 200);
              });

  router.Page(Method::kPost, R"(/admin/structures/(\d+))", "admin.structures.update",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                const auto id = ParseId(ctx.req.matches[1]);
                const auto existing = deps.structures.Get(ctx.actor, id);
                domain::StructureInput in = ReadStructure(Form(ctx.req));
                const auto result = deps.structures.Update(ctx.actor, id, in);
                if (!result.errors.empty()) {
                  RenderStructureForm(ctx, deps, in, result.errors, existing, 422);
                  return;
                }
                Redirect(ctx, "/admin/structures", "structure_saved");
              });

  router.Page(Method::kPost, R"(/admin/structures/(\d+)/activation)", "admin.structures.activation",
              Permission::kManageStructures, [&deps](RequestContext& ctx) {
                const bool active = Form(ctx.req).Get("active") == "1";
                deps.structures.SetActive(ctx.actor, ParseId(ctx.req.matches[1]), active);
                Redirect(ctx, "/admin/structures",
                         active ? "structure_enabled" : "structure_disabled");
              });

  // Accounts: administrators for all, coordinators for their team (scoped by the service).
  router.Page(Method::kGet, "/admin/utilisateurs", "admin.users.list", Permission::kManageUsers,
              [&deps](RequestContext& ctx) {
                nlohmann::json list = nlohmann::json::array();
                for (const auto& u : deps.users.List(ctx.actor)) {
                  list.push_back(UserJson(u));
                }
                const bool is_admin = ctx.actor.role == domain::Role::kAdmin;
                RenderPage(ctx, deps, "users", is_admin ? "Comptes" : "Mon équipe",
                           {{"users", list}, {"empty", list.empty()}, {"is_admin", is_admin}});
              });

  router.Page(Method::kGet, "/admin/utilisateurs/nouveau", "admin.users.new",
              Permission::kManageUsers, [&deps](RequestContext& ctx) {
                domain::UserInput in;
                in.role = "intervenant";
                if (ctx.actor.role == domain::Role::kCoordinateur) {
                  for (const auto& s : deps.users.AssignableStructures(ctx.actor)) {
                    in.structure_code = s.code;
                  }
                }
                RenderUserForm(ctx, deps, in, {}, std::nullopt, 200);
              });

  router.Page(Method::kPost, "/admin/utilisateurs/nouveau", "admin.users.create",
              Permission::kManageUsers, [&deps](RequestContext& ctx) {
                domain::UserInput in = ReadUser(Form(ctx.req));
                const auto result = deps.users.Create(ctx.actor, in, std::nullopt);
                if (!result.errors.empty()) {
                  RenderUserForm(ctx, deps, in, result.errors, std::nullopt, 422);
                  return;
                }
                RenderTemporaryPassword(ctx, deps, deps.users.Get(ctx.actor, result.id),
                                        result.temporary_password, true);
              });

  router.Page(Method::kGet, R"(/admin/utilisateurs/(\d+))", "admin.users.edit",
              Permission::kManageUsers, [&deps](RequestContext& ctx) {
                const auto user = deps.users.Get(ctx.actor, ParseId(ctx.req.matches[1]));
                RenderUserForm(ctx, deps, InputOf(user, deps.users.AssignableStructures(ctx.actor)),
                               {}, user, 200);
              });

  router.Page(Method::kPost, R"(/admin/utilisateurs/(\d+))", "admin.users.update",
              Permission::kManageUsers, [&deps](RequestContext& ctx) {
                const auto id = ParseId(ctx.req.matches[1]);
                const auto existing = deps.users.Get(ctx.actor, id);
                domain::UserInput in = ReadUser(Form(ctx.req));
                const auto result = deps.users.Update(ctx.actor, id, in);
                if (!result.errors.empty()) {
                  RenderUserForm(ctx, deps, in, result.errors, existing, 422);
                  return;
                }
                Redirect(ctx, "/admin/utilisateurs", "user_saved");
              });

  router.Page(Method::kPost, R"(/admin/utilisateurs/(\d+)/activation)", "admin.users.activation",
              Permission::kManageUsers, [&deps](RequestContext& ctx) {
                const bool active = Form(ctx.req).Get("active") == "1";
                deps.users.SetActive(ctx.actor, ParseId(ctx.req.matches[1]), active);
                Redirect(ctx, "/admin/utilisateurs", active ? "user_enabled" : "user_disabled");
              });

  router.Page(Method::kPost, R"(/admin/utilisateurs/(\d+)/mot-de-passe)",
              "admin.users.reset_password", Permission::kManageUsers, [&deps](RequestContext& ctx) {
                const auto id = ParseId(ctx.req.matches[1]);
                const std::string temporary = deps.users.ResetPassword(ctx.actor, id);
                RenderTemporaryPassword(ctx, deps, deps.users.Get(ctx.actor, id), temporary, false);
              });

  // Audit trail: administrators.
  router.Page(Method::kGet, "/admin/journal", "admin.audit", Permission::kViewAudit,
              [&deps](RequestContext& ctx) {
                constexpr int kPageSize = 50;
                int page = 1;
                const std::string page_param = ctx.req.get_param_value("page");
                if (!page_param.empty() && page_param.size() < 6 &&
                    page_param.find_first_not_of("0123456789") == std::string::npos) {
                  page = std::max(1, std::stoi(page_param));
                }
                service::AuditFilter filter;
                filter.limit = kPageSize + 1;
                filter.offset = (page - 1) * kPageSize;
                auto events = deps.audit.List(ctx.actor, filter);
                const bool has_next = static_cast<int>(events.size()) > kPageSize;
                if (has_next) {
                  events.pop_back();
                }
                std::map<domain::UserId, std::string> names;
                for (const auto& u : deps.users.List(ctx.actor)) {
                  names[u.id] = u.display_name;
                }
                nlohmann::json rows = nlohmann::json::array();
                for (const auto& e : events) {
                  rows.push_back({{"id", e.id},
                                  {"at", paris::FormatDateTime(e.at)},
                                  {"actor", AuditActorLabel(e, names)},
                                  {"action", AuditActionLabel(e.action)},
                                  {"action_code", e.action},
                                  {"record", AuditRecordLabel(e.record_type) +
                                                 (e.record_id.empty() ? "" : " n° " + e.record_id)},
                                  {"outcome", e.outcome == "success"
                                                  ? "Réussie"
                                                  : (e.outcome == "failure" ? "Échec" : e.outcome)},
                                  {"failure", e.outcome != "success"},
                                  {"detail", e.detail},
                                  {"request_id", e.request_id}});
                }
                nlohmann::json data{{"events", rows}, {"empty", rows.empty()}, {"page", page}};
                if (page > 1) {
                  data["prev_href"] = "/admin/journal?page=" + std::to_string(page - 1);
                }
                if (has_next) {
                  data["next_href"] = "/admin/journal?page=" + std::to_string(page + 1);
                }
                data["audit_text"] = domain::MonthsInWords(deps.retention.Policy().audit_months);
                RenderPage(ctx, deps, "audit", "Journal d’audit", data);
              });
}

}  // namespace allervers::web
