#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "domain/letter.hpp"
#include "render/letter_pdf.hpp"
#include "service/letter_printer.hpp"

namespace allervers::web {

/// The renderer's view of a composed letter: the same words, blocks and headings.
render::Letter ToRenderLetter(const domain::LetterText& text);

/// Prints letters as PDF with render::RenderLetters and the fonts of `fonts_dir` (Atkinson
/// Hyperlegible; DejaVu Sans when the directory is missing).
class PdfLetterPrinter final : public service::LetterPrinter {
 public:
  explicit PdfLetterPrinter(std::filesystem::path fonts_dir) : fonts_dir_(std::move(fonts_dir)) {}

  std::string Print(const std::vector<domain::LetterText>& letters,
                    const std::string& title) const override;

 private:
  std::filesystem::path fonts_dir_;
};

}  // namespace allervers::web
