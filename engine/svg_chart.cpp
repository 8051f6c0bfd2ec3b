#include "engine/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "engine/text_format.hpp"

namespace banensim::engine {

namespace {

constexpr double kWidth = 720, kHeight = 440;
constexpr double kLeft = 80, kRight = 30, kTop = 40, kBottom = 60;

// Coordinates and sizes: two decimals.
std::string coord(double x) { return fmt(x, 2); }

// A short tick label: whole numbers for counts (125000, not 1.25e+05); 4
// significant digits otherwise.
std::string tick(double x) { return std::abs(x) >= 1e4 && std::abs(x) < 1e12 ? fmt(x, 0) : significant(x, 4); }

std::string open_svg(double width, double height, const std::string& title) {
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << coord(width) << "\" height=\"" << coord(height)
     << "\" viewBox=\"0 0 " << coord(width) << " " << coord(height) << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
     << "<title>" << xml_escape(title) << "</title>\n"
     << "<rect x=\"0\" y=\"0\" width=\"" << coord(width) << "\" height=\"" << coord(height) << "\" fill=\"white\"/>\n"
     << "<text x=\"" << coord(width / 2) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << xml_escape(title)
     << "</text>\n";
  return os.str();
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void pad() {
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) {
      const double d = std::max(std::abs(lo) * 0.05, 1e-3);
      lo -= d;
      hi += d;
    }
  }
};

void axes(std::ostringstream& os, const Range& xr, const Range& yr, const std::string& x_label,
          const std::string& y_label, bool x_ticks) {
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  os << "<g stroke=\"#333\" fill=\"none\"><line x1=\"" << coord(kLeft) << "\" y1=\"" << coord(kTop + ph) << "\" x2=\""
     << coord(kLeft + pw) << "\" y2=\"" << coord(kTop + ph) << "\"/><line x1=\"" << coord(kLeft) << "\" y1=\"" << coord(kTop)
     << "\" x2=\"" << coord(kLeft) << "\" y2=\"" << coord(kTop + ph) << "\"/></g>\n";
  for (int i = 0; i <= 4; ++i) {
    const double f = i / 4.0;
    const double yv = yr.lo + f * (yr.hi - yr.lo);
    const double py = kTop + ph * (1 - f);
    os << "<text x=\"" << coord(kLeft - 6) << "\" y=\"" << coord(py + 4) << "\" text-anchor=\"end\">" << tick(yv)
       << "</text>\n";
    if (x_ticks) {
      const double xv = xr.lo + f * (xr.hi - xr.lo);
      os << "<text x=\"" << coord(kLeft + f * pw) << "\" y=\"" << coord(kTop + ph + 18) << "\" text-anchor=\"middle\">"
         << tick(xv) << "</text>\n";
    }
  }
  os << "<text x=\"" << coord(kLeft + pw / 2) << "\" y=\"" << coord(kHeight - 14) << "\" text-anchor=\"middle\">"
     << xml_escape(x_label) << "</text>\n"
     << "<text x=\"16\" y=\"" << coord(kTop + ph / 2) << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
     << coord(kTop + ph / 2) << ")\">" << xml_escape(y_label) << "</text>\n";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
// The plot area of a chart of y with its interval [low, high] against x: the
// ranges of the points `use` (padded) and the maps from data to pixels.
struct Frame {
  Range xr, yr;
  Frame(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& low,
        const std::vector<double>& high, const std::vector<std::size_t>& use) {
    for (const std::size_t i : use) {
      xr.add(x[i]);
      yr.add(y[i]);
      yr.add(low[i]);
      yr.add(high[i]);
    }
    xr.pad();
    yr.pad();
  }
  double px(double v) const { return kLeft + (v - xr.lo) / (xr.hi - xr.lo) * (kWidth - kLeft - kRight); }
  double py(double v) const { return kTop + (1 - (v - yr.lo) / (yr.hi - yr.lo)) * (kHeight - kTop - kBottom); }
};
}  // namespace

std::string svg_line_band(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<double>& x, const std::vector<double>& y,
                          const std::vector<double>& low, const std::vector<double>& high) {
  if (x.empty() || y.size() != x.size() || low.size() != x.size() || high.size() != x.size()) {
    throw std::invalid_argument("svg_line_band: x, y, low and high must have the same length >= 1");
  }
  std::vector<std::size_t> all(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) all[i] = i;
  const Frame f(x, y, low, high, all);
  std::ostringstream os;
  os << open_svg(kWidth, kHeight, title);
  axes(os, f.xr, f.yr, x_label, y_label, true);
  const auto px = [&f](double v) { return f.px(v); };
  const auto py = [&f](double v) { return f.py(v); };
  std::string band, line;
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isfinite(y[i]) && std::isfinite(low[i]) && std::isfinite(high[i])) ok.push_back(i);
  }
  for (std::size_t i : ok) band += coord(px(x[i])) + "," + coord(py(high[i])) + " ";
  for (auto it = ok.rbegin(); it != ok.rend(); ++it) band += coord(px(x[*it])) + "," + coord(py(low[*it])) + " ";
  for (std::size_t i : ok) line += coord(px(x[i])) + "," + coord(py(y[i])) + " ";
  if (!ok.empty()) {
    os << "<polygon class=\"band\" points=\"" << band << "\" fill=\"#9ecae1\" fill-opacity=\"0.6\" stroke=\"none\"/>\n"
       << "<polyline class=\"line\" points=\"" << line << "\" fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\"/>\n";
  }
  for (std::size_t i : ok) {
    os << "<circle class=\"point\" cx=\"" << coord(px(x[i])) << "\" cy=\"" << coord(py(y[i]))
       << "\" r=\"3\" fill=\"#08519c\"><title>" << tick(x[i]) << ": " << tick(y[i]) << " [" << tick(low[i]) << ", "
       << tick(high[i]) << "]</title></circle>\n";
  }
  os << "</svg>\n";
  return os.str();
}

