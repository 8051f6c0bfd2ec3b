#include "models/problem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

#include "engine/fnv1a.hpp"

namespace banensim::models {

namespace {

std::string join_messages(const std::vector<Problem>& problems) {
  std::string text;
  for (const Problem& problem : problems) {
    if (!text.empty()) text += '\n';
    text += problem.message();
  }
  return text;
}

// Returns the length of the valid UTF-8 sequence starting at bytes[i], or 0
// when it is invalid (overlong, surrogate, beyond U+10FFFF or truncated).
std::size_t utf8_sequence_length(std::string_view bytes, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char lo = k == 1 ? low : static_cast<unsigned char>(0x80);
    const unsigned char hi = k == 1 ? high : static_cast<unsigned char>(0xBF);
    if (byte(i + k) < lo || byte(i + k) > hi) return 0;
  }
  return length;
}

// Scenario and data files are a few kilobytes; anything near this is not one.
constexpr off_t kMaxInputBytes = 16 * 1024 * 1024;

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "a special file";
}

bool is_csv(const std::string& file) {
  constexpr std::string_view kCsv = ".csv";
  return file.size() >= kCsv.size() && file.compare(file.size() - kCsv.size(), kCsv.size(), kCsv) == 0;
}

}  // namespace

std::string Problem::message() const {
  std::string text = where.file;
  // A line without a column is still useful; a column without a line is not.
  if (where.line > 0) {
    text += ':' + std::to_string(where.line);
    if (where.column > 0) text += ':' + std::to_string(where.column);
  }
  if (!key.empty()) {
    // CSV problems carry the column name as their key; say so, so the reader
    // looks at a column header rather than for a TOML key.
    text += (is_csv(where.file) ? ": column '" : ": key '") + key + "'";
    if (!value.empty()) text += " = " + value;
  } else if (!value.empty()) {
    text += ": " + value;
  }
  text += ": " + constraint;
  return text;
}

std::optional<std::string> read_text_file(const std::filesystem::path& file,
                                          const std::string& display_name,
                                          std::vector<Problem>& problems) {
  const auto fail = [&](int line, int column, std::string constraint) {
    problems.push_back(Problem{{display_name, line, column}, "", "", std::move(constraint)});
    return std::nullopt;
  };
  // Its kind first, from stat(2), without opening it: opening a FIFO blocks
  // until a writer comes, and a device such as /dev/zero never ends.
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return fail(0, 0, errno == ENOENT || errno == ENOTDIR ? std::string("file not found")
                                                          : std::string("cannot read: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fail(0, 0, "is " + file_kind(st.st_mode) + ", not a regular file");
  if (st.st_size > kMaxInputBytes) {
    return fail(0, 0, "is " + std::to_string(st.st_size) + " bytes; an input file may have at most " +
                          std::to_string(kMaxInputBytes) + " (16 MiB)");
  }
  // O_NONBLOCK: should the name have become a FIFO since, open(2) must not wait.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fail(0, 0, std::string("cannot open file for reading: ") + std::strerror(errno));
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    ::close(fd);
    return fail(0, 0, "is " + file_kind(opened.st_mode) + ", not a regular file");
  }
  std::string bytes;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return fail(0, 0, std::string("error while reading file: ") + std::strerror(errno));
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
    if (bytes.size() > static_cast<std::size_t>(kMaxInputBytes)) {
      ::close(fd);
      return fail(0, 0, "is larger than " + std::to_string(kMaxInputBytes) + " bytes (16 MiB), the most an input file may have");
    }
  }
  ::close(fd);
  if (bytes.empty()) return fail(0, 0, "file is empty");

  int line = 1;
  int column = 1;  // counted in characters, as an editor shows it
  for (std::size_t i = 0; i < bytes.size();) {
    if (bytes[i] == '\0') {
      return fail(line, column, "file contains a NUL byte: binary file, not text");
    }
    const std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) return fail(line, column, "file is not valid UTF-8 text");
    if (bytes[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return bytes;
}

InputError::InputError(std::vector<Problem> problems)
    : std::runtime_error(join_messages(problems)), problems_(std::move(problems)) {}

DataFile DataFiles::get(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  const std::string identity = ec ? std::filesystem::path(path).lexically_normal().string() : canonical.string();
  const std::lock_guard<std::mutex> lock(mutex_);
  if (const auto it = by_identity_.find(identity); it != by_identity_.end()) {
    DataFile known = it->second;
    if (known.path != path) {  // the same file by another spelling: its problems name this one
      for (Problem& p : known.problems) p.where.file = path;
      known.path = path;
    }
    return known;
  }
  return by_identity_.emplace(identity, read_data_file(path)).first->second;
}

DataFile read_data_file(const std::string& path) {
  DataFile file;
  file.path = path;
  if (std::optional<std::string> bytes = read_text_file(path, path, file.problems)) {
    file.digest = engine::fnv1a64_hex(*bytes);
    file.bytes = std::make_shared<const std::string>(std::move(*bytes));
  } else {
    file.digest = "unreadable";
  }
  return file;
}

}  // namespace banensim::models
