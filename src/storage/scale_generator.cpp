#include "storage/scale_generator.hpp"

#include <fmt/format.h>
#include <soci/soci.h>

#include <array>
#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/fictitious_names.hpp"
#include "common/text.hpp"
#include "domain/identity.hpp"

namespace allervers::storage {
namespace {

using SteadyClock = std::chrono::steady_clock;

// One territory per team: a Département, its prefecture and postcode (fictitious teams).
constexpr std::array<std::string_view, 100> kTerritories = {
    "Ain|Bourg-en-Bresse|01000",
    "Aisne|Laon|02000",
    "Allier|Moulins|03000",
    "Alpes-de-Haute-Provence|Digne-les-Bains|04000",
    "Hautes-Alpes|Gap|05000",
    "Alpes-Maritimes|Nice|06000",
    "Ardèche|Privas|07000",
    "Ardennes|Charleville-Mézières|08000",
    "Ariège|Foix|09000",
    "Aube|Troyes|10000",
    "Aude|Carcassonne|11000",
    "Aveyron|Rodez|12000",
    "Bouches-du-Rhône|Marseille|13001",
    "Calvados|Caen|14000",
    "Cantal|Aurillac|15000",
    "Charente|Angoulême|16000",
    "Charente-Maritime|La Rochelle|17000",
    "Cher|Bourges|18000",
    "Corrèze|Tulle|19000",
    "Corse-du-Sud|Ajaccio|20000",
    "Haute-Corse|Bastia|20200",
    "Côte-d'Or|Dijon|21000",
    "Côtes-d'Armor|Saint-Brieuc|22000",
    "Creuse|Guéret|23000",
    "Dordogne|Périgueux|24000",
    "Doubs|Besançon|25000",
    "Drôme|Valence|26000",
    "Eure|Évreux|27000",
    "Eure-et-Loir|Chartres|28000",
    "Finistère|Quimper|29000",
    "Gard|Nîmes|30000",
    "Haute-Garonne|Toulouse|31000",
    "Gers|Auch|32000",
    "Gironde|Bordeaux|33000",
    "Hérault|Montpellier|34000",
    "Ille-et-Vilaine|Rennes|35000",
    "Indre|Châteauroux|36000",
    "Indre-et-Loire|Tours|37000",
    "Isère|Grenoble|38000",
    "Jura|Lons-le-Saunier|39000",
    "Landes|Mont-de-Marsan|40000",
    "Loir-et-Cher|Blois|41000",
    "Loire|Saint-Étienne|42000",
    "Haute-Loire|Le Puy-en-Velay|43000",
    "Loire-Atlantique|Nantes|44000",
    "Loiret|Orléans|45000",
    "Lot|Cahors|46000",
    "Lot-et-Garonne|Agen|47000",
    "Lozère|Mende|48000",
    "Maine-et-Loire|Angers|49000",
    "Manche|Saint-Lô|50000",
    "Marne|Châlons-en-Champagne|51000",
    "Haute-Marne|Chaumont|52000",
    "Mayenne|Laval|53000",
    "Meurthe-et-Moselle|Nancy|54000",
    "Meuse|Bar-le-Duc|55000",
    "Morbihan|Vannes|56000",
    "Moselle|Metz|57000",
    "Nièvre|Nevers|58000",
    "Nord|Lille|59000",
    "Oise|Beauvais|60000",
    "Orne|Alençon|61000",
    "Pas-de-Calais|Arras|62000",
    "Puy-de-Dôme|Clermont-Ferrand|63000",
    "Pyrénées-Atlantiques|Pau|64000",
    "Hautes-Pyrénées|Tarbes|65000",
    "Pyrénées-Orientales|Perpignan|66000",
    "Bas-Rhin|Strasbourg|67000",
    "Haut-Rhin|Colmar|68000",
    "Rhône|Lyon|69001",
    "Haute-Saône|Vesoul|70000",
    "Saône-et-Loire|Mâcon|71000",
    "Sarthe|Le Mans|72000",
    "Savoie|Chambéry|73000",
    "Haute-Savoie|Annecy|74000",
    "Paris|Paris|75001",
    "Seine-Maritime|Rouen|76000",
    "Seine-et-Marne|Melun|77000",
    "Yvelines|Versailles|78000",
    "Deux-Sèvres|Niort|79000",
    "Somme|Amiens|80000",
    "Tarn|Albi|81000",
    "Tarn-et-Garonne|Montauban|82000",
    "Var|Toulon|83000",
    "Vaucluse|Avignon|84000",
    "Vendée|La Roche-sur-Yon|85000",
    "Vienne|Poitiers|86000",
    "Haute-Vienne|Limoges|87000",
    "Vosges|Épinal|88000",
    "Yonne|Auxerre|89000",
    "Territoire de Belfort|Belfort|90000",
    "Essonne|Évry-Courcouronnes|91000",
    "Hauts-de-Seine|Nanterre|92000",
    "Seine-Saint-Denis|Bobigny|93000",
    "Val-de-Marne|Créteil|94000",
    "Val-d'Oise|Cergy|95000",
    "Guadeloupe|Basse-Terre|97100",
    "Martinique|Fort-de-France|97200",
    "Guyane|Cayenne|97300",
    "La Réunion|Saint-Denis|97400",
};

// The tables the generator fills: their secondary indexes (and, on PostgreSQL, foreign keys)
// are dropped for the load and rebuilt once at the end, which is several times faster than
// maintaining them row by row.
constexpr std::array<std::string_view, 18> kFilled = {"person",
                                                      "person_key",
                                                      "referral",
                                                      "referral_item",
                                                      "referral_event",
                                                      "contact_attempt",
                                                      "appointment",
                                                      "appointment_worker",
                                                      "intervention",
                                                      "intervention_item",
                                                      "intervention_worker",
                                                      "intervention_procedure",
                                                      "assessment",
                                                      "case_procedure",
                                                      "case_procedure_event",
                                                      "orientation",
                                                      "orientation_event",
                                                      "app_user"};

std::vector<std::string> Split(std::string_view list, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(sep, start), list.size());
    if (end > start) {
      out.emplace_back(list.substr(start, end - start));
    }
    start = end + 1;
  }
  return out;
}

