#pragma once
// Runs a shell command line from the source directory and captures its exit
// code, stdout and stderr -- for end-to-end tests of the programs; and the
// scratch files such tests write.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

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

// Starts banensim with `args` in a child process, from the source directory,
// stdout (and with `quiet_stderr` stderr too) going to /dev/null; returns the
// child's pid for the caller to wait for (waitpid, wait4) or signal.
inline pid_t spawn_banensim(const std::vector<std::string>& args, bool quiet_stderr) {
  // argv is built before fork: the child only calls async-signal-safe functions.
  std::string program = BANENSIM_BINARY;
  std::vector<std::string> copy = args;
  std::vector<char*> argv = {program.data()};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::chdir(BANENSIM_SOURCE_DIR) != 0) ::_exit(127);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    if (quiet_stderr) ::dup2(null, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// A scratch directory of this test process (PREFIX + pid under the system's
// temporary directory), removed when the object goes -- at program exit for a
// namespace-scope one.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix)
      : dir_(std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()))) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // `name` inside the directory (made on first use).
  std::filesystem::path path(const std::string& name) const {
    std::filesystem::create_directories(dir_);
    return dir_ / name;
  }

 private:
  std::filesystem::path dir_;
};

// A whole file as bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace test_support
