#pragma once
// Self-contained SVG charts as text (no external tools, no scripts, no
// fonts to fetch): a line with an interval band, a heat map and a tornado.
// Generic: the caller names axes and series; nothing here knows what is
// plotted. Text is XML-escaped; numbers are written with fixed precision so
// the same data give the same bytes.
//
// Each data element carries a class so that tests and stylesheets can find
// it: class="point" (one circle per x of a line or per scatter point), class="cell" (one rect per
// heat-map cell), class="bar" (one rect per side of a tornado bar).

#include <string>
#include <vector>

namespace banensim::engine {

// y[i] with its interval [low[i], high[i]] at x[i] (x ascending); all vectors
// the same length >= 1. Non-finite y are skipped.
std::string svg_line_band(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<double>& x, const std::vector<double>& y,
                          const std::vector<double>& low, const std::vector<double>& high);

// Points (x[i], y[i]) in any order, unjoined, each with a vertical whisker
// from low[i] to high[i] (class="point", class="whisker"): an output against
// one input over sampled points. Points with a non-finite x or y are skipped.
std::string svg_scatter(const std::string& title, const std::string& x_label, const std::string& y_label,
                        const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& low, const std::vector<double>& high);

// values[i_y * x_ticks.size() + i_x]; colour from the smallest to the largest
// finite value (a single-hue scale, a legend gives the two ends).
std::string svg_heat_map(const std::string& title, const std::string& x_label, const std::string& y_label,
                         const std::vector<std::string>& x_ticks, const std::vector<std::string>& y_ticks,
                         const std::vector<double>& values, const std::string& value_label);

struct TornadoBar {
  std::string label;       // e.g. the parameter name
  double at_low = 0;       // outcome with the parameter at its low value
  double at_high = 0;      // outcome with the parameter at its high value
  std::string low_text;    // the low value as text, shown at its bar end
  std::string high_text;
};

// Bars around `base` (the outcome with every parameter at its base value),
// drawn in the given order (sort before calling, widest first).
std::string svg_tornado(const std::string& title, const std::string& value_label, double base,
                        const std::vector<TornadoBar>& bars);

// One series of a grouped bar chart: a value per label, optionally with a
// half-width drawn as a whisker (value +- half_width).
struct BarSeries {
  std::string name;
  std::vector<double> values;
  std::vector<double> half_widths;  // empty: no whiskers
};

// Horizontal grouped bars: a row per label, the series side by side within
// it (class="bar" per bar, class="whisker" per whisker), a zero line, a
// legend. Used for sensitivity indices (S1 and ST with their _conf; Morris
// mu* with its _conf). Every series holds one value per label.
std::string svg_grouped_bars(const std::string& title, const std::string& value_label,
                             const std::vector<std::string>& labels, const std::vector<BarSeries>& series);

// A trade-off curve: points (x[i], y[i]) joined in order, each coloured by
// its group (e.g. the number of restricted inputs of a PRIM box; a legend
// names them), the point at `highlight` ringed (class="chosen"); class="point"
// per point with `tips[i]` as its tooltip.
std::string svg_tradeoff(const std::string& title, const std::string& x_label, const std::string& y_label,
                         const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& group,
                         const std::string& group_label, const std::vector<std::string>& tips,
                         std::size_t highlight);

// Charts one above the other in one SVG document (nested <svg> elements;
// each chart as the functions above return it).
std::string svg_stack(const std::vector<std::string>& charts);

// XML escaping of text and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace banensim::engine
