option(ALLERVERS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(ALLERVERS_SANITIZE)
  # -O1 keeps the sanitized test run fast enough while leaving stack traces readable.
  # With the sanitizers' instrumentation GCC 12 reports false maybe-uninitialized warnings
  # inside std::regex and std::function; they are not errors of ours.
  add_compile_options(-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()
