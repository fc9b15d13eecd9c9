#include "render/letter_pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "render/pdf_support.hpp"

namespace allervers::render {
namespace {

[[noreturn]] void Fail(const std::string& detail) {
  throw Error(ErrorCode::kInternal, "Le courrier n’a pas pu être créé.", "letter_pdf: " + detail);
}

void CheckCairo(cairo_status_t status, std::string_view what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    Fail(std::string(what) + ": " + cairo_status_to_string(status));
  }
}

// Page geometry, in PDF user units (points).
constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 210 * kMm;
constexpr double kPageHeight = 297 * kMm;
constexpr double kMarginLeft = 20 * kMm;
constexpr double kMarginRight = 20 * kMm;
constexpr double kMarginTop = 15 * kMm;
constexpr double kBodyBottom = kPageHeight - 22 * kMm;  // nothing of the text goes below
constexpr double kFooterBaseline = kPageHeight - 12 * kMm;
constexpr double kBodyWidth = kPageWidth - kMarginLeft - kMarginRight;

// Letterhead: top left, left of the envelope window.
constexpr double kLogoMaxWidth = 35 * kMm;
constexpr double kLogoMaxHeight = 20 * kMm;
constexpr double kLetterheadWidth = 75 * kMm;

// French DL window envelope: window 100 mm from the left edge, 45 mm from the top, about
// 90 × 35 mm. The address keeps 4 mm away from each side of the window, so that it stays
// visible even when the sheet slides a little in the envelope.
constexpr double kWindowLeft = 100 * kMm;
constexpr double kWindowTop = 45 * kMm;
constexpr double kWindowWidth = 90 * kMm;
constexpr double kWindowHeight = 35 * kMm;
constexpr double kWindowPadding = 4 * kMm;
constexpr double kAddressLeft = kWindowLeft + kWindowPadding;
constexpr double kAddressTop = kWindowTop + kWindowPadding;
constexpr double kAddressWidth = kWindowWidth - 2 * kWindowPadding;
constexpr double kAddressHeight = kWindowHeight - 2 * kWindowPadding;

// Type: FALC asks for at least 14 pt, no italics, left-aligned, no hyphenation.
constexpr double kBodySize = 14;
constexpr double kHeadingSize = 17;
constexpr double kLetterheadSize = 12;
constexpr double kLetterheadNameSize = 13;
constexpr double kFooterSize = 12;
constexpr double kMinAddressSize = 10;
constexpr double kBodyLineSpacing = 1.3;
// Lines inside a paragraph are 1.3 × the font's height apart (about 22.5 pt at 14 pt), and a
// one-line paragraph is only 1 × tall: the gap between paragraphs must exceed the difference
// (about 5 pt) for a new paragraph to be seen as one.
constexpr double kParagraphGap = 11;
constexpr double kChecklistGap = 8;
constexpr double kHeadingGapBefore = 16;
constexpr double kHeadingGapAfter = 4;
constexpr double kChecklistIndent = 26;
constexpr double kCheckboxSize = 11;

enum class Weight { kRegular, kBold };

struct TextStyle {
  double size = kBodySize;
  Weight weight = Weight::kRegular;
  double line_spacing = kBodyLineSpacing;
};

constexpr TextStyle kBody{};
constexpr TextStyle kHeading{kHeadingSize, Weight::kBold, 1.15};
constexpr TextStyle kBodyBold{kBodySize, Weight::kBold, kBodyLineSpacing};

double FromPango(int units) { return static_cast<double>(units) / PANGO_SCALE; }

int ToPango(double points) { return static_cast<int>(std::lround(points * PANGO_SCALE)); }

class LetterWriter {
 public:
  LetterWriter(cairo_t* cr, PangoContext* context, std::string families)
      : cr_(cr), context_(context), families_(std::move(families)) {}

  // Layouts are shaped once per letter: the first pass (which counts pages) records them,
  // the second (which draws) replays them, in the same order.
  PangoLayout* Layout(const std::string& text, const TextStyle& style, double width) {
    if (!replaying_) {
      cache_.push_back(MakeLayout(text, style, width));
      return cache_.back().get();
    }
    if (next_ >= cache_.size() || text != pango_layout_get_text(cache_[next_].get())) {
      Fail("layout replay out of step");
    }
    return cache_[next_++].get();
  }

  void Record() {
    cache_.clear();
    next_ = 0;
    replaying_ = false;
  }

  void Replay() {
    next_ = 0;
    replaying_ = true;
  }

