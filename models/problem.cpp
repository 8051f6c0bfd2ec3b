#include "models/problem.hpp"

#include <fstream>
#include <iterator>
#include <string_view>
#include <utility>

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
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return fail(0, 0, "file not found");
  if (std::filesystem::is_directory(file, ec)) return fail(0, 0, "is a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(0, 0, "cannot open file for reading");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(0, 0, "error while reading file");
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

}  // namespace banensim::models
