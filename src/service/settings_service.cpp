#include "service/settings_service.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/text.hpp"
#include "service/audit.hpp"
#include "service/permissions.hpp"

namespace allervers::service {

const std::vector<SettingDefinition>& SettingsService::Definitions() {
  // Read by LoadAgendaSettings (appointment_service.cpp) and the triage inbox.
  static const std::vector<SettingDefinition> kDefinitions = {
      {"operator.name", "Nom de l’équipe sur les courriers",
       "Équipe mobile numérique du Val-d’Oise", false, 0, 0, 120},
      {"operator.address",
       "Adresse de l’équipe (une ligne par ligne de l’adresse, séparées par \\n)",
       "2 avenue du Parc\n95000 Cergy", false, 0, 0, 300},
      {"operator.phone", "Téléphone pour changer un rendez-vous", "01 34 25 30 00", false, 0, 0,
       30},
      {"operator.sms_phone", "Numéro pour répondre par SMS (vide : aucun)", "", false, 0, 0, 30},
      {"operator.logo_path",
       "Logo des courriers : chemin d’un fichier PNG sur le serveur (vide : aucun)", "", false, 0,
       0, 300},
      {"operator.city", "Ville des courriers (« Cergy, le … »)", "Cergy", false, 0, 0, 60},
      {"operator.privacy_contact", "Contact pour les droits sur les données",
       "dpo@valdoise.fr ou au 01 34 25 30 00", false, 0, 0, 200},
      {"privacy.controller",
       "Responsable des données, nommé dans la notice d’information (« le Département du …  »)",
       "le Département du Val-d’Oise", false, 0, 0, 120},
      {"agenda.travel_minutes", "Trajet minimal entre deux visites (minutes)", "20", true, 0, 120},
      {"agenda.base_postal_code", "Code postal du local de l’équipe (départ des tournées)", "95000",
       false, 0, 0, 5},
      {"agenda.base_city", "Commune du local de l’équipe", "Cergy", false, 0, 0, 60},
      {"reminders.first_days_before", "Premier rappel, jours avant (0 : aucun)", "2", true, 0, 14},
      {"reminders.second_days_before", "Second rappel, jours avant (0 : aucun)", "1", true, 0, 14},
      {"contact.unreachable_attempts", "Tentatives sans réponse avant de proposer la clôture", "3",
       true, 1, 20},
      {"contact.unreachable_days", "… réparties sur au moins (jours)", "10", true, 0, 90},
      // Read by the retention purge (retention_service.cpp, docs/retention.md).
      {"retention.months",
       "Conservation : anonymiser une personne après ce nombre de mois sans contact", "24", true, 6,
       120},
      {"retention.unaccepted_months",
       "Conservation : anonymiser une fiche jamais acceptée après (mois)", "6", true, 1, 24},
      // The CNIL's recommendation on logging: six months to a year (docs/security.md §3).
      {"audit.retention_months", "Conservation du journal d’audit (mois)", "12", true, 6, 36},
      {"triage_flag_working_days", "Fiche signalée sans premier contact après (jours ouvrés)", "5",
       true, 1, 60},
      // Read by the indicators (docs/indicators.md §3).
      {"indicators.target_follow_ups", "Objectif annuel : nombre de suivis", "90", true, 0, 100000},
      {"indicators.target_receptions", "Objectif annuel : nombre d’accueils", "200", true, 0,
       100000},
      {"indicators.budget_eur",
       "Budget annuel de l’action, en euros (0 : pas de coût par personne)", "0", true, 0,
       100000000},
      {"indicators.team_fte_hundredths", "ETP financés de l’équipe, en centièmes (150 = 1,5 ETP)",
       "0", true, 0, 100000},
      // Read at sign-in (two_factor_service.cpp); migration 0014 sets it in every database.
      {"security.totp_required",
       "Double authentification obligatoire pour les comptes qui voient des personnes (1 : oui, "
       "0 : non)",
       "1", true, 0, 1},
  };
  return kDefinitions;
}

int IntSetting(Tx& tx, std::string_view key) {
  for (const auto& d : SettingsService::Definitions()) {
    if (d.key != key) {
      continue;
    }
    const int fallback = std::stoi(d.default_value);
    const auto v = tx.settings().Get(key);
    if (!v) {
      return fallback;
    }
    int out = 0;
    const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    return ec == std::errc() && ptr == v->data() + v->size() && out >= d.min && out <= d.max
               ? out
               : fallback;
  }
  throw Error(ErrorCode::kInternal, "Réglage inconnu.");
}

std::string SettingsService::Default(std::string_view key) {
  for (const auto& d : Definitions()) {
    if (d.key == key) {
      return d.default_value;
    }
  }
  return {};
}

std::vector<SettingValue> SettingsService::List(const Actor& actor) {
  Require(actor, Permission::kManageStructures);
  std::vector<SettingValue> out;
  store_.Read([&](Tx& tx) {
    for (const auto& d : Definitions()) {
      out.push_back({d, tx.settings().Get(d.key)});
    }
  });
  return out;
}

std::string SettingsService::Validate(const std::string& key, const std::string& raw) {
  const SettingDefinition* def = nullptr;
  for (const auto& d : Definitions()) {
    if (d.key == key) {
      def = &d;
    }
  }
  if (def == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "Réglage inconnu : « " + text::Truncate(key, 60) +
                                                 " ». Voir « allervers setting list ».");
  }
  std::string value = text::Trim(raw);
  // "\n" typed on a command line stands for a line break (addresses).
  for (std::size_t pos = 0; (pos = value.find("\\n", pos)) != std::string::npos;) {
    value.replace(pos, 2, "\n");
  }
  if (!text::IsValidUtf8(value)) {
    throw Error(ErrorCode::kInvalidArgument, "Ce texte contient des caractères illisibles.");
  }
  if (def->integer) {
    int n = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || ptr != value.data() + value.size() || n < def->min || n > def->max) {
      throw Error(ErrorCode::kInvalidArgument, def->label + " : un nombre entier de " +
                                                   std::to_string(def->min) + " à " +
                                                   std::to_string(def->max) + ".");
    }
  } else if (text::CodePointCount(value) > def->max_length) {
    throw Error(ErrorCode::kInvalidArgument,
                def->label + " : " + std::to_string(def->max_length) + " caractères au plus.");
  }
  return value;
}