std::string svg_scatter(const std::string& title, const std::string& x_label, const std::string& y_label,
                        const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& low, const std::vector<double>& high) {
  if (x.empty() || y.size() != x.size() || low.size() != x.size() || high.size() != x.size()) {
    throw std::invalid_argument("svg_scatter: x, y, low and high must have the same length >= 1");
  }
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isfinite(x[i]) && std::isfinite(y[i])) ok.push_back(i);
  }
  const Frame f(x, y, low, high, ok);
  std::ostringstream os;
  os << open_svg(kWidth, kHeight, title);
  axes(os, f.xr, f.yr, x_label, y_label, true);
  const auto px = [&f](double v) { return f.px(v); };
  const auto py = [&f](double v) { return f.py(v); };
  for (std::size_t i : ok) {
    if (std::isfinite(low[i]) && std::isfinite(high[i]) && high[i] > low[i]) {
      os << "<line class=\"whisker\" x1=\"" << coord(px(x[i])) << "\" y1=\"" << coord(py(low[i])) << "\" x2=\""
         << coord(px(x[i])) << "\" y2=\"" << coord(py(high[i])) << "\" stroke=\"#9ecae1\" stroke-width=\"1.5\"/>\n";
    }
  }
  for (std::size_t i : ok) {
    os << "<circle class=\"point\" cx=\"" << coord(px(x[i])) << "\" cy=\"" << coord(py(y[i]))
       << "\" r=\"2.5\" fill=\"#08519c\"><title>" << tick(x[i]) << ": " << tick(y[i]) << " [" << tick(low[i]) << ", "
       << tick(high[i]) << "]</title></circle>\n";
  }
  os << "</svg>\n";
  return os.str();
}

