option(ALLERVERS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(ALLERVERS_SANITIZE)
  # -O0: the sanitized build is compiled in every `make test`, and instrumenting optimised code
  # costs a third more compile time than the tests gain in speed (their time goes to the
  # databases and the HTTP round trips). -g1 (line tables only) is all the sanitizers need for
  # file:line in their reports, and compiles and links a third faster than full debug
  # information.
  # With the sanitizers' instrumentation GCC 12 reports false maybe-uninitialized warnings
  # inside std::regex and std::function; they are not errors of ours.
  add_compile_options(-O0 -g1 -fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined -Wno-maybe-uninitialized)
  # -no-pie: every test runs in a process of its own (gtest_discover_tests), and the CLI tests
  # start the allervers binary again and again. A position-independent executable of this size
  # carries four million relative relocations that the loader applies at each start: 0.37 s of
  # the 0.7 s an integration test process took before running anything. Linked at a fixed
  # address, the same objects (compiled -fPIE, Debian's default) need none.
  add_link_options(-fsanitize=address,undefined -no-pie)
endif()
