#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <iostream>

#include "app/application.hpp"
#include "app/terminal.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "domain/accompaniment.hpp"
#include "domain/role.hpp"
#include "render/report.hpp"
#include "security/secret_box.hpp"
#include "service/settings_service.hpp"
#include "storage/backup.hpp"
#include "web/indicators_json.hpp"

namespace {

using allervers::Error;
using allervers::ErrorCode;
namespace app = allervers::app;
namespace service = allervers::service;
namespace domain = allervers::domain;

// The command line reads whole national exports; the web upload stays under the body limit.
constexpr std::size_t kMaxCliImportBytes = std::size_t{1} << 30;

void PrintFieldErrors(const domain::FieldErrors& errors) {
  for (const auto& e : errors) {
    std::cerr << "allervers : " << e.field << " : " << e.message << "\n";
  }
}

std::string ReadPassword(bool from_stdin) {
  if (from_stdin) {
    auto line = app::ReadLineFromStdin();
    if (!line || line->empty()) {
      throw Error(ErrorCode::kInvalidArgument, "Aucun mot de passe lu sur l’entrée standard.");
    }
    return *line;
  }
  auto first = app::PromptHidden("Mot de passe : ");
  if (!first) {
    throw Error(ErrorCode::kInvalidArgument,
                "Pas de terminal pour saisir le mot de passe : utilisez --password-stdin.");
  }
  auto second = app::PromptHidden("Confirmez le mot de passe : ");
  if (!second || *first != *second) {
    throw Error(ErrorCode::kInvalidArgument, "Les deux saisies du mot de passe diffèrent.");
  }
  return *first;
}

domain::User FindUserByEmail(app::Application& application, const std::string& email) {
  const auto actor = service::Actor::System("cli");
  for (const auto& u : application.users().List(actor)) {
    if (u.email == domain::NormalizeEmail(email)) {
      return u;
    }
  }
  throw Error(ErrorCode::kNotFound, "Aucun compte avec l’adresse « " + email + " ».");
}

// A single-quoted shell word, for commands printed to be pasted.
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (const char ch : s) {
    q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  }
  return q + "'";
}

void PrintDemo(const service::DemoResult& demo) {
  std::cout << "Comptes de démonstration (mot de passe pour tous : " << demo.password << ") :\n";
  for (const auto& s : demo.sign_ins) {
    std::cout << "  " << s.email << "  — " << s.role_label << "\n";
  }
  std::cout << "Double authentification désactivée dans cette base de démonstration "
               "(réglage security.totp_required à 0) : le mot de passe suffit pour se "
               "connecter.\n";
}

// `demo --scale N`: the national-scale dataset, with its progress and its time.
int RunScaleDemo(app::Application& application, const std::string& count) {
  long long persons = 0;
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), persons);
  if (ec != std::errc() || end != count.data() + count.size()) {
    persons = 0;  // refused below with the range
  }
  std::cout << "Génération de " << persons << " personnes sur " << service::ScaleDemo::kTeams
            << " territoires…\n"
            << std::flush;
  const auto result = application.scale_demo().Run(persons, [](const service::ScaleStep& step) {
    std::cout << fmt::format("  {:<44} {:>11} lignes {:>8.1f} s\n", step.what, step.rows,
                             step.seconds)
              << std::flush;
  });
  if (result.outcome == service::DemoOutcome::kDatabaseNotEmpty) {
    throw Error(ErrorCode::kConflict,
                "La base contient déjà des données : la génération ne se fait que dans une base "
                "neuve, migrée et vide.");
  }
  std::cout << fmt::format("Données générées en {:.1f} s.\n", result.seconds);
  PrintDemo({result.outcome, result.sign_ins, result.password});
  return 0;
}