std::string svg_heat_map(const std::string& title, const std::string& x_label, const std::string& y_label,
                         const std::vector<std::string>& x_ticks, const std::vector<std::string>& y_ticks,
                         const std::vector<double>& values, const std::string& value_label) {
  const std::size_t nx = x_ticks.size(), ny = y_ticks.size();
  if (nx == 0 || ny == 0 || values.size() != nx * ny) {
    throw std::invalid_argument("svg_heat_map: values must hold x_ticks.size() * y_ticks.size() entries");
  }
  Range vr;
  for (double v : values) vr.add(v);
  vr.pad();
  const double pw = kWidth - kLeft - kRight - 90, ph = kHeight - kTop - kBottom;
  const double cw = pw / static_cast<double>(nx), ch = ph / static_cast<double>(ny);
  // Light to dark blue; grey for undefined values.
  auto colour = [&](double v) {
    if (!std::isfinite(v)) return std::string("#cccccc");
    const double f = (v - vr.lo) / (vr.hi - vr.lo);
    const int r = static_cast<int>(std::lround(247 - f * (247 - 8)));
    const int g = static_cast<int>(std::lround(251 - f * (251 - 48)));
    const int b = static_cast<int>(std::lround(255 - f * (255 - 107)));
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return std::string(buf);
  };
  std::ostringstream os;
  os << open_svg(kWidth, kHeight, title);
  for (std::size_t iy = 0; iy < ny; ++iy) {
    for (std::size_t ix = 0; ix < nx; ++ix) {
      const double v = values[iy * nx + ix];
      // Row 0 at the bottom, as on a y axis.
      const double x0 = kLeft + static_cast<double>(ix) * cw;
      const double y0 = kTop + ph - static_cast<double>(iy + 1) * ch;
      os << "<rect class=\"cell\" x=\"" << coord(x0) << "\" y=\"" << coord(y0) << "\" width=\"" << coord(cw)
         << "\" height=\"" << coord(ch) << "\" fill=\"" << colour(v) << "\"><title>" << xml_escape(x_ticks[ix]) << ", "
         << xml_escape(y_ticks[iy]) << ": " << (std::isfinite(v) ? tick(v) : std::string("undefined"))
         << "</title></rect>\n";
    }
  }
  const std::size_t x_step = std::max<std::size_t>(1, nx / 10), y_step = std::max<std::size_t>(1, ny / 10);
  for (std::size_t ix = 0; ix < nx; ix += x_step) {
    os << "<text x=\"" << coord(kLeft + (static_cast<double>(ix) + 0.5) * cw) << "\" y=\"" << coord(kTop + ph + 18)
       << "\" text-anchor=\"middle\">" << xml_escape(x_ticks[ix]) << "</text>\n";
  }
  for (std::size_t iy = 0; iy < ny; iy += y_step) {
    os << "<text x=\"" << coord(kLeft - 6) << "\" y=\"" << coord(kTop + ph - (static_cast<double>(iy) + 0.5) * ch + 4)
       << "\" text-anchor=\"end\">" << xml_escape(y_ticks[iy]) << "</text>\n";
  }
  os << "<text x=\"" << coord(kLeft + pw / 2) << "\" y=\"" << coord(kHeight - 14) << "\" text-anchor=\"middle\">"
     << xml_escape(x_label) << "</text>\n"
     << "<text x=\"16\" y=\"" << coord(kTop + ph / 2) << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
     << coord(kTop + ph / 2) << ")\">" << xml_escape(y_label) << "</text>\n";
  // Legend: the two ends of the colour scale.
  const double lx = kLeft + pw + 20;
  os << "<text x=\"" << coord(lx) << "\" y=\"" << coord(kTop + 4) << "\">" << xml_escape(value_label) << "</text>\n"
     << "<rect x=\"" << coord(lx) << "\" y=\"" << coord(kTop + 12) << "\" width=\"18\" height=\"18\" fill=\""
     << colour(vr.hi) << "\"/><text x=\"" << coord(lx + 24) << "\" y=\"" << coord(kTop + 26) << "\">" << tick(vr.hi)
     << "</text>\n"
     << "<rect x=\"" << coord(lx) << "\" y=\"" << coord(kTop + 36) << "\" width=\"18\" height=\"18\" fill=\""
     << colour(vr.lo) << "\" stroke=\"#999\"/><text x=\"" << coord(lx + 24) << "\" y=\"" << coord(kTop + 50) << "\">"
     << tick(vr.lo) << "</text>\n";
  os << "</svg>\n";
  return os.str();
}

