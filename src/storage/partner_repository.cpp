#include <soci/soci.h>

#include <map>

#include "domain/accompaniment.hpp"
#include "storage/sql_query.hpp"
#include "storage/sql_tx.hpp"

namespace allervers::storage {
namespace {

std::optional<long long> IdOf(soci::session& sql, const char* table, const std::string& source,
                              const std::string& external_id) {
  long long id = 0;
  Query q(sql, std::string("SELECT id FROM ") + table + " WHERE source = :s AND external_id = :e");
  q.Into(id).Use(source).Use(external_id);
  if (!q.One()) {
    return std::nullopt;
  }
  return id;
}

constexpr const char* kServiceColumns =
    "s.id, s.structure_id, s.source, s.external_id, st.external_id, s.nom, s.description, "
    "s.type, s.thematiques, s.publics, s.frais, s.modes_accueil, s.modes_mobilisation, "
    "s.mobilisable_par, s.lien_mobilisation, s.conditions_acces, s.contact_nom_prenom, "
    "s.telephone, s.courriel, s.adresse, s.complement_adresse, s.code_postal, s.code_insee, "
    "s.commune, s.zone_eligibilite, s.horaires_accueil, s.date_maj, st.nom, st.commune, "
    "st.telephone FROM partner_service s JOIN partner_structure st ON st.id = s.structure_id ";

class SqlPartnerRepository final : public service::PartnerRepository {
 public:
  explicit SqlPartnerRepository(soci::session& sql) : sql_(sql) {}

  service::Upserted UpsertStructure(const domain::PartnerStructure& s,
                                    const std::string& search_place, const std::string& search_text,
                                    Instant now) override {
    const auto existing = IdOf(sql_, "partner_structure", s.source, s.external_id);
    const std::string reseaux = JoinCodes(s.reseaux_porteurs);
    const std::string date = ToIso(s.date_maj);
    const long long at = ToEpoch(now);
    long long id = existing.value_or(0);
    Query q(sql_, existing
                      ? "UPDATE partner_structure SET nom = :nom, siret = :siret, adresse = :a, "
                        "complement_adresse = :ca, code_postal = :cp, code_insee = :ci, commune = "
                        ":co, telephone = :t, courriel = :m, site_web = :w, horaires_accueil = :h, "
                        "description = :d, lien_source = :l, reseaux_porteurs = :r, date_maj = "
                        ":dm, search_place = :sp, search_text = :stx, imported_at = :at WHERE id "
                        "= :id"
                      : "INSERT INTO partner_structure (nom, siret, adresse, complement_adresse, "
                        "code_postal, code_insee, commune, telephone, courriel, site_web, "
                        "horaires_accueil, description, lien_source, reseaux_porteurs, date_maj, "
                        "search_place, search_text, imported_at, source, external_id) VALUES "
                        "(:nom, :siret, :a, :ca, :cp, :ci, :co, :t, :m, :w, :h, :d, :l, :r, :dm, "
                        ":sp, :stx, :at, :src, :ext) RETURNING id");
    q.Use(s.nom)
        .Use(s.siret)
        .Use(s.adresse)
        .Use(s.complement_adresse)
        .Use(s.code_postal)
        .Use(s.code_insee)
        .Use(s.commune)
        .Use(s.telephone)
        .Use(s.courriel)
        .Use(s.site_web)
        .Use(s.horaires_accueil)
        .Use(s.description)
        .Use(s.lien_source)
        .Use(reseaux)
        .Use(date)
        .Use(search_place)
        .Use(search_text)
        .Use(at);
    if (existing) {
      q.Use(id);
      q.Run();
    } else {
      q.Use(s.source).Use(s.external_id).Into(id);
      q.One();
    }
    return {id, !existing};
  }

  std::optional<domain::PartnerStructureId> FindStructure(const std::string& source,
                                                          const std::string& external_id) override {
    return IdOf(sql_, "partner_structure", source, external_id);
  }

