#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/choice.hpp"
#include "domain/field_error.hpp"

namespace allervers::domain {

/// The bilan diagnostique numérique et administratif (domain.md §1.7): a grid of observable
/// items read from data/assessment_grids/<version>.json, so that the Département adjusts the
/// questions without code. Every bilan keeps the version of the grid it was taken with; the
/// scores are recomputed from its answers with that version's thresholds.

using AssessmentId = std::int64_t;

struct ProcedureCatalogue;

enum class GridItemType {
  kScale,    // 0–3 or NA on the section's scale, counted in the section's score
  kAccount,  // a scale item of section D, plus "nécessaire pour la personne ?"
  kChoice,   // one of the item's options
  kMulti,    // several of the item's options
  kYesNo,
  kDate,
  kText,
  kNeed,   // a need for adaptation (section F): ticked, with the adaptation proposed
  kRight,  // the state of one right of the catalogue (section G)
};

std::optional<GridItemType> ParseGridItemType(std::string_view s);

/// Which sub-score a section counts in.
enum class ScoreGroup { kNone, kAccess, kAccounts, kSkills };

std::optional<ScoreGroup> ParseScoreGroup(std::string_view s);

struct GridItem {
  std::string code;  // "E.email", unique in the grid
  std::string label;
  GridItemType type = GridItemType::kText;
  std::string hint;
  std::string reference;  // CRCN / DigComp reference ("2.1")
  std::string procedure;  // catalogue code of a right (type kRight)
  std::vector<Choice> options;
};

struct GridSection {
  std::string code;  // "A" … "H"
  std::string title;
  std::string intro;
  ScoreGroup score = ScoreGroup::kNone;
  std::vector<Choice> scale;  // "0".."3" and "NA", with this section's labels
  std::vector<GridItem> items;
};

/// Thresholds of the global level (domain.md §1.7), part of the grid's version.
struct GridScoring {
  double n0_access_below = 34;
  double n0_skills_below = 25;
  double n2_skills_from = 50;
  double n3_skills_from = 80;
  double n3_access_from = 67;
  int usable_account_from = 2;
};

struct AssessmentGrid {
  std::string name;
  std::string version;
  std::string updated;
  std::string source;
  GridScoring scoring;
  std::vector<Choice> right_states;
  std::vector<GridSection> sections;

  const GridSection* FindSection(std::string_view code) const;
  const GridItem* FindItem(std::string_view code) const;
  /// The section an item belongs to (nullptr when unknown).
  const GridSection* SectionOf(std::string_view item_code) const;
};

/// Checks a grid read from a file: unique codes, known types, scales of scored sections,
/// options of choices, thresholds in order. Returns the problems in French (empty: valid).
std::vector<std::string> CheckGrid(const AssessmentGrid& grid, const ProcedureCatalogue& catalogue);

/// Every version of the grid found in data/, oldest first; new bilans take the newest.
struct AssessmentGrids {
  std::vector<AssessmentGrid> versions;

  const AssessmentGrid* Find(std::string_view version) const;
  const AssessmentGrid& Current() const;
};

/// The answers of one bilan: item code → value. Beside an item's own key, an account item
/// has "<code>/necessaire" ("oui" or "non") and a need has "<code>/adaptation" (free text).
/// A multi item's value is its codes joined by ",". Dates are stored as YYYY-MM-DD.
using Answers = std::map<std::string, std::string, std::less<>>;

inline constexpr std::string_view kNecessarySuffix = "/necessaire";
inline constexpr std::string_view kAdaptationSuffix = "/adaptation";

/// The codes of every free-text item ("text" type) of every version of the grid: what the
/// retention purge and an erasure delete (with every "…/adaptation" answer).
std::vector<std::string> FreeTextItems(const AssessmentGrids& grids);

/// The codes of a multi item's stored value ("rib,piece_identite").
std::vector<std::string> MultiCodes(std::string_view value);

/// The longest free text of an answer (characters).
inline constexpr std::size_t kAnswerTextMax = 500;

/// Validates and normalises the answers of `section` given in `in` (keys of other sections
/// are refused): values among the options, dates parsed (DD/MM/YYYY accepted), text trimmed
/// and bounded. Empty values mean "not answered yet" and are kept out of `out`.
FieldErrors NormaliseSectionAnswers(const AssessmentGrid& grid, const GridSection& section,
                                    const Answers& in, Answers& out);

/// The level of autonomy (domain.md §1.7), mapped 1:1 to the Coop's three levels for N1–N3.
enum class AutonomyLevel { kN0, kN1, kN2, kN3 };

std::string_view LevelCode(AutonomyLevel l);  // "N0"
std::optional<AutonomyLevel> ParseLevel(std::string_view s);
std::string_view LevelLabel(AutonomyLevel l);  // "À faire à la place"

/// One sub-score: 100 × Σ(item scores) / (3 × items not NA); none when every item is NA or
/// unanswered.
struct SubScore {
  int sum = 0;
  int items = 0;  // answered and not NA
  std::optional<double> value;
};

struct AssessmentScores {
  SubScore access;    // sections scored "acces" (B, C)
  SubScore accounts;  // "comptes" (D), restricted to the accounts marked necessary
  SubScore skills;    // "competences" (E)
  std::optional<AutonomyLevel> level;
  int necessary_accounts = 0;         // answered, not NA
  int usable_necessary_accounts = 0;  // of which at or above usable_account_from
  /// How the figures were reached, in French, one sentence per line, for the professional
  /// (the score is a tool, never an automated decision).
  std::vector<std::string> explanation;
};

AssessmentScores ScoreAssessment(const AssessmentGrid& grid, const Answers& answers);

/// A section's own score (0–100, same formula), for the comparison view.
SubScore ScoreSection(const GridSection& section, const Answers& answers);

/// The label of a stored value of `item` ("Autonome", "Oui", "01/12/2026"…), empty when
/// not answered.
std::string AnswerLabel(const AssessmentGrid& grid, const GridSection& section,
                        const GridItem& item, const Answers& answers);

/// Progress between an initial (T0) and a final (T1) bilan, each read with its own grid.
struct ItemComparison {
  std::string code;
  std::string label;
  std::string before;  // labels, empty when not answered
  std::string after;
  std::optional<int> delta;  // scale items answered both times (not NA)
};

struct SectionComparison {
  std::string code;
  std::string title;
  std::optional<double> before;  // section score (scored sections only)
  std::optional<double> after;
  std::vector<ItemComparison> items;
};

struct AssessmentComparison {
  AssessmentScores before;
  AssessmentScores after;
  std::optional<int> level_change;  // +1: one level up
  std::vector<SectionComparison> sections;
  std::vector<std::string> accounts_now_usable;  // labels of necessary accounts now ≥ 2
  std::vector<std::string>
      rights_out_of_non_recours;  // labels: non-recours/rupture → demande/ouvert
};

AssessmentComparison CompareAssessments(const AssessmentGrid& grid_before, const Answers& before,
                                        const AssessmentGrid& grid_after, const Answers& after);

}  // namespace allervers::domain
