#include "engine/results_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/atomic_file.hpp"
#include "engine/fnv1a.hpp"
#include "engine/text_format.hpp"

namespace banensim::engine {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

void write_all(int fd, const std::filesystem::path& path, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal (e.g. Ctrl-C) arrived mid-write: finish the line
      fail(path, "cannot write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sync(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) fail(path, "cannot sync to disk");
}

// A new file's directory entry is durable only once the directory is synced.
void sync_directory(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some file systems do not allow it
  (void)::fsync(fd);
  ::close(fd);
}

std::string csv_quoted(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// The first line where `expected` and `found` differ, for the mismatch message.
std::string first_difference(std::string_view expected, std::string_view found) {
  std::istringstream e{std::string(expected)}, f{std::string(found)};
  std::string le, lf;
  int line = 0;
  while (true) {
    ++line;
    const bool ge = static_cast<bool>(std::getline(e, le));
    const bool gf = static_cast<bool>(std::getline(f, lf));
    if (!ge && !gf) return "";
    if (!ge || !gf || le != lf) {
      // Control characters (a carriage return from a CRLF conversion, a tab)
      // escaped: else two lines that differ only in them look alike.
      return "line " + std::to_string(line) + " is\n  " + (gf ? escaped(lf) : std::string("(missing)")) +
             "\nbut this command would write\n  " + (ge ? escaped(le) : std::string("(nothing)"));
    }
  }
}

bool is_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

// A cell as the user would recognise it in a message (long ones shortened).
std::string shown(std::string_view text) {
  std::string s(text.substr(0, 60));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return "'" + s + (text.size() > 60 ? "...'" : "'");
}

// What is wrong with record `index` (the text before the check value is
// `record`, the check value `check`); "" when it is what the journal wrote.
std::string record_problem(std::string_view record, std::string_view check, std::size_t index,
                           const std::vector<JournalColumn>& columns, std::string_view header) {
  if (check.size() != 16 || check.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return "has no check value (its last field " + shown(check) + " is not 16 hex digits)";
  }
  const std::vector<std::string> fields = split_csv_record(record);
  if (fields.size() != columns.size()) {
    return "has " + std::to_string(fields.size() + 1) + " fields; this journal's records have " +
           std::to_string(columns.size() + 1) + " (" + std::to_string(columns.size()) + " columns and check)";
  }
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const std::string& cell = fields[k];
    const std::string where = "column '" + columns[k].name + "' = " + shown(cell) + ": ";
    switch (columns[k].kind) {
      case JournalColumn::Kind::kIndex:
        if (cell != std::to_string(index)) {
          return where + "records must be numbered 0, 1, 2, ... in order (this one should be " +
                 std::to_string(index) + ")";
        }
        break;
      case JournalColumn::Kind::kNumber:
        if (!cell.empty() && !is_number(cell)) return where + "not a number";
        break;
      case JournalColumn::Kind::kQuantile: {
        std::string_view v = cell;
        if (v.rfind(">=", 0) == 0) {
          v.remove_prefix(2);
          if (!is_number(v)) return where + "not a number or a bound (>=X, <X)";
        } else if (v.rfind("<", 0) == 0) {
          v.remove_prefix(1);
          if (!is_number(v)) return where + "not a number or a bound (>=X, <X)";
        } else if (!v.empty() && !is_number(v)) {
          return where + "not a number or a bound (>=X, <X)";
        }
        break;
      }
      case JournalColumn::Kind::kText:
        break;
    }
  }
  if (check != ResultsJournal::check_value(header, record)) {
    return "its check value " + shown(check) +
           " does not match its contents (edited by hand, damaged, or copied from another file)";
  }
  return "";
}

std::string read_fd(int fd, const std::filesystem::path& path) {
  std::string content;
  char buf[65536];
  off_t offset = 0;
  while (true) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read");
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    offset += n;
  }
  return content;
}

// Opens (creating if needed) and locks the partial file. `created` tells
// whether this call made it (to be removed again if the open fails).
int open_locked(const std::filesystem::path& partial, bool& created) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    created = false;
    int fd = ::open(partial.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) {
      fd = ::open(partial.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
      if (fd < 0 && errno == EEXIST) continue;  // made meanwhile: open it
      created = fd >= 0;
    }
    if (fd < 0) fail(partial, "cannot open the journal");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw std::runtime_error(partial.string() + ": the journal must be a regular file, not " +
                               file_kind_text(st.st_mode));
    }
    // Back to blocking writes (O_NONBLOCK only kept open(2) from waiting on a FIFO).
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        throw JournalBusy(partial.string() + ": another process is writing this journal (it holds its lock); "
                          "wait for it to finish, or write to another file");
      }
      errno = err;
      fail(partial, "cannot lock the journal");
    }
    // A run that just finished may have renamed the file we locked to its
    // final name: then lock the new partial file instead.
    struct stat now {};
    if (::stat(partial.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) return fd;
    ::close(fd);
  }
  throw std::runtime_error(partial.string() + ": the journal keeps changing while it is opened");
}

}  // namespace

