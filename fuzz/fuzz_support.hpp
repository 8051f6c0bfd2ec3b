#pragma once
// Shared by the fuzz harnesses: a per-process scratch directory, writing the
// fuzz input to a file in it, and invariant checks that abort (a finding).

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "models/problem.hpp"

namespace banensim::fuzz {

// Not assert(): must hold in every build type. Aborting makes libFuzzer save
// the input as a crash artifact.
[[noreturn]] inline void invariant_failed(const char* condition, const std::string& detail,
                                          const char* file, int line) {
  std::fprintf(stderr, "\n==FUZZ INVARIANT== %s:%d: %s\n%s\n", file, line, condition, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

#define FUZZ_CHECK(condition, detail)                                                   \
  do {                                                                                  \
    if (!(condition)) ::banensim::fuzz::invariant_failed(#condition, (detail), __FILE__, __LINE__); \
  } while (false)

// A directory only this process uses, removed at normal exit. A crashed run
// leaves its directory behind (a few small files); the next run of the same
// fuzzer removes those whose process is gone.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag) {
    std::error_code ec;
    std::filesystem::path temp = std::filesystem::temp_directory_path(ec);
    if (ec) temp = "/tmp";
    const std::string prefix = "banensim-fuzz-" + tag + "-";
    remove_stale(temp, prefix);
    path_ = temp / (prefix + std::to_string(::getpid()));
    std::filesystem::remove_all(path_, ec);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  static void remove_stale(const std::filesystem::path& temp, const std::string& prefix) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(temp, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string digits = name.substr(prefix.size());
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
      const auto pid = static_cast<pid_t>(std::stol(digits));
      if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
      std::error_code ignored;
      std::filesystem::remove_all(it->path(), ignored);
    }
  }

  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", file.c_str());
    std::abort();  // a broken harness must not pass silently
  }
}

// What every InputError must satisfy (models/problem.hpp): at least one
// problem, a non-empty message, and each problem names a file and says what
// constraint it broke.
inline void check_input_error(const models::InputError& error) {
  const std::string what = error.what();
  FUZZ_CHECK(!error.problems().empty(), "InputError without problems; what(): " + what);
  FUZZ_CHECK(!what.empty(), "InputError with an empty what()");
  for (const models::Problem& problem : error.problems()) {
    const std::string message = problem.message();
    FUZZ_CHECK(!message.empty(), "a Problem with an empty message()");
    FUZZ_CHECK(!problem.constraint.empty(), "a Problem without a constraint: " + message);
    FUZZ_CHECK(!problem.where.file.empty(), "a Problem without a file: " + message);
    FUZZ_CHECK(problem.where.line >= 0 && problem.where.column >= 0,
               "a Problem with a negative line or column: " + message);
    FUZZ_CHECK(what.find(message) != std::string::npos, "what() lacks a problem's message: " + message);
  }
}

}  // namespace banensim::fuzz
