#pragma once

#include <string>
#include <vector>

namespace allervers::domain {

/// One problem with one field of a form or of a JSON body. `field` is the
/// machine name ("person.last_name", "email"); `message` is French, shown to the user.
struct FieldError {
  std::string field;
  std::string message;
};

using FieldErrors = std::vector<FieldError>;

}  // namespace allervers::domain