std::string svg_tornado(const std::string& title, const std::string& value_label, double base,
                        const std::vector<TornadoBar>& bars) {
  const double label_w = 380, row_h = 22;
  const double height = kTop + kBottom + row_h * static_cast<double>(std::max<std::size_t>(bars.size(), 1));
  Range vr;
  vr.add(base);
  for (const auto& b : bars) {
    vr.add(b.at_low);
    vr.add(b.at_high);
  }
  vr.pad();
  const double pad = 0.08 * (vr.hi - vr.lo);
  vr.lo -= pad;
  vr.hi += pad;
  const double x0 = label_w, pw = kWidth + 240 - label_w - kRight;
  auto px = [&](double v) { return x0 + (v - vr.lo) / (vr.hi - vr.lo) * pw; };
  std::ostringstream os;
  os << open_svg(kWidth + 240, height, title);
  const double bottom = height - kBottom;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const double y = kTop + row_h * static_cast<double>(i);
    os << "<text x=\"" << coord(x0 - 8) << "\" y=\"" << coord(y + row_h * 0.65) << "\" text-anchor=\"end\">"
       << xml_escape(b.label) << "</text>\n";
    const struct {
      double v;
      const std::string& text;
      const char* fill;
      const char* side;
    } sides[] = {{b.at_low, b.low_text, "#6baed6", "low"}, {b.at_high, b.high_text, "#fd8d3c", "high"}};
    for (const auto& s : sides) {
      const double v = std::isfinite(s.v) ? s.v : base;
      const double a = std::min(px(base), px(v)), w = std::abs(px(v) - px(base));
      os << "<rect class=\"bar\" x=\"" << coord(a) << "\" y=\"" << coord(y + 3) << "\" width=\"" << coord(w)
         << "\" height=\"" << coord(row_h - 6) << "\" fill=\"" << s.fill << "\"><title>" << xml_escape(b.label) << " = "
         << xml_escape(s.text) << " (" << s.side << "): " << tick(s.v) << "</title></rect>\n";
      // A zero-width bar still puts the low value's text left of the base line and the high value's right.
      const bool right = v > base || (v == base && s.side[0] == 'h');
      os << "<text x=\"" << coord(right ? a + w + 3 : a - 3) << "\" y=\"" << coord(y + row_h * 0.65)
         << "\" font-size=\"10\" text-anchor=\"" << (right ? "start" : "end") << "\">" << xml_escape(s.text)
         << "</text>\n";
    }
  }
  os << "<line x1=\"" << coord(px(base)) << "\" y1=\"" << coord(kTop - 4) << "\" x2=\"" << coord(px(base)) << "\" y2=\""
     << coord(bottom) << "\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = vr.lo + (vr.hi - vr.lo) * i / 4.0;
    os << "<text x=\"" << coord(px(v)) << "\" y=\"" << coord(bottom + 18) << "\" text-anchor=\"middle\">" << tick(v)
       << "</text>\n";
  }
  os << "<text x=\"" << coord(x0 + pw / 2) << "\" y=\"" << coord(height - 14) << "\" text-anchor=\"middle\">"
     << xml_escape(value_label) << " (base " << tick(base) << "; blue: parameter low, orange: high)</text>\n";
  os << "</svg>\n";
  return os.str();
}

namespace {
const char* const kPalette[] = {"#08519c", "#fd8d3c", "#31a354", "#756bb1", "#de2d26", "#636363",
                                "#6baed6", "#fdae6b", "#74c476", "#9e9ac8"};
}  // namespace

