#include "render/letter_pdf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "domain/letter.hpp"
#include "support/test_db.hpp"
#include "web/letters.hpp"

namespace allervers {
namespace {

using render::Letter;
using render::LetterBlock;

constexpr double kMm = 72.0 / 25.4;

std::filesystem::path AtkinsonDir() {
  return testing::SourceDir() / "node_modules" / "@fontsource" / "atkinson-hyperlegible" / "files";
}

#define ALLERVERS_SKIP_WITHOUT_ATKINSON()                                                \
  if (!std::filesystem::is_directory(AtkinsonDir())) {                                   \
    GTEST_SKIP() << "Atkinson Hyperlegible not installed (npm ci) in " << AtkinsonDir(); \
  }

// The appointment letters of these tests: their PDF title is that of the agenda's letters.
std::string RenderAppointmentLetters(const std::vector<Letter>& letters,
                                     const std::filesystem::path& fonts_dir) {
  return render::RenderLetters(letters, fonts_dir, "Courrier de rendez-vous");
}

// The block of `letter` under `heading` (added when missing), to change its lines.
std::vector<std::string>& Block(Letter& letter, const std::string& heading) {
  for (auto& block : letter.blocks) {
    if (block.heading == heading) {
      return block.lines;
    }
  }
  return letter.blocks.emplace_back(LetterBlock{heading, {}}).lines;
}

Letter SampleLetter() {
  Letter l;
  l.operator_name = "Équipe mobile numérique — Cergy";
  l.operator_address_lines = {"Maison des solidarités", "3 place des Arts", "95000 Cergy"};
  l.operator_phone = "01 34 25 30 00";
  l.place_and_date = "Cergy, le 29 novembre 2026";
  l.recipient_lines = {"Madame Fatoumata KABORÉ", "12 allée des Petits Pas", "95800 Cergy"};
  l.salutation = "Madame Kaboré,";
  l.subject = "Rendez-vous chez vous pour vous aider avec Internet et vos papiers";
  l.blocks.push_back({"Qui vient",
                      {"Léa Martin vient chez vous.", "Elle est médiatrice numérique.",
                       "Elle vous montre sa carte professionnelle."}});
  l.blocks.push_back(
      {"Quand", {"Le mardi 8 décembre 2026 à 10 h.", "Le rendez-vous dure 1 h 30."}});
  l.blocks.push_back({"Où", {"Chez vous : 12 allée des Petits Pas, 95800 Cergy."}});
  l.blocks.push_back(
      {"Pourquoi",
       {"Nadia Benali, assistante sociale du SSD de Cergy, nous a demandé de venir.",
        "Nous allons faire avec vous votre demande de RSA à la CAF.",
        "Nous allons aussi faire votre demande de Complémentaire santé solidaire à la CPAM."}});
  l.blocks.push_back({"Ce qu’il faut préparer",
                      {"Votre téléphone et son chargeur", "Votre carte Vitale",
                       "Votre pièce d’identité ou votre titre de séjour",
                       "Les derniers courriers de la CAF", "Votre RIB"},
                      true});
  l.blocks.push_back({"Pour changer le rendez-vous",
                      {"Appelez-nous au 01 34 25 30 00, du lundi au vendredi, de 9 h à 17 h.",
                       "Vous pouvez aussi envoyer un SMS au 06 12 34 56 78."}});
  l.blocks.push_back(
      {"Vos données",
       {"Nous gardons vos informations pour vous aider. Nous ne les donnons à personne sans "
        "votre accord.",
        "Pour en savoir plus, demandez-nous la notice « Vos données »."}});
  l.signature_name = "Léa Martin";
  l.signature_role = "Médiatrice numérique";
  return l;
}

Letter ShortLetter(const std::string& recipient) {
  Letter l;
  l.operator_name = "Équipe mobile numérique — Cergy";
  l.recipient_lines = {recipient, "1 rue de la Gare", "95000 Cergy"};
  l.salutation = "Bonjour,";
  l.subject = "Rendez-vous chez vous";
  l.blocks.push_back({"Quand", {"Le lundi 7 décembre 2026 à 14 h."}});
  l.signature_name = "Léa Martin";
  return l;
}

// Runs a command and returns what it printed on stdout.
std::string Run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0) {
    out.append(buffer, n);
  }
  return out;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A rendered PDF in a temporary file, with the poppler-utils views of it.
class Pdf {
 public:
  explicit Pdf(const std::string& bytes) : path_(dir_.path() / "letters.pdf") {
    std::ofstream(path_, std::ios::binary) << bytes;
  }