  GObjectPtr<PangoLayout> MakeLayout(const std::string& text, const TextStyle& style,
                                     double width) const {
    GObjectPtr<PangoLayout> layout(pango_layout_new(context_));
    FontDescPtr desc(pango_font_description_new());
    pango_font_description_set_family(desc.get(), families_.c_str());
    pango_font_description_set_weight(
        desc.get(), style.weight == Weight::kBold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(desc.get(), PANGO_STYLE_NORMAL);
    // Absolute size: device units, which are points on a PDF surface.
    pango_font_description_set_absolute_size(desc.get(), style.size * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_width(layout.get(), ToPango(width));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), PANGO_ALIGN_LEFT);
    pango_layout_set_justify(layout.get(), FALSE);
    pango_layout_set_line_spacing(layout.get(), static_cast<float>(style.line_spacing));
    AttrListPtr attrs(pango_attr_list_new());
    pango_attr_list_insert(attrs.get(), pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(layout.get(), attrs.get());
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return layout;
  }

  static double Height(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return FromPango(logical.height);
  }

  // Draws a layout whose top is at `top`; no flow, for the fixed parts of the first page.
  void DrawAt(PangoLayout* layout, double x, double top) const {
    cairo_move_to(cr_, x, top);
    pango_cairo_show_layout(cr_, layout);
  }

  cairo_t* cr() const { return cr_; }

 private:
  cairo_t* cr_;
  PangoContext* context_;
  std::string families_;
  std::vector<GObjectPtr<PangoLayout>> cache_;
  std::size_t next_ = 0;
  bool replaying_ = false;
};

// Flows one letter down its pages. The first pass (`draw` false) only counts the pages, so
// that the second can write "Page N / M" in the footers.
class LetterFlow {
 public:
  LetterFlow(LetterWriter& writer, bool draw, int total_pages)
      : writer_(writer), draw_(draw), total_pages_(total_pages) {
    body_line_height_ = LetterWriter::Height(writer_.Layout("Xg", kBody, kBodyWidth));
  }

  int page() const { return page_; }
  void set_y(double y) { y_ = y; }

  void Skip(double gap) { y_ += gap; }

  // Flows a paragraph at the current position, breaking the page between lines when needed.
  // With `keep_with_next` > 0, the paragraph starts a new page unless it fits whole on this
  // one with that much room below it (a heading stays with the first line of its block). `marker`,
  // if set, draws something left of the first line (a checkbox), given that line's baseline.
  void Paragraph(const std::string& text, const TextStyle& style, double indent = 0,
                 double keep_with_next = 0,
                 const std::function<void(double baseline)>& marker = nullptr) {
    PangoLayout* layout = writer_.Layout(text, style, kBodyWidth - indent);
    const double height = LetterWriter::Height(layout);
    if (keep_with_next > 0 && y_ + height + keep_with_next > kBodyBottom && y_ > PageTop()) {
      NewPage();
    }
    LayoutIterPtr iter(pango_layout_get_iter(layout));
    double origin = y_;  // where the layout's top would be, on the current page
    bool first = true;
    do {
      int line_top = 0;
      int line_bottom = 0;
      pango_layout_iter_get_line_yrange(iter.get(), &line_top, &line_bottom);
      if (origin + FromPango(line_bottom) > kBodyBottom &&
          origin + FromPango(line_top) > PageTop() + 0.5) {
        NewPage();
        origin = PageTop() - FromPango(line_top);
      }
      const double baseline = origin + FromPango(pango_layout_iter_get_baseline(iter.get()));
      if (draw_) {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(iter.get(), nullptr, &logical);
        cairo_move_to(writer_.cr(), kMarginLeft + indent + FromPango(logical.x), baseline);
        pango_cairo_show_layout_line(writer_.cr(), pango_layout_iter_get_line_readonly(iter.get()));
        if (first && marker) {
          marker(baseline);
        }
      }
      first = false;
      y_ = origin + FromPango(line_bottom);
    } while (pango_layout_iter_next_line(iter.get()) != 0);
  }

  void Heading(const std::string& text) {
    Skip(kHeadingGapBefore);
    Paragraph(text, kHeading, 0, kHeadingGapAfter + body_line_height_);
    Skip(kHeadingGapAfter);
  }

  void Checkbox(double baseline) const {
    cairo_t* cr = writer_.cr();
    cairo_save(cr);
    cairo_set_line_width(cr, 1.2);
    cairo_rectangle(cr, kMarginLeft + 2, baseline - kCheckboxSize + 0.5, kCheckboxSize,
                    kCheckboxSize);
    cairo_stroke(cr);
    cairo_restore(cr);
  }

  // Ends the letter's last page.
  void Finish() { EndPage(); }

  double body_line_height() const { return body_line_height_; }

 private:
  static double PageTop() { return kMarginTop; }

