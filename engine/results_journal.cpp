#include "engine/results_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

// The first line where `a` and `b` differ, for the mismatch message.
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
      return "line " + std::to_string(line) + " is\n  " + (gf ? lf : std::string("(missing)")) +
             "\nbut this command would write\n  " + (ge ? le : std::string("(nothing)"));
    }
  }
}

}  // namespace

ResultsJournal::ResultsJournal(ResultsJournal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      header_bytes_(other.header_bytes_),
      records_(std::move(other.records_)),
      record_ends_(std::move(other.record_ends_)),
      cut_torn_line_(other.cut_torn_line_) {
  other.fd_ = -1;
}

ResultsJournal::~ResultsJournal() {
  if (fd_ >= 0) ::close(fd_);
}

ResultsJournal ResultsJournal::create(const std::filesystem::path& path, std::string_view header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "cannot create");
  ResultsJournal j(path, fd);
  write_all(fd, path, header);
  sync(fd, path);
  sync_directory(path);
  j.header_bytes_ = header.size();
  return j;
}

ResultsJournal ResultsJournal::resume(const std::filesystem::path& path, std::string_view header) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) return create(path, header);
  std::string content;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    content = ss.str();
  }
  // Cut short while the header itself was written: nothing was computed yet.
  if (content.size() < header.size() && header.compare(0, content.size(), content) == 0) return create(path, header);
  if (content.compare(0, header.size(), header) != 0) {
    throw JournalMismatch(path.string() + ": was written by a different computation, so it cannot be resumed: " +
                          first_difference(header, content.substr(0, std::min(content.size(), header.size() + 4096))));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, "cannot open for appending");
  ResultsJournal j(path, fd);
  j.header_bytes_ = header.size();
  std::size_t pos = header.size();
  while (pos < content.size()) {
    const std::size_t nl = content.find('\n', pos);
    if (nl == std::string::npos) {
      j.cut_torn_line_ = true;  // no final '\n': the write was cut short
      break;
    }
    j.records_.push_back(content.substr(pos, nl - pos));
    j.record_ends_.push_back(nl + 1);
    pos = nl + 1;
  }
  j.keep_records(j.records_.size());
  return j;
}

void ResultsJournal::keep_records(std::size_t n) {
  if (n > records_.size()) throw std::out_of_range("ResultsJournal::keep_records: more records than present");
  if (n < records_.size()) cut_torn_line_ = true;
  records_.resize(n);
  record_ends_.resize(n);
  const std::size_t end = n == 0 ? header_bytes_ : record_ends_.back();
  if (::ftruncate(fd_, static_cast<off_t>(end)) != 0) fail(path_, "cannot truncate");
  if (::lseek(fd_, static_cast<off_t>(end), SEEK_SET) < 0) fail(path_, "cannot seek");
  sync(fd_, path_);
}

void ResultsJournal::append(std::string_view line) {
  if (line.find('\n') != std::string_view::npos) {
    throw std::invalid_argument("ResultsJournal::append: a record must be one line");
  }
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer.push_back('\n');
  write_all(fd_, path_, buffer);  // one write: a crash leaves the line whole or torn, never interleaved
  sync(fd_, path_);
}

}  // namespace banensim::engine
