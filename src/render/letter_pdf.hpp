#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace allervers::render {

/// One titled block of a letter's body: a heading, then its paragraphs (one sentence or idea
/// each), or, for a checklist, items each drawn after an empty box to tick.
struct LetterBlock {
  std::string heading;             // "Quand", "Ce qu’il faut préparer"…
  std::vector<std::string> lines;  // a block without lines is left out, heading included
  bool checklist = false;
};

/// Everything a letter says, already worded in French by the caller: the renderer lays it out
/// and never composes sentences or headings itself. Easy-to-read (FALC) rules apply to the
/// text given here (short sentences, one idea each, dates written in full).
struct Letter {
  // Letterhead (settings).
  std::string operator_name;                        // "Équipe mobile numérique — Cergy"
  std::vector<std::string> operator_address_lines;  // postal address of the team
  std::string operator_phone;                       // "01 34 25 30 00"
  std::filesystem::path logo_png;                   // empty: no logo
  std::string place_and_date;                       // "Cergy, le 29 novembre 2026"

  // Recipient, placed for a DL window envelope (French standard NF EN ISO 269 / La Poste).
  std::vector<std::string> recipient_lines;  // "Madame Fatima BENALI", "12 rue …", "95000 CERGY"

  std::string subject;     // one line, printed after « Objet : »
  std::string salutation;  // "Madame Benali,"

  std::vector<LetterBlock> blocks;  // in reading order

  std::string signature_name;
  std::string signature_role;
};

/// Renders the letters into one PDF (A4; each letter starts on a new page), in French,
/// FALC presentation: body at least 14 pt, left-aligned, no hyphenation, Atkinson
/// Hyperlegible embedded (falls back to DejaVu Sans only if the font directory is missing).
/// `fonts_dir` holds the Atkinson Hyperlegible files (see Application's FontsDir); `title`
/// is the document's title in the PDF metadata ("Courrier de rendez-vous").
/// Throws allervers::Error(kInvalidArgument) for no letter or text that is not UTF-8, and
/// Error(kInternal) if cairo fails. Pure function of its input: the same letters give the
/// same bytes (golden tests compare `pdftotext` output). Safe to call from several threads.
std::string RenderLetters(const std::vector<Letter>& letters,
                          const std::filesystem::path& fonts_dir, const std::string& title);

}  // namespace allervers::render
