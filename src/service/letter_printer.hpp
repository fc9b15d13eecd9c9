#pragma once

#include <string>
#include <vector>

#include "domain/letter.hpp"

namespace allervers::service {

/// Lays composed letters out as a printable document (a PDF with cairo and pango, outside
/// the service layer, which never sees a renderer). Implementations are safe to call from
/// several threads.
class LetterPrinter {
 public:
  virtual ~LetterPrinter() = default;
  /// One PDF holding the letters, each starting on a new page; `title` goes into the
  /// document's metadata. Throws Error(kInvalidArgument) for no letter, Error(kInternal) when
  /// the document cannot be produced.
  virtual std::string Print(const std::vector<domain::LetterText>& letters,
                            const std::string& title) const = 0;
};

}  // namespace allervers::service