// `keys status`: the key ring and what each key sealed. Exit code 0.
int PrintKeyStatus(app::Application& application, const service::Actor& system) {
  const auto status = application.key_ring().Status(system);
  std::cout << "Fichier de clés : " << application.key_file().string() << "\n";
  for (std::size_t i = 0; i < status.ring.size(); ++i) {
    std::cout << "  clé " << status.ring[i]
              << (i == 0 ? "  (chiffre ce qui est écrit désormais)" : "  (ancienne clé)") << "\n";
  }
  if (status.counts.empty()) {
    std::cout << "Aucune note ni aucun secret chiffré pour l’instant.\n";
  }
  for (const auto& c : status.counts) {
    std::cout << fmt::format("  {:<14} {:>10}  ", c.what, c.values);
    if (c.key_id.empty()) {
      std::cout << "en clair (antérieures au chiffrement : allervers keys reseal)\n";
    } else if (!c.in_ring) {
      std::cout << "clé " << c.key_id << " ABSENTE du fichier : illisibles\n";
    } else {
      std::cout << "clé " << c.key_id
                << (c.sealing ? "" : " (à rechiffrer : allervers keys reseal)") << "\n";
    }
  }
  if (status.ring.size() > 1 && status.only_sealing_key_used) {
    std::cout << "Les anciennes clés ne servent plus : allervers keys drop-old peut les retirer.\n";
  }
  return 0;
}

// `keys add | reseal | drop-old`: the steps of a key rotation (docs/admin.md).
int RunKeys(app::Application& application, const service::Actor& system, bool add, bool reseal) {
  if (application.key_file().empty()) {
    throw Error(ErrorCode::kUnavailable, application.key_problem());
  }
  if (add) {
    const std::string id = allervers::security::AddKeyFirst(application.key_file());
    std::cout << "Nouvelle clé " << id << " placée en tête de " << application.key_file().string()
              << " ; les anciennes restent dessous pour ouvrir ce qu’elles ont chiffré.\n"
              << "Ensuite :\n"
              << "  1. redémarrez le service (sudo systemctl restart allervers) pour qu’il "
                 "chiffre avec la nouvelle clé ;\n"
              << "  2. allervers keys reseal   (rechiffre les notes et les secrets) ;\n"
              << "  3. allervers keys drop-old (retire les anciennes clés du fichier) ;\n"
              << "  4. sauvegardez le fichier de clés avec la base.\n";
    return 0;
  }
  if (reseal) {
    const auto r = application.key_ring().Reseal(system);
    std::cout << "Rechiffrés avec la clé " << application.key_ring().Status(system).ring.front()
              << " : " << r.notes << " note(s), " << r.totp_secrets << " secret(s) TOTP.\n";
    if (r.unreadable > 0) {
      std::cerr << r.unreadable
                << " valeur(s) qu’aucune clé du fichier n’ouvre sont restées telles quelles "
                   "(voir allervers keys status) : remettez l’ancienne clé dans le fichier, "
                   "sous la nouvelle, puis recommencez.\n";
      return 1;
    }
    return 0;
  }
  const auto status = application.key_ring().Status(system);
  if (!status.only_sealing_key_used) {
    std::cerr << "Des notes ou des secrets ne sont pas encore chiffrés avec la première clé : "
                 "lancez d’abord allervers keys reseal (aucune clé retirée).\n";
    PrintKeyStatus(application, system);
    return 1;
  }
  const int removed = allervers::security::KeepOnlyFirstKey(application.key_file());
  std::cout << removed << " ancienne(s) clé(s) retirée(s) de " << application.key_file().string()
            << ". Redémarrez le service pour qu’il relise le fichier.\n";
  return 0;
}

// The PostgreSQL route: pg_dump / pg_restore, printed for the configured database and checked
// (on PATH, major version at least the server's). Returns the exit code.
int PrintPostgresRoute(app::Application& application, const std::string& tool_name,
                       const std::string& file) {
  namespace storage = allervers::storage;
  const std::string url = storage::PostgresUrlWithoutPassword(application.database().url());
  const std::string quoted_file = Quote(file);
  std::cout << "PostgreSQL : Allervers ne copie pas la base lui-même, "
            << (tool_name == "pg_dump" ? "sauvegardez-la avec pg_dump :\n\n"
                                       : "restaurez-la avec pg_restore, SERVICE ARRÊTÉ :\n\n");
  if (tool_name == "pg_dump") {
    std::cout << "  pg_dump --format=custom --file=" << quoted_file << " " << Quote(url) << "\n\n"
              << "Pour restaurer ce fichier plus tard, service arrêté : allervers restore --input "
              << quoted_file << "\n";
  } else {
    std::cout << "  sudo systemctl stop allervers\n"
              << "  pg_restore --clean --if-exists --no-owner --single-transaction --dbname="
              << Quote(url) << " " << quoted_file << "\n"
              << "  sudo systemctl start allervers   # applique les migrations qui manquent\n";
  }
  std::cout << "Le mot de passe n’est pas dans la commande : libpq le lit dans ~/.pgpass ou dans "
               "la variable PGPASSWORD.\n";

  const int server = storage::PostgresServerMajor(application.database());
  const auto tool = storage::FindPgClientTool(tool_name);
  const std::string package = "postgresql-client-" + std::to_string(server);
  if (tool.path.empty()) {
    throw Error(ErrorCode::kNotFound, tool_name + " est introuvable (PATH) : installez le paquet " +
                                          package + " (version " + std::to_string(server) +
                                          " ou plus récente, comme le serveur).");
  }
  if (tool.major == 0) {
    throw Error(ErrorCode::kInvalidArgument, "Impossible de lire la version de " +
                                                 tool.path.string() + " (" + tool_name +
                                                 " --version).");
  }
  if (tool.major < server) {
    throw Error(ErrorCode::kInvalidArgument,
                tool.path.string() + " est en version " + tool.version +
                    ", plus ancienne que le serveur PostgreSQL " + std::to_string(server) +
                    " : installez le paquet " + package + " et mettez-le en tête du PATH.");
  }
  std::cout << "Vérifié : " << tool.path.string() << " (version " << tool.version
            << ") convient au serveur PostgreSQL " << server << ".\n";
  return 0;
}

