# Warnings and the sanitizer build type, applied to every Liaison target through
# liaison_options (an INTERFACE target), never to third-party code.
add_library(liaison_options INTERFACE)
target_compile_options(liaison_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                 -Wnon-virtual-dtor -Wold-style-cast)
if(LIAISON_WERROR)
  target_compile_options(liaison_options INTERFACE -Werror)
endif()

# `cmake -DCMAKE_BUILD_TYPE=Asan`: AddressSanitizer + UndefinedBehaviorSanitizer.
set(CMAKE_CXX_FLAGS_ASAN "-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    CACHE STRING "C++ flags for the Asan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined" CACHE STRING "" FORCE)