  std::string Text(int page = 0) const {
    const std::string range =
        page > 0 ? " -f " + std::to_string(page) + " -l " + std::to_string(page) : "";
    return Run("pdftotext -layout" + range + " '" + path_.string() + "' -");
  }
  std::string Fonts() const { return Run("pdffonts '" + path_.string() + "'"); }
  std::string Info() const { return Run("pdfinfo '" + path_.string() + "'"); }
  int Pages() const {
    std::smatch m;
    const std::string info = Info();
    return std::regex_search(info, m, std::regex(R"(Pages:\s+(\d+))")) ? std::stoi(m[1]) : -1;
  }

  struct Word {
    int page;
    double x_min, y_min, x_max, y_max;
    std::string text;
  };
  // Every word with its box, in points from the top left corner of its page.
  std::vector<Word> Words() const {
    const std::string html = Run("pdftotext -bbox '" + path_.string() + "' -");
    std::vector<Word> words;
    int page = 0;
    std::istringstream lines(html);
    const std::regex word_re(
        R"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>)re");
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (line.find("<page ") != std::string::npos) {
        ++page;
      } else if (std::regex_search(line, m, word_re)) {
        words.push_back(
            {page, std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4]), m[5]});
      }
    }
    return words;
  }

 private:
  testing::TempDir dir_;
  std::filesystem::path path_;
};

// Compares a letter's text with tests/unit/golden/`name`.
void ExpectGolden(const Pdf& pdf, const std::string& name) {
  const auto golden = testing::SourceDir() / "tests" / "unit" / "golden" / name;
  const std::string text = pdf.Text();
  if (std::getenv("ALLERVERS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << text;
  }
  EXPECT_EQ(text, ReadFile(golden))
      << "set ALLERVERS_UPDATE_GOLDEN=1 to rewrite " << golden << " after checking the PDF by eye";
}

TEST(LetterPdf, TextMatchesTheGoldenFile) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  ExpectGolden(Pdf(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir())),
               "appointment_letter.txt");
}

// A closure letter composed by the domain and laid out as the case page serves it.
TEST(LetterPdf, ClosureLetterTextMatchesTheGoldenFile) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  domain::ClosureLetterFacts f;
  f.head.name = "Équipe mobile numérique — Cergy";
  f.head.address_lines = {"Maison des solidarités", "3 place des Arts", "95000 Cergy"};
  f.head.phone = "01 34 25 30 00";
  f.head.privacy_contact = "dpo@emn-cergy.example";
  f.gender = "femme";
  f.first_names = "Fatoumata";
  f.last_name = "Kaboré";
  f.address_line = "12 allée des Petits Pas";
  f.postal_code = "95800";
  f.city = "Cergy";
  f.closed_on = {2027, 3, 1};
  f.reason = "objectifs_atteints";
  f.reason_label = "Objectifs atteints";
  f.procedures = {
      {"Demande de RSA", domain::ProcedureStatus::kCompleted, domain::RightOutcome::kOpened},
      {"Complémentaire santé solidaire (demande ou renouvellement)",
       domain::ProcedureStatus::kFiled, domain::RightOutcome::kPending},
      {"Création ou récupération du compte ameli", domain::ProcedureStatus::kCompleted,
       domain::RightOutcome::kNone}};
  f.orientations = {{"CCAS de Cergy", "pour l’aide alimentaire"}};
  f.referrer_name = "Nadia Benali";
  f.referring_structure = "SSD de Cergy";
  f.worker_name = "Léa Martin";
  f.worker_role = "de l’équipe mobile numérique";
  f.retention_months = 24;
  f.today = paris::FromLocal({2027, 3, 2}, 10, 0);
  const Pdf pdf(render::RenderLetters({web::ToRenderLetter(domain::ComposeClosureLetter(f))},
                                      AtkinsonDir(), "Courrier de fin d’accompagnement"));
  ExpectGolden(pdf, "closure_letter.txt");
  EXPECT_NE(pdf.Info().find("Title:           Courrier de fin d’accompagnement"),
            std::string::npos);
}

