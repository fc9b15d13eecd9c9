#pragma once

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/appointment.hpp"
#include "domain/reference.hpp"

namespace allervers::domain {

/// The operator's identity as printed on letters (settings).
struct Letterhead {
  std::string name = "Équipe mobile numérique";
  std::vector<std::string> address_lines;
  std::string phone;         // to change an appointment
  std::string phone_hours = "du lundi au vendredi, de 9 h à 17 h";
  std::string sms_phone;     // may be empty
  std::string city = "Cergy";
  std::string privacy_contact;  // DPO or team e-mail for the rights
  std::string logo_path;        // a PNG file on the server; empty: no logo
};

/// What the letter is about.
struct LetterFacts {
  Letterhead head;
  std::string gender;  // person's gender code ("femme", "homme", other/empty)
  std::string first_names;
  std::string last_name;  // usage name if any, else birth name
  std::string address_line;
  std::string postal_code;
  std::string city;
  Appointment appointment;
  std::vector<std::string> worker_names;
  std::vector<std::string> worker_roles;  // same order; "médiatrice numérique"…
  std::string referrer_name;              // empty when not tripartite
  std::string referring_structure;
  std::vector<const Procedure*> procedures;
  Instant today{};
};

/// An appointment letter's text, in easy-to-read French (short sentences, one idea each,
/// dates in full): what render::AppointmentLetter lays out.
struct LetterText {
  std::vector<std::string> recipient_lines;
  std::string salutation;
  std::string place_and_date;
  std::string subject;
  std::vector<std::string> who;
  std::vector<std::string> when;
  std::vector<std::string> where;
  std::vector<std::string> why;
  std::vector<std::string> to_prepare;
  std::vector<std::string> change;
  std::vector<std::string> privacy;
  std::string signature_name;
  std::string signature_role;
};

LetterText ComposeAppointmentLetter(const LetterFacts& f);

/// The short texts sent as reminders (SMS: at most 160 characters when names are short).
std::string ReminderSms(const Letterhead& head, const Appointment& a);
std::string ReminderEmail(const Letterhead& head, const Appointment& a,
                          const std::string& first_names);

}  // namespace allervers::domain
