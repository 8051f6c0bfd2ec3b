#include "engine/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

namespace banensim::engine {
namespace {

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

// Temporary names are built from at most this many bytes of the target's
// name, so that a target whose name is close to NAME_MAX still gets one.
constexpr std::size_t kTemplateNameBytes = 200;

// A hidden sibling name for `path` with a mkstemp template suffix. Built by
// appending (GCC 12 warns falsely on operator+ chains here, -Wrestrict).
std::string sibling_template(const std::filesystem::path& path, const char* tag) {
  std::string name(".");
  name.append(path.filename().string().substr(0, kTemplateNameBytes));
  name.append(tag);
  name.append("-XXXXXX");
  return (directory_of(path) / name).string();
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int err) {
  throw std::runtime_error("cannot write '" + path.string() + "': " + what + ": " + std::strerror(err));
}

[[noreturn]] void refuse(const std::filesystem::path& path, const std::string& why) {
  throw OutputRefused("cannot write '" + path.string() + "': " + why);
}

// Why an existing `path` (lstat'ed into `st`) must not be replaced; "" when it may.
std::string not_replaceable(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) {
    return "it is a symbolic link (an output replaces only regular files; give the file it points to)";
  }
  if (!S_ISREG(st.st_mode)) {
    return "it is " + file_kind_text(st.st_mode) + ", not a regular file (an output replaces only regular files)";
  }
  return "";
}

}  // namespace

std::string file_kind_text(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "a special file";
}

mode_t process_umask() {
  static mode_t mask = 0;
  static std::once_flag once;
  std::call_once(once, [] {
    // Linux states it in /proc (no change to the process); elsewhere set and restore.
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Umask:", 0) == 0) {
        mask = static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
        return;
      }
    }
    mask = ::umask(022);
    ::umask(mask);
  });
  return mask;
}

void match_target_mode(int fd, const std::filesystem::path& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (::fchmod(fd, st.st_mode & 07777) != 0) fail(target, "cannot give the new file the mode of the old", errno);
    (void)::fchown(fd, st.st_uid, st.st_gid);  // allowed as root only; otherwise the file is the writer's
    return;
  }
  if (::fchmod(fd, 0666 & ~process_umask()) != 0) fail(target, "cannot set the mode of the new file", errno);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (const std::string why = not_replaceable(st); !why.empty()) refuse(path, why);
  }
  std::string tmp = sibling_template(path, ".tmp");
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(path, "cannot create a temporary file in its directory", errno);
  auto abandon = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what, err);
  };
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon("write failed (disk full?)", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  try {
    match_target_mode(fd, path);
  } catch (const std::runtime_error&) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::fsync(fd) != 0) abandon("flush failed", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "close failed", err);
  }
  // The target may have changed kind since the check (e.g. a FIFO made meanwhile).
  if (::lstat(path.c_str(), &st) == 0) {
    if (const std::string why = not_replaceable(st); !why.empty()) {
      ::unlink(tmp.c_str());
      refuse(path, why);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "rename into place failed", err);
  }
}

void check_writable(const std::filesystem::path& path) {
  if (path.empty()) refuse(path, "the file name is empty");
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") refuse(path, "it names a directory, not a file");
  if (name.size() > NAME_MAX) {
    refuse(path, "its file name is " + std::to_string(name.size()) + " bytes long; the file system allows at most " +
                     std::to_string(NAME_MAX));
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (const std::string why = not_replaceable(st); !why.empty()) refuse(path, why);
    if ((st.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      refuse(path, std::string("the file exists and is read-only (mode ") + mode +
                       "); make it writable or choose another name");
    }
  } else if (errno == ENAMETOOLONG) {
    refuse(path, "the path is too long for the file system");
  }
  const std::filesystem::path dir = directory_of(path);
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0) {
    refuse(path, "its directory '" + dir.string() + "' does not exist (" + std::strerror(errno) + ")");
  }
  if (!S_ISDIR(dst.st_mode)) refuse(path, "'" + dir.string() + "' is not a directory");
  std::string tmp = sibling_template(path, ".probe");
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    const int err = errno;
    if (err == EACCES || err == EPERM || err == EROFS) {
      refuse(path, "its directory '" + dir.string() + "' is not writable (" + std::strerror(err) + ")");
    }
    refuse(path, "cannot create a file in its directory '" + dir.string() + "' (" + std::strerror(err) + ")");
  }
  ::close(fd);
  ::unlink(tmp.c_str());
}

}  // namespace banensim::engine