  service::Upserted UpsertService(const domain::PartnerService& s, const std::string& search_place,
                                  const std::string& search_text, Instant now) override {
    const auto existing = IdOf(sql_, "partner_service", s.source, s.external_id);
    const long long structure = s.structure_id;
    const std::string themes = JoinCodes(s.thematiques);
    const std::string publics = JoinCodes(s.publics);
    const std::string frais = JoinCodes(s.frais);
    const std::string accueil = JoinCodes(s.modes_accueil);
    const std::string mobilisation = JoinCodes(s.modes_mobilisation);
    const std::string par = JoinCodes(s.mobilisable_par);
    const std::string zone = JoinCodes(s.zone_eligibilite);
    const std::string date = ToIso(s.date_maj);
    const long long at = ToEpoch(now);
    long long id = existing.value_or(0);
    Query q(sql_,
            existing
                ? "UPDATE partner_service SET structure_id = :st, nom = :nom, description = :d, "
                  "type = :ty, thematiques = :th, publics = :pu, frais = :fr, modes_accueil = :ma, "
                  "modes_mobilisation = :mm, mobilisable_par = :mp, lien_mobilisation = :lm, "
                  "conditions_acces = :cond, contact_nom_prenom = :cn, telephone = :t, courriel "
                  "= :m, adresse = :a, complement_adresse = :ca, code_postal = :cp, code_insee = "
                  ":ci, commune = :co, zone_eligibilite = :z, horaires_accueil = :h, date_maj = "
                  ":dm, search_place = :sp, search_text = :stx, imported_at = :at WHERE id = :id"
                : "INSERT INTO partner_service (structure_id, nom, description, type, "
                  "thematiques, publics, frais, modes_accueil, modes_mobilisation, "
                  "mobilisable_par, lien_mobilisation, conditions_acces, contact_nom_prenom, "
                  "telephone, courriel, adresse, complement_adresse, code_postal, code_insee, "
                  "commune, zone_eligibilite, horaires_accueil, date_maj, search_place, "
                  "search_text, imported_at, source, external_id) VALUES (:st, :nom, :d, :ty, "
                  ":th, :pu, :fr, :ma, :mm, :mp, :lm, :cond, :cn, :t, :m, :a, :ca, :cp, :ci, "
                  ":co, :z, :h, :dm, :sp, :stx, :at, :src, :ext) RETURNING id");
    q.Use(structure)
        .Use(s.nom)
        .Use(s.description)
        .Use(s.type)
        .Use(themes)
        .Use(publics)
        .Use(frais)
        .Use(accueil)
        .Use(mobilisation)
        .Use(par)
        .Use(s.lien_mobilisation)
        .Use(s.conditions_acces)
        .Use(s.contact_nom_prenom)
        .Use(s.telephone)
        .Use(s.courriel)
        .Use(s.adresse)
        .Use(s.complement_adresse)
        .Use(s.code_postal)
        .Use(s.code_insee)
        .Use(s.commune)
        .Use(zone)
        .Use(s.horaires_accueil)
        .Use(date)
        .Use(search_place)
        .Use(search_text)
        .Use(at);
    if (existing) {
      q.Use(id);
      q.Run();
      Query del(sql_, "DELETE FROM partner_service_theme WHERE service_id = :id");
      del.Use(id);
      del.Run();
    } else {
      q.Use(s.source).Use(s.external_id).Into(id);
      q.One();
    }
    for (const auto& theme : s.thematiques) {
      Query ins(sql_, "INSERT INTO partner_service_theme (service_id, code) VALUES (:id, :c)");
      ins.Use(id).Use(theme);
      ins.Run();
    }
    return {id, !existing};
  }

  std::optional<domain::PartnerService> FindService(domain::PartnerServiceId id) override {
    const long long key = id;
    auto list = Select("WHERE s.id = :k", {key}, {});
    if (list.empty()) {
      return std::nullopt;
    }
    return list.front();
  }