std::string svg_grouped_bars(const std::string& title, const std::string& value_label,
                             const std::vector<std::string>& labels, const std::vector<BarSeries>& series) {
  if (labels.empty() || series.empty()) throw std::invalid_argument("svg_grouped_bars: no labels or no series");
  for (const auto& s : series) {
    if (s.values.size() != labels.size() || (!s.half_widths.empty() && s.half_widths.size() != labels.size())) {
      throw std::invalid_argument("svg_grouped_bars: series " + s.name + " must hold one value per label");
    }
  }
  const double label_w = 320, bar_h = 10, gap = 8;
  const double row_h = bar_h * static_cast<double>(series.size()) + gap;
  const double width = kWidth + 200;
  const double height = kTop + 30 + kBottom + row_h * static_cast<double>(labels.size());
  Range vr;
  vr.add(0.0);
  for (const auto& s : series) {
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const double hw = s.half_widths.empty() ? 0.0 : s.half_widths[i];
      vr.add(s.values[i] - (std::isfinite(hw) ? hw : 0.0));
      vr.add(s.values[i] + (std::isfinite(hw) ? hw : 0.0));
    }
  }
  vr.pad();
  const double x0 = label_w, pw = width - label_w - kRight;
  auto px = [&](double v) { return x0 + (v - vr.lo) / (vr.hi - vr.lo) * pw; };
  std::ostringstream os;
  os << open_svg(width, height, title);
  // Legend under the title.
  double lx = x0;
  for (std::size_t k = 0; k < series.size(); ++k) {
    os << "<rect x=\"" << coord(lx) << "\" y=\"" << coord(kTop - 6) << "\" width=\"12\" height=\"12\" fill=\""
       << kPalette[k % 10] << "\"/><text x=\"" << coord(lx + 16) << "\" y=\"" << coord(kTop + 4) << "\">"
       << xml_escape(series[k].name) << "</text>\n";
    lx += 40 + 7 * static_cast<double>(series[k].name.size());
  }
  const double top = kTop + 20;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double y = top + row_h * static_cast<double>(i);
    os << "<text x=\"" << coord(x0 - 8) << "\" y=\"" << coord(y + row_h / 2) << "\" text-anchor=\"end\">"
       << xml_escape(labels[i]) << "</text>\n";
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double v = series[k].values[i];
      const double yb = y + bar_h * static_cast<double>(k);
      const double a = std::min(px(0.0), px(std::isfinite(v) ? v : 0.0));
      const double w = std::abs(px(std::isfinite(v) ? v : 0.0) - px(0.0));
      os << "<rect class=\"bar\" x=\"" << coord(a) << "\" y=\"" << coord(yb) << "\" width=\"" << coord(w)
         << "\" height=\"" << coord(bar_h - 1) << "\" fill=\"" << kPalette[k % 10] << "\"><title>"
         << xml_escape(labels[i]) << ", " << xml_escape(series[k].name) << ": " << tick(v);
      if (!series[k].half_widths.empty()) os << " +- " << tick(series[k].half_widths[i]);
      os << "</title></rect>\n";
      if (!series[k].half_widths.empty() && std::isfinite(v) && std::isfinite(series[k].half_widths[i])) {
        const double hw = series[k].half_widths[i];
        const double ym = yb + (bar_h - 1) / 2;
        os << "<line class=\"whisker\" x1=\"" << coord(px(v - hw)) << "\" y1=\"" << coord(ym) << "\" x2=\""
           << coord(px(v + hw)) << "\" y2=\"" << coord(ym) << "\" stroke=\"#222\"/>\n";
      }
    }
  }
  const double bottom = height - kBottom;
  os << "<line x1=\"" << coord(px(0.0)) << "\" y1=\"" << coord(top - 4) << "\" x2=\"" << coord(px(0.0))
     << "\" y2=\"" << coord(bottom) << "\" stroke=\"#333\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double v = vr.lo + (vr.hi - vr.lo) * i / 4.0;
    os << "<text x=\"" << coord(px(v)) << "\" y=\"" << coord(bottom + 18) << "\" text-anchor=\"middle\">" << tick(v)
       << "</text>\n";
  }
  os << "<text x=\"" << coord(x0 + pw / 2) << "\" y=\"" << coord(height - 14) << "\" text-anchor=\"middle\">"
     << xml_escape(value_label) << "</text>\n</svg>\n";
  return os.str();
}

