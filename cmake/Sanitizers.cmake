option(ALLERVERS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(ALLERVERS_SANITIZE)
  # -O1 keeps the sanitized test run fast enough while leaving stack traces readable; -g1 (line
  # tables only) is all the sanitizers need for file:line in their reports, and compiles and
  # links about a third faster than full debug information.
  # With the sanitizers' instrumentation GCC 12 reports false maybe-uninitialized warnings
  # inside std::regex and std::function; they are not errors of ours.
  add_compile_options(-O1 -g1 -fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
