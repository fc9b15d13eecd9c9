# Allervers — the two commands a newcomer needs are `make run` and `make test`.
.PHONY: setup build run test asan package format tidy clean

DATABASE ?= sqlite:var/allervers.db

setup:
	@tools/setup.sh

build:
	@cmake --preset release >/dev/null
	@cmake --build --preset release

run: setup build
	@./build/allervers --database "$(DATABASE)" migrate
	@./build/allervers --database "$(DATABASE)" demo
	@./build/allervers --database "$(DATABASE)" serve

test: setup
	@tools/run_tests.sh

# Unit and integration tests under AddressSanitizer and UndefinedBehaviorSanitizer only.
asan: setup
	@tools/run_tests.sh --asan-only

# The Debian package (cmake/Packaging.cmake; docs/admin.md): build/allervers_VERSION_ARCH.deb
package: setup build
	@cd build && cpack -G DEB

format:
	@find src tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

tidy: build
	@find src -name '*.cpp' | xargs clang-tidy -p build --quiet

clean:
	@rm -rf build build-asan build-debug
