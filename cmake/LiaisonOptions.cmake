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
