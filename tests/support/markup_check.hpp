#pragma once
// Checks on generated markup (SVG charts, HTML reports) that the tests share.

#include <string>
#include <vector>

namespace test_support {

// Tags balance: every <x ...> is closed by </x> in nesting order or is
// self-closing (<x .../>).
inline bool tags_balanced(const std::string& s) {
  std::vector<std::string> stack;
  for (std::size_t i = s.find('<'); i != std::string::npos; i = s.find('<', i + 1)) {
    const std::size_t end = s.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = s.substr(i + 1, end - i - 1);
    if (tag.empty()) return false;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
    } else if (tag.back() != '/') {
      stack.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  return stack.empty();
}

// An SVG document: starts with <svg and its tags balance.
inline bool well_formed_svg(const std::string& s) { return s.rfind("<svg", 0) == 0 && tags_balanced(s); }

}  // namespace test_support
