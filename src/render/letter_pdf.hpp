#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace allervers::render {

/// Everything an appointment letter says, already worded in French by the service layer:
/// the renderer lays it out and never composes sentences itself. Easy-to-read (FALC) rules
/// apply to the text given here (short sentences, one idea each, dates written in full).
struct AppointmentLetter {
  // Letterhead (settings).
  std::string operator_name;                        // "Équipe mobile numérique — Cergy"
  std::vector<std::string> operator_address_lines;  // postal address of the team
  std::string operator_phone;                       // "01 34 25 30 00"
  std::filesystem::path logo_png;                   // empty: no logo
  std::string place_and_date;                       // "Cergy, le 29 novembre 2026"

  // Recipient, placed for a DL window envelope (French standard NF EN ISO 269 / La Poste).
  std::vector<std::string> recipient_lines;  // "Madame Fatima BENALI", "12 rue …", "95000 CERGY"
  std::string salutation;                    // "Madame Benali,"

  std::string subject;  // one line: "Rendez-vous chez vous pour vous aider avec Internet…"

  // The FALC blocks, each under its heading, in this order.
  std::vector<std::string> who;         // Qui vient
  std::vector<std::string> when;        // Quand: "Le mardi 14 octobre 2025 à 10 h.", duration
  std::vector<std::string> where;       // Où
  std::vector<std::string> why;         // Pourquoi
  std::vector<std::string> to_prepare;  // Ce qu'il faut préparer (a checklist)
  std::vector<std::string> change;      // Pour changer le rendez-vous
  std::vector<std::string> privacy;     // Vos données (short notice)

  std::string signature_name;
  std::string signature_role;
};

/// Renders the letters into one PDF (A4; each letter starts on a new page), in French,
/// FALC presentation: body at least 14 pt, left-aligned, no hyphenation, Atkinson
/// Hyperlegible embedded (falls back to DejaVu Sans only if the font directory is missing).
/// `fonts_dir` holds the Atkinson Hyperlegible files (see Application's FontsDir).
/// Throws allervers::Error(kInternal) if cairo fails. Pure function of its input: the same
/// letters give the same text (golden tests compare `pdftotext` output).
std::string RenderAppointmentLetters(const std::vector<AppointmentLetter>& letters,
                                     const std::filesystem::path& fonts_dir);

}  // namespace allervers::render
