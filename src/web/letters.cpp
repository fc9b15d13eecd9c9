#include "web/letters.hpp"

namespace allervers::web {

render::Letter ToRenderLetter(const domain::LetterText& text) {
  render::Letter l;
  const domain::Letterhead& h = text.head;
  l.operator_name = h.name;
  l.operator_address_lines = h.address_lines;
  l.operator_phone = h.phone;
  l.logo_png = h.logo_path;  // a missing or unreadable file leaves the letter without logo
  l.place_and_date = text.place_and_date;
  l.recipient_lines = text.recipient_lines;
  l.subject = text.subject;
  l.salutation = text.salutation;
  l.blocks.reserve(text.blocks.size());
  for (const auto& b : text.blocks) {
    l.blocks.push_back({b.heading, b.lines, b.checklist});
  }
  l.signature_name = text.signature_name;
  l.signature_role = text.signature_role;
  return l;
}

std::string PdfLetterPrinter::Print(const std::vector<domain::LetterText>& letters,
                                    const std::string& title) const {
  std::vector<render::Letter> laid_out;
  laid_out.reserve(letters.size());
  for (const auto& letter : letters) {
    laid_out.push_back(ToRenderLetter(letter));
  }
  return render::RenderLetters(laid_out, fonts_dir_, title);
}

}  // namespace allervers::web
