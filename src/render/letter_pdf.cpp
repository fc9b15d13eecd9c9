#include "render/letter_pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <sys/mman.h>
#include <unistd.h>

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

namespace allervers::render {
namespace {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) {
      Fn(p);
    }
  }
};

using SurfacePtr = std::unique_ptr<cairo_surface_t, Deleter<cairo_surface_destroy>>;
using CairoPtr = std::unique_ptr<cairo_t, Deleter<cairo_destroy>>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t, Deleter<cairo_font_options_destroy>>;
using FontDescPtr = std::unique_ptr<PangoFontDescription, Deleter<pango_font_description_free>>;
using AttrListPtr = std::unique_ptr<PangoAttrList, Deleter<pango_attr_list_unref>>;
using LayoutIterPtr = std::unique_ptr<PangoLayoutIter, Deleter<pango_layout_iter_free>>;
template <typename T>
using GObjectPtr = std::unique_ptr<T, Deleter<g_object_unref>>;

[[noreturn]] void Fail(const std::string& detail) {
  throw Error(ErrorCode::kInternal, "Le courrier n’a pas pu être créé.", "letter_pdf: " + detail);
}

void CheckCairo(cairo_status_t status, std::string_view what) {
  if (status != CAIRO_STATUS_SUCCESS) {
    Fail(std::string(what) + ": " + cairo_status_to_string(status));
  }
}

constexpr std::string_view kAtkinsonFamily = "Atkinson Hyperlegible";
constexpr std::string_view kFallbackFamily = "DejaVu Sans";
// Debian's fonts-dejavu-core: the fallback family, and the source of the glyphs Atkinson
// Hyperlegible lacks (Vietnamese letters such as "ễ") so that they never render as boxes.
constexpr std::array<const char*, 2> kDejaVuFiles = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"};

void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xFFU));
  }
}

void PutU16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>((v >> 8U) & 0xFFU));
  out.push_back(static_cast<char>(v & 0xFFU));
}

// Rebuilds a plain TrueType/OpenType file (sfnt) from a WOFF or WOFF2 file. FreeType (built
// with zlib and brotli in Debian) reads web fonts, but Pango 1.50 shapes with HarfBuzz, which
// opens the file itself and understands only sfnt: given a .woff, Pango silently falls back
// to another family. FreeType hands out the decoded tables; we write them back as an sfnt.
std::string WebFontToSfnt(FT_Library library, const std::filesystem::path& file) {
  FT_Face face = nullptr;
  if (FT_New_Face(library, file.c_str(), 0, &face) != 0) {
    return {};
  }
  std::unique_ptr<FT_FaceRec_, Deleter<FT_Done_Face>> face_owner(face);
  struct Table {
    std::uint32_t tag;
    std::string data;
  };
  std::vector<Table> tables;
  for (FT_UInt i = 0;; ++i) {
    FT_ULong tag = 0;
    FT_ULong length = 0;
    if (FT_Sfnt_Table_Info(face, i, &tag, &length) != 0) {
      break;
    }
    std::string data(length, '\0');
    if (FT_Load_Sfnt_Table(face, tag, 0, reinterpret_cast<FT_Byte*>(data.data()), &length) != 0) {
      return {};
    }
    tables.push_back({static_cast<std::uint32_t>(tag), std::move(data)});
  }
  if (tables.empty() || tables.size() > 0xFFFFU) {
    return {};
  }
  std::sort(tables.begin(), tables.end(),
            [](const Table& a, const Table& b) { return a.tag < b.tag; });

  const auto count = static_cast<std::uint16_t>(tables.size());
  std::uint16_t selector = 0;
  while ((1U << (selector + 1U)) <= count) {
    ++selector;
  }
  const auto search_range = static_cast<std::uint16_t>((1U << selector) * 16U);
  std::string out;
  const bool cff = std::any_of(tables.begin(), tables.end(),
                               [](const Table& t) { return t.tag == 0x43464620U; });  // 'CFF '
  PutU32(out, cff ? 0x4F54544FU : 0x00010000U);  // 'OTTO' or TrueType
  PutU16(out, count);
  PutU16(out, search_range);
  PutU16(out, selector);
  PutU16(out, static_cast<std::uint16_t>(count * 16U - search_range));
  std::string body;
  const std::size_t header_size = 12 + 16 * tables.size();
  for (auto& table : tables) {
    const std::size_t length = table.data.size();
    while (table.data.size() % 4 != 0) {
      table.data.push_back('\0');
    }
    std::uint32_t checksum = 0;
    for (std::size_t i = 0; i < table.data.size(); i += 4) {
      checksum +=
          (static_cast<std::uint32_t>(static_cast<unsigned char>(table.data[i])) << 24U) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(table.data[i + 1])) << 16U) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(table.data[i + 2])) << 8U) |
          static_cast<std::uint32_t>(static_cast<unsigned char>(table.data[i + 3]));
    }
    PutU32(out, table.tag);
    PutU32(out, checksum);
    PutU32(out, static_cast<std::uint32_t>(header_size + body.size()));
    PutU32(out, static_cast<std::uint32_t>(length));
    body += table.data;
  }
  out += body;
  return out;
}

