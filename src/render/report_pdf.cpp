#include <cairo-pdf.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "render/pdf_support.hpp"
#include "render/report.hpp"

namespace allervers::render {
namespace {

using nlohmann::json;

[[noreturn]] void Invalid(const std::string& detail) {
  throw Error(ErrorCode::kInvalidArgument, "Le bilan ne peut pas être mis en page.",
              "report_pdf: " + detail);
}

void CheckCairo(cairo_status_t status, const char* what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorCode::kInternal, "Le bilan n’a pas pu être créé.",
                std::string("report_pdf: ") + what + ": " + cairo_status_to_string(status));
  }
}

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 210 * kMm;
constexpr double kPageHeight = 297 * kMm;
constexpr double kMargin = 18 * kMm;
constexpr double kTop = 16 * kMm;
constexpr double kBottom = kPageHeight - 20 * kMm;
constexpr double kFooterBaseline = kPageHeight - 10 * kMm;
constexpr double kWidth = kPageWidth - 2 * kMargin;
constexpr double kBody = 10.5;
constexpr double kCellPad = 3;
constexpr double kTeal[3] = {0.043, 0.333, 0.388};  // the app's colour (#0b5563)

struct Style {
  double size = kBody;
  bool bold = false;
  double spacing = 1.15;
};

// Lays out text and flows it down pages; the first pass counts pages (draw_ false), the
// second draws with "Page N / M" in each footer.
class Flow {
 public:
  Flow(cairo_t* cr, PangoContext* context, std::string families, bool draw, int pages,
       std::string footer)
      : cr_(cr),
        context_(context),
        families_(std::move(families)),
        draw_(draw),
        pages_(pages),
        footer_(std::move(footer)) {}

  GObjectPtr<PangoLayout> Layout(const std::string& text, const Style& style, double width,
                                 PangoAlignment align = PANGO_ALIGN_LEFT) const {
    GObjectPtr<PangoLayout> layout(pango_layout_new(context_));
    std::unique_ptr<PangoFontDescription, Deleter<pango_font_description_free>> desc(
        pango_font_description_new());
    pango_font_description_set_family(desc.get(), families_.c_str());
    pango_font_description_set_weight(desc.get(),
                                      style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(desc.get(), style.size * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_width(layout.get(), static_cast<int>(std::lround(width * PANGO_SCALE)));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), align);
    pango_layout_set_line_spacing(layout.get(), static_cast<float>(style.spacing));
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    return layout;
  }

  static double Height(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return static_cast<double>(logical.height) / PANGO_SCALE;
  }

  void Draw(PangoLayout* layout, double x, double y) {
    if (draw_) {
      cairo_move_to(cr_, x, y);
      pango_cairo_show_layout(cr_, layout);
    }
  }

  // Makes room for `height` points, on a new page if this one has not enough left.
  void Need(double height) {
    if (y_ + height > kBottom && y_ > kTop + 1) {
      NewPage();
    }
  }

