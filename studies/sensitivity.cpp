#include "studies/sensitivity.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "engine/atomic_file.hpp"
#include "engine/fnv1a.hpp"
#include "engine/random_stream.hpp"
#include "engine/run_files.hpp"
#include "engine/svg_chart.hpp"
#include "engine/text_format.hpp"

namespace banensim::studies {

double z_of(double confidence) { return engine::inverse_normal_cdf(0.5 + confidence / 2); }

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool all_equal(std::span<const double> values) {
  return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

// A table without indices still has its rows, their indices NaN, so that the
// files keep one row per (output, factor) and a reader sees "not computed"
// rather than "not asked for".
void undefined_rows(SobolTable& t, const std::vector<std::string>& factors, bool second_order) {
  for (const std::string& f : factors) t.rows.push_back({f, kNaN, kNaN, kNaN, kNaN, {}, {}});
  for (std::size_t i = 0; i < factors.size() && second_order; ++i) {
    for (std::size_t j = i + 1; j < factors.size(); ++j) t.pairs.push_back({factors[i], factors[j], kNaN, kNaN});
  }
}

// The bytes of `file` when it is a regular file (not a link, a directory or
// a FIFO, which reading would block on) that can be read; nullopt otherwise.
std::optional<std::string> regular_file_bytes(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(file, ec))) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

// `file` as judged now when it is a file an earlier run wrote beside its
// result file: a regular file whose header ends in the stamp's columns.
std::optional<JudgedCompanion> judge_earlier_companion(const std::string& file) {
  const std::optional<std::string> bytes = regular_file_bytes(file);
  if (!bytes) return std::nullopt;
  const std::string header = bytes->substr(0, bytes->find('\n'));
  const std::string stamp = std::string(",") + CompanionStamp::kColumns;
  if (header.size() <= stamp.size() || header.compare(header.size() - stamp.size(), stamp.size(), stamp) != 0) {
    return std::nullopt;
  }
  return JudgedCompanion{file, engine::fnv1a64_hex(*bytes)};
}

}  // namespace

CompanionRemoval remove_earlier_companion(const JudgedCompanion& judged, const RemoveFile& remove) {
  using Outcome = CompanionRemoval::Outcome;
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::symlink_status(judged.path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return {Outcome::kGone, ""};
  const std::optional<std::string> bytes = regular_file_bytes(judged.path);
  if (!bytes) return {Outcome::kChanged, "it is no longer a regular file that can be read"};
  const std::string digest = engine::fnv1a64_hex(*bytes);
  if (digest != judged.digest) {
    return {Outcome::kChanged, "its content changed since this run began (fnv1a64 " + judged.digest + " then, " +
                                   digest + " now)"};
  }
  const bool removed = remove ? remove(judged.path, ec) : std::filesystem::remove(judged.path, ec);
  if (ec) return {Outcome::kFailed, ec.message()};
  return {removed ? Outcome::kRemoved : Outcome::kGone, ""};
}

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
    if (!values.empty() && all_equal(values)) {
      throw std::invalid_argument("zero variance: the output is the same at every design row, and the indices are "
                                  "shares of its variance");
    }
    si = engine::sobol_indices(factors.size(), values, boot, settings.second_order);
  } catch (const std::invalid_argument& e) {
    t.failure = e.what();
    undefined_rows(t, factors, settings.second_order);
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
    for (const std::string& f : factors) t.rows.push_back({f, kNaN, kNaN, kNaN, kNaN, {}});
    return t;
  }
  t.constant = !values.empty() && all_equal(values);
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
  std::optional<SensitivityFiles> files;
  std::optional<CompanionRemoval> removal;
  std::function<void()> before_commit;
  if (out) {
    files = sensitivity_files(study, *out);
    all.push_back(files->indices);
    if (files->second_order) all.push_back(*files->second_order);
    // Judged now, removed as the rows are committed only if it is still that file.
    if (files->earlier_second_order) {
      before_commit = [&] { removal = remove_earlier_companion(*files->earlier_second_order); };
    }
  }
  r.evaluated = evaluate_design(study, out, resume, ctx, all, before_commit);
  if (!r.evaluated.run.completed || !r.evaluated.run.root) return r;
  if (removal) {
    const std::string& s2 = files->earlier_second_order->path;
    const std::string what = ", the second-order indices of an earlier run of " + *out;
    switch (removal->outcome) {
      case CompanionRemoval::Outcome::kRemoved:
        r.notes.push_back("removed " + s2 + what + ": this run has none, and they would be read as this run's");
        break;
      case CompanionRemoval::Outcome::kGone:
        break;
      case CompanionRemoval::Outcome::kChanged:
        r.notes.push_back("left " + s2 + " as it is: when this run began it held the second-order indices of an "
                          "earlier run of " + *out + ", but " + removal->detail + ", so it is not removed unseen "
                          "(its identity_hash column, if it has one, tells whether it belongs to " + *out + ")");
        break;
      case CompanionRemoval::Outcome::kFailed:
        r.errors.push_back("could not remove " + s2 + what + " (this run has none, and they would be read as this "
                           "run's): " + removal->detail + "; this run's results are complete: remove it by hand");
        break;
    }
  }
  if (files && files->foreign_second_order) {
    r.notes.push_back("left " + *files->foreign_second_order + " as it is: this run writes no second-order "
                      "indices, and it is not a file an earlier run wrote beside " + *out + " (no " +
                      CompanionStamp::kColumns + " columns)");
  }
  const std::vector<std::string> keys = study.factor_keys();
  for (std::size_t o = 0; o < study.outputs.size(); ++o) {
    const std::vector<double>& y = r.evaluated.outputs[o];
    const std::string& name = study.outputs[o].name;
    if (study.method == "sobol") {
      r.sobol.push_back(sobol_table(keys, name, y, study.sobol, study.run.seed));
      if (!r.sobol.back().failure.empty()) {
        r.notes.push_back(name + ": no Sobol' indices (" + r.sobol.back().failure + "); its rows" +
                          (study.sobol.second_order ? " and pairs" : "") + " are kept with empty index cells" +
                          " (NaN in Python)");
      }
    } else {
      r.morris.push_back(morris_table(keys, name, *study.morris_design, y, study.morris, study.run.seed));
      if (!r.morris.back().failure.empty()) {
        r.notes.push_back(name + ": no elementary effects (" + r.morris.back().failure +
                          "); its rows are kept with empty cells (NaN in Python)");
      } else if (r.morris.back().constant) {
        r.notes.push_back(name + ": the same at every design row, so every elementary effect is 0 and so are its "
                          "mu, mu_star, mu_star_conf and sigma");
      }
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
  const std::string s2 = engine::beside(out, ".s2.csv");
  if (study.method == "sobol" && study.sobol.second_order) {
    f.second_order = s2;
  } else if (std::error_code ec; std::filesystem::exists(std::filesystem::symlink_status(s2, ec))) {
    f.earlier_second_order = judge_earlier_companion(s2);
    if (!f.earlier_second_order) f.foreign_second_order = s2;
  }
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
