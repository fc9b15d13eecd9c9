#pragma once

// What the PDF writers share: owning pointers for cairo, Pango and GLib objects, and the fonts
// (Atkinson Hyperlegible from the fonts directory, DejaVu Sans for what it lacks), loaded once
// per process into a private fontconfig configuration so that output does not depend on the host.

#include <cairo.h>
#include <pango/pangocairo.h>

#include <filesystem>
#include <memory>
#include <string>

namespace allervers::render {

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

/// The fonts of `fonts_dir` for the calling thread: a Pango font map (not shared between
/// threads) and the family list to ask for. Throws Error(kInternal) when no font can be loaded.
struct PdfFonts {
  PangoFontMap* map = nullptr;
  std::string families;  // "Atkinson Hyperlegible, DejaVu Sans"
};
PdfFonts FontsFor(const std::filesystem::path& fonts_dir);

/// A French, left-to-right Pango context on `cr`, metrics unhinted (the same layout at any
/// resolution).
GObjectPtr<PangoContext> MakeContext(PangoFontMap* map, cairo_t* cr);

/// cairo's write callback appending to a std::string.
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length);

}  // namespace allervers::render
