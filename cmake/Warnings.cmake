# Warnings as errors for our own targets only (third-party headers come in as system headers).
add_library(allervers_warnings INTERFACE)
target_compile_options(allervers_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2 -Werror
  # GCC 12 reports false -Wrestrict positives inside std::string (GCC bug 105329).
  -Wno-restrict)
