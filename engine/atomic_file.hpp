#pragma once
// Output files written whole or not at all, and the rules for what an output
// may replace (docs/OUTPUT.md, "Output files").
//
// write_file_atomically: the content goes to a temporary file in the same
// directory, is flushed to disk, and is renamed over the target (rename is
// atomic on POSIX file systems). On any failure the temporary file is
// removed, the previous file at `path` is left intact, and
// std::runtime_error names the path and the reason.
//
// What an output may be: a regular file or a name not yet taken. A
// directory, device node, FIFO or socket is refused, and so is a symbolic
// link (the link would be replaced by a regular file, or the write would go
// to a file the user did not name): name the file the link points to. An
// existing file keeps its mode (and, where the process may set it, its
// owner); a new file gets 0666 minus the umask, as any program's would.

#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace banensim::engine {

// An output path that cannot or must not be written; the message names the
// path and why. Found before any work is done (a command-line problem).
class OutputRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Throws OutputRefused naming `path` unless an atomic write (or a journal)
// could create or replace it: it is not a symbolic link, directory, device,
// FIFO or socket; an existing file is writable (has a write permission bit
// and access(2) allows writing); its directory exists and a file can be
// created in it; its name fits the file system (NAME_MAX).
void check_writable(const std::filesystem::path& path);

// The kind of an existing non-regular file, for messages: "a directory", "a
// FIFO (named pipe)", "a character device", ... ("" for a regular file).
std::string file_kind_text(mode_t mode);

// Gives the open file `fd` the permission bits of the existing regular file
// `target` (and its owner, where allowed: as root), or, when `target` does
// not exist, 0666 minus the process umask. Called on a new file before it is
// renamed over `target`. Throws std::runtime_error naming `target`.
void match_target_mode(int fd, const std::filesystem::path& target);

// The process umask (read once, without changing it).
mode_t process_umask();

}  // namespace banensim::engine
