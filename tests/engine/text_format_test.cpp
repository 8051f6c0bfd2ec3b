// engine/text_format.hpp: each format gives the documented bytes, and the
// round-trip formats read back as the same double.

#include "engine/text_format.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "engine/proportion.hpp"

using namespace banensim::engine;

TEST_SUITE("unit") {

TEST_CASE("text_format: fixed decimals and thousands, '-' for what is not a number") {
  CHECK(fmt(0.4567, 3) == "0.457");
  CHECK(fmt(2.0, 0) == "2");
  CHECK(fmt(-0.125, 2) == "-0.12");  // printf rounds the binary value (to even here)
  CHECK(fmt(std::nan(""), 2) == "-");
  CHECK(fmt(std::numeric_limits<double>::infinity(), 1) == "-");
  CHECK(fmt_int(125000.4) == "125,000");
  CHECK(fmt_int(999.5) == "1,000");
  CHECK(fmt_int(-1234567.0) == "-1,234,567");
  CHECK(fmt_int(12.0) == "12");
  CHECK(fmt_int(std::nan("")) == "-");
}

TEST_CASE("text_format: an interval as [low, high] at fixed decimals, '-' for an end that is not a number") {
  CHECK(fmt_interval(0.1234, 0.3456, 3) == "[0.123, 0.346]");
  CHECK(fmt_interval(Interval{-0.5, 2.0}, 2) == "[-0.50, 2.00]");
  CHECK(fmt_interval(std::nan(""), 1.0, 1) == "[-, 1.0]");
  // An end that is not 0 but would print as 0 keeps two significant digits;
  // 0 itself, and ends that round to a non-zero figure, print as fmt.
  CHECK(fmt_interval(0.0, 1.9207e-5, 4) == "[0.0000, 0.000019]");
  CHECK(fmt_interval(-3.14e-6, 4.9e-5, 4) == "[-0.0000031, 0.000049]");
  CHECK(fmt_interval(0.0, 5e-5, 4) == "[0.0000, 0.0001]");
  CHECK(fmt_interval(0.00012, 0.0003, 4) == "[0.0001, 0.0003]");
}

TEST_CASE("text_format: decimal and shortest read back as the same double") {
  CHECK(decimal(100000) == "100000");
  CHECK(decimal(0.1) == "0.1");
  CHECK(decimal(-2.5) == "-2.5");
  CHECK(decimal(1e-7) == "1e-07");
  CHECK(decimal(0) == "0");
  CHECK(decimal(std::nan("")) == "");
  CHECK(shortest(1e7) == "1e+07");
  CHECK(shortest(0.1) == "0.1");
  CHECK(shortest(125000) == "125000");
  for (const double x : {0.1, 1.0 / 3.0, 7065.34, -0.473792, 1e-9, 2.5e8, 123456789.123, 5e-324}) {
    CAPTURE(x);
    CHECK(std::strtod(decimal(x).c_str(), nullptr) == x);
    CHECK(std::strtod(shortest(x).c_str(), nullptr) == x);
  }
}

TEST_CASE("text_format: significant digits as printf %g") {
  CHECK(significant(7065.3412, 6) == "7065.34");
  CHECK(significant(0.47379201, 6) == "0.473792");
  CHECK(significant(125000, 4) == "1.25e+05");
  CHECK(significant(0.1, 17) == "0.10000000000000001");
}

TEST_CASE("text_format: a share as a percentage, one decimal below 10%, none from 10%, 2 significant digits below 0.1%") {
  CHECK(fmt_percent(0.035) == "3.5%");
  CHECK(fmt_percent(0.055) == "5.5%");
  CHECK(fmt_percent(0.953125) == "95%");
  CHECK(fmt_percent(0.00019) == "0.019%");
  CHECK(fmt_percent(0.0) == "0%");
  CHECK(fmt_percent(1.0) == "100%");
}

TEST_CASE("text_format: an interval's decimals resolve its width to two significant digits, from a minimum to 6") {
  CHECK(interval_decimals(0.0005, 0.0014, 3) == 5);   // width 0.0009: 0.00090
  CHECK(interval_decimals(0.1549, 0.1581, 3) == 4);   // width 0.0032
  CHECK(interval_decimals(0.2, 0.6, 3) == 3);         // wide: the minimum
  CHECK(interval_decimals(0.5, 0.5, 3) == 3);         // no width
  CHECK(interval_decimals(0.0, 0.000019, 3) == 3);    // an end at 0: fmt_interval keeps the other's digits
  CHECK(interval_decimals(0.5, 0.5 + 1e-12, 3) == 6); // capped
  CHECK(fmt_interval(0.0005, 0.0014, interval_decimals(0.0005, 0.0014, 3)) == "[0.00050, 0.00140]");
}

}  // TEST_SUITE

TEST_CASE("whole_number_text: whole or not decided on the digits, not on the nearest double") {
  using Kind = banensim::engine::WholeNumberText::Kind;
  const auto whole = [](std::string_view text, std::size_t max_digits = 20) {
    return banensim::engine::whole_number_text(text, max_digits);
  };
  for (const char* text : {"2027", "2027.0", "2.027e3", "202700e-2", "2027.", "0002027.000", "20.27E+2"}) {
    CAPTURE(text);
    const auto w = whole(text);
    CHECK(w.kind == Kind::kWhole);
    CHECK_FALSE(w.negative);
    CHECK(w.digits == "2027");
  }
  for (const char* text : {"0", "-0.0", "0e7", ".0", "0.000e-9"}) {
    CAPTURE(text);
    CHECK(whole(text).kind == Kind::kWhole);
    CHECK(whole(text).digits.empty());
  }
  CHECK(whole("-0.0").negative);
  CHECK(whole("-3e0").negative);
  CHECK(whole("-3e0").digits == "3");
  for (const char* text : {"2027.5", "2027.0000000000001", "1e-400", ".5", "15e-1", "1e-1099511627776"}) {
    CAPTURE(text);
    CHECK(whole(text).kind == Kind::kFraction);
  }
  for (const char* text : {"", "-", ".", "e5", "1e", "1e+", "+1", "1.2.3", "1x", "inf", "nan", " 1", "0x10", "1e5 "}) {
    CAPTURE(text);
    CHECK(whole(text).kind == Kind::kNotNumber);
  }
  CHECK(whole("18446744073709551615").digits == "18446744073709551615");  // 20 digits
  CHECK(whole("1e20").kind == Kind::kTooLong);                             // 21 digits
  CHECK(whole("1e300", 19).kind == Kind::kTooLong);
  CHECK(whole("1e1099511627776").kind == Kind::kTooLong);  // the exponent held, no string of 2^40 zeros
}