TEST(LetterPdf, SameLettersGiveTheSameBytes) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  EXPECT_EQ(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()),
            RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()));
}

TEST(LetterPdf, HasTitleAndCreatorMetadata) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const Pdf pdf(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()));
  const std::string info = pdf.Info();
  EXPECT_NE(info.find("Title:           Courrier de rendez-vous"), std::string::npos) << info;
  EXPECT_NE(info.find("Creator:         Allervers"), std::string::npos) << info;
  EXPECT_NE(info.find("595.276 x 841.89 pts (A4)"), std::string::npos) << info;
}

// pdffonts columns, read from the right: name type… encoding emb sub uni object gen.
std::vector<std::pair<std::string, bool>> EmbeddedFonts(const std::string& listing) {
  std::vector<std::pair<std::string, bool>> fonts;
  std::istringstream lines(listing);
  std::string line;
  std::getline(lines, line);
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    if (f.size() >= 7) {
      fonts.emplace_back(f[0], f[f.size() - 5] == "yes");
    }
  }
  return fonts;
}

bool HasEmbedded(const std::vector<std::pair<std::string, bool>>& fonts, const std::string& name) {
  return std::any_of(fonts.begin(), fonts.end(), [&](const auto& font) {
    return font.first.find(name) != std::string::npos && font.second;
  });
}

TEST(LetterPdf, EmbedsAtkinsonHyperlegibleRegularAndBold) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const Pdf pdf(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()));
  const std::string listing = pdf.Fonts();
  const auto fonts = EmbeddedFonts(listing);
  EXPECT_TRUE(HasEmbedded(fonts, "+AtkinsonHyperlegible-Regular")) << listing;
  EXPECT_TRUE(HasEmbedded(fonts, "+AtkinsonHyperlegible-Bold")) << listing;
  for (const auto& [name, embedded] : fonts) {
    EXPECT_TRUE(embedded) << name;
  }
  // The sample's text is all within Atkinson Hyperlegible: no fallback font is needed.
  EXPECT_EQ(listing.find("DejaVu"), std::string::npos) << listing;
}

TEST(LetterPdf, FallsBackToDejaVuSansWithoutTheFontsDirectory) {
  const Pdf pdf(RenderAppointmentLetters({SampleLetter()}, "/nonexistent/fonts"));
  const std::string listing = pdf.Fonts();
  const auto fonts = EmbeddedFonts(listing);
  EXPECT_TRUE(HasEmbedded(fonts, "+DejaVuSans")) << listing;
  EXPECT_EQ(listing.find("Atkinson"), std::string::npos) << listing;
  EXPECT_NE(pdf.Text().find("Madame Fatoumata KABORÉ"), std::string::npos);
}

TEST(LetterPdf, RendersAccentedAndLatinExtendedNames) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  Letter letter = SampleLetter();
  letter.recipient_lines = {"Monsieur Văn Thành NGUYỄN", "Madame Ştefania ŢĂRANU-ÇELIK",
                            "Résidence Œuvre d’Ève", "95800 Cergy"};
  letter.salutation = "Monsieur Nguyễn, Madame Ţăranu-Çelik,";
  const Pdf pdf(RenderAppointmentLetters({letter}, AtkinsonDir()));
  const std::string text = pdf.Text();
  for (const char* s :
       {"NGUYỄN", "Ştefania", "ŢĂRANU-ÇELIK", "Œuvre d’Ève", "Nguyễn,", "Ţăranu-Çelik"}) {
    EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
  }
  // Ş, Ţ, Ă, Ç, Œ are in Atkinson Hyperlegible's latin and latin-ext subsets; only the
  // Vietnamese "ễ" is not, and comes from DejaVu Sans rather than as a box.
  const auto fonts = EmbeddedFonts(pdf.Fonts());
  EXPECT_TRUE(HasEmbedded(fonts, "+AtkinsonHyperlegible-Regular"));
  EXPECT_TRUE(HasEmbedded(fonts, "+DejaVuSans"));
}