  void EndPage() {
    if (!draw_) {
      return;
    }
    GObjectPtr<PangoLayout> footer =
        writer_.MakeLayout("Page " + std::to_string(page_) + " / " + std::to_string(total_pages_),
                           TextStyle{kFooterSize, Weight::kRegular, 1.0}, kBodyWidth);
    cairo_move_to(writer_.cr(), kMarginLeft,
                  kFooterBaseline - FromPango(pango_layout_get_baseline(footer.get())));
    pango_cairo_show_layout(writer_.cr(), footer.get());
    cairo_show_page(writer_.cr());
  }

  void NewPage() {
    EndPage();
    ++page_;
    y_ = PageTop();
  }

  LetterWriter& writer_;
  bool draw_;
  int total_pages_;
  int page_ = 1;
  double y_ = kMarginTop;
  double body_line_height_ = 0;
};

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) {
      out += '\n';
    }
    out += line;
  }
  return out;
}

// The logo, or nothing if it is absent or unreadable: a missing logo must not cost anyone
// their letter.
SurfacePtr LoadLogo(const std::filesystem::path& png) {
  if (png.empty()) {
    return nullptr;
  }
  SurfacePtr image(cairo_image_surface_create_from_png(png.c_str()));
  if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS ||
      cairo_image_surface_get_width(image.get()) <= 0 ||
      cairo_image_surface_get_height(image.get()) <= 0) {
    return nullptr;
  }
  return image;
}

// Draws the logo scaled to fit the letterhead box; returns the height it takes.
double DrawLogo(cairo_t* cr, cairo_surface_t* logo, bool draw) {
  if (logo == nullptr) {
    return 0;
  }
  const double width = cairo_image_surface_get_width(logo);
  const double height = cairo_image_surface_get_height(logo);
  const double scale = std::min(kLogoMaxWidth / width, kLogoMaxHeight / height);
  if (draw) {
    cairo_save(cr);
    cairo_translate(cr, kMarginLeft, kMarginTop);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, logo, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
  }
  return height * scale;
}

// The first page's fixed parts: letterhead, address in the envelope window, place and date.
// Returns where the body starts.
double DrawFirstPageHead(LetterWriter& writer, const Letter& letter, cairo_surface_t* logo,
                         bool draw) {
  double y = kMarginTop;
  const double logo_height = DrawLogo(writer.cr(), logo, draw);
  if (logo_height > 0) {
    y += logo_height + 3 * kMm;
  }
  if (!letter.operator_name.empty()) {
    PangoLayout* name = writer.Layout(
        letter.operator_name, TextStyle{kLetterheadNameSize, Weight::kBold, 1.1}, kLetterheadWidth);
    if (draw) {
      writer.DrawAt(name, kMarginLeft, y);
    }
    y += LetterWriter::Height(name) + 1;
  }
  std::vector<std::string> lines = letter.operator_address_lines;
  if (!letter.operator_phone.empty()) {
    lines.push_back("Téléphone : " + letter.operator_phone);
  }
  if (!lines.empty()) {
    PangoLayout* block = writer.Layout(
        Join(lines), TextStyle{kLetterheadSize, Weight::kRegular, 1.15}, kLetterheadWidth);
    if (draw) {
      writer.DrawAt(block, kMarginLeft, y);
    }
    y += LetterWriter::Height(block);
  }

  // The address takes the body size if it fits the window, else shrinks until it does.
  double right_bottom = kWindowTop + kWindowHeight;
  if (!letter.recipient_lines.empty()) {
    const std::string address = Join(letter.recipient_lines);
    PangoLayout* layout = nullptr;
    for (double size = kBodySize;; size -= 0.5) {
      layout = writer.Layout(address, TextStyle{size, Weight::kRegular, 1.1}, kAddressWidth);
      if (LetterWriter::Height(layout) <= kAddressHeight || size <= kMinAddressSize) {
        break;
      }
    }
    if (draw) {
      writer.DrawAt(layout, kAddressLeft, kAddressTop);
    }
    right_bottom = std::max(right_bottom, kAddressTop + LetterWriter::Height(layout));
  }
  if (!letter.place_and_date.empty()) {
    PangoLayout* date =
        writer.Layout(letter.place_and_date, kBody, kPageWidth - kMarginRight - kAddressLeft);
    const double top = right_bottom + 5 * kMm;
    if (draw) {
      writer.DrawAt(date, kAddressLeft, top);
    }
    right_bottom = top + LetterWriter::Height(date);
  }
  return std::max(y, right_bottom) + 10 * kMm;
}