std::vector<std::string> split_csv_record(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::filesystem::path ResultsJournal::partial_path(const std::filesystem::path& path) {
  std::filesystem::path p = path;
  p += ".partial";
  return p;
}

std::string ResultsJournal::check_value(std::string_view header, std::string_view record) {
  return hex64(fnv1a64(record, fnv1a64(header)));
}

ResultsJournal::ResultsJournal(ResultsJournal&& other) noexcept
    : path_(std::move(other.path_)),
      partial_(std::move(other.partial_)),
      fd_(other.fd_),
      header_(std::move(other.header_)),
      header_hash_(other.header_hash_),
      records_(std::move(other.records_)),
      cut_torn_line_(other.cut_torn_line_),
      resumed_complete_file_(other.resumed_complete_file_),
      discarded_partial_(other.discarded_partial_) {
  other.fd_ = -1;
}

ResultsJournal::~ResultsJournal() {
  if (fd_ >= 0) ::close(fd_);
}

ResultsJournal ResultsJournal::open(const std::filesystem::path& path, std::string_view provenance,
                                    const std::vector<JournalColumn>& columns, bool resume) {
  if (columns.empty()) throw std::invalid_argument("ResultsJournal::open: no columns");
  std::string header(provenance);
  for (std::size_t k = 0; k < columns.size(); ++k) header += (k ? "," : "") + csv_quoted(columns[k].name);
  header += ",check\n";

  const std::filesystem::path partial = partial_path(path);
  bool created = false;
  const int fd = open_locked(partial, created);
  ResultsJournal j(path, partial, fd);
  j.header_ = header;
  j.header_hash_ = fnv1a64(header);
  try {
    const std::string existing = read_fd(fd, partial);
    // A file holding only a torn start of the header: nothing was computed yet.
    auto empty = [&](const std::string& content) {
      return content.size() <= header.size() && header.compare(0, content.size(), content) == 0 &&
             content.size() < header.size();
    };
    auto start_fresh = [&] {
      if (::ftruncate(fd, 0) != 0) fail(partial, "cannot truncate");
      if (::lseek(fd, 0, SEEK_SET) < 0) fail(partial, "cannot seek");
      write_all(fd, partial, header);
      sync(fd, partial);
      sync_directory(partial);
    };
    if (!resume) {
      j.discarded_partial_ = existing.size() > header.size();
      start_fresh();
      return j;
    }
    std::string content = existing;
    std::filesystem::path source = partial;
    if (empty(existing)) {
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) fail(path, "cannot read");
        std::ostringstream ss;
        ss << in.rdbuf();
        content = ss.str();
        source = path;
        j.resumed_complete_file_ = true;
      } else {
        content.clear();
      }
      if (empty(content)) {
        j.resumed_complete_file_ = false;
        start_fresh();
        return j;
      }
    }
    if (content.compare(0, header.size(), header) != 0) {
      throw JournalMismatch(source.string() + ": was written by a different computation, so it cannot be resumed: " +
                            first_difference(header, content.substr(0, std::min(content.size(), header.size() + 4096))));
    }
    std::size_t line = static_cast<std::size_t>(std::count(header.begin(), header.end(), '\n'));
    std::size_t pos = header.size();
    while (pos < content.size()) {
      const std::size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) {
        j.cut_torn_line_ = true;  // no final '\n': the write was cut short
        break;
      }
      ++line;
      const std::string_view text = std::string_view(content).substr(pos, nl - pos);
      const std::string where = source.string() + ": line " + std::to_string(line) + " (record " +
                                std::to_string(j.records_.size()) + "): ";
      if (text.find('\0') != std::string_view::npos) {
        if (nl + 1 == content.size()) {  // NUL bytes in the last line: a write cut short by a crash
          j.cut_torn_line_ = true;
          break;
        }
        throw JournalDamaged(where + "holds NUL bytes, and it is not the last line (not a torn write)");
      }
      const std::size_t comma = text.rfind(',');
      const std::string problem =
          comma == std::string_view::npos
              ? "has no check value"
              : record_problem(text.substr(0, comma), text.substr(comma + 1), j.records_.size(), columns, header);
      if (!problem.empty()) throw JournalDamaged(where + problem);
      j.records_.emplace_back(text.substr(0, comma));
      pos = nl + 1;
    }
    if (source == partial) {
      if (::ftruncate(fd, static_cast<off_t>(pos)) != 0) fail(partial, "cannot truncate");
      if (::lseek(fd, static_cast<off_t>(pos), SEEK_SET) < 0) fail(partial, "cannot seek");
      sync(fd, partial);
    } else {
      if (::ftruncate(fd, 0) != 0) fail(partial, "cannot truncate");
      if (::lseek(fd, 0, SEEK_SET) < 0) fail(partial, "cannot seek");
      write_all(fd, partial, std::string_view(content).substr(0, pos));
      sync(fd, partial);
      sync_directory(partial);
    }
    return j;
  } catch (...) {
    if (created) ::unlink(partial.c_str());
    throw;
  }
}