TEST(LetterPdf, EachLetterStartsOnANewPage) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const Pdf pdf(RenderAppointmentLetters(
      {ShortLetter("Madame Awa DIALLO"), ShortLetter("Monsieur Yusuf ÇELIK")}, AtkinsonDir()));
  ASSERT_EQ(pdf.Pages(), 2);
  const std::string first = pdf.Text(1);
  const std::string second = pdf.Text(2);
  EXPECT_NE(first.find("Madame Awa DIALLO"), std::string::npos);
  EXPECT_EQ(first.find("ÇELIK"), std::string::npos);
  EXPECT_NE(second.find("Monsieur Yusuf ÇELIK"), std::string::npos);
  EXPECT_EQ(second.find("DIALLO"), std::string::npos);
  EXPECT_NE(second.find("Équipe mobile numérique"), std::string::npos) << "letterhead again";
  EXPECT_NE(first.find("Page 1 / 1"), std::string::npos);
  EXPECT_NE(second.find("Page 1 / 1"), std::string::npos);
}

TEST(LetterPdf, TwoPageLettersEachStartOnTheirOwnPage) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  Letter other = SampleLetter();
  other.recipient_lines = {"Monsieur Karim HADDAD", "5 rue des Chênes", "95000 Cergy"};
  const Pdf pdf(RenderAppointmentLetters({SampleLetter(), other}, AtkinsonDir()));
  ASSERT_EQ(pdf.Pages(), 4);
  EXPECT_NE(pdf.Text(2).find("Page 2 / 2"), std::string::npos);
  EXPECT_NE(pdf.Text(3).find("Monsieur Karim HADDAD"), std::string::npos);
  EXPECT_NE(pdf.Text(3).find("Page 1 / 2"), std::string::npos);
  EXPECT_EQ(pdf.Text(2).find("HADDAD"), std::string::npos);
}

TEST(LetterPdf, LongLetterFlowsOntoFurtherPagesWithoutLosingText) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  Letter letter = SampleLetter();
  auto& why = Block(letter, "Pourquoi");
  why.clear();
  for (int i = 1; i <= 60; ++i) {
    why.push_back("Phrase numéro " + std::to_string(i) +
                  " : nous vous aidons à faire vos démarches en ligne, avec vous.");
  }
  const Pdf pdf(RenderAppointmentLetters({letter}, AtkinsonDir()));
  const int pages = pdf.Pages();
  EXPECT_GE(pages, 3);

  // Every sentence is there, once, in order.
  const std::string text = pdf.Text();
  std::size_t previous = 0;
  for (int i = 1; i <= 60; ++i) {
    const std::string needle = "Phrase numéro " + std::to_string(i) + " :";
    const std::size_t at = text.find(needle);
    ASSERT_NE(at, std::string::npos) << needle;
    EXPECT_GT(at, previous) << needle;
    EXPECT_EQ(text.find(needle, at + 1), std::string::npos) << needle;
    previous = at;
  }
  EXPECT_NE(text.find("Médiatrice numérique"), std::string::npos);
  EXPECT_NE(text.find("Page " + std::to_string(pages) + " / " + std::to_string(pages)),
            std::string::npos);

  // Nothing but the footer goes below the bottom margin (22 mm), nor past the right one.
  for (const auto& word : pdf.Words()) {
    EXPECT_LE(word.x_max, (210 - 20) * kMm + 0.5) << word.text;
    if (word.y_min > (297 - 20) * kMm) {
      continue;  // the footer line, "Page N / M"
    }
    EXPECT_LE(word.y_max, (297 - 22) * kMm + 0.5) << word.text << " on page " << word.page;
  }
}

