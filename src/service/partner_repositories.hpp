#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/accompaniment.hpp"
#include "domain/partner.hpp"
#include "domain/referral.hpp"
#include "domain/user.hpp"

namespace allervers::service {

/// A search of the directory; empty criteria match everything.
struct PartnerSearch {
  std::string theme;  // a data·inclusion category ("numerique") or sub-theme ("numerique--…")
  std::string place;  // folded commune name, postal or INSEE code
  std::string text;   // folded words of the names and description
  int limit = 50;
  int offset = 0;
};

struct PartnerSearchResult {
  std::vector<domain::PartnerService> services;  // by name
  long long total = 0;
};

struct Upserted {
  std::int64_t id = 0;
  bool created = false;
};

class PartnerRepository {
 public:
  virtual ~PartnerRepository() = default;
  /// Inserts or updates the structure known by (source, external_id), with the folded search
  /// columns (`search_place`: commune and codes; `search_text`: name).
  virtual Upserted UpsertStructure(const domain::PartnerStructure& s,
                                   const std::string& search_place, const std::string& search_text,
                                   Instant now) = 0;
  virtual std::optional<domain::PartnerStructureId> FindStructure(
      const std::string& source, const std::string& external_id) = 0;
  /// Inserts or updates the service known by (source, external_id), with its themes and the
  /// folded search columns. A search matches the service's columns or its structure's.
  virtual Upserted UpsertService(const domain::PartnerService& s, const std::string& search_place,
                                 const std::string& search_text, Instant now) = 0;
  /// With its structure's name, commune and phone.
  virtual std::optional<domain::PartnerService> FindService(domain::PartnerServiceId id) = 0;
  virtual PartnerSearchResult Search(const PartnerSearch& search) = 0;
};

class OrientationRepository {
 public:
  virtual ~OrientationRepository() = default;
  virtual domain::OrientationId Insert(const domain::Orientation& o,
                                       std::optional<domain::UserId> created_by, Instant now) = 0;
  /// With its status history and its author's name.
  virtual std::optional<domain::Orientation> Find(domain::OrientationId id) = 0;
  /// Oldest first, with their histories.
  virtual std::vector<domain::Orientation> ForReferral(domain::ReferralId referral) = 0;
  /// Status, follow-up date, what was shared and the consent, note.
  virtual void Update(const domain::Orientation& o, Instant now) = 0;
  virtual void AddEvent(domain::OrientationId id, std::optional<domain::UserId> user,
                        const std::string& from, const std::string& to, Instant at) = 0;
};

}  // namespace allervers::service
