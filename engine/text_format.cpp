#include "engine/text_format.hpp"

#include <charconv>
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/proportion.hpp"

namespace banensim::engine {

std::string fmt(double x, int decimals) {
  if (!std::isfinite(x)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string fmt_int(double x) {
  if (!std::isfinite(x)) return "-";
  const long long v = std::llround(x);
  const std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string decimal(double x) {
  if (!std::isfinite(x)) return "";
  char buf[400];
  const auto r = x != 0 && std::abs(x) < 1e-6 ? std::to_chars(buf, buf + sizeof buf, x)
                                              : std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string shortest(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string significant(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

int decimals_for_significant(double x, int digits) {
  return digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(x))));
}

std::string fmt_percent(double share) {
  const double x = 100 * share;
  if (x == 0 || !std::isfinite(x)) return fmt(x, 0) + "%";
  if (std::abs(x) < 0.1) return fmt(x, decimals_for_significant(x, 2)) + "%";
  return fmt(x, std::abs(x) < 10 ? 1 : 0) + "%";
}

namespace {

// An interval's end: fmt, except that a non-zero end which would print as
// zero keeps two significant digits (0.000019, not 0.0000: the upper end
// of the Wilson interval of a count of none is not "known to be 0").
std::string interval_end(double x, int decimals) {
  const double unit = std::pow(10.0, -decimals);
  if (!std::isfinite(x) || x == 0 || std::abs(x) >= unit / 2) return fmt(x, decimals);
  return fmt(x, decimals_for_significant(x, 2));  // more than `decimals`, as |x| < unit / 2
}

}  // namespace

std::string fmt_estimate(double x, int decimals) { return interval_end(x, decimals); }

std::string fmt_interval(double low, double high, int decimals) {
  return "[" + interval_end(low, decimals) + ", " + interval_end(high, decimals) + "]";
}

int interval_decimals(double low, double high, int min_decimals) {
  const double width = high - low;
  // An end at 0 already keeps the other's digits (fmt_interval): [0.000, 0.000019].
  if (!std::isfinite(width) || width <= 0 || low == 0 || high == 0) return min_decimals;
  return std::clamp(decimals_for_significant(width, 2), min_decimals, std::max(min_decimals, 6));
}

std::string fmt_interval(const Interval& interval, int decimals) {
  return fmt_interval(interval.low, interval.high, decimals);
}

WholeNumberText whole_number_text(std::string_view text, std::size_t max_digits) {
  WholeNumberText w;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0;
  w.negative = i < text.size() && text[i] == '-';
  if (w.negative) ++i;
  std::string digits;  // the mantissa's digits, the point removed
  std::size_t before_point = 0;
  bool point = false;
  for (; i < text.size() && (is_digit(text[i]) || (text[i] == '.' && !point)); ++i) {
    if (text[i] == '.') {
      point = true;
    } else {
      digits += text[i];
      if (!point) ++before_point;
    }
  }
  if (digits.empty()) return w;
  // The exponent, held within +-2^40: a value whose point lies further from
  // its digits is a fraction or too long whatever the exact exponent.
  constexpr std::int64_t kMaxExponent = std::int64_t{1} << 40;
  std::int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool below = i < text.size() && text[i] == '-';
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (i == text.size()) return w;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      exponent = std::min(exponent * 10 + (text[i] - '0'), kMaxExponent);
    }
    if (below) exponent = -exponent;
  }
  if (i != text.size()) return w;
  const std::size_t first = digits.find_first_not_of('0');
  w.kind = WholeNumberText::Kind::kWhole;
  if (first == std::string::npos) return w;  // 0, -0.0, 0e7
  // The point falls after `at` digits; a nonzero digit at or after it is a fraction.
  const std::int64_t at = static_cast<std::int64_t>(before_point) + exponent;
  if (at <= static_cast<std::int64_t>(first) ||
      digits.find_first_not_of('0', static_cast<std::size_t>(at)) != std::string::npos) {
    w.kind = WholeNumberText::Kind::kFraction;
    return w;
  }
  if (at - static_cast<std::int64_t>(first) > static_cast<std::int64_t>(max_digits)) {
    w.kind = WholeNumberText::Kind::kTooLong;
    return w;
  }
  w.digits = digits.substr(first, std::min(static_cast<std::size_t>(at), digits.size()) - first);
  w.digits.append(static_cast<std::size_t>(at) - first - w.digits.size(), '0');
  return w;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return text;
}

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace banensim::engine