void SettingsService::Set(const Actor& actor, const std::string& key, const std::string& raw) {
  Require(actor, Permission::kManageStructures);
  const std::string value = Validate(key, raw);
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    const auto before = tx.settings().Get(key);
    tx.settings().Put(key, value, now, actor.display_name);
    tx.audit().Append(MakeAuditEvent(actor, now, "setting.update", "setting", key, "success",
                                     before ? "changed" : "first_set"));
  });
}

domain::FieldErrors SettingsService::SetMany(
    const Actor& actor, const std::vector<std::pair<std::string, std::string>>& values) {
  Require(actor, Permission::kManageStructures);
  domain::FieldErrors errors;
  std::vector<std::pair<std::string, std::string>> valid;
  for (const auto& [key, raw] : values) {
    try {
      valid.emplace_back(key, Validate(key, raw));
    } catch (const Error& e) {
      errors.push_back({key, e.public_message()});
    }
  }
  if (!errors.empty()) {
    return errors;
  }
  const Instant now = clock_.Now();
  store_.Write([&](Tx& tx) {
    for (const auto& [key, value] : valid) {
      const auto before = tx.settings().Get(key);
      // Unchanged (a default sent back as it was shown stays a default): nothing to record.
      if (before.value_or(Default(key)) == value) {
        continue;
      }
      tx.settings().Put(key, value, now, actor.display_name);
      tx.audit().Append(MakeAuditEvent(actor, now, "setting.update", "setting", key, "success",
                                       before ? "changed" : "first_set"));
    }
  });
  return errors;
}

}  // namespace allervers::service