  void Paragraph(const std::string& text, const Style& style = {}, double gap_after = 6) {
    const auto layout = Layout(text, style, kWidth);
    const double h = Height(layout.get());
    if (h > (kBottom - kTop) / 2 && text.size() > 1) {
      // Longer than half a page: in two halves, cut at a line break or a space (else at a
      // character boundary), so that it can break across pages.
      std::size_t cut = text.rfind('\n', text.size() / 2);
      if (cut == std::string::npos || cut == 0) {
        cut = text.rfind(' ', text.size() / 2);
      }
      if (cut == std::string::npos || cut == 0) {
        cut = text.size() / 2;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
          --cut;
        }
      }
      if (cut > 0) {
        Paragraph(text.substr(0, cut), style, 0);
        Paragraph(text.substr(text[cut] == '\n' || text[cut] == ' ' ? cut + 1 : cut), style,
                  gap_after);
        return;
      }
    }
    Need(h);
    Draw(layout.get(), kMargin, y_);
    y_ += h + gap_after;
  }

  void Heading(const std::string& text, double size, double gap_before, double keep) {
    y_ += gap_before;
    const auto layout = Layout(text, {size, true, 1.1}, kWidth);
    Need(Height(layout.get()) + keep);
    if (draw_) {
      cairo_set_source_rgb(cr_, kTeal[0], kTeal[1], kTeal[2]);
    }
    Draw(layout.get(), kMargin, y_);
    if (draw_) {
      cairo_set_source_rgb(cr_, 0, 0, 0);
    }
    y_ += Height(layout.get()) + 4;
  }

  // A table: a header row, then one row per line, repeated header after a page break.
  void Table(const json& table) {
    const auto& columns = table.at("columns");
    const std::size_t n = columns.size();
    const double first = n <= 1 ? kWidth * 0.7 : kWidth * (n >= 4 ? 0.34 : 0.46);
    const double other = n == 0 ? 0 : (kWidth - first) / static_cast<double>(n);
    const auto row_layouts = [&](const std::string& label, const std::vector<std::string>& cells,
                                 bool bold) {
      std::vector<GObjectPtr<PangoLayout>> out;
      out.push_back(Layout(label, {kBody, bold, 1.1}, first - 2 * kCellPad));
      for (const auto& c : cells) {
        out.push_back(Layout(c, {kBody, bold, 1.1}, other - 2 * kCellPad, PANGO_ALIGN_RIGHT));
      }
      return out;
    };
    std::vector<std::string> header;
    for (const auto& c : columns) {
      header.push_back(c.get<std::string>());
    }
    const auto header_layouts = row_layouts("", header, true);
    const auto row_height = [](const std::vector<GObjectPtr<PangoLayout>>& cells) {
      double h = 0;
      for (const auto& c : cells) {
        h = std::max(h, Height(c.get()));
      }
      return h + 2 * kCellPad;
    };
    const double header_h = row_height(header_layouts);
    const auto draw_row = [&](const std::vector<GObjectPtr<PangoLayout>>& cells, double h,
                              bool is_header) {
      if (draw_) {
        if (is_header) {
          cairo_set_source_rgb(cr_, 0.93, 0.95, 0.96);
          cairo_rectangle(cr_, kMargin, y_, kWidth, h);
          cairo_fill(cr_);
          cairo_set_source_rgb(cr_, 0, 0, 0);
        }
        cairo_set_line_width(cr_, 0.4);
        cairo_move_to(cr_, kMargin, y_ + h);
        cairo_line_to(cr_, kMargin + kWidth, y_ + h);
        cairo_stroke(cr_);
      }
      Draw(cells[0].get(), kMargin + kCellPad, y_ + kCellPad);
      for (std::size_t i = 1; i < cells.size(); ++i) {
        Draw(cells[i].get(), kMargin + first + other * static_cast<double>(i - 1) + kCellPad,
             y_ + kCellPad);
      }
      y_ += h;
    };
    const auto& rows = table.at("rows");
    if (rows.empty()) {
      Paragraph("Aucune donnée sur la période.");
      return;
    }
    bool header_drawn = false;
    for (const auto& r : rows) {
      std::vector<std::string> cells;
      for (const auto& c : r.at("cells")) {
        cells.push_back(FormatCell(c));
      }
      const auto layouts = row_layouts(r.at("label").get<std::string>(), cells, false);
      const double h = row_height(layouts);
      if (!header_drawn || y_ + h > kBottom) {
        Need(header_h + h);
        draw_row(header_layouts, header_h, true);
        header_drawn = true;
      }
      draw_row(layouts, h, false);
    }
    y_ += 10;
  }

  // The year so far against each target, with the pro-rata mark.
  void Targets(const json& targets) {
    if (targets.empty()) {
      return;
    }
    constexpr double kLabel = 32 * kMm;
    constexpr double kBar = 105 * kMm;
    constexpr double kBarHeight = 7 * kMm;
    Need(static_cast<double>(targets.size()) * 12 * kMm + 6 * kMm);
    for (const auto& t : targets) {
      const double target = std::max(1.0, t.at("target").get<double>());
      const double actual = t.at("actual").is_number() ? t.at("actual").get<double>() : 0.0;
      const double pro_rata = t.at("pro_rata").get<double>();
      const auto label = Layout(t.at("label").get<std::string>(), {kBody, true}, kLabel);
      Draw(label.get(), kMargin, y_ + 1);
      if (draw_) {
        cairo_set_source_rgb(cr_, 0.93, 0.95, 0.96);
        cairo_rectangle(cr_, kMargin + kLabel, y_, kBar, kBarHeight);
        cairo_fill(cr_);
        cairo_set_source_rgb(cr_, kTeal[0], kTeal[1], kTeal[2]);
        cairo_rectangle(cr_, kMargin + kLabel, y_, kBar * std::min(actual, target) / target,
                        kBarHeight);
        cairo_fill(cr_);
        cairo_set_source_rgb(cr_, 0.70, 0.15, 0.12);
        cairo_set_line_width(cr_, 2);
        const double x = kMargin + kLabel + kBar * std::min(pro_rata, target) / target;
        cairo_move_to(cr_, x, y_ - 1.5 * kMm);
        cairo_line_to(cr_, x, y_ + kBarHeight + 1.5 * kMm);
        cairo_stroke(cr_);
        cairo_set_source_rgb(cr_, 0, 0, 0);
      }
      const auto value = Layout(FormatCell(t.at("actual")) + " / " + FormatCell(t.at("target")) +
                                    " (prorata " + FormatCell(t.at("pro_rata")) + ")",
                                {kBody - 1}, kWidth - kLabel - kBar - 3 * kMm);
      Draw(value.get(), kMargin + kLabel + kBar + 3 * kMm, y_ + 1);
      y_ += 12 * kMm;
    }
    Paragraph(
        "La barre montre le réalisé depuis le 1er janvier, le trait rouge l’objectif au "
        "prorata des jours écoulés.",
        {kBody - 1});
  }

  void NewPage() {
    EndPage();
    ++page_;
    y_ = kTop;
  }

  void EndPage() {
    if (!draw_) {
      return;
    }
    const auto footer =
        Layout(footer_ + " — page " + std::to_string(page_) + " / " + std::to_string(pages_), {8.5},
               kWidth);
    cairo_move_to(cr_, kMargin, kFooterBaseline - 8);
    pango_cairo_show_layout(cr_, footer.get());
    cairo_show_page(cr_);
  }

  double y() const { return y_; }
  void Skip(double d) { y_ += d; }
  int page() const { return page_; }

 private:
  cairo_t* cr_;
  PangoContext* context_;
  std::string families_;
  bool draw_;
  int pages_;
  std::string footer_;
  int page_ = 1;
  double y_ = kTop;
};

