#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "domain/referral.hpp"
#include "service/audit.hpp"

namespace allervers::testing {

/// The code of the allervers::Error `fn` throws; a test failure when it throws none.
inline ErrorCode CodeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no allervers::Error thrown";
  return ErrorCode::kInternal;
}

/// A valid fiche de liaison from the SSD for Grâce Mabiala, at home in Cergy, for the RSA.
inline domain::ReferralInput SampleReferral(std::vector<std::string> contact_preferences = {}) {
  domain::ReferralInput in;
  in.referrer_name = "Nadia";
  in.referrer_email = "as@ssd.example";
  in.last_name = "Mabiala";
  in.first_names = "Grâce";
  in.birth_date = "1968-03-14";
  in.phone = "06 21 45 78 90";
  in.address_line = "7 rue de l’Abondance";
  in.postal_code = "95800";
  in.city = "Cergy";
  in.contact_preferences = std::move(contact_preferences);
  in.procedures = {"CAF-RSA"};
  in.urgency = "1";
  in.consent_given = true;
  in.consent_date = "2026-11-10";
  in.consent_how = "oral";
  return in;
}

/// The newest audit row of `events` (newest first) that records a change, not a consultation
/// ("*.read": opening a case file is traced too).
inline service::AuditEvent LastChange(const std::vector<service::AuditEvent>& events) {
  for (const auto& e : events) {
    if (!e.action.ends_with(".read")) {
      return e;
    }
  }
  return {};
}

}  // namespace allervers::testing
