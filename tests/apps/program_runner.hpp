#pragma once
// Runs a shell command line from the source directory and captures its exit
// code, stdout and stderr -- for end-to-end tests of the programs.

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace test_support {

struct ProgramResult {
  int exit_code;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline ProgramResult run_program(const std::string& command_line) {
  namespace fs = std::filesystem;
  const fs::path err_file = fs::temp_directory_path() / ("banensim_test_err_" + std::to_string(::getpid()));
  const std::string cmd = std::string("cd '") + BANENSIM_SOURCE_DIR + "' && " + command_line + " 2>'" +
                          err_file.string() + "'";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  std::ifstream ef(err_file);
  std::stringstream es;
  es << ef.rdbuf();
  fs::remove(err_file);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, es.str()};
}

}  // namespace test_support
