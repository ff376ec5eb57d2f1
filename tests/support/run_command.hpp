// Runs a shell command line for a test and collects what it printed (stdout and stderr) and
// its exit code: for testing the command-line tools as an operator uses them.
#pragma once

#include <string>

namespace liaison::testing {

struct command_result {
  int exit_code = -1;  // -1 when it could not run or died from a signal
  std::string output;  // stdout and stderr, interleaved
};

// `command_line` goes to /bin/sh as is: quote arguments yourself (shell_quote).
command_result run_command(const std::string& command_line);

// 'text' for the shell, with embedded single quotes escaped.
std::string shell_quote(const std::string& text);

}  // namespace liaison::testing
