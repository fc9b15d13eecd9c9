#pragma once

#include <string>
#include <string_view>

namespace allervers::render {

/// `text` as a QR code (libqrencode, error correction M) in inline SVG: one path of dark
/// modules on a white square with its quiet zone, `role="img"` and a <title> holding
/// `accessible_name` (escaped here). Throws Error(kInternal) when the text cannot be encoded.
std::string QrSvg(std::string_view text, std::string_view accessible_name);

}  // namespace allervers::render
