#include "render/qr_svg.hpp"

#include <fmt/format.h>
#include <qrencode.h>

#include <memory>

#include "common/error.hpp"

namespace allervers::render {
namespace {

constexpr int kQuietZone = 4;  // modules of white around the symbol (ISO/IEC 18004)

std::string EscapeXml(std::string_view text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

}  // namespace

std::string QrSvg(std::string_view text, std::string_view accessible_name) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) {
    throw Error(ErrorCode::kInternal, "Le QR code n’a pas pu être créé.", "QRcode_encodeString");
  }
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // The least significant bit of each module is 1 for a dark module (qrencode.h).
      if ((code->data[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                      static_cast<std::size_t>(x)] &
           1U) != 0) {
        path += fmt::format("M{} {}h1v1h-1z", x + kQuietZone, y + kQuietZone);
      }
    }
  }
  return fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" viewBox="0 0 {0} {0}" )"
      R"(width="{1}" height="{1}" role="img" aria-labelledby="qr-title" )"
      R"(shape-rendering="crispEdges"><title id="qr-title">{2}</title>)"
      R"(<rect width="{0}" height="{0}" fill="#ffffff"/><path d="{3}" fill="#000000"/></svg>)",
      size, size * 5, EscapeXml(accessible_name), path);
}

}  // namespace allervers::render
