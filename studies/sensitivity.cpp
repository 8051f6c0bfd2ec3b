#include "studies/sensitivity.hpp"

#include <sstream>
#include <stdexcept>

#include "engine/atomic_file.hpp"
#include "engine/random_stream.hpp"
#include "engine/run_files.hpp"
#include "engine/svg_chart.hpp"
#include "engine/text_format.hpp"

namespace banensim::studies {

double z_of(double confidence) { return engine::inverse_normal_cdf(0.5 + confidence / 2); }

SobolTable sobol_table(const std::vector<std::string>& factors, const std::string& output,
                       std::span<const double> values, const SobolSettings& settings, std::uint64_t seed) {
  SobolTable t;
  t.output = output;
  engine::BootstrapOptions boot;
  boot.seed = seed;
  boot.n_resamples = settings.resamples;
  boot.confidence = settings.confidence;
  engine::SobolIndices si;
  try {
    si = engine::sobol_indices(factors.size(), values, boot, settings.second_order);
  } catch (const std::invalid_argument& e) {
    t.failure = e.what();
    return t;
  }
  const double z = z_of(settings.confidence);
  t.mean = si.mean;
  t.variance = si.variance;
  for (std::size_t k = 0; k < factors.size(); ++k) {
    const auto& s1 = si.first_order[k];
    const auto& st = si.total_order[k];
    t.rows.push_back({factors[k], s1.estimate, z * s1.std_error, st.estimate, z * st.std_error, s1, st});
  }
  for (std::size_t i = 0; i < factors.size() && settings.second_order; ++i) {
    for (std::size_t j = i + 1; j < factors.size(); ++j) {
      const auto& s2 = si.second_order[engine::SobolIndices::second_pair(i, j, factors.size())];
      t.pairs.push_back({factors[i], factors[j], s2.estimate, z * s2.std_error});
    }
  }
  return t;
}

MorrisTable morris_table(const std::vector<std::string>& factors, const std::string& output,
                         const engine::MorrisDesign& design, std::span<const double> values,
                         const MorrisSettings& settings, std::uint64_t seed) {
  MorrisTable t;
  t.output = output;
  engine::BootstrapOptions boot;
  boot.seed = seed;
  boot.n_resamples = settings.resamples;
  boot.confidence = settings.confidence;
  engine::MorrisResult mr;
  try {
    mr = engine::morris_effects(design, values, boot);
  } catch (const std::invalid_argument& e) {
    t.failure = e.what();
    return t;
  }
  const double z = z_of(settings.confidence);
  for (std::size_t k = 0; k < factors.size(); ++k) {
    const auto& f = mr.factors[k];
    t.rows.push_back({factors[k], f.mu, f.mu_star.estimate, z * f.mu_star.std_error, f.sigma, f.mu_star});
  }
  return t;
}

SensitivityResult run_sensitivity(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                                  ExecutionContext& ctx, const std::vector<std::string>& companions) {
  SensitivityResult r;
  std::vector<std::string> all = companions;
  if (out) {
    const SensitivityFiles files = sensitivity_files(study, *out);
    all.push_back(files.indices);
    if (files.second_order) all.push_back(*files.second_order);
  }
  r.evaluated = evaluate_design(study, out, resume, ctx, all);
  if (!r.evaluated.run.completed || !r.evaluated.run.root) return r;
  const std::vector<std::string> keys = study.factor_keys();
  for (std::size_t o = 0; o < study.outputs.size(); ++o) {
    const std::vector<double>& y = r.evaluated.outputs[o];
    if (study.method == "sobol") {
      r.sobol.push_back(sobol_table(keys, study.outputs[o].name, y, study.sobol, study.run.seed));
    } else {
      r.morris.push_back(morris_table(keys, study.outputs[o].name, *study.morris_design, y, study.morris, study.run.seed));
    }
  }
  return r;
}

std::string indices_csv(const SensitivityResult& r, const CompanionStamp& stamp) {
  std::ostringstream os;
  const auto d = [](double x) { return engine::decimal(x); };
  const std::string tail = "," + stamp.cells() + "\n";
  if (!r.morris.empty()) {
    os << "output,factor,mu,mu_star,mu_star_conf,sigma," << CompanionStamp::kColumns << "\n";
    for (const MorrisTable& t : r.morris) {
      for (const MorrisRow& m : t.rows) {
        os << t.output << "," << m.factor << "," << d(m.mu) << "," << d(m.mu_star) << "," << d(m.mu_star_conf) << ","
           << d(m.sigma) << tail;
      }
    }
    return os.str();
  }
  os << "output,factor,S1,S1_conf,ST,ST_conf," << CompanionStamp::kColumns << "\n";
  for (const SobolTable& t : r.sobol) {
    for (const SobolRow& s : t.rows) {
      os << t.output << "," << s.factor << "," << d(s.S1) << "," << d(s.S1_conf) << "," << d(s.ST) << ","
         << d(s.ST_conf) << tail;
    }
  }
  return os.str();
}

std::string second_order_csv(const SensitivityResult& r, const CompanionStamp& stamp) {
  bool any = false;
  std::ostringstream os;
  os << "output,factor_1,factor_2,S2,S2_conf," << CompanionStamp::kColumns << "\n";
  for (const SobolTable& t : r.sobol) {
    for (const SobolPair& p : t.pairs) {
      any = true;
      os << t.output << "," << p.factor_1 << "," << p.factor_2 << "," << engine::decimal(p.S2) << ","
         << engine::decimal(p.S2_conf) << "," << stamp.cells() << "\n";
    }
  }
  return any ? os.str() : "";
}

SensitivityFiles sensitivity_files(const DesignStudy& study, const std::string& out) {
  SensitivityFiles f;
  f.indices = engine::beside(out, ".indices.csv");
  if (study.method == "sobol" && study.sobol.second_order) f.second_order = engine::beside(out, ".s2.csv");
  return f;
}

void write_sensitivity_files(const SensitivityFiles& files, const DesignStudy& study, const SensitivityResult& r) {
  const CompanionStamp stamp = companion_stamp(study);
  engine::write_file_atomically(files.indices, indices_csv(r, stamp));
  if (files.second_order) engine::write_file_atomically(*files.second_order, second_order_csv(r, stamp));
}

std::string sensitivity_svg(const DesignStudy& study, const SensitivityResult& r) {
  std::vector<std::string> charts;
  const std::string conf = engine::shortest(100 * (study.method == "sobol" ? study.sobol.confidence
                                                                           : study.morris.confidence));
  const std::string sub = " of " + study.base.name + " (" + std::to_string(study.factors.size()) + " factors, seed " +
                          std::to_string(study.run.seed) + ")";
  for (const SobolTable& t : r.sobol) {
    if (!t.failure.empty()) continue;
    engine::BarSeries s1{"S1", {}, {}}, st{"ST", {}, {}};
    std::vector<std::string> labels;
    for (const SobolRow& row : t.rows) {
      labels.push_back(row.factor);
      s1.values.push_back(row.S1);
      s1.half_widths.push_back(row.S1_conf);
      st.values.push_back(row.ST);
      st.half_widths.push_back(row.ST_conf);
    }
    charts.push_back(engine::svg_grouped_bars("Sobol' indices of " + t.output + sub,
                                              "first-order S1 and total ST, whiskers: " + conf + "% (_conf)", labels,
                                              {s1, st}));
  }
  for (const MorrisTable& t : r.morris) {
    if (!t.failure.empty()) continue;
    engine::BarSeries mu_star{"mu*", {}, {}}, sigma{"sigma", {}, {}};
    std::vector<std::string> labels;
    for (const MorrisRow& row : t.rows) {
      labels.push_back(row.factor);
      mu_star.values.push_back(row.mu_star);
      mu_star.half_widths.push_back(row.mu_star_conf);
      sigma.values.push_back(row.sigma);
    }
    charts.push_back(engine::svg_grouped_bars("Morris screening of " + t.output + sub,
                                              "elementary effects per step through the whole factor; whiskers: " +
                                                  conf + "% (mu_star_conf)",
                                              labels, {mu_star, sigma}));
  }
  if (charts.empty()) return "";
  return charts.size() == 1 ? charts[0] : engine::svg_stack(charts);
}

}  // namespace banensim::studies
