#include "studies/discovery.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "engine/atomic_file.hpp"
#include "engine/run_files.hpp"
#include "engine/svg_chart.hpp"
#include "engine/text_format.hpp"

namespace banensim::studies {

std::string interest_rule(const PrimSettings& prim) {
  return prim.output + (prim.at_least ? " >= " : " <= ") + engine::shortest(prim.threshold);
}

DiscoveryResult run_discovery(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                              ExecutionContext& ctx, const std::vector<std::string>& companions) {
  DiscoveryResult r;
  std::vector<std::string> all = companions;
  if (out) all.push_back(discovery_files(*out).trajectory);
  r.evaluated = evaluate_design(study, out, resume, ctx, all);
  if (!r.evaluated.run.completed || !r.evaluated.run.root) return r;
  std::size_t i_output = 0;
  while (study.outputs[i_output].name != study.prim.output) ++i_output;
  for (const double y : r.evaluated.outputs[i_output]) {
    const bool hit = study.prim.at_least ? y >= study.prim.threshold : y <= study.prim.threshold;
    r.of_interest.push_back(hit);
    r.n_interest += hit ? 1U : 0U;
  }
  const std::size_t n = r.of_interest.size();
  if (r.n_interest == 0 || r.n_interest == n) {
    // Say where the output lies, so that the next threshold is an informed
    // one: its range over the points and its median (the median as the
    // threshold makes about half the points cases of interest).
    std::vector<double> y = r.evaluated.outputs[i_output];
    std::sort(y.begin(), y.end());
    const double median = n == 0 ? 0.0 : (n % 2 == 1 ? y[n / 2] : 0.5 * (y[n / 2 - 1] + y[n / 2]));
    r.stop = std::string(r.n_interest == 0 ? "No point" : "Every point") + " is a case of interest (" +
             interest_rule(study.prim) + "): there is no box to find.";
    if (n > 0) {
      r.stop += " Over the " + std::to_string(n) + " points " + study.prim.output + " ranged from " +
                engine::significant(y.front(), 4) + " to " + engine::significant(y.back(), 4) + ", median " +
                engine::significant(median, 4) + "; try a threshold inside that range (--threshold " +
                engine::significant(median, 4) + ": about half the points).";
    }
    return r;
  }
  engine::PrimOptions options;
  options.peel_alpha = study.prim.peel_alpha;
  options.paste_alpha = study.prim.paste_alpha;
  options.mass_min = study.prim.mass_min;
  // Covering (Friedman & Fisher 1999, sec. 5): box k is sought among the
  // points outside boxes 1..k-1; its measures stay relative to the whole
  // design.
  std::vector<engine::PrimBox> chosen;
  std::vector<bool> covered(n, false);
  std::size_t n_covered = 0;
  for (std::size_t k = 0; k < study.prim.boxes; ++k) {
    const std::size_t n_left = r.n_interest - n_covered;
    if (n_left == 0) {
      r.stop = "No case of interest is left outside the " + std::to_string(k) + " box" + (k == 1 ? "" : "es") +
               " above: no further box.";
      break;
    }
    BoxFinding f;
    f.search = engine::prim(r.evaluated.values, r.of_interest, options, chosen);
    try {
      f.index = f.search.max_coverage_with_density_at_least(study.prim.min_density);
    } catch (const std::out_of_range&) {
      f.qualifies = false;
      for (std::size_t i = 0; i < f.search.trajectory.size(); ++i) {
        if (f.search.trajectory[i].density > f.search.trajectory[f.index].density) f.index = i;
      }
    }
    if (!f.qualifies && k > 0) {
      r.stop = "No further box reaches density " + engine::fmt(study.prim.min_density, 2) + " among the " +
               std::to_string(n_left) + " cases of interest left outside the boxes above: no box " +
               std::to_string(k + 1) + ".";
      break;
    }
    f.quasi_p = engine::quasi_p_values(r.evaluated.values, r.of_interest, f.search, f.box(), chosen);
    for (std::size_t i = 0; i < n; ++i) {
      if (covered[i] || !f.box().contains(r.evaluated.values.row(i))) continue;
      covered[i] = true;
      n_covered += r.of_interest[i] ? 1U : 0U;
    }
    f.interest_together = n_covered;
    chosen.push_back(f.box());
    r.boxes.push_back(std::move(f));
  }
  return r;
}

std::string trajectory_csv(const DesignStudy& study, const DiscoveryResult& r) {
  const auto d = [](double x) { return engine::decimal(x); };
  std::ostringstream os;
  const CompanionStamp stamp = companion_stamp(study);
  os << "search,box,phase,shown,coverage,density,mass,n_inside,n_interest_inside,n_restricted";
  for (const Factor& f : study.factors) os << "," << csv_field(f.key + "_low") << "," << csv_field(f.key + "_high");
  for (const Factor& f : study.factors) os << "," << csv_field(f.key + "_qp_low") << "," << csv_field(f.key + "_qp_high");
  os << "," << CompanionStamp::kColumns << "\n";
  for (std::size_t k = 0; k < r.boxes.size(); ++k) {
    const BoxFinding& f = r.boxes[k];
    for (std::size_t i = 0; i < f.search.trajectory.size(); ++i) {
      const engine::PrimBox& b = f.search.trajectory[i];
      const bool shown = i == f.index;
      os << k + 1 << "," << i << "," << (i == 0 ? "start" : b.pasted ? "paste" : "peel") << "," << (shown ? 1 : 0)
         << "," << d(b.coverage) << "," << d(b.density) << "," << d(b.mass) << "," << b.n_inside << ","
         << b.n_interest_inside << "," << b.n_restricted();
      for (std::size_t j = 0; j < study.factors.size(); ++j) os << "," << d(b.low[j]) << "," << d(b.high[j]);
      for (std::size_t j = 0; j < study.factors.size(); ++j) {
        const auto qp = [&](double v) { return shown && std::isfinite(v) ? d(v) : std::string(); };
        os << "," << qp(f.quasi_p.low[j]) << "," << qp(f.quasi_p.high[j]);
      }
      os << "," << stamp.cells() << "\n";
    }
  }
  return os.str();
}

DiscoveryFiles discovery_files(const std::string& out) { return DiscoveryFiles{engine::beside(out, ".trajectory.csv")}; }

void write_discovery_files(const DiscoveryFiles& files, const DesignStudy& study, const DiscoveryResult& r) {
  engine::write_file_atomically(files.trajectory, trajectory_csv(study, r));
}

std::string tradeoff_svg(const DesignStudy& study, const DiscoveryResult& r) {
  std::vector<std::string> charts;
  for (std::size_t k = 0; k < r.boxes.size(); ++k) {
    const BoxFinding& f = r.boxes[k];
    std::vector<double> x, y;
    std::vector<int> group;
    std::vector<std::string> tips;
    for (std::size_t i = 0; i < f.search.trajectory.size(); ++i) {
      const engine::PrimBox& b = f.search.trajectory[i];
      x.push_back(b.coverage);
      y.push_back(b.density);
      group.push_back(static_cast<int>(b.n_restricted()));
      tips.push_back("box " + std::to_string(i) + ": coverage " + engine::fmt(b.coverage, 3) + ", density " +
                     engine::fmt(b.density, 3) + ", mass " + engine::fmt(b.mass, 3) + ", " +
                     std::to_string(b.n_restricted()) + " restricted");
    }
    charts.push_back(engine::svg_tradeoff(
        "PRIM trade-off" + (r.boxes.size() > 1 ? " of box " + std::to_string(k + 1) : std::string()) + ": " +
            study.base.name + ", " + interest_rule(study.prim),
        "coverage", "density", x, y, group, "restricted", tips, f.index));
  }
  if (charts.empty()) return "";
  return charts.size() == 1 ? charts[0] : engine::svg_stack(charts);
}

}  // namespace banensim::studies
