#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/time.hpp"
#include "domain/accompaniment.hpp"
#include "domain/appointment.hpp"
#include "domain/reference.hpp"

namespace allervers::domain {

/// The operator's identity as printed on letters (settings).
struct Letterhead {
  std::string name = "Équipe mobile numérique";
  std::vector<std::string> address_lines;
  std::string phone;  // the team's: to change an appointment, to come back after a closure
  std::string phone_hours = "du lundi au vendredi, de 9 h à 17 h";
  std::string sms_phone;  // may be empty
  std::string city = "Cergy";
  std::string privacy_contact;  // DPO or team e-mail for the rights
  std::string logo_path;        // a PNG file on the server; empty: no logo
};

/// What an appointment letter is about.
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

/// One titled block of a letter's body: a heading and its sentences (one idea each), or a
/// checklist of items to tick. A block without lines is not printed.
struct LetterBlock {
  std::string heading;
  std::vector<std::string> lines;
  bool checklist = false;
};

/// A letter's whole text, in easy-to-read French (short sentences, one idea each, dates in
/// full), under the team's letterhead: what render::Letter lays out, without composing
/// anything itself.
struct LetterText {
  Letterhead head;
  std::vector<std::string> recipient_lines;
  std::string salutation;
  std::string place_and_date;
  std::string subject;
  std::vector<LetterBlock> blocks;  // in reading order
  std::string signature_name;
  std::string signature_role;
};

/// The appointment letter: who comes, when, where, why, what to prepare (a checklist), how
/// to change the appointment, and the person's data.
LetterText ComposeAppointmentLetter(const LetterFacts& f);

/// A procedure of the case, as the closure letter tells it.
struct ClosedProcedure {
  std::string label;  // the catalogue's label ("Demande de RSA")
  ProcedureStatus status = ProcedureStatus::kTodo;
  RightOutcome outcome = RightOutcome::kNone;
};

/// A partner the person was oriented to, as it should be read by the person.
struct LetterOrientation {
  std::string partner;  // "CCAS de Cergy"
  std::string reason;   // "pour l’aide alimentaire"
};

/// What the letter sent to the person at the end of the accompaniment is about.
struct ClosureLetterFacts {
  Letterhead head;
  std::string gender;  // person's gender code ("femme", "homme", other/empty)
  std::string first_names;
  std::string last_name;  // usage name if any, else birth name
  std::string address_line;
  std::string postal_code;
  std::string city;
  LocalDate closed_on;
  std::string reason;        // code of the vocabulary closure_reasons
  std::string reason_label;  // its label: said only for a code the letter has no words for
  std::vector<ClosedProcedure> procedures;      // all of the case's; the letter picks
  std::vector<LetterOrientation> orientations;  // the partners the person was oriented to
  std::string referrer_name;                    // who referred the person, to turn to
  std::string referring_structure;
  std::string worker_name;  // the référent·e, who signs; empty: the team signs
  std::string worker_role;  // "de l’équipe mobile numérique"
  /// How long the file is kept after the last contact before it is anonymised; unset: the
  /// letter makes no promise about it.
  std::optional<int> retention_months;
  Instant today{};
};

/// Whether a closure letter is written to the person for this closure reason: not after a
/// death (« deces »).
bool ClosureLetterAllowed(std::string_view reason);

/// The letter that tells the person their accompaniment is over: when and why (in words that
/// fit the reason), the procedures done and the rights opened (no amounts), who may help
/// now, how to come back, and their data. Throws Error(kConflict) for a reason that
/// ClosureLetterAllowed refuses.
LetterText ComposeClosureLetter(const ClosureLetterFacts& f);

/// The parts every letter to a person shares, without a body: the letterhead, the address for
/// the window envelope, the salutation, and the place and date.
LetterText Addressed(const Letterhead& head, const std::string& gender,
                     const std::string& first_names, const std::string& last_name,
                     const std::string& address_line, const std::string& postal_code,
                     const std::string& city, Instant today);

/// What the information notice on the person's data says (RGPD art. 13), from the settings.
struct PrivacyNoticeFacts {
  Letterhead head;
  std::string controller;  // « le Département du Val-d’Oise » (setting privacy.controller)
  std::string gender;      // person's gender code
  std::string first_names;
  std::string last_name;
  std::string address_line;
  std::string postal_code;
  std::string city;
  int retention_months = 24;
  Instant today{};
};

/// The information notice handed to the person at the first visit, in easy-to-read French:
/// who keeps the information and why, what is written down and what never is, who sees it,
/// how long it is kept, the person's rights and where to complain.
LetterText ComposePrivacyNotice(const PrivacyNoticeFacts& f);

/// "2 ans", "18 mois": a retention period as the person reads it.
std::string MonthsInWords(int months);

/// The short texts sent as reminders (SMS: at most 160 characters when names are short).
std::string ReminderSms(const Letterhead& head, const Appointment& a);
std::string ReminderEmail(const Letterhead& head, const Appointment& a,
                          const std::string& first_names);

}  // namespace allervers::domain