int Backup(app::Application& application, const std::string& output) {
  if (application.database().backend() != allervers::storage::Backend::kSqlite) {
    return PrintPostgresRoute(application, "pg_dump", output);
  }
  const auto report = allervers::storage::BackupSqlite(application.database(), output);
  std::cout << "Sauvegarde écrite dans " << output << " : " << report.bytes
            << " octets, schéma en version " << report.schema_version
            << ", contrôle d’intégrité réussi.\n";
  return 0;
}

int Restore(app::Application& application, const std::string& input) {
  if (application.database().backend() != allervers::storage::Backend::kSqlite) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(input, ec)) {
      throw Error(ErrorCode::kInvalidArgument, "Le fichier « " + input + " » n’existe pas.");
    }
    return PrintPostgresRoute(application, "pg_restore", input);
  }
  const auto migrations = application.Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  const auto report = allervers::storage::RestoreSqlite(application.database(), input, latest);
  std::cout << "Base " << application.database().url().Redacted() << " restaurée depuis " << input
            << " (" << report.bytes << " octets, schéma en version " << report.schema_version
            << ", contrôle d’intégrité réussi).\n";
  if (report.schema_version < latest) {
    std::cout << "Ce programme attend la version " << latest
              << " : lancez « allervers migrate » avant de redémarrer le service.\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Allervers — le système d’information de l’équipe mobile numérique."};
  cli.require_subcommand(1);
  allervers::config::Overrides overrides;
  std::string config_file;
  std::string database_url;
  std::string listen;
  std::string share_dir;
  std::string log_level;
  cli.add_option("--config", config_file, "Fichier de configuration TOML")
      ->envname("ALLERVERS_CONFIG");
  cli.add_option(
      "--database", database_url,
      "Base de données : sqlite:CHEMIN (défaut sqlite:var/allervers.db) ou postgresql://…");
  cli.add_option("--listen", listen, "Adresse d’écoute HÔTE:PORT (défaut 127.0.0.1:8080)");
  cli.add_option("--share-dir", share_dir,
                 "Dossier des gabarits, fichiers statiques et migrations");
  cli.add_option("--log-level", log_level, "Niveau du journal : debug, info, warn, error");

  auto* serve = cli.add_subcommand("serve", "Démarrer le serveur web");
  auto* migrate = cli.add_subcommand("migrate", "Créer ou mettre à jour le schéma de la base");
  auto* demo =
      cli.add_subcommand("demo", "Remplir une base neuve avec des données de démonstration");
  std::string demo_scale;
  auto* demo_scale_option = demo->add_option(
      "--scale", demo_scale,
      "Générer N personnes fictives avec tout leur accompagnement sur 100 territoires "
      "(1 à 10 000 000), au lieu de la petite démonstration de Cergy");

  auto* structure = cli.add_subcommand("structure", "Gérer les structures");
  structure->require_subcommand(1);
  std::string s_code, s_name, s_kind, s_territory;
  auto* structure_add = structure->add_subcommand("add", "Ajouter une structure");
  structure_add->add_option("--code", s_code, "Code court, par exemple SSD-CERGY")->required();
  structure_add->add_option("--name", s_name, "Nom")->required();
  structure_add->add_option("--kind", s_kind, "operateur, ssd ou partenaire")->required();
  structure_add->add_option("--territory", s_territory, "Territoire");
  auto* structure_list = structure->add_subcommand("list", "Lister les structures");

  auto* user = cli.add_subcommand("user", "Gérer les comptes");
  user->require_subcommand(1);
  std::string u_email, u_name, u_role, u_structure, u_fte;
  bool u_password_stdin = false;
  auto* user_add = user->add_subcommand("add", "Créer un compte");
  user_add->add_option("--email", u_email, "Adresse e-mail")->required();
  user_add->add_option("--name", u_name, "Prénom et nom")->required();
  user_add->add_option("--role", u_role, "intervenant, coordinateur, prescripteur, pilote ou admin")
      ->required();
  user_add->add_option("--structure", u_structure, "Code de la structure");
  user_add->add_option("--fte", u_fte, "Temps de travail en ETP, par exemple 0.5");
  user_add->add_flag("--password-stdin", u_password_stdin,
                     "Lire le mot de passe sur l’entrée standard");
  auto* user_list = user->add_subcommand("list", "Lister les comptes");
  auto* user_disable =
      user->add_subcommand("disable", "Désactiver un compte et fermer ses sessions");
  user_disable->add_option("--email", u_email, "Adresse e-mail")->required();
  auto* user_reset = user->add_subcommand("reset-password", "Définir un nouveau mot de passe");
  user_reset->add_option("--email", u_email, "Adresse e-mail")->required();
  user_reset->add_flag("--password-stdin", u_password_stdin,
                       "Lire le mot de passe sur l’entrée standard");
  // The way back for an administrator who lost both phone and recovery codes: no one else
  // could reset them from the web pages.
  auto* user_reset_two_factor = user->add_subcommand(
      "reset-two-factor",
      "Réinitialiser la double authentification d’un compte (il s’inscrira de nouveau)");
  user_reset_two_factor->add_option("--email", u_email, "Adresse e-mail")->required();

  auto* token = cli.add_subcommand("token", "Gérer les jetons d’API des structures partenaires");
  token->require_subcommand(1);
  std::string t_structure, t_label;
  std::vector<std::string> t_scopes;
  long long t_id = 0;
  auto* token_create = token->add_subcommand("create", "Créer un jeton (affiché une seule fois)");
  token_create->add_option("--structure", t_structure, "Code de la structure")->required();
  token_create
      ->add_option("--scope", t_scopes,
                   "Portée : referrals:write, referrals:read, indicators:read (répétable)")
      ->required();
  token_create->add_option("--label", t_label, "Libellé, par exemple le nom du logiciel");
  auto* token_list = token->add_subcommand("list", "Lister les jetons");
  auto* token_revoke = token->add_subcommand("revoke", "Révoquer un jeton");
  token_revoke->add_option("--id", t_id, "Numéro du jeton (voir token list)")->required();

  auto* audit = cli.add_subcommand("audit", "Journal d’audit");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify", "Vérifier que le journal d’audit n’a été ni modifié ni amputé (code 1 sinon)");

  auto* keys = cli.add_subcommand(
      "keys", "Clé secrète qui chiffre les notes et les secrets de double authentification");
  keys->require_subcommand(1);
  auto* keys_status =
      keys->add_subcommand("status", "Les clés du fichier et ce que chacune a chiffré");
  auto* keys_add = keys->add_subcommand(
      "add", "Changer de clé : en créer une nouvelle, en tête du fichier (les anciennes restent)");
  auto* keys_reseal = keys->add_subcommand(
      "reseal", "Rechiffrer avec la première clé les notes et les secrets (journalisé)");
  auto* keys_drop_old = keys->add_subcommand(
      "drop-old", "Retirer du fichier les anciennes clés, une fois que plus rien ne s’en sert");

  auto* outbox = cli.add_subcommand("outbox", "Suivre l’envoi des e-mails et SMS");
  outbox->require_subcommand(1);
  std::string o_status;
  auto* outbox_list =
      outbox->add_subcommand("list", "Lister les messages (sans destinataire ni contenu)");
  outbox_list->add_option("--status", o_status, "pending, sending, sent, failed ou cancelled")
      ->check(CLI::IsMember({"pending", "sending", "sent", "failed", "cancelled"}));
  auto* outbox_send = outbox->add_subcommand("send-now", "Envoyer maintenant les messages dus");

  auto* partners = cli.add_subcommand("partners", "Annuaire des partenaires (data·inclusion)");
  partners->require_subcommand(1);
  std::string p_file;
  auto* partners_import = partners->add_subcommand(
      "import", "Importer un export data·inclusion (JSON ou CSV) : structures, puis services");
  partners_import->add_option("--file", p_file, "Fichier JSON ou CSV")
      ->required()
      ->check(CLI::ExistingFile);

  auto* report_cmd =
      cli.add_subcommand("report", "Produire les bilans de l’action pour le Département");
  report_cmd->require_subcommand(1);
  std::string r_year, r_quarter, r_format = "pdf", r_output, r_team;
  auto* report_quarterly = report_cmd->add_subcommand(
      "quarterly", "Le bilan trimestriel (agrégats sous secret statistique) : PDF, XLSX ou CSV");
  report_quarterly->add_option("--year", r_year, "Année")->required();
  report_quarterly->add_option("--quarter", r_quarter, "Trimestre, de 1 à 4")->required();
  report_quarterly->add_option("--format", r_format, "pdf (défaut), xlsx ou csv")
      ->check(CLI::IsMember({"pdf", "xlsx", "csv"}));
  report_quarterly->add_option("--output", r_output, "Fichier à écrire")->required();
  report_quarterly->add_option("--team", r_team, "Code de l’équipe (défaut : la première)");

  bool purge_dry_run = false;
  auto* purge = cli.add_subcommand(
      "purge", "Anonymiser les dossiers dont la durée de conservation est passée (journalisé)");
  purge->add_flag("--dry-run", purge_dry_run,
                  "Compter seulement ce qui serait anonymisé ou supprimé, sans rien changer");

  std::string backup_file;
  auto* backup = cli.add_subcommand(
      "backup",
      "Sauvegarder la base : SQLite, une copie cohérente même pendant que le service tourne ; "
      "PostgreSQL, les commandes pg_dump et pg_restore à utiliser (vérifiées)");
  backup->add_option("--output", backup_file, "Fichier de sauvegarde à écrire")->required();
  auto* restore = cli.add_subcommand(
      "restore",
      "Remplacer la base configurée par une sauvegarde (SQLite), SERVICE ARRÊTÉ ; PostgreSQL : "
      "la commande pg_restore à utiliser");
  restore->add_option("--input", backup_file, "Fichier de sauvegarde à lire")->required();
  restore->footer(
      "Arrêtez le service avant de restaurer (sudo systemctl stop allervers) et redémarrez-le "
      "après : la base configurée est remplacée en entier par la sauvegarde, et un service "
      "resté en marche continuerait de servir l’ancienne.");

  auto* setting = cli.add_subcommand("setting", "Lire et changer les réglages de l’équipe");
  setting->require_subcommand(1);
  std::string set_key, set_value;
  auto* setting_list = setting->add_subcommand("list", "Lister les réglages et leur valeur");
  auto* setting_set = setting->add_subcommand("set", "Changer un réglage (journalisé)");
  setting_set->add_option("key", set_key, "Nom du réglage (voir setting list)")->required();
  setting_set->add_option("value", set_value, "Nouvelle valeur")->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  if (!config_file.empty()) overrides.config_file = config_file;
  if (!database_url.empty()) overrides.database_url = database_url;
  if (!listen.empty()) overrides.listen = listen;
  if (!share_dir.empty()) overrides.share_dir = share_dir;
  if (!log_level.empty()) overrides.log_level = log_level;

  try {
    const auto config = allervers::config::Load(overrides);
    if (*backup) {
      // Opening a missing SQLite file would create it: say instead that there is nothing there.
      allervers::storage::RequireExistingSqliteDatabase(
          allervers::storage::DatabaseUrl::Parse(config.database_url));
    }
    allervers::log::Setup(*serve ? config.log_level
                                 : (config.log_level == "info" ? "warn" : config.log_level));
    app::Application application(config, *serve || *demo || *migrate
                                             ? app::KeyFileMissing::kCreate
                                             : app::KeyFileMissing::kCarryOn);
    const auto system = service::Actor::System("cli");

    if (*serve) {
      return application.Serve();
    }
    if (*migrate) {
      const auto applied =
          allervers::storage::Migrate(application.database(), application.Migrations());
      if (applied.empty()) {
        std::cout << "Le schéma est déjà à jour.\n";
      }
      for (const auto& name : applied) {
        std::cout << "Migration appliquée : " << name << "\n";
      }
      // Notes written before notes were sealed: sealed now, once, after the upgrade.
      if (application.key_problem().empty()) {
        const auto sealed = application.key_ring().Reseal(system, true);
        if (sealed.notes > 0) {
          std::cout << "Notes chiffrées avec la clé secrète : " << sealed.notes << "\n";
        }
      }
      return 0;
    }
    if (*backup || *restore) {
      return *backup ? Backup(application, backup_file) : Restore(application, backup_file);
    }
    application.RequireCurrentSchema();
    if (*demo && *demo_scale_option) {
      return RunScaleDemo(application, demo_scale);
    }
    if (*demo) {
      const auto result = application.demo().Run();
      if (result.outcome == service::DemoOutcome::kDatabaseNotEmpty) {
        throw Error(ErrorCode::kConflict,
                    "La base contient déjà d’autres données : la démonstration ne s’installe que "
                    "dans une base neuve.");
      }
      std::cout << (result.outcome == service::DemoOutcome::kSeeded
                        ? "Données de démonstration créées.\n"
                        : "Données de démonstration déjà présentes.\n");
      PrintDemo(result);
      return 0;
    }
    if (*keys_status) {
      return PrintKeyStatus(application, system);
    }
    if (*keys_add || *keys_reseal || *keys_drop_old) {
      return RunKeys(application, system, keys_add->parsed(), keys_reseal->parsed());
    }
    if (*audit_verify) {
      const auto r = application.audit().Verify(system);
      if (!r.intact) {
        std::cerr << "Journal d’audit NON INTÈGRE : " << r.problem << "\n"
                  << "Première ligne en cause : n° " << r.broken_at_id << " (" << r.rows_checked
                  << " ligne(s) vérifiées avant elle).\n";
        return 1;
      }
      std::cout << "Journal d’audit intègre : " << r.rows_checked << " ligne(s) chaînées";
      if (r.rows_checked > 0) {
        std::cout << ", de la n° " << r.first_id << " à la n° " << r.last_id;
      }
      std::cout << ".\n";
      if (r.purged_before_id > 0) {
        std::cout << "Lignes antérieures à la n° " << r.purged_before_id
                  << " supprimées par la durée de conservation du journal.\n";
      }
      if (r.legacy_rows > 0) {
        std::cout << r.legacy_rows
                  << " ligne(s) plus anciennes que le chaînage (avant la mise à jour qui l’a "
                     "introduit) ne sont pas couvertes.\n";
      }
      std::cout << "Empreinte de la dernière ligne : " << r.last_hash << "\n"
                << "Notez-la ailleurs (registre, courriel daté) : une réécriture complète du "
                   "journal la changerait.\n";
      return 0;
    }
    if (*purge) {
      const auto run = application.retention().Run(system, purge_dry_run, "command");
      std::cout << (purge_dry_run ? "Simulation, rien n’a été changé. Seraient traités :\n"
                                  : "Purge terminée :\n")
                << "  personnes anonymisées (dernier contact avant le "
                << allervers::paris::FormatDate(run.person_cutoff) << ") : " << run.persons
                << "\n  fiches jamais acceptées anonymisées (avant le "
                << allervers::paris::FormatDate(run.unaccepted_cutoff) << ") : " << run.referrals
                << "\n  brouillons abandonnés supprimés : " << run.drafts
                << "\n  fichiers d’import supprimés : " << run.imports
                << "\n  réponses d’API mémorisées supprimées : " << run.api_replays
                << "\n  lignes du journal d’audit supprimées : " << run.audit_rows << "\n";
      if (run.stale_open > 0) {
        std::cout << "À voir : " << run.stale_open
                  << " dossier(s) encore ouvert(s) sans contact depuis le "
                  << allervers::paris::FormatDate(run.person_cutoff)
                  << " : à clôturer, ils ne sont pas anonymisés tant qu’ils sont ouverts.\n";
      }
      return 0;
    }
    if (*setting_list || *setting_set) {
      service::SettingsService settings(application.database(), application.clock());
      if (*setting_set) {
        settings.Set(system, set_key, set_value);
        std::cout << "Réglage enregistré.\n";
        return 0;
      }
      for (const auto& v : settings.List(system)) {
        std::string shown = v.value.value_or(v.definition.default_value);
        for (std::size_t pos = 0; (pos = shown.find('\n', pos)) != std::string::npos;) {
          shown.replace(pos, 1, "\\n");
        }
        std::cout << v.definition.key << " = " << shown << (v.value ? "" : "  (par défaut)")
                  << "\n    " << v.definition.label << "\n";
      }
      return 0;
    }
    if (*structure_add) {
      const auto result =
          application.structures().Create(system, {s_code, s_name, s_kind, s_territory});
      if (!result.errors.empty()) {
        PrintFieldErrors(result.errors);
        return 1;
      }
      std::cout << "Structure créée (n° " << result.id << ").\n";
      return 0;
    }
    if (*structure_list) {
      for (const auto& s : application.structures().List(system)) {
        std::cout << s.code << "\t" << domain::StructureKindCode(s.kind) << "\t"
                  << (s.active ? "active" : "désactivée") << "\t" << s.name << "\n";
      }
      return 0;
    }
    if (*user_add) {
      // Validate the account before asking for a password, so that a typo fails fast.
      domain::UserInput input{u_email, u_name, u_role, u_structure, u_fte};
      if (auto errors = domain::ValidateUserFields(input); !errors.empty()) {
        PrintFieldErrors(errors);
        return 1;
      }
      const std::string password = ReadPassword(u_password_stdin);
      const auto result = application.users().Create(
          system, {u_email, u_name, u_role, u_structure, u_fte}, password);
      if (!result.errors.empty()) {
        PrintFieldErrors(result.errors);
        return 1;
      }
      std::cout << "Compte créé (n° " << result.id << ").\n";
      return 0;
    }
    if (*token_create) {
      const auto created = application.api_tokens().Create(system, t_structure, t_scopes, t_label);
      std::cout << created.token << "\n";
      std::cerr << "Jeton n° " << created.record.id << " créé pour "
                << created.record.structure_name << ". Conservez-le : il ne sera plus affiché.\n";
      return 0;
    }
    if (*token_list) {
      for (const auto& t : application.api_tokens().List(system)) {
        std::string scopes;
        for (const auto& s : t.scopes) {
          scopes += (scopes.empty() ? "" : ",") + s;
        }
        std::cout << t.id << "\t" << t.hint << "…\t" << t.structure_code << "\t" << scopes << "\t"
                  << (t.revoked_at ? "révoqué" : "actif") << "\t" << t.label << "\n";
      }
      return 0;
    }
    if (*outbox_list) {
      std::vector<service::OutboxMessage> messages;
      service::OutboxCounts counts;
      application.database().Read([&](service::Tx& tx) {
        messages = tx.outbox().List(o_status, 200);
        counts = tx.outbox().Counts();
      });
      std::cout << "n°\tcanal\tétat\tessais\tprochain essai\tdernière erreur\n";
      for (const auto& m : messages) {
        const bool waiting = m.status == "pending" || m.status == "sending";
        std::cout << m.id << "\t" << m.channel << "\t" << m.status << "\t" << m.attempts << "\t"
                  << (waiting ? allervers::paris::FormatDateTime(m.next_attempt_at) : "-") << "\t"
                  << (m.last_error.empty() ? "-" : m.last_error) << "\n";
      }
      std::cerr << "En attente " << counts.pending << ", en cours " << counts.sending
                << ", envoyés " << counts.sent << ", échecs " << counts.failed << ", annulés "
                << counts.cancelled << ".\n";
      return 0;
    }
    if (*outbox_send) {
      using Kind = service::OutboxOutcome::Kind;
      const auto report = application.outbox().RunOnce(application.clock().Now());
      for (const auto& channel : report.unconfigured_channels) {
        std::cerr << "allervers : canal « " << channel
                  << " » non configuré : ses messages restent en attente.\n";
      }
      std::cout << "Envoyés " << report.Count(Kind::kSent) << ", à réessayer "
                << report.Count(Kind::kRetry) << ", en échec " << report.Count(Kind::kFailed)
                << ".\n";
      return 0;
    }
    if (*report_quarterly) {
      std::string team;
      if (!r_team.empty()) {
        for (const auto& s : application.structures().List(system)) {
          if (s.code == r_team && s.kind == domain::StructureKind::kOperateur) {
            team = std::to_string(s.id);
          }
        }
        if (team.empty()) {
          throw Error(ErrorCode::kNotFound, "Aucune équipe n’a le code « " + r_team + " ».");
        }
      }
      const auto steering = application.indicators().Steering(system, team, r_year, r_quarter);
      const auto model = allervers::web::SteeringReportModel(steering, application.reference());
      const std::string bytes =
          r_format == "xlsx"  ? allervers::render::RenderReportXlsx(model)
          : r_format == "csv" ? allervers::web::IndicatorsCsv(allervers::web::IndicatorsJson(
                                    steering.indicators, application.reference(), true))
                              : allervers::render::RenderReportPdf(model, application.fonts_dir());
      std::ofstream out(r_output, std::ios::binary | std::ios::trunc);
      out << bytes;
      out.close();
      if (!out) {
        throw Error(ErrorCode::kInvalidArgument,
                    "Impossible d’écrire le fichier « " + r_output + " ».");
      }
      std::cout << "Bilan du " << allervers::domain::QuarterLabel(steering.quarter) << " ("
                << steering.team.name << ") écrit dans " << r_output << " (" << bytes.size()
                << " octets).\n";
      return 0;
    }
    if (*partners_import) {
      std::ifstream in(p_file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      const auto report = application.partners().Import(system, bytes, kMaxCliImportBytes);
      if (!report.file_error.empty()) {
        throw Error(ErrorCode::kInvalidArgument, report.file_error);
      }
      std::cout << "Format " << report.format << " : structures " << report.structures_created
                << " ajoutées, " << report.structures_updated << " mises à jour ; services "
                << report.services_created << " ajoutés, " << report.services_updated
                << " mis à jour ; " << report.rejected.size() << " refusés.\n";
      for (const auto& r : report.rejected) {
        std::cout << "Refusé : " << r.record << " — " << r.message << "\n";
      }
      for (const auto& w : report.warnings) {
        std::cout << "Ignoré : " << w.record << " — " << w.message << "\n";
      }
      return report.rejected.empty() ? 0 : 2;
    }
    if (*token_revoke) {
      application.api_tokens().Revoke(system, t_id);
      std::cout << "Jeton n° " << t_id << " révoqué.\n";
      return 0;
    }
    if (*user_list) {
      for (const auto& u : application.users().List(system)) {
        std::cout << u.email << "\t" << domain::RoleCode(u.role) << "\t"
                  << (u.structure_name.empty() ? "-" : u.structure_name) << "\t"
                  << (u.active ? "actif" : "désactivé") << "\t" << u.display_name << "\n";
      }
      return 0;
    }
    if (*user_disable) {
      const auto target = FindUserByEmail(application, u_email);
      application.users().SetActive(system, target.id, false);
      std::cout << "Compte désactivé ; ses sessions sont fermées.\n";
      return 0;
    }
    if (*user_reset) {
      const auto target = FindUserByEmail(application, u_email);
      const std::string password = ReadPassword(u_password_stdin);
      if (auto errors = application.users().SetPassword(system, target.id, password);
          !errors.empty()) {
        PrintFieldErrors(errors);
        return 1;
      }
      std::cout << "Mot de passe changé ; les sessions du compte sont fermées.\n";
      return 0;
    }
    if (*user_reset_two_factor) {
      const auto target = FindUserByEmail(application, u_email);
      application.two_factor().Reset(system, target.id);
      std::cout << "Double authentification réinitialisée ; les sessions du compte sont "
                   "fermées. Le compte l’activera de nouveau à sa prochaine connexion.\n";
      return 0;
    }
    return 0;
  } catch (const Error& e) {
    std::string line = e.public_message();
    if (e.code() == ErrorCode::kUnavailable && std::string(e.what()) != e.public_message()) {
      // The operator needs the driver's reason (refused, unknown host, bad password…).
      std::string detail = e.what();
      for (char& ch : detail) {
        ch = ch == '\n' ? ' ' : ch;
      }
      while (!detail.empty() && detail.back() == ' ') {
        detail.pop_back();
      }
      line += " (" + detail + ")";
    }
    std::cerr << "allervers : " << line << "\n";
    if (e.code() == ErrorCode::kInternal && std::string(e.what()) != e.public_message()) {
      spdlog::error("detail=\"{}\"", e.what());
    }
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "allervers : erreur inattendue : " << e.what() << "\n";
    return 1;
  }
}