  service::PartnerSearchResult Search(const service::PartnerSearch& search) override {
    std::string where = "WHERE 1 = 1";
    const std::string from =
        "FROM partner_service s JOIN partner_structure st ON st.id = s.structure_id ";
    std::vector<std::string> texts;
    if (!search.theme.empty()) {
      where +=
          " AND EXISTS (SELECT 1 FROM partner_service_theme t WHERE t.service_id = s.id AND "
          "(t.code = :theme OR t.code LIKE :prefix))";
      texts.push_back(search.theme);
      texts.push_back(search.theme + "--%");
    }
    if (!search.place.empty()) {
      where += " AND (s.search_place LIKE :place OR st.search_place LIKE :place2)";
      texts.push_back("%" + search.place + "%");
      texts.push_back("%" + search.place + "%");
    }
    if (!search.text.empty()) {
      where += " AND (s.search_text LIKE :text OR st.search_text LIKE :text2)";
      texts.push_back("%" + search.text + "%");
      texts.push_back("%" + search.text + "%");
    }
    service::PartnerSearchResult result;
    {
      long long total = 0;
      Query q(sql_, "SELECT COUNT(*) " + from + where);
      q.Into(total);
      for (const auto& t : texts) {
        q.Use(t);
      }
      q.One();
      result.total = total;
    }
    const long long limit = search.limit;
    const long long offset = search.offset;
    result.services =
        Select(where, {}, texts, " ORDER BY s.nom, s.id LIMIT :lim OFFSET :off", {limit, offset});
    return result;
  }

 private:
  std::vector<domain::PartnerService> Select(const std::string& where,
                                             const std::vector<long long>& keys,
                                             const std::vector<std::string>& texts,
                                             const std::string& tail = " ORDER BY s.nom, s.id",
                                             const std::vector<long long>& tail_keys = {}) {
    std::vector<domain::PartnerService> out;
    domain::PartnerService s;
    long long id = 0;
    long long structure = 0;
    std::string themes;
    std::string publics;
    std::string frais;
    std::string accueil;
    std::string mobilisation;
    std::string par;
    std::string zone;
    std::string date;
    Query q(sql_, std::string("SELECT ") + kServiceColumns + where + tail);
    q.Into(id)
        .Into(structure)
        .Into(s.source)
        .Into(s.external_id)
        .Into(s.structure_external_id)
        .Into(s.nom)
        .Into(s.description)
        .Into(s.type)
        .Into(themes)
        .Into(publics)
        .Into(frais)
        .Into(accueil)
        .Into(mobilisation)
        .Into(par)
        .Into(s.lien_mobilisation)
        .Into(s.conditions_acces)
        .Into(s.contact_nom_prenom)
        .Into(s.telephone)
        .Into(s.courriel)
        .Into(s.adresse)
        .Into(s.complement_adresse)
        .Into(s.code_postal)
        .Into(s.code_insee)
        .Into(s.commune)
        .Into(zone)
        .Into(s.horaires_accueil)
        .Into(date)
        .Into(s.structure_nom)
        .Into(s.structure_commune)
        .Into(s.structure_telephone);
    for (const auto& k : keys) {
      q.Use(k);
    }
    for (const auto& t : texts) {
      q.Use(t);
    }
    for (const auto& k : tail_keys) {
      q.Use(k);
    }
    q.ForEach([&] {
      domain::PartnerService row = s;
      row.id = id;
      row.structure_id = structure;
      row.thematiques = domain::MultiCodes(themes);
      row.publics = domain::MultiCodes(publics);
      row.frais = domain::MultiCodes(frais);
      row.modes_accueil = domain::MultiCodes(accueil);
      row.modes_mobilisation = domain::MultiCodes(mobilisation);
      row.mobilisable_par = domain::MultiCodes(par);
      row.zone_eligibilite = domain::MultiCodes(zone);
      row.date_maj = ParseIsoDate(date).value_or(LocalDate{});
      out.push_back(std::move(row));
    });
    return out;
  }

