#pragma once
// Checks a model's parameter declarations (a ParamSchema from its
// ParamTable) against what people read and edit: the parameter table of
// docs/MODEL.md §6 and the base scenario file. Test support, shared by the
// tests of the real model and of a test-only lever (parameter_table_test.cpp).
//
// The table's rows read
//
//   | `key` | unit | default | accepted range | meaning; source |
//
// unit: the declared unit ("bool", "text", "path" for those types);
// default: the declared default (a number, true/false, the text; `""` for an
//   empty text), the base file's value for a calibrated parameter, "—" for a
//   text each scenario writes for itself;
// accepted range: LOW–HIGH or ±X as declared, optionally followed by ", " and
//   a note on a cross-key rule; "—" for non-numbers;
// meaning: starts with the kind's label (stated, derived, calibrated,
//   assumption; a setting starts with none of them) and, exactly for the
//   parameters declared with one, holds "plausible LOW–HIGH".
// Numbers may be written 1,000, 10⁵, −1 (U+2212) or 0.25.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "models/parameter_schema.hpp"

namespace banensim::test {

struct DocRow {
  int line = 0;
  std::string key, unit, default_text, accepted, meaning;
};

// The text of the section starting with the line `heading`, up to the next
// "## " heading; the lines outside it are left empty, so that line numbers
// stay those of the file.
std::string markdown_section(const std::string& markdown, const std::string& heading);

// The rows "| `key` | ... |" of a markdown text.
std::vector<DocRow> parameter_rows(const std::string& text);

// A number as docs/MODEL.md writes it (see above); nullopt if it is not one.
std::optional<double> doc_number(std::string text);

// Every disagreement between the declarations and the rows, one line each,
// naming the key. `base` supplies the values of calibrated parameters.
std::vector<std::string> doc_table_problems(const models::ParamSchema& schema, const std::vector<DocRow>& rows,
                                            const models::ResolvedScenario& base);

// Every declared default the base scenario (loaded from `base_file`) does
// not hold, one line each.
std::vector<std::string> base_file_problems(const models::ParamSchema& schema, const models::ResolvedScenario& base,
                                            const std::filesystem::path& base_file);

}  // namespace banensim::test
