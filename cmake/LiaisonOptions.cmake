# Warnings and the sanitizer build type, applied to every Liaison target through
# liaison_options (an INTERFACE target), never to third-party code.
add_library(liaison_options INTERFACE)
target_compile_options(liaison_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wold-style-cast)
# GCC 12 reports false positives on coroutine frames (-Wmismatched-new-delete, GCC bug 105310-
# style operator delete lookup on awaitable frames) and on inlined std::string copies at -O2
# (-Wrestrict, GCC bug 105329). Both are fixed in GCC 13; keep them on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(liaison_options INTERFACE -Wno-mismatched-new-delete -Wno-restrict)
endif()
if(LIAISON_WERROR)
  target_compile_options(liaison_options INTERFACE -Werror)
endif()

# `cmake -DCMAKE_BUILD_TYPE=Asan`: AddressSanitizer + UndefinedBehaviorSanitizer.
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    CACHE STRING "C++ flags for the Asan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)

# `-DLIAISON_FUZZ=ON` (clang only, its own build directory): every Liaison library is built with
# libFuzzer's coverage instrumentation and AddressSanitizer + UndefinedBehaviorSanitizer, and
# fuzz/ builds the libFuzzer targets. See docs/fuzzing.md.
if(LIAISON_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LIAISON_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  # -fno-sanitize=function: clang 14 cannot emit that check's prologue data for the split
  # functions of a coroutine ("Cannot represent a difference across sections").
  add_compile_options(-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
                      -fno-sanitize=function -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
