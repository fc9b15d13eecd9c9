# Every dependency comes from Debian 12 packages (see tools/setup.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
find_package(PostgreSQL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL 3 REQUIRED)  # libcrypto: HMAC-SHA-1 of TOTP (libsodium has no SHA-1)
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)

# Debian's SOCI ships neither CMake config nor pkg-config files.
find_library(SOCI_CORE_LIB soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIB soci_sqlite3 REQUIRED)
find_library(SOCI_PG_LIB soci_postgresql REQUIRED)
add_library(soci INTERFACE)
target_link_libraries(soci INTERFACE ${SOCI_PG_LIB} ${SOCI_SQLITE3_LIB} ${SOCI_CORE_LIB}
                      PostgreSQL::PostgreSQL SQLite::SQLite3 ${CMAKE_DL_LIBS})

find_library(ZXCVBN_LIB zxcvbn REQUIRED)
find_path(ZXCVBN_INCLUDE zxcvbn.h REQUIRED)
add_library(zxcvbn INTERFACE)
target_link_libraries(zxcvbn INTERFACE ${ZXCVBN_LIB})
target_include_directories(zxcvbn SYSTEM INTERFACE ${ZXCVBN_INCLUDE})

find_path(TOMLPP_INCLUDE toml++/toml.h REQUIRED)
find_path(MUSTACHE_INCLUDE kainjow/mustache.hpp REQUIRED)