void ResultsJournal::append(std::string_view record) {
  if (fd_ < 0) throw std::logic_error("ResultsJournal::append: the journal is closed");
  if (record.find('\n') != std::string_view::npos || record.find('\r') != std::string_view::npos) {
    throw std::invalid_argument("ResultsJournal::append: a record must be one line");
  }
  std::string buffer;
  buffer.reserve(record.size() + 18);
  buffer.append(record);
  buffer.push_back(',');
  buffer.append(hex64(fnv1a64(record, header_hash_)));
  buffer.push_back('\n');
  write_all(fd_, partial_, buffer);  // one write: a crash leaves the line whole or torn, never interleaved
  sync(fd_, partial_);
}

void ResultsJournal::commit() {
  if (fd_ < 0) throw std::logic_error("ResultsJournal::commit: the journal is closed");
  match_target_mode(fd_, path_);
  sync(fd_, partial_);
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw OutputRefused("cannot write '" + path_.string() + "': it is " + file_kind_text(st.st_mode) +
                        ", not a regular file; the results stay in " + partial_.string());
  }
  // The name must still be the file this journal locked and wrote: another
  // process that replaced or removed it (ignoring the lock) left other
  // content there, which must not become this run's result.
  struct stat mine {}, named {};
  if (::fstat(fd_, &mine) != 0 || ::stat(partial_.c_str(), &named) != 0 || mine.st_dev != named.st_dev ||
      mine.st_ino != named.st_ino) {
    throw std::runtime_error(partial_.string() + ": was replaced or removed by another process while this run " +
                             "wrote it; nothing was written to " + path_.string() + " (run again to recompute)");
  }
  if (::rename(partial_.c_str(), path_.c_str()) != 0) fail(path_, "cannot rename " + partial_.string() + " to it");
  sync_directory(path_);
  ::close(fd_);  // releases the lock
  fd_ = -1;
}

}  // namespace banensim::engine