// Lays out (and, when `draw`, draws) one letter; returns its page count.
int WriteLetter(LetterWriter& writer, const Letter& letter, cairo_surface_t* logo, bool draw,
                int total_pages) {
  LetterFlow flow(writer, draw, total_pages);
  flow.set_y(DrawFirstPageHead(writer, letter, logo, draw));

  if (!letter.subject.empty()) {
    flow.Paragraph("Objet\u00A0: " + letter.subject, kBodyBold);
    flow.Skip(kParagraphGap);
  }
  if (!letter.salutation.empty()) {
    flow.Paragraph(letter.salutation, kBody);
  }

  // The signature stays with the last paragraph: never alone at the top of a page.
  const bool signed_letter = !letter.signature_name.empty() || !letter.signature_role.empty();
  const double signature_room =
      signed_letter
          ? kHeadingGapBefore + flow.body_line_height() * ((letter.signature_name.empty() ? 0 : 2) +
                                                           (letter.signature_role.empty() ? 0 : 1))
          : 0;
  const LetterBlock* last_block = nullptr;
  for (const auto& block : letter.blocks) {
    last_block = block.lines.empty() ? last_block : &block;
  }
  for (const auto& block : letter.blocks) {
    if (block.lines.empty()) {
      continue;
    }
    flow.Heading(block.heading);
    for (std::size_t i = 0; i < block.lines.size(); ++i) {
      const double keep = &block == last_block && i + 1 == block.lines.size() ? signature_room : 0;
      if (block.checklist) {
        if (i > 0) {
          flow.Skip(kChecklistGap);
        }
        flow.Paragraph(block.lines[i], kBody, kChecklistIndent, keep,
                       [&flow](double baseline) { flow.Checkbox(baseline); });
      } else {
        if (i > 0) {
          flow.Skip(kParagraphGap);
        }
        flow.Paragraph(block.lines[i], kBody, 0, keep);
      }
    }
  }

  if (signed_letter) {
    flow.Skip(kHeadingGapBefore);
    if (!letter.signature_name.empty()) {
      flow.Paragraph(letter.signature_name, kBodyBold, 0,
                     letter.signature_role.empty() ? 0 : flow.body_line_height());
    }
    if (!letter.signature_role.empty()) {
      flow.Paragraph(letter.signature_role, kBody);
    }
  }
  flow.Finish();
  return flow.page();
}

void CheckText(const Letter& letter) {
  bool ok = true;
  auto check = [&ok](const std::string& s) { ok = ok && text::IsValidUtf8(s); };
  auto check_all = [&check](const std::vector<std::string>& lines) {
    for (const auto& s : lines) {
      check(s);
    }
  };
  for (const std::string* s :
       {&letter.operator_name, &letter.operator_phone, &letter.place_and_date, &letter.salutation,
        &letter.subject, &letter.signature_name, &letter.signature_role}) {
    check(*s);
  }
  check_all(letter.operator_address_lines);
  check_all(letter.recipient_lines);
  for (const auto& block : letter.blocks) {
    check(block.heading);
    check_all(block.lines);
  }
  if (!ok) {
    throw Error(ErrorCode::kInvalidArgument,
                "Le texte du courrier contient des caractères invalides.",
                "letter_pdf: invalid UTF-8");
  }
}

}  // namespace

std::string RenderLetters(const std::vector<Letter>& letters,
                          const std::filesystem::path& fonts_dir, const std::string& title) {
  if (letters.empty()) {
    // A PDF needs at least one page: asking for no letter is the caller's mistake.
    throw Error(ErrorCode::kInvalidArgument, "Aucun courrier à imprimer.",
                "letter_pdf: no letters");
  }
  for (const auto& letter : letters) {
    CheckText(letter);
  }
  if (!text::IsValidUtf8(title)) {
    throw Error(ErrorCode::kInvalidArgument,
                "Le titre du courrier contient des caractères invalides.",
                "letter_pdf: invalid UTF-8 in the title");
  }
  const PdfFonts fonts = FontsFor(fonts_dir);

  std::string pdf;
  SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  CheckCairo(cairo_surface_status(surface.get()), "cairo_pdf_surface_create_for_stream");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Allervers");
  // An empty creation date leaves it out (cairo would write the current time): the same
  // letters then give the same bytes, which keeps caching and tests simple.
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  CairoPtr cr(cairo_create(surface.get()));
  CheckCairo(cairo_status(cr.get()), "cairo_create");

  const auto context = MakeContext(fonts.map, cr.get());

  LetterWriter writer(cr.get(), context.get(), fonts.families);
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  for (const auto& letter : letters) {
    const SurfacePtr logo = LoadLogo(letter.logo_png);
    writer.Record();
    const int pages = WriteLetter(writer, letter, logo.get(), false, 0);
    writer.Replay();
    WriteLetter(writer, letter, logo.get(), true, pages);
    CheckCairo(cairo_status(cr.get()), "drawing");
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  CheckCairo(cairo_surface_status(surface.get()), "cairo_surface_finish");
  return pdf;
}

}  // namespace allervers::render