// An anonymous in-memory file holding `data`, reachable by path for fontconfig, FreeType and
// HarfBuzz (which all open fonts by file name). It lives as long as the process: nothing is
// written to disk and nothing can be cleaned away under a long-running server.
std::string MemoryFile(const std::string& data) {
  const int fd = memfd_create("allervers-font", MFD_CLOEXEC);
  if (fd < 0) {
    return {};
  }
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n <= 0) {
      close(fd);
      return {};
    }
    written += static_cast<std::size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

bool HasExtension(const std::filesystem::path& p, std::string_view ext) {
  return text::ToLowerAscii(p.extension().string()) == ext;
}

// The font files of `dir` to load: upright faces only (letters never use italics), and for
// each face (file stem) the best format present: .ttf/.otf, then .woff, then .woff2.
std::vector<std::filesystem::path> PickFontFiles(const std::filesystem::path& dir) {
  std::map<std::string, std::filesystem::path> best;  // sorted: a deterministic order
  auto rank = [](const std::filesystem::path& p) {
    if (HasExtension(p, ".ttf") || HasExtension(p, ".otf")) {
      return 0;
    }
    if (HasExtension(p, ".woff")) {
      return 1;
    }
    if (HasExtension(p, ".woff2")) {
      return 2;
    }
    return 3;
  };
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    const std::string stem = path.stem().string();
    if (rank(path) > 2 || text::ToLowerAscii(stem).find("italic") != std::string::npos ||
        !it->is_regular_file(ec)) {
      continue;
    }
    auto found = best.find(stem);
    if (found == best.end() || rank(path) < rank(found->second)) {
      best[stem] = path;
    }
  }
  std::vector<std::filesystem::path> files;
  files.reserve(best.size());
  for (const auto& [stem, path] : best) {
    files.push_back(path);
  }
  return files;
}

bool ConfigHasFamily(FcConfig* config, std::string_view family) {
  FcFontSet* set = FcConfigGetFonts(config, FcSetApplication);
  if (set == nullptr) {
    return false;
  }
  for (int i = 0; i < set->nfont; ++i) {
    FcChar8* name = nullptr;
    for (int n = 0; FcPatternGetString(set->fonts[i], FC_FAMILY, n, &name) == FcResultMatch; ++n) {
      if (std::string_view(reinterpret_cast<const char*>(name)) == family) {
        return true;
      }
    }
  }
  return false;
}

// The fonts of one fonts_dir: a private fontconfig configuration (the system's fonts and
// rules are left out, so output does not depend on the host), built once and then only read.
struct FontSource {
  FcConfig* config = nullptr;  // kept for the life of the process
  std::string families;        // Pango family list: "Atkinson Hyperlegible, DejaVu Sans"
};