TEST(LetterPdf, BodyTextIsAtLeast14Points) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const Pdf pdf(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()));
  // poppler gives each word the height (ascender - descender) × size; for Atkinson
  // Hyperlegible that is 1.24 em (checked: the 12 pt letterhead gives 14.88).
  constexpr double kWordHeightPerPoint = 1.24;
  const auto words = pdf.Words();
  const auto objet =
      std::find_if(words.begin(), words.end(), [](const auto& w) { return w.text == "Objet"; });
  ASSERT_NE(objet, words.end());
  int checked = 0;
  for (const auto& word : words) {
    const bool footer = word.y_min > (297 - 20) * kMm;
    const bool body = word.page > 1 || word.y_min >= objet->y_min;
    if (body && !footer) {
      EXPECT_GE((word.y_max - word.y_min) / kWordHeightPerPoint, 14.0 - 0.01)
          << word.text << " on page " << word.page;
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  // Headings are larger than the body.
  const auto heading =
      std::find_if(words.begin(), words.end(), [](const auto& w) { return w.text == "Pourquoi"; });
  ASSERT_NE(heading, words.end());
  EXPECT_GE((heading->y_max - heading->y_min) / kWordHeightPerPoint, 16.0);
}

TEST(LetterPdf, RecipientAddressSitsInTheEnvelopeWindow) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const Pdf pdf(RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()));
  int found = 0;
  for (const auto& word : pdf.Words()) {
    // Above 100 mm: the same words appear again in the "Où" block.
    if (word.page == 1 && word.y_min < 100 * kMm &&
        (word.text == "KABORÉ" || word.text == "Petits" || word.text == "95800")) {
      EXPECT_GE(word.x_min, 100 * kMm) << word.text;
      EXPECT_LE(word.x_max, 190 * kMm) << word.text;
      EXPECT_GE(word.y_min, 45 * kMm) << word.text;
      EXPECT_LE(word.y_max, 80 * kMm) << word.text;
      ++found;
    }
  }
  EXPECT_EQ(found, 3);
}

TEST(LetterPdf, LeavesOutEmptyBlocks) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  Letter letter = SampleLetter();
  Block(letter, "Où").clear();
  Block(letter, "Ce qu’il faut préparer").clear();
  const std::string text = Pdf(RenderAppointmentLetters({letter}, AtkinsonDir())).Text();
  EXPECT_EQ(text.find("Où\n"), std::string::npos);
  EXPECT_EQ(text.find("Ce qu’il faut préparer"), std::string::npos);
  EXPECT_NE(text.find("Pourquoi"), std::string::npos);
  EXPECT_NE(text.find("Pour changer le rendez-vous"), std::string::npos);
}

TEST(LetterPdf, AMissingOrBrokenLogoDoesNotFailTheLetter) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  testing::TempDir dir;
  std::ofstream(dir.path() / "broken.png") << "not a PNG";
  for (const auto& logo : {dir.path() / "missing.png", dir.path() / "broken.png"}) {
    Letter letter = SampleLetter();
    letter.logo_png = logo;
    EXPECT_EQ(RenderAppointmentLetters({letter}, AtkinsonDir()),
              RenderAppointmentLetters({SampleLetter()}, AtkinsonDir()))
        << logo;
  }
}

TEST(LetterPdf, NoLettersIsAnInvalidArgument) {
  try {
    RenderAppointmentLetters({}, AtkinsonDir());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

TEST(LetterPdf, InvalidUtf8IsAnInvalidArgument) {
  Letter letter = SampleLetter();
  Block(letter, "Qui vient").push_back("Caf\xC3");
  try {
    RenderAppointmentLetters({letter}, AtkinsonDir());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

TEST(LetterPdf, RendersFromSeveralThreadsAtOnce) {
  ALLERVERS_SKIP_WITHOUT_ATKINSON();
  const std::string expected = RenderAppointmentLetters({SampleLetter()}, AtkinsonDir());
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (auto& result : results) {
    threads.emplace_back([&result] {
      for (int i = 0; i < 5; ++i) {
        result = RenderAppointmentLetters({SampleLetter(), ShortLetter("Madame Léa DURAND")},
                                          AtkinsonDir());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const std::string two =
      RenderAppointmentLetters({SampleLetter(), ShortLetter("Madame Léa DURAND")}, AtkinsonDir());
  for (const auto& result : results) {
    EXPECT_EQ(result, two);
  }
  EXPECT_NE(expected, two);
}

}  // namespace
}  // namespace allervers
