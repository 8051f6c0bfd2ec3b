#pragma once
// Numbers as text: the few formats every output of the program uses, each
// defined once so that the same number always gives the same bytes (outputs
// are compared byte for byte by --resume and by tests). None depends on the
// locale.
//
//   fmt(0.4567, 3)       "0.457"      tables and reports: fixed decimals
//   fmt_int(125000.4)    "125,000"    tables and reports: whole, with thousands separators
//   decimal(100000)      "100000"     CSV and command-line values: reads back as the same double
//   shortest(1e7)        "1e+07"      messages: the shortest text that reads back as the same double
//   significant(x, 6)    "7065.34"    printf "%.*g"
//   fmt_interval(0.1234, 0.3456, 3)  "[0.123, 0.346]"  tables and reports: an interval, fmt at each end
//   fmt_interval(0, 1.9e-5, 4)       "[0.0000, 0.000019]"  (an end that is not 0 keeps 2 significant digits)
//
// Thread-safe (pure functions).

#include <string>
#include <string_view>
#include <vector>

namespace banensim::engine {

// printf "%.*f": `decimals` digits after the point; "-" when x is not finite.
std::string fmt(double x, int decimals);

// x rounded to a whole number, with a comma every three digits (-1,234);
// "-" when x is not finite.
std::string fmt_int(double x);

// The shortest text that reads back as exactly x (std::to_chars), in plain
// decimals (100000, not 1e+05) except for magnitudes below 1e-6, which keep
// the exponent; "" when x is not finite (an empty CSV field).
std::string decimal(double x);

// The shortest text that reads back as exactly x (std::to_chars in its
// default form, which may use an exponent: 1e+07).
std::string shortest(double x);

// printf "%.*g": `digits` significant digits (nan, inf as printf writes them).
std::string significant(double x, int digits);

// The decimals fmt needs to show `digits` significant digits of x (finite,
// not 0): fmt(1.9e-5, decimals_for_significant(1.9e-5, 2)) is "0.000019".
int decimals_for_significant(double x, int digits);

// A share as a percentage for text: "3.5%" below 10%, "35%" from 10% on, two
// significant digits below 0.1% ("0.019%", never "0.0%"), "0%" for 0.
std::string fmt_percent(double share);

struct Interval;  // engine/proportion.hpp

// "[low, high]", each end as fmt(x, decimals) -- except that an end which
// is not 0 but would print as 0 keeps two significant digits: an interval
// (a confidence interval, a range) in tables and reports.
std::string fmt_interval(double low, double high, int decimals);
// An estimate printed beside such an interval: fmt, except that a non-zero
// value which would print as zero keeps two significant digits, as the
// interval's ends do (0.00049 [0.0000099, 0.001], not 0.000 [...]).
std::string fmt_estimate(double x, int decimals);
std::string fmt_interval(const Interval& interval, int decimals);
// The decimals for an estimate and its interval [low, high]: at least
// `min_decimals`, more (up to 6) until the interval's width shows two
// significant digits, so that neither collapses to one printed value
// (0.00080 [0.00050, 0.00140], not 0.001 [0.001, 0.001]). An interval with
// an end at 0 keeps `min_decimals`: fmt_interval shows the other end's digits.
int interval_decimals(double low, double high, int min_decimals);

// A decimal number's text, [-]digits[.digits][(e|E)[+-]digits] (at least
// one mantissa digit; no '+' sign, no inf or nan), judged on its digits, not
// on the nearest double: 2027.0, 2.027e3 and 202700e-2 are the whole number
// 2027, 2027.0000000000001 and 1e-400 are fractions.
struct WholeNumberText {
  enum class Kind { kNotNumber, kFraction, kWhole, kTooLong };
  Kind kind = Kind::kNotNumber;
  bool negative = false;  // a '-' is written (-0.0 is whole, negative, zero)
  std::string digits;     // kWhole: the value's digits without leading zeros, "" for zero
};
// kTooLong: whole, with more than `max_digits` digits.
WholeNumberText whole_number_text(std::string_view text, std::size_t max_digits);

// Names in a sentence: "a", "a and b", "a, b and c" ("" for none).
std::string join_names(const std::vector<std::string>& names);

// `text` with its control characters written as escapes (\n, \t, \r,
// \x01), for a message: a line break or a carriage return in a file name or
// a line quoted back must be seen, not obeyed or hidden.
std::string escaped(const std::string& text);

}  // namespace banensim::engine
