#include "render/pdf_support.hpp"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H
#include <pango/pangofc-fontmap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"

namespace allervers::render {
namespace {

[[noreturn]] void Fail(const std::string& detail) {
  throw Error(ErrorCode::kInternal, "Le document PDF n’a pas pu être créé.", "pdf: " + detail);
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

}  // namespace

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

PdfFonts FontsFor(const std::filesystem::path& fonts_dir) {
  const FontSource& source = FontSourceFor(fonts_dir);
  return {FontMapFor(fonts_dir, source), source.families};
}

GObjectPtr<PangoContext> MakeContext(PangoFontMap* map, cairo_t* cr) {
  GObjectPtr<PangoContext> context(pango_font_map_create_context(map));
  pango_context_set_language(context.get(), pango_language_from_string("fr-fr"));
  pango_context_set_base_dir(context.get(), PANGO_DIRECTION_LTR);
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options.get());
  pango_cairo_update_context(cr, context.get());
  return context;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace allervers::render