std::string Quote(std::string_view v) {
  std::string out = "'";
  for (const char c : v) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
long long DayNumber(const LocalDate& d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (d.month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + d.day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + doe - 719468;
}

class SqlScaleGenerator final : public service::ScaleGenerator {
 public:
  explicit SqlScaleGenerator(Database& db) : db_(db), pg_(db.backend() == Backend::kPostgres) {}

  bool IsEmpty() override {
    long long n = 0;
    db_.WithSession([&](soci::session& sql) {
      sql << "SELECT (SELECT COUNT(*) FROM structure) + (SELECT COUNT(*) FROM app_user) + "
             "(SELECT COUNT(*) FROM person) + (SELECT COUNT(*) FROM referral)",
          soci::into(n);
    });
    return n == 0;
  }

  void Generate(const service::ScaleSpec& spec,
                const std::function<void(const service::ScaleStep&)>& progress) override {
    if (spec.persons < 1 || spec.teams < 1 || spec.teams > static_cast<int>(kTerritories.size()) ||
        spec.span_days < 200) {
      throw Error(ErrorCode::kInvalidArgument, "Paramètres de génération invalides.");
    }
    spec_ = spec;
    today_ = DayNumber(spec.today);
    db_.WithSession([&](soci::session& sql) {
      if (!pg_) {
        // A large page cache keeps the indexes being rebuilt in memory.
        sql << "PRAGMA cache_size = -1048576";
        sql << "PRAGMA temp_store = MEMORY";
      }
      soci::transaction tx(sql);
      if (pg_) {
        sql << "SET LOCAL synchronous_commit = off";
        sql << "SET LOCAL maintenance_work_mem = '512MB'";
      }
      const auto rebuild = DropSecondary(sql);
      LoadNames(sql);
      for (const auto& [what, statement] : Statements()) {
        const auto start = SteadyClock::now();
        soci::statement st = (sql.prepare << statement);
        st.execute(true);
        Report(progress, what, st.get_affected_rows(), start);
      }
      auto start = SteadyClock::now();
      const long long keys = WriteKeys(sql);
      Report(progress, "clés de détection des doublons", keys, start);
      start = SteadyClock::now();
      for (const auto& ddl : rebuild) {
        sql << ddl;
      }
      Report(progress, "index et clés étrangères reconstruits",
             static_cast<long long>(rebuild.size()), start);
      if (pg_) {
        // Ids were given explicitly: the sequences continue after them.
        for (const char* t :
             {"structure", "app_user", "person", "referral", "referral_event", "contact_attempt",
              "appointment", "intervention", "assessment", "case_procedure", "case_procedure_event",
              "orientation", "orientation_event"}) {
          long long next = 0;
          sql << fmt::format(
              "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT "
              "MAX(id) FROM {0}), 0) + 1, false)",
              t),
              soci::into(next);
        }
      }
      sql << "DROP TABLE gen_territory";
      sql << "DROP TABLE gen_surname";
      sql << "DROP TABLE gen_woman";
      sql << "DROP TABLE gen_man";
      tx.commit();
      if (!pg_) {
        sql << "PRAGMA cache_size = -2000";
      }
    });
    if (pg_) {
      const auto start = SteadyClock::now();
      db_.WithSession([](soci::session& sql) { sql << "ANALYZE"; });
      Report(progress, "statistiques (ANALYZE)", 0, start);
    }
  }

 private:
  static void Report(const std::function<void(const service::ScaleStep&)>& progress,
                     const std::string& what, long long rows, SteadyClock::time_point start) {
    if (progress) {
      progress({what, rows, std::chrono::duration<double>(SteadyClock::now() - start).count()});
    }
  }

  // Drops the secondary indexes (and PostgreSQL's foreign keys) of the filled tables; returns
  // the statements that rebuild them.
  std::vector<std::string> DropSecondary(soci::session& sql) {
    std::string tables;
    for (const auto t : kFilled) {
      tables += (tables.empty() ? "" : ", ") + Quote(t);
    }
    std::vector<std::pair<std::string, std::string>> indexes;
    std::vector<std::pair<std::string, std::string>> keys;  // (table, constraint name), ddl
    std::vector<std::string> rebuild;
    std::string name;
    std::string ddl;
    std::string table;
    if (pg_) {
      soci::statement st =
          (sql.prepare << "SELECT c.conrelid::regclass::text, c.conname, "
                          "pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n "
                          "ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = "
                          "current_schema() AND c.conrelid::regclass::text IN (" +
                              tables + ") ORDER BY 1, 2",
           soci::into(table), soci::into(name), soci::into(ddl));
      st.execute(false);
      while (st.fetch()) {
        keys.emplace_back(table, name);
        rebuild.push_back(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", table, name, ddl));
      }
      soci::statement ix =
          (sql.prepare << "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname "
                          "= current_schema() AND i.tablename IN (" +
                              tables +
                              ") AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname "
                              "= i.indexname) ORDER BY 1",
           soci::into(name), soci::into(ddl));
      ix.execute(false);
      while (ix.fetch()) {
        indexes.emplace_back(name, ddl);
      }
    } else {
      soci::statement ix =
          (sql.prepare << "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS "
                          "NOT NULL AND tbl_name IN (" +
                              tables + ") ORDER BY name",
           soci::into(name), soci::into(ddl));
      ix.execute(false);
      while (ix.fetch()) {
        indexes.emplace_back(name, ddl);
      }
    }
    for (const auto& [t, k] : keys) {
      sql << fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", t, k);
    }
    for (const auto& [n, d] : indexes) {
      sql << "DROP INDEX " + n;
    }
    std::vector<std::string> out;
    out.reserve(indexes.size() + rebuild.size());
    for (const auto& [n, d] : indexes) {
      out.push_back(d);
    }
    out.insert(out.end(), rebuild.begin(), rebuild.end());
    return out;
  }

  void LoadNames(soci::session& sql) {
    const char* temp = pg_ ? "CREATE TEMP TABLE {} (n BIGINT PRIMARY KEY, v TEXT NOT NULL, f "
                             "TEXT NOT NULL) ON COMMIT DROP"
                           : "CREATE TEMP TABLE {} (n INTEGER PRIMARY KEY, v TEXT NOT NULL, f "
                             "TEXT NOT NULL)";
    const auto fill = [&](const std::string& table, const std::vector<std::string>& values) {
      if (!pg_) {
        sql << "DROP TABLE IF EXISTS " + table;
      }
      sql << fmt::format(fmt::runtime(temp), table);
      std::string insert = "INSERT INTO " + table + " (n, v, f) VALUES ";
      for (std::size_t i = 0; i < values.size(); ++i) {
        insert += fmt::format("{}({}, {}, {})", i == 0 ? "" : ", ", i, Quote(values[i]),
                              Quote(text::FoldForSearch(values[i])));
      }
      sql << insert;
      return static_cast<long long>(values.size());
    };
    const auto join = [](std::initializer_list<std::string_view> lists) {
      std::vector<std::string> out;
      for (const auto l : lists) {
        for (auto& v : Split(l, ',')) {
          out.push_back(std::move(v));
        }
      }
      return out;
    };
    using namespace names;  // NOLINT(google-build-using-namespace): the lists
    surnames_ = fill("gen_surname", join({kFrenchSurnames, kMaghrebSurnames, kWestAfricaSurnames,
                                          kPortugalSurnames, kTurkeySurnames, kVietnamSurnames}));
    women_ = fill("gen_woman",
                  join({kFrenchWomen1955, kFrenchWomen1975, kFrenchWomen1995, kFrenchWomen1930,
                        kMaghrebWomen, kWestAfricaWomen, kPortugalWomen, kTurkeyWomen}));
    men_ = fill("gen_man", join({kFrenchMen1955, kFrenchMen1975, kFrenchMen1995, kFrenchMen1930,
                                 kMaghrebMen, kWestAfricaMen, kPortugalMen, kTurkeyMen}));
    if (!pg_) {
      sql << "DROP TABLE IF EXISTS gen_territory";
    }
    sql << (pg_ ? "CREATE TEMP TABLE gen_territory (n BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                  "city TEXT NOT NULL, postal_code TEXT NOT NULL) ON COMMIT DROP"
                : "CREATE TEMP TABLE gen_territory (n INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                  "city TEXT NOT NULL, postal_code TEXT NOT NULL)");
    std::string insert = "INSERT INTO gen_territory (n, name, city, postal_code) VALUES ";
    for (int t = 1; t <= spec_.teams; ++t) {
      const auto parts = Split(kTerritories[static_cast<std::size_t>(t - 1)], '|');
      insert += fmt::format("{}({}, {}, {}, {})", t == 1 ? "" : ", ", t, Quote(parts[0]),
                            Quote(parts[1]), Quote(parts[2]));
    }
    sql << insert;
  }

  // The duplicate-detection keys of every generated person (person_key rows), the ones
  // ReferralService writes for a person (domain::IndexKeys): the phonetic keys are not
  // computable in SQL, so the persons are read by ranges of ids and their keys written by a
  // prepared multi-row INSERT. Returns the number of rows.
  long long WriteKeys(soci::session& sql) const {
    constexpr long long kPersonsPerRead = 20'000;
    constexpr std::size_t kRowsPerInsert = 500;
    // The bound values of one INSERT, by reference: `count` rows of (key, person).
    struct Batch {
      std::vector<std::string> keys;
      std::vector<long long> persons;
      soci::statement insert;

      Batch(soci::session& sql, std::size_t count) : keys(count), persons(count), insert(sql) {
        std::string text = "INSERT INTO person_key (key, person_id) VALUES ";
        for (std::size_t i = 0; i < count; ++i) {
          text += fmt::format("{}(:k{}, :p{})", i == 0 ? "" : ", ", i, i);
        }
        for (std::size_t i = 0; i < count; ++i) {
          insert.exchange(soci::use(keys[i]));
          insert.exchange(soci::use(persons[i]));
        }
        insert.alloc();
        insert.prepare(text);
        insert.define_and_bind();
      }
    };
    Batch full(sql, kRowsPerInsert);
    std::size_t pending = 0;
    long long written = 0;
    const auto flush = [&] {
      full.insert.execute(true);
      written += static_cast<long long>(pending);
      pending = 0;
    };
    const auto add = [&](const std::string& key, long long person) {
      full.keys[pending] = key;
      full.persons[pending] = person;
      if (++pending == kRowsPerInsert) {
        flush();
      }
    };

    long long id = 0;
    domain::PersonIdentity p;
    std::string birth_date;
    soci::indicator birth_date_ind = soci::i_ok;
    int birth_year = 0;
    soci::indicator birth_year_ind = soci::i_ok;
    long long from = 1;
    long long to = 0;
    soci::statement read =
        (sql.prepare << "SELECT id, birth_name, usage_name, first_names, birth_date, birth_year, "
                        "phone, email, postal_code FROM person WHERE id >= :from AND id < :to "
                        "ORDER BY id",
         soci::into(id), soci::into(p.birth_name), soci::into(p.usage_name),
         soci::into(p.first_names), soci::into(birth_date, birth_date_ind),
         soci::into(birth_year, birth_year_ind), soci::into(p.phone), soci::into(p.email),
         soci::into(p.postal_code), soci::use(from), soci::use(to));
    for (; from <= spec_.persons; from += kPersonsPerRead) {
      to = from + kPersonsPerRead;
      read.execute(false);
      while (read.fetch()) {
        // As domain::PersonData::Identity(): the year of the date when the date is known.
        p.birth_date = birth_date_ind == soci::i_ok ? ParseIsoDate(birth_date) : std::nullopt;
        p.birth_year = p.birth_date                   ? std::optional(p.birth_date->year)
                       : birth_year_ind == soci::i_ok ? std::optional(birth_year)
                                                      : std::nullopt;
        for (const auto& key : domain::IndexKeys(p)) {
          add(key, id);
        }
      }
    }
    if (pending > 0) {
      Batch rest(sql, pending);
      for (std::size_t i = 0; i < pending; ++i) {
        rest.keys[i] = full.keys[i];
        rest.persons[i] = full.persons[i];
      }
      rest.insert.execute(true);
      written += static_cast<long long>(pending);
    }
    return written;
  }

  // ---- SQL building blocks --------------------------------------------------------------

  // `WITH` numbered rows i = 1..n, then `g`: one row per person p (or per person and k when
  // `per_person` > 1), with the person's age of referral a (days before today, 1..span),
  // received day r, team t, intervenant w and coordinator c.
  std::string With(long long per_person, long long persons = 0) const {
    const long long n = (persons > 0 ? persons : spec_.persons) * per_person;
    const std::string rows =
        pg_ ? fmt::format("s(i) AS (SELECT generate_series(CAST(1 AS BIGINT), {}))", n)
            : fmt::format("s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {})", n);
    const std::string p = fmt::format("(1 + (i - 1) / {})", per_person);
    // The received day falls on a weekday (1970-01-01 was a Thursday: (day + 3) % 7 is 0 on
    // Mondays): a weekend day moves back to a day of the same week, spread over Monday to
    // Friday, so that the visits, whole weeks later, fall on weekdays too.
    const std::string r0 =
        fmt::format("({} - (1 + ({} * 104729) % {}))", today_, p, spec_.span_days);
    const std::string r = fmt::format(
        "(CASE WHEN ({0} + 3) % 7 >= 5 THEN {0} - ({0} + 3) % 7 + {1} % 5 ELSE {0} END)", r0, p);
    const std::string a = fmt::format("({} - {})", today_, r);
    return fmt::format(
        "WITH RECURSIVE {0}, g AS (SELECT {1} AS p, (i - 1) % {2} AS k, {3} AS a, {4} AS r, "
        "1 + ({1} - 1) % {5} AS t, 5 * (({1} - 1) % {5}) + 2 + (({1} - 1) / {5}) % 3 AS w, "
        "5 * (({1} - 1) % {5}) + 1 AS c FROM s) ",
        rows, p, per_person, a, r, spec_.teams);
  }
  // The date (YYYY-MM-DD) of a day number.
  std::string Date(const std::string& day) const {
    return pg_ ? "to_char(DATE '1970-01-01' + CAST(" + day + " AS INTEGER), 'YYYY-MM-DD')"
               : "date((" + day + ") * 86400, 'unixepoch')";
  }
  // An instant on a day: `hour` is UTC, chosen between 07:00 and 16:00 so that the local date
  // is the same day in winter and in summer.
  static std::string At(const std::string& day, const std::string& hour) {
    return "((" + day + ") * 86400 + (" + hour + ") * 3600)";
  }
  std::string Pad(const std::string& v, int width) const {
    return ZeroPadSql(pg_ ? Backend::kPostgres : Backend::kSqlite, v, width);
  }
  // The normal path: every person but one in twenty (declared not receivable).
  static constexpr const char* kNormal = "g.p % 20 <> 0";

  std::vector<std::pair<std::string, std::string>> Statements() const {
    const long long n = spec_.persons;
    const int teams = spec_.teams;
    const std::string created = std::to_string((today_ - spec_.span_days - 30) * 86400);
    const std::string received = At("g.r", "7 + (g.p % 9)") + " + (g.p % 60) * 60";
    std::vector<std::pair<std::string, std::string>> out;
    const auto add = [&](std::string what, const std::string& table, long long per,
                         const std::string& select, const std::string& where = "",
                         const std::string& joins = "", long long rows = 0) {
      out.emplace_back(std::move(what), "INSERT INTO " + table + " " + With(per, rows) + "SELECT " +
                                            select + " FROM g" + joins +
                                            (where.empty() ? "" : " WHERE " + where));
    };
    // Structures and accounts (team t: coordinator 5t-4, intervenants 5t-3..5t-1, referrer 5t).
    out.emplace_back(
        "structures",
        fmt::format("INSERT INTO structure (id, code, name, kind, territory, created_at) SELECT "
                    "n, 'EMN-T' || {0}, 'Équipe mobile numérique — ' || name, 'operateur', "
                    "name, {1} FROM gen_territory UNION ALL SELECT {2} + n, 'SSD-T' || {0}, "
                    "'Service social départemental — ' || name, 'ssd', name, {1} FROM "
                    "gen_territory",
                    Pad("n", 3), created, teams));
    const std::string role =
        "CASE (g.p - 1) % 5 WHEN 0 THEN 'coordinateur' WHEN 4 THEN "
        "'prescripteur' ELSE 'intervenant' END";
    const std::string team3 = Pad("1 + (g.p - 1) / 5", 3);
    add("comptes",
        "app_user (id, email, display_name, role, structure_id, fte, password_hash, "
        "password_changed_at, created_at)",
        1,
        fmt::format("g.p, CASE (g.p - 1) % 5 WHEN 0 THEN 'coordination.t' || {0} || "
                    "'@emn.example' WHEN 4 THEN 'prescripteur.t' || {0} || '@ssd.example' ELSE "
                    "'intervenant' || ((g.p - 1) % 5) || '.t' || {0} || '@emn.example' END, "
                    "(SELECT v FROM gen_woman WHERE n = (g.p * 13) % {1}) || ' ' || (SELECT v "
                    "FROM gen_surname WHERE n = (g.p * 7) % {2}), {3}, CASE (g.p - 1) % 5 WHEN 4 "
                    "THEN {4} + 1 + (g.p - 1) / 5 ELSE 1 + (g.p - 1) / 5 END, CASE (g.p - 1) % 5 "
                    "WHEN 0 THEN 0.5 WHEN 1 THEN 1.0 WHEN 2 THEN 0.8 WHEN 3 THEN 0.5 END, {5}, "
                    "{6}, {6}",
                    team3, women_, surnames_, role, teams, Quote(spec_.password_hash), created),
        "", "", 5LL * teams);
    out.emplace_back(
        "administration et pilotage",
        fmt::format("INSERT INTO app_user (id, email, display_name, role, structure_id, "
                    "password_hash, password_changed_at, created_at) SELECT {0} + 1, "
                    "'admin@allervers.example', 'Administration Allervers', 'admin', NULL, {1}, "
                    "{2}, {2} UNION ALL SELECT {0} + 2, 'pilote@departement.example', 'Pilotage "
                    "départemental', 'pilote', {3} + 1, {1}, {2}, {2}",
                    5 * teams, Quote(spec_.password_hash), created, teams));

    // Persons: names by gender, a birth date (or a year only), a mobile phone in E.164 as the
    // intake stores it (domain::NormalizePhone), the territory's town.
    const std::string woman = "g.p % 2 = 0";
    add("personnes",
        "person (id, birth_name, first_names, birth_date, birth_year, gender, phone, "
        "address_line, postal_code, city, language, search_name, created_at, updated_at)",
        1,
        fmt::format(
            "g.p, sn.v, CASE WHEN {0} THEN fw.v ELSE fm.v END, CASE WHEN g.p % 4 <> 0 THEN "
            "CAST(1935 + (g.p * 31) % 70 AS TEXT) || '-' || {1} || '-' || {2} END, 1935 + "
            "(g.p * 31) % 70, CASE WHEN g.p % 23 = 0 THEN '' WHEN {0} THEN 'femme' ELSE 'homme' "
            "END, '+336' || {3}, (1 + g.p % 120) || CASE g.p % 6 WHEN 0 THEN ' rue de la "
            "République' WHEN 1 THEN ' avenue Jean Jaurès' WHEN 2 THEN ' place de la Mairie' "
            "WHEN 3 THEN ' rue Victor Hugo' WHEN 4 THEN ' allée des Tilleuls' ELSE ' boulevard "
            "Pasteur' END, gt.postal_code, gt.city, 'fr', sn.f || ' ' || CASE WHEN {0} THEN fw.f "
            "ELSE fm.f END, {4}, {4}",
            woman, Pad("1 + g.p % 12", 2), Pad("1 + g.p % 28", 2),
            Pad("(g.p * 7607) % 100000000", 8), received),
        "",
        fmt::format(" JOIN gen_surname sn ON sn.n = (g.p * 7919) % {0} JOIN gen_woman fw ON fw.n "
                    "= (g.p * 31) % {1} JOIN gen_man fm ON fm.n = (g.p * 37) % {2} JOIN "
                    "gen_territory gt ON gt.n = g.t",
                    surnames_, women_, men_));
    // Referrals: the state follows the milestones the age of the referral has reached.
    const std::string status = fmt::format(
        "CASE WHEN NOT ({0}) THEN CASE WHEN g.a >= 2 THEN 'not_receivable' ELSE 'received' END "
        "WHEN g.a = 1 THEN 'received' WHEN g.a = 2 THEN 'accepted' WHEN g.a <= 4 THEN 'contact' "
        "WHEN g.a <= 7 THEN 'appointment_set' WHEN g.a <= 150 THEN 'in_progress' ELSE 'closed' "
        "END",
        kNormal);
    const std::string first_visit = At("g.r + 7", "8 + (g.p / " + std::to_string(teams) + ") % 7");
    add("fiches de liaison",
        "referral (id, number, status, source, structure_id, operator_id, created_by_user_id, "
        "referrer_name, referrer_email, referrer_function, person_id, identity_status, "
        "difficulties, reason, urgency, consent_date, consent_how, assigned_user_id, "
        "decision_reason, received_at, accepted_at, first_contact_at, first_visit_at, closed_at, "
        "created_at, updated_at, reached_at, honoured_at, first_intervention_on, first_bilan_on, "
        "initial_level, initial_on, final_level)",
        1,
        fmt::format(
            "g.p, 'FL-' || substr({0}, 1, 4) || '-' || {1}, {2}, CASE g.p % 3 WHEN 0 THEN 'form' "
            "WHEN 1 THEN 'api' ELSE 'csv' END, {3} + g.t, g.t, CASE WHEN g.p % 3 = 0 THEN 5 * "
            "g.t END, 'Service social du territoire', 'prescripteur.t' || {4} || '@ssd.example', "
            "'Assistant·e de service social', g.p, CASE WHEN g.a >= 2 THEN 'confirmed_new' ELSE "
            "'unchecked' END, 'Pas d’ordinateur ; ne sait pas utiliser sa messagerie.', "
            "'Accompagnement aux démarches en ligne.', CASE WHEN g.p % 17 = 0 THEN 2 WHEN g.p % 7 "
            "= 0 THEN 1 ELSE 0 END, {0}, 'oral', CASE WHEN {5} AND g.a >= 2 THEN g.w END, CASE "
            "WHEN NOT ({5}) AND g.a >= 2 THEN CASE g.p % 3 WHEN 0 THEN 'hors_territoire' WHEN 1 "
            "THEN 'deja_accompagne' ELSE 'incomplete' END WHEN g.a > 150 THEN CASE g.p % 10 WHEN "
            "1 THEN 'demenagement' WHEN 5 THEN 'orientation' ELSE 'objectifs_atteints' END ELSE "
            "'' END, {6}, CASE WHEN {5} AND g.a >= 2 THEN {7} END, CASE WHEN {5} AND g.a >= 3 "
            "THEN {8} END, CASE WHEN {5} AND g.a >= 8 THEN {9} END, CASE WHEN {5} AND g.a > 150 "
            "THEN {10} END, {6}, {6}, "
            // The milestones (storage/case_milestones.hpp) of the rows written below: the
            // contact on day 2, the first visit honoured with its intervention and initial bilan
            // on day 7, the final bilan on day 140.
            "CASE WHEN {5} AND g.a >= 3 THEN {8} END, CASE WHEN {5} AND g.a >= 8 THEN {9} END, "
            "CASE WHEN {5} AND g.a >= 8 THEN {11} END, CASE WHEN {5} AND g.a >= 8 THEN {11} END, "
            "CASE WHEN {5} AND g.a >= 8 THEN 'N' || (g.p % 3) ELSE '' END, CASE WHEN {5} AND "
            "g.a >= 8 THEN {11} END, CASE WHEN {5} AND g.a > 140 THEN 'N' || (1 + g.p % 3) ELSE "
            "'' END",
            Date("g.r"), Pad("g.p", 5), status, teams, Pad("g.t", 3), kNormal, received,
            At("g.r + 1", "9"), At("g.r + 2", "9"), first_visit, At("g.r + 150", "14"),
            Date("g.r + 7")));
    add("problématiques signalées", "referral_item (referral_id, kind, code)", 1,
        "g.p, 'difficulty', CASE g.p % 4 WHEN 0 THEN 'pas_equipement' WHEN 1 THEN 'pas_email' "
        "WHEN 2 THEN 'identifiants_perdus' ELSE 'formulaires' END");
    add("démarches signalées", "referral_item (referral_id, kind, code)", 1,
        "g.p, 'procedure', " + ProcedureCode());
    // The history of each referral, one statement per transition.
    const auto event = [&](const std::string& what, const std::string& at, const std::string& by,
                           const std::string& from, const std::string& to,
                           const std::string& where) {
      add("historique : " + what,
          "referral_event (referral_id, at, user_id, actor_label, from_status, to_status)", 1,
          fmt::format("g.p, {}, {}, {}, '{}', '{}'", at, by,
                      by == "NULL" ? "'API du prescripteur'" : "'Équipe'", from, to),
          where);
    };
    event("réception", received, "NULL", "", "received", "1 = 1");
    event("non recevables", At("g.r + 1", "9"), "g.c", "received", "not_receivable",
          std::string("NOT (") + kNormal + ") AND g.a >= 2");
    event("acceptation", At("g.r + 1", "9"), "g.c", "received", "accepted",
          std::string(kNormal) + " AND g.a >= 2");
    event("premier contact", At("g.r + 2", "9"), "g.w", "accepted", "contact",
          std::string(kNormal) + " AND g.a >= 3");
    event("rendez-vous fixé", At("g.r + 4", "9"), "g.w", "contact", "appointment_set",
          std::string(kNormal) + " AND g.a >= 5");
    event("première visite", first_visit, "g.w", "appointment_set", "in_progress",
          std::string(kNormal) + " AND g.a >= 8");
    event("clôture", At("g.r + 150", "14"), "g.w", "in_progress", "closed",
          std::string(kNormal) + " AND g.a > 150");
    add("contacts", "contact_attempt (referral_id, at, channel, outcome, user_id, created_at)", 1,
        fmt::format("g.p, {0}, 'telephone', 'joint', g.w, {0}", At("g.r + 2", "9")),
        std::string(kNormal) + " AND g.a >= 3");
    // Appointments: the first visit (honoured, or planned while it is to come), a missed one
    // for one person in five, and the next visit of every case in progress.
    const std::string appointment =
        "appointment (id, referral_id, operator_id, starts_at, ends_at, place_kind, "
        "address_line, postal_code, city, purpose, status, sequence, created_by_user_id, "
        "created_at, updated_at)";
    const std::string home =
        "'domicile', (SELECT address_line FROM person WHERE id = g.p), gt.postal_code, gt.city";
    const auto visit = [&](const std::string& what, const std::string& id, const std::string& day,
                           const std::string& purpose, const std::string& state,
                           const std::string& where) {
      const std::string at = At(day, "8 + (g.p / " + std::to_string(teams) + ") % 7");
      out.emplace_back(
          what, "INSERT INTO " + appointment + " " + With(1) +
                    fmt::format("SELECT {}, g.p, g.t, {}, {} + 3600, {}, '{}', {}, 0, g.w, {}, {} "
                                "FROM g JOIN gen_territory gt ON gt.n = g.t WHERE {} AND {}",
                                id, at, at, home, purpose, state, At("g.r + 4", "9"),
                                At("g.r + 4", "9"), kNormal, where));
    };
    visit("rendez-vous : premières visites", "g.p", "g.r + 7",
          "Première visite : bilan et démarches",
          "CASE WHEN g.a >= 8 THEN 'honoured' ELSE 'planned' END", "g.a >= 5");
    visit("rendez-vous : absences", std::to_string(n) + " + g.p", "g.r + 21",
          "Suite des démarches en ligne", "'absent'", "g.p % 5 = 0 AND g.a > 21");
    visit("rendez-vous : prochaines visites", std::to_string(2 * n) + " + g.p",
          "g.r + 7 + 14 * ((g.a + 6) / 14)", "Suite des démarches en ligne", "'planned'",
          "g.a >= 8 AND 7 + 14 * ((g.a + 6) / 14) <= 133");
    out.emplace_back("rendez-vous : intervenant·es",
                     fmt::format("INSERT INTO appointment_worker (appointment_id, user_id) SELECT "
                                 "a.id, 5 * ((a.referral_id - 1) % {0}) + 2 + ((a.referral_id - "
                                 "1) / {0}) % 3 FROM appointment a",
                                 teams));
    // Ten interventions, a fortnight apart from the first visit, those already done.
    add("interventions",
        "intervention (id, referral_id, operator_id, occurred_on, duration_minutes, place, "
        "modality, autonomy, summary, appointment_id, created_by_user_id, created_at, "
        "updated_at)",
        10,
        fmt::format(
            "10 * (g.p - 1) + g.k + 1, g.p, g.t, {0}, 30 + 15 * ((g.p + g.k) % 6), CASE WHEN "
            "(g.p + g.k) % 7 = 0 THEN 'a_distance' ELSE 'domicile' END, CASE (g.p + g.k) "
            "% 3 WHEN 0 THEN 'faire_avec' WHEN 1 THEN 'faire_a_la_place' ELSE 'former' "
            "END, CASE WHEN g.k < 3 THEN 'entierement_accompagne' WHEN g.k < 7 THEN "
            "'partiellement_autonome' ELSE 'autonome' END, '', CASE WHEN g.k = 0 THEN g.p "
            "END, g.w, {1}, {1}",
            Date("g.r + 7 + 14 * g.k"), At("g.r + 7 + 14 * g.k", "15")),
        std::string(kNormal) + " AND 7 + 14 * g.k < g.a");
    out.emplace_back("interventions : intervenant·es",
                     fmt::format("INSERT INTO intervention_worker (intervention_id, user_id) "
                                 "SELECT i.id, 5 * ((i.referral_id - 1) % {0}) + 2 + "
                                 "((i.referral_id - 1) / {0}) % 3 FROM intervention i",
                                 teams));
    out.emplace_back(
        "interventions : thèmes numériques",
        "INSERT INTO intervention_item (intervention_id, kind, code) SELECT i.id, "
        "'digital_theme', CASE i.id % 6 WHEN 0 THEN 'email' WHEN 1 THEN 'navigation' WHEN 2 THEN "
        "'materiel' WHEN 3 THEN 'securite' WHEN 4 THEN 'sante' ELSE 'banque_achats' END FROM "
        "intervention i");
    out.emplace_back(
        "interventions : thèmes administratifs",
        "INSERT INTO intervention_item (intervention_id, kind, code) SELECT i.id, "
        "'administrative_theme', CASE i.referral_id % 4 WHEN 0 THEN 'social' WHEN 1 THEN "
        "'logement' WHEN 2 THEN 'papiers' ELSE 'travail' END FROM intervention i WHERE i.id % 10 "
        "IN (1, 2, 5)");
    // Bilans: the initial one at the first visit, the final one before the closure.
    const std::string bilan =
        "assessment (referral_id, kind, grid_version, status, conducted_on, score_access, "
        "score_accounts, score_skills, level, created_by_user_id, created_at, updated_at, "
        "completed_at)";
    add("bilans initiaux", bilan, 1,
        fmt::format("g.p, 'initial', '2026.1', 'completed', {0}, {1}, {1}, {1}, 'N' || (g.p % "
                    "3), g.w, {2}, {2}, {2}",
                    Date("g.r + 7"), "0.25 + 0.25 * (g.p % 3)", At("g.r + 7", "15")),
        std::string(kNormal) + " AND g.a >= 8");
    add("bilans finaux", bilan, 1,
        fmt::format("g.p, 'final', '2026.1', 'completed', {0}, {1}, {1}, {1}, 'N' || (1 + g.p % "
                    "3), g.w, {2}, {2}, {2}",
                    Date("g.r + 140"), "0.5 + 0.25 * (g.p % 3)", At("g.r + 140", "15")),
        std::string(kNormal) + " AND g.a > 140");
    // One procedure each, answered two months after the first visit.
    add("démarches",
        "case_procedure (id, referral_id, code, status, modality, outcome, monthly_amount_cents, "
        "outcome_on, created_by_user_id, created_at, updated_at)",
        1,
        fmt::format("g.p, g.p, {0}, CASE WHEN g.a > 60 THEN 'finalisee' ELSE 'en_cours' END, "
                    "'faire_avec', CASE WHEN g.a <= 60 THEN '' WHEN g.p % 4 = 0 THEN 'ouvert' "
                    "WHEN g.p % 4 = 1 THEN 'en_attente' WHEN g.p % 4 = 2 THEN 'refuse' ELSE '' "
                    "END, CASE WHEN g.a > 60 AND g.p % 4 = 0 THEN 10000 + 1000 * (g.p % 40) END, "
                    "CASE WHEN g.a > 60 AND g.p % 4 IN (0, 1, 2) THEN {1} END, g.w, {2}, {2}",
                    ProcedureCode(), Date("g.r + 60"), At("g.r + 7", "15")),
        std::string(kNormal) + " AND g.a >= 8");
    add("démarches : historique",
        "case_procedure_event (procedure_id, at, user_id, from_status, to_status)", 1,
        fmt::format("g.p, {}, g.w, '', 'en_cours'", At("g.r + 7", "15")),
        std::string(kNormal) + " AND g.a >= 8");
    add("démarches : finalisées",
        "case_procedure_event (procedure_id, at, user_id, from_status, to_status)", 1,
        fmt::format("g.p, {}, g.w, 'en_cours', 'finalisee'", At("g.r + 60", "15")),
        std::string(kNormal) + " AND g.a > 60");
    out.emplace_back("démarches : lien aux interventions",
                     "INSERT INTO intervention_procedure (intervention_id, procedure_id) SELECT "
                     "i.id, i.referral_id FROM intervention i WHERE i.id % 10 = 1");
    // One person in three is oriented to a partner after a month.
    add("orientations",
        "orientation (id, referral_id, partner_name, partner_kind, reason, status, "
        "created_by_user_id, created_at, updated_at)",
        1,
        fmt::format("g.p, g.p, CASE g.p % 4 WHEN 0 THEN 'France Services' WHEN 1 THEN 'Centre "
                    "communal d’action sociale' WHEN 2 THEN 'Conseiller numérique du quartier' "
                    "ELSE 'Mission locale' END, CASE g.p % 4 WHEN 0 THEN "
                    "'aide_aux_demarches_administratives' WHEN 1 THEN 'aide_sociale' WHEN 2 THEN "
                    "'mediation_numerique' ELSE 'insertion_professionnelle' END, 'Poursuivre "
                    "l’apprentissage près de chez soi.', CASE WHEN g.a > 60 THEN 'realisee' ELSE "
                    "'proposee' END, g.w, {0}, {0}",
                    At("g.r + 30", "15")),
        std::string(kNormal) + " AND g.p % 3 = 0 AND g.a > 30");
    add("orientations : historique",
        "orientation_event (orientation_id, at, user_id, from_status, to_status)", 1,
        fmt::format("g.p, {}, g.w, '', 'proposee'", At("g.r + 30", "15")),
        std::string(kNormal) + " AND g.p % 3 = 0 AND g.a > 30");
    add("orientations : réalisées",
        "orientation_event (orientation_id, at, user_id, from_status, to_status)", 1,
        fmt::format("g.p, {}, g.w, 'proposee', 'realisee'", At("g.r + 60", "15")),
        std::string(kNormal) + " AND g.p % 3 = 0 AND g.a > 60");
    // The next referral of each year is numbered after the generated ones.
    std::string counters;
    const int first_year = spec_.today.year - spec_.span_days / 365 - 1;
    for (int y = first_year; y <= spec_.today.year + 1; ++y) {
      counters += fmt::format("{}({}, {})", counters.empty() ? "" : ", ", y, n);
    }
    out.emplace_back("compteurs de numéros",
                     "INSERT INTO referral_counter (year, last_value) VALUES " + counters);
    return out;
  }

  static std::string ProcedureCode() {
    return "CASE g.p % 8 WHEN 0 THEN 'CAF-RSA' WHEN 1 THEN 'CPAM-C2S' WHEN 2 THEN 'CAF-AL' WHEN 3 "
           "THEN 'ANTS-CNI' WHEN 4 THEN 'FT-INSC' WHEN 5 THEN 'CAF-PA' WHEN 6 THEN 'RET-ASPA' "
           "ELSE 'ENER-CHQ' END";
  }

  Database& db_;
  bool pg_;
  service::ScaleSpec spec_;
  long long today_ = 0;
  long long surnames_ = 0;
  long long women_ = 0;
  long long men_ = 0;
};

}  // namespace

std::unique_ptr<service::ScaleGenerator> MakeScaleGenerator(Database& db) {
  return std::make_unique<SqlScaleGenerator>(db);
}

std::string ZeroPadSql(Backend backend, const std::string& value, int width) {
  if (backend == Backend::kPostgres) {
    return fmt::format("lpad(CAST({0} AS TEXT), GREATEST({1}, length(CAST({0} AS TEXT))), '0')",
                       value, width);
  }
  return fmt::format("printf('%0{}d', {})", width, value);
}

}  // namespace allervers::storage