std::string Text(const json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_string()) {
    Invalid(std::string("missing ") + key);
  }
  const auto s = j.at(key).get<std::string>();
  if (!text::IsValidUtf8(s)) {
    Invalid("invalid UTF-8");
  }
  return s;
}

int Write(Flow& flow, const json& r) {
  // Cover: the team, the period, the key figures and the targets.
  flow.Paragraph(Text(r, "team"), {13, true});
  flow.Heading(Text(r, "title"), 22, 18, 40);
  flow.Paragraph(Text(r, "period_label"), {14});
  flow.Paragraph(Text(r, "generated_label"), {kBody});
  if (!Text(r, "notice").empty()) {
    flow.Paragraph(Text(r, "notice"), {kBody});
  }
  if (!r.at("targets").empty()) {
    flow.Heading("Objectifs de l’année", 14, 10, 60);
    flow.Targets(r.at("targets"));
  }
  int number = 1;
  for (const auto& section : r.at("sections")) {
    if (number > 1) {
      flow.Heading(std::to_string(number) + ". " + Text(section, "title"), 16, 14, 80);
    } else {
      flow.Heading(Text(section, "title"), 14, 10, 80);
    }
    ++number;
    for (const auto& table : section.at("tables")) {
      flow.Heading(Text(table, "title"), 12, 4, 40);
      flow.Table(table);
    }
  }
  flow.Heading(std::to_string(number) + ". Faits marquants, difficultés et perspectives", 16, 14,
               60);
  for (const auto& t : r.at("texts")) {
    flow.Heading(Text(t, "title"), 12, 4, 30);
    const std::string body = Text(t, "text");
    flow.Paragraph(body.empty() ? "Non renseigné." : body);
  }
  flow.NewPage();
  for (const auto& a : r.at("annex")) {
    flow.Heading(Text(a, "title"), 14, 0, 40);
    for (const auto& p : a.at("paragraphs")) {
      flow.Paragraph(p.get<std::string>(), {9.5});
    }
  }
  flow.EndPage();
  return flow.page();
}

}  // namespace

std::string FormatCell(const json& v) {
  if (v.is_null()) {
    return "non calculé";
  }
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (!v.is_number()) {
    return "";
  }
  // Two decimals at most (euros), trailing zeros dropped: 12,5 · 2 451,44 · 3.
  const auto cents = std::llround(v.get<double>() * 100.0);
  const long long magnitude = cents < 0 ? -cents : cents;
  const std::string digits = std::to_string(magnitude / 100);
  std::string out = cents < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += "\u202F";  // French thousands: a narrow no-break space
    }
    out += digits[i];
  }
  if (const long long fraction = magnitude % 100; fraction != 0) {
    out += ',';
    out += static_cast<char>('0' + fraction / 10);
    if (fraction % 10 != 0) {
      out += static_cast<char>('0' + fraction % 10);
    }
  }
  return out;
}

std::string RenderReportPdf(const ReportModel& report, const std::filesystem::path& fonts_dir) {
  if (!report.is_object() || !report.contains("sections") || !report.contains("texts") ||
      !report.contains("annex") || !report.contains("targets")) {
    Invalid("malformed model");
  }
  const PdfFonts fonts = FontsFor(fonts_dir);
  std::string pdf;
  SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  CheckCairo(cairo_surface_status(surface.get()), "surface");
  const std::string title = Text(report, "title") + " — " + Text(report, "period_label");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Allervers");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  CairoPtr cr(cairo_create(surface.get()));
  const auto context = MakeContext(fonts.map, cr.get());
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  // One line: the period label up to its comma ("4e trimestre 2026").
  const std::string period = Text(report, "period_label");
  const std::string footer = "Bilan trimestriel — " + period.substr(0, period.find(','));
  int pages = 0;
  {
    Flow count(cr.get(), context.get(), fonts.families, false, 0, footer);
    pages = Write(count, report);
  }
  Flow draw(cr.get(), context.get(), fonts.families, true, pages, footer);
  Write(draw, report);
  CheckCairo(cairo_status(cr.get()), "drawing");
  cr.reset();
  cairo_surface_finish(surface.get());
  CheckCairo(cairo_surface_status(surface.get()), "finish");
  return pdf;
}

}  // namespace allervers::render
