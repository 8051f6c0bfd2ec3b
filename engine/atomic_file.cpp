#include "engine/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace banensim::engine {
namespace {

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

// A hidden sibling name for `path` with a mkstemp template suffix. Built by
// appending (GCC 12 warns falsely on operator+ chains here, -Wrestrict).
std::string sibling_template(const std::filesystem::path& path, const char* tag) {
  std::string name(".");
  name.append(path.filename().string());
  name.append(tag);
  name.append("-XXXXXX");
  return (directory_of(path) / name).string();
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw std::runtime_error("cannot write '" + path.string() + "': " + what + ": " + std::strerror(err));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::string tmp = sibling_template(path, ".tmp");
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, "cannot create a temporary file in its directory", errno);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(path, "write failed (disk full?)", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::fchmod(fd, 0644) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, "flush failed", err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "close failed", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "rename into place failed", err);
  }
}

void check_writable(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error("cannot write '" + path.string() + "': it is a directory");
  }
  std::string tmp = sibling_template(path, ".probe");
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, "its directory is missing or not writable", errno);
  ::close(fd);
  ::unlink(tmp.c_str());
}

}  // namespace banensim::engine
