#pragma once
// Writes a whole file or nothing: the content goes to a temporary file in the
// same directory, is flushed to disk, and is renamed over the target (rename
// is atomic on POSIX file systems). On any failure the temporary file is
// removed, the previous file at `path` is left intact, and std::runtime_error
// names the path and the reason.

#include <filesystem>
#include <string_view>

namespace banensim::engine {

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Throws std::runtime_error naming `path` if a file could not be created in
// its directory (checked before a long run starts, so a bad --out fails fast).
void check_writable(const std::filesystem::path& path);

}  // namespace banensim::engine