  soci::session& sql_;
};

class SqlOrientationRepository final : public service::OrientationRepository {
 public:
  explicit SqlOrientationRepository(soci::session& sql) : sql_(sql) {}

  domain::OrientationId Insert(const domain::Orientation& o,
                               std::optional<domain::UserId> created_by, Instant now) override {
    const long long referral = o.referral_id;
    long long service = o.service_id.value_or(0);
    soci::indicator service_ind = o.service_id ? soci::i_ok : soci::i_null;
    const std::string status(domain::OrientationStatusCode(o.status));
    std::string follow = o.follow_up_on ? ToIso(*o.follow_up_on) : "";
    soci::indicator follow_ind = o.follow_up_on ? soci::i_ok : soci::i_null;
    const std::string shared = JoinCodes(o.shared);
    std::string consent_on = o.consent_on ? ToIso(*o.consent_on) : "";
    soci::indicator consent_ind = o.consent_on ? soci::i_ok : soci::i_null;
    long long by = created_by.value_or(0);
    soci::indicator by_ind = created_by ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    long long id = 0;
    Query q(sql_,
            "INSERT INTO orientation (referral_id, service_id, partner_name, partner_kind, "
            "reason, status, follow_up_on, shared, consent_method, consent_on, note, "
            "created_by_user_id, created_at, updated_at) VALUES (:r, :s, :n, :k, :re, :st, :f, "
            ":sh, :cm, :co, :no, :by, :c, :u) RETURNING id");
    q.Use(referral)
        .Use(service, service_ind)
        .Use(o.partner_name)
        .Use(o.partner_kind)
        .Use(o.reason)
        .Use(status)
        .Use(follow, follow_ind)
        .Use(shared)
        .Use(o.consent_method)
        .Use(consent_on, consent_ind)
        .Use(o.note)
        .Use(by, by_ind)
        .Use(at)
        .Use(at)
        .Into(id);
    q.One();
    return id;
  }

  std::optional<domain::Orientation> Find(domain::OrientationId id) override {
    auto list = Select("WHERE o.id = :k", id);
    if (list.empty()) {
      return std::nullopt;
    }
    return list.front();
  }

  std::vector<domain::Orientation> ForReferral(domain::ReferralId referral) override {
    return Select("WHERE o.referral_id = :k", referral);
  }

  void Update(const domain::Orientation& o, Instant now) override {
    const long long key = o.id;
    const std::string status(domain::OrientationStatusCode(o.status));
    std::string follow = o.follow_up_on ? ToIso(*o.follow_up_on) : "";
    soci::indicator follow_ind = o.follow_up_on ? soci::i_ok : soci::i_null;
    const std::string shared = JoinCodes(o.shared);
    std::string consent_on = o.consent_on ? ToIso(*o.consent_on) : "";
    soci::indicator consent_ind = o.consent_on ? soci::i_ok : soci::i_null;
    const long long at = ToEpoch(now);
    Query q(sql_,
            "UPDATE orientation SET partner_kind = :k, reason = :re, status = :st, follow_up_on "
            "= :f, shared = :sh, consent_method = :cm, consent_on = :co, note = :no, updated_at "
            "= :u WHERE id = :id");
    q.Use(o.partner_kind)
        .Use(o.reason)
        .Use(status)
        .Use(follow, follow_ind)
        .Use(shared)
        .Use(o.consent_method)
        .Use(consent_on, consent_ind)
        .Use(o.note)
        .Use(at)
        .Use(key);
    q.Run();
  }