std::string svg_tradeoff(const std::string& title, const std::string& x_label, const std::string& y_label,
                         const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& group,
                         const std::string& group_label, const std::vector<std::string>& tips,
                         std::size_t highlight) {
  if (x.empty() || y.size() != x.size() || group.size() != x.size() || tips.size() != x.size()) {
    throw std::invalid_argument("svg_tradeoff: x, y, group and tips must have the same length >= 1");
  }
  Range xr, yr;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xr.add(x[i]);
    yr.add(y[i]);
  }
  xr.pad();
  yr.pad();
  const double pw = kWidth - kLeft - kRight - 110, ph = kHeight - kTop - kBottom;
  auto px = [&](double v) { return kLeft + (v - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto py = [&](double v) { return kTop + (1 - (v - yr.lo) / (yr.hi - yr.lo)) * ph; };
  std::ostringstream os;
  os << open_svg(kWidth, kHeight, title);
  axes(os, xr, yr, x_label, y_label, true);
  std::string line;
  for (std::size_t i = 0; i < x.size(); ++i) line += coord(px(x[i])) + "," + coord(py(y[i])) + " ";
  os << "<polyline class=\"line\" points=\"" << line << "\" fill=\"none\" stroke=\"#bbb\" stroke-width=\"1\"/>\n";
  std::vector<int> groups = group;
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  const auto colour = [&](int g) {
    const auto at = static_cast<std::size_t>(std::lower_bound(groups.begin(), groups.end(), g) - groups.begin());
    return kPalette[at % 10];
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    os << "<circle class=\"point\" cx=\"" << coord(px(x[i])) << "\" cy=\"" << coord(py(y[i])) << "\" r=\"4\" fill=\""
       << colour(group[i]) << "\"><title>" << xml_escape(tips[i]) << "</title></circle>\n";
  }
  if (highlight < x.size()) {
    os << "<circle class=\"chosen\" cx=\"" << coord(px(x[highlight])) << "\" cy=\"" << coord(py(y[highlight]))
       << "\" r=\"9\" fill=\"none\" stroke=\"#de2d26\" stroke-width=\"2\"/>\n";
  }
  const double lx = kLeft + pw + 20;
  os << "<text x=\"" << coord(lx) << "\" y=\"" << coord(kTop + 4) << "\">" << xml_escape(group_label) << "</text>\n";
  for (std::size_t k = 0; k < groups.size() && k < 12; ++k) {
    const double ly = kTop + 20 + 18 * static_cast<double>(k);
    os << "<circle cx=\"" << coord(lx + 6) << "\" cy=\"" << coord(ly) << "\" r=\"4\" fill=\"" << colour(groups[k])
       << "\"/><text x=\"" << coord(lx + 16) << "\" y=\"" << coord(ly + 4) << "\">" << groups[k] << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

namespace {
// The number in attribute `name` of the first tag of `svg` (0 when absent).
double attribute(const std::string& svg, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const auto at = svg.find(key);
  if (at == std::string::npos || at > svg.find('>')) return 0;
  return std::stod(svg.substr(at + key.size()));
}
}  // namespace

std::string svg_stack(const std::vector<std::string>& charts) {
  double width = 0, height = 0;
  for (const std::string& c : charts) {
    if (c.rfind("<svg ", 0) != 0) throw std::invalid_argument("svg_stack: not a chart");
    width = std::max(width, attribute(c, "width"));
    height += attribute(c, "height");
  }
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << coord(width) << "\" height=\"" << coord(height)
     << "\" viewBox=\"0 0 " << coord(width) << " " << coord(height) << "\">\n";
  double y = 0;
  for (const std::string& c : charts) {
    os << "<svg y=\"" << coord(y) << "\"" << c.substr(4);  // the chart after its "<svg"
    y += attribute(c, "height");
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace banensim::engine
