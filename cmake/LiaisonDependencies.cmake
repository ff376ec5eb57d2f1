# Every third-party dependency comes from a Debian 12 package (scripts/install-deps).
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url)
find_package(OpenSSL REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
# liaisond's allocator: a long-running daemon that allocates per delivery (curl transfers,
# Redis replies) spent a third of its CPU in glibc's malloc and free (bench/README.md).
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)

# libphonenumber: Debian's -dev package drags in Boost 1.74 dev packages, which conflict with
# Boost 1.81. scripts/install-deps unpacks only its headers into third_party/phonenumber and we
# link the runtime library libphonenumber.so.8 directly.
set(LIAISON_PHONENUMBER_ROOT "${PROJECT_SOURCE_DIR}/third_party/phonenumber"
    CACHE PATH "Where the libphonenumber-dev headers were unpacked")
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h
          PATHS "${LIAISON_PHONENUMBER_ROOT}/usr/include" NO_DEFAULT_PATH REQUIRED)
find_library(PHONENUMBER_LIBRARY NAMES libphonenumber.so.8 REQUIRED)
find_package(Protobuf REQUIRED)
add_library(liaison_phonenumber INTERFACE)
target_include_directories(liaison_phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(liaison_phonenumber INTERFACE ${PHONENUMBER_LIBRARY} protobuf::libprotobuf)

if(LIAISON_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(LIAISON_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