FontSource BuildFontSource(const std::filesystem::path& fonts_dir) {
  std::unique_ptr<FcConfig, Deleter<FcConfigDestroy>> config(FcConfigCreate());
  if (!config) {
    Fail("FcConfigCreate");
  }
  std::error_code ec;
  if (!fonts_dir.empty() && std::filesystem::is_directory(fonts_dir, ec)) {
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) {
      Fail("FT_Init_FreeType");
    }
    std::unique_ptr<FT_LibraryRec_, Deleter<FT_Done_FreeType>> library_owner(library);
    for (const auto& file : PickFontFiles(fonts_dir)) {
      std::string path = file.string();
      if (HasExtension(file, ".woff") || HasExtension(file, ".woff2")) {
        const std::string sfnt = WebFontToSfnt(library, file);
        path = sfnt.empty() ? std::string() : MemoryFile(sfnt);
      }
      if (!path.empty()) {
        FcConfigAppFontAddFile(config.get(), reinterpret_cast<const FcChar8*>(path.c_str()));
      }
    }
  }
  for (const char* file : kDejaVuFiles) {
    FcConfigAppFontAddFile(config.get(), reinterpret_cast<const FcChar8*>(file));
  }
  FontSource source;
  if (ConfigHasFamily(config.get(), kAtkinsonFamily)) {
    source.families = std::string(kAtkinsonFamily) + ", " + std::string(kFallbackFamily);
  } else if (ConfigHasFamily(config.get(), kFallbackFamily)) {
    source.families = std::string(kFallbackFamily);
  } else {
    // Neither family could be loaded: the system's fonts are better than no text at all.
    config.reset(FcInitLoadConfigAndFonts());
    if (!config) {
      Fail("no usable font");
    }
    source.families = std::string(kFallbackFamily) + ", sans-serif";
  }
  source.config = config.release();
  return source;
}

// Fontconfig configurations are built once per fonts_dir for the whole process (scanning and
// decoding the files takes milliseconds); after that they are only read, which fontconfig
// allows from several threads.
const FontSource& FontSourceFor(const std::filesystem::path& fonts_dir) {
  static std::mutex mutex;
  static std::map<std::string, FontSource> sources;
  const std::lock_guard lock(mutex);
  auto found = sources.find(fonts_dir.string());
  if (found == sources.end()) {
    found = sources.emplace(fonts_dir.string(), BuildFontSource(fonts_dir)).first;
  }
  return found->second;  // std::map never moves its nodes: the reference stays valid
}

// A Pango font map must not be shared between threads (its caches are not locked): each
// thread keeps its own, over the shared fontconfig configuration.
PangoFontMap* FontMapFor(const std::filesystem::path& fonts_dir, const FontSource& source) {
  thread_local std::map<std::string, GObjectPtr<PangoFontMap>> maps;
  auto found = maps.find(fonts_dir.string());
  if (found == maps.end()) {
    GObjectPtr<PangoFontMap> map(pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT));
    if (!map) {
      Fail("pango_cairo_font_map_new_for_font_type");
    }
    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map.get()), source.config);
    found = maps.emplace(fonts_dir.string(), std::move(map)).first;
  }
  return found->second.get();
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

  for (const auto& block : letter.blocks) {
    if (block.lines.empty()) {
      continue;
    }
    flow.Heading(block.heading);
    for (std::size_t i = 0; i < block.lines.size(); ++i) {
      if (block.checklist) {
        if (i > 0) {
          flow.Skip(kChecklistGap);
        }
        flow.Paragraph(block.lines[i], kBody, kChecklistIndent, 0,
                       [&flow](double baseline) { flow.Checkbox(baseline); });
      } else {
        if (i > 0) {
          flow.Skip(kParagraphGap);
        }
        flow.Paragraph(block.lines[i], kBody);
      }
    }
  }

  if (!letter.signature_name.empty() || !letter.signature_role.empty()) {
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

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
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
  const FontSource& fonts = FontSourceFor(fonts_dir);
  PangoFontMap* font_map = FontMapFor(fonts_dir, fonts);

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

  GObjectPtr<PangoContext> context(pango_font_map_create_context(font_map));
  pango_context_set_language(context.get(), pango_language_from_string("fr-fr"));
  pango_context_set_base_dir(context.get(), PANGO_DIRECTION_LTR);
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options.get());
  pango_cairo_update_context(cr.get(), context.get());

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