  void AddEvent(domain::OrientationId id, std::optional<domain::UserId> user,
                const std::string& from, const std::string& to, Instant at) override {
    const long long key = id;
    long long by = user.value_or(0);
    soci::indicator by_ind = user ? soci::i_ok : soci::i_null;
    const long long when = ToEpoch(at);
    Query q(sql_,
            "INSERT INTO orientation_event (orientation_id, at, user_id, from_status, to_status) "
            "VALUES (:o, :a, :u, :f, :t)");
    q.Use(key).Use(when).Use(by, by_ind).Use(from).Use(to);
    q.Run();
  }

 private:
  std::vector<domain::Orientation> Select(const std::string& where, long long key) {
    std::vector<domain::Orientation> out;
    std::map<long long, std::size_t> index;
    long long id = 0;
    long long referral = 0;
    long long service = 0;
    soci::indicator service_ind{};
    std::string name;
    std::string kind;
    std::string reason;
    std::string status;
    std::string follow;
    soci::indicator follow_ind{};
    std::string shared;
    std::string consent_method;
    std::string consent_on;
    soci::indicator consent_ind{};
    std::string note;
    std::string author;
    long long created = 0;
    long long updated = 0;
    {
      Query q(sql_,
              "SELECT o.id, o.referral_id, o.service_id, o.partner_name, o.partner_kind, "
              "o.reason, o.status, o.follow_up_on, o.shared, o.consent_method, o.consent_on, "
              "o.note, COALESCE(u.display_name, ''), o.created_at, o.updated_at FROM "
              "orientation o LEFT JOIN app_user u ON u.id = o.created_by_user_id " +
                  where + " ORDER BY o.created_at, o.id");
      q.Into(id)
          .Into(referral)
          .Into(service, service_ind)
          .Into(name)
          .Into(kind)
          .Into(reason)
          .Into(status)
          .Into(follow, follow_ind)
          .Into(shared)
          .Into(consent_method)
          .Into(consent_on, consent_ind)
          .Into(note)
          .Into(author)
          .Into(created)
          .Into(updated)
          .Use(key);
      q.ForEach([&] {
        domain::Orientation o;
        o.id = id;
        o.referral_id = referral;
        o.service_id = Nullable(service, service_ind);
        o.partner_name = name;
        o.partner_kind = kind;
        o.reason = reason;
        o.status =
            domain::ParseOrientationStatus(status).value_or(domain::OrientationStatus::kProposed);
        o.follow_up_on = follow_ind == soci::i_null ? std::nullopt : ParseIsoDate(follow);
        o.shared = domain::MultiCodes(shared);
        o.consent_method = consent_method;
        o.consent_on = consent_ind == soci::i_null ? std::nullopt : ParseIsoDate(consent_on);
        o.note = note;
        o.author_name = author;
        o.created_at = FromEpoch(created);
        o.updated_at = FromEpoch(updated);
        index[id] = out.size();
        out.push_back(std::move(o));
      });
    }
    if (out.empty()) {
      return out;
    }
    long long owner = 0;
    long long at = 0;
    std::string who;
    std::string from;
    std::string to;
    Query q(sql_,
            "SELECT e.orientation_id, e.at, COALESCE(u.display_name, ''), e.from_status, "
            "e.to_status FROM orientation_event e LEFT JOIN app_user u ON u.id = e.user_id "
            "WHERE e.orientation_id IN (SELECT o.id FROM orientation o " +
                where + ") ORDER BY e.at, e.id");
    q.Into(owner).Into(at).Into(who).Into(from).Into(to).Use(key);
    q.ForEach([&] { out[index.at(owner)].events.push_back({FromEpoch(at), who, from, to}); });
    return out;
  }

  soci::session& sql_;
};

}  // namespace

std::unique_ptr<service::PartnerRepository> MakePartnerRepository(soci::session& sql) {
  return std::make_unique<SqlPartnerRepository>(sql);
}

std::unique_ptr<service::OrientationRepository> MakeOrientationRepository(soci::session& sql) {
  return std::make_unique<SqlOrientationRepository>(sql);
}

}  // namespace allervers::storage
