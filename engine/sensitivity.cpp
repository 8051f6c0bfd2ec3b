#include "engine/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace banensim::engine {
namespace {

void check_bootstrap(const BootstrapOptions& b) {
  if (b.n_resamples < 2)
    throw std::invalid_argument("BootstrapOptions::n_resamples = " + std::to_string(b.n_resamples) +
                                ". Violated constraint: n_resamples >= 2");
  if (!(b.confidence > 0.0 && b.confidence < 1.0))
    throw std::invalid_argument("BootstrapOptions::confidence = " + std::to_string(b.confidence) +
                                ". Violated constraint: 0 < confidence < 1");
}

void check_finite(std::span<const double> values, const char* who) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!std::isfinite(values[k]))
      throw std::invalid_argument(std::string(who) + ": value at row " + std::to_string(k) +
                                  " is not finite");
  }
}

// Linear interpolation between order statistics (Hyndman & Fan type 7).
double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

IndexEstimate with_interval(double estimate, std::vector<double> replicates, double confidence) {
  IndexEstimate e;
  double mean = 0.0;
  for (const double x : replicates) mean += x;
  mean /= static_cast<double>(replicates.size());
  double ss = 0.0;
  for (const double x : replicates) ss += (x - mean) * (x - mean);
  e.std_error = std::sqrt(ss / static_cast<double>(replicates.size() - 1));
  std::sort(replicates.begin(), replicates.end());
  e.estimate = estimate;
  e.low = quantile_sorted(replicates, 0.5 * (1.0 - confidence));
  e.high = quantile_sorted(replicates, 0.5 * (1.0 + confidence));
  e.interval_contains_zero = e.low <= 0.0 && 0.0 <= e.high;
  return e;
}

// Row j of resample r: uniform index in [0, n) from one 64-bit word
// (multiply-shift; bias below n / 2^64).
std::vector<std::size_t> resample_rows(std::uint64_t seed, std::size_t i_resample, std::size_t n) {
  RandomStream stream(seed, kBootstrapStream, i_resample);
  std::vector<std::size_t> rows(n);
  __extension__ using Wide = unsigned __int128;
  for (auto& row : rows) {
    row = static_cast<std::size_t>((static_cast<Wide>(stream.next_bits()) * n) >> 64);
  }
  return rows;
}

// Runs fn(r, rows) for every resample r in parallel; fn writes only to slot r.
template <class Fn>
void for_each_resample(const BootstrapOptions& b, std::size_t n, Fn&& fn) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, b.n_resamples),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      for (std::size_t r = range.begin(); r != range.end(); ++r)
                        fn(r, resample_rows(b.seed, r, n));
                    });
}

// The Saltelli/Jansen estimators on the base rows listed in `rows` (with
// repetition): mean, V, first and total order, and with `second` the
// second-order indices in SobolIndices::second_pair order.
struct SobolPoint {
  double mean = 0.0;
  double variance = 0.0;
  std::vector<double> first, total, second;
};

SobolPoint estimate_sobol(std::size_t d, std::span<const double> f, std::span<const std::size_t> rows,
                          bool second) {
  const std::size_t stride = second ? 2 * d + 2 : d + 2;
  const std::size_t b_at = stride - 1;
  const auto n = static_cast<double>(rows.size());
  SobolPoint p;
  double sum = 0.0;
  for (std::size_t j : rows) sum += f[j * stride] + f[j * stride + b_at];
  p.mean = sum / (2.0 * n);
  double ss = 0.0;
  for (std::size_t j : rows) {
    const double da = f[j * stride] - p.mean, db = f[j * stride + b_at] - p.mean;
    ss += da * da + db * db;
  }
  p.variance = ss / (2.0 * n);
  p.first.assign(d, 0.0);
  p.total.assign(d, 0.0);
  for (std::size_t j : rows) {
    const double fa = f[j * stride], fb = f[j * stride + b_at];
    for (std::size_t i = 0; i < d; ++i) {
      const double fab = f[j * stride + 1 + i];
      // f(B) centred on the pooled mean: the estimator becomes invariant to
      // adding a constant to f; uncentred, its variance grows with mean^2,
      // which matters for outputs like a probability near 0.8.
      p.first[i] += (fb - p.mean) * (fab - fa);
      p.total[i] += (fa - fab) * (fa - fab);
    }
  }
  for (std::size_t i = 0; i < d; ++i) {
    p.first[i] /= n * p.variance;
    p.total[i] /= 2.0 * n * p.variance;
  }
  if (second) {
    p.second.assign(d * (d - 1) / 2, 0.0);
    for (std::size_t j : rows) {
      const double ga = f[j * stride] - p.mean, gb = f[j * stride + b_at] - p.mean;
      for (std::size_t i = 0; i < d; ++i) {
        const double g_ba = f[j * stride + 1 + d + i] - p.mean;
        for (std::size_t k = i + 1; k < d; ++k) {
          const double g_ab = f[j * stride + 1 + k] - p.mean;
          p.second[SobolIndices::second_pair(i, k, d)] += g_ba * g_ab - ga * gb;
        }
      }
    }
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t k = i + 1; k < d; ++k) {
        double& s = p.second[SobolIndices::second_pair(i, k, d)];
        s = s / (n * p.variance) - p.first[i] - p.first[k];
      }
    }
  }
  return p;
}

}  // namespace

SaltelliDesign saltelli_design(const DesignMatrix& a, const DesignMatrix& b, bool second_order) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument("saltelli_design: A and B differ in shape");
  if (a.rows() < 2 || a.cols() < 1)
    throw std::invalid_argument("saltelli_design: A has " + std::to_string(a.rows()) + " rows and " +
                                std::to_string(a.cols()) +
                                " columns. Violated constraint: rows >= 2, columns >= 1");
  SaltelliDesign s;
  s.n_base = a.rows();
  s.n_dims = a.cols();
  s.second_order = second_order;
  const std::size_t d = s.n_dims;
  s.points = DesignMatrix(s.n_base * s.rows_per_base(), d);
  for (std::size_t j = 0; j < s.n_base; ++j) {
    for (std::size_t c = 0; c < d; ++c) {
      s.points(s.row_a(j), c) = a(j, c);
      s.points(s.row_b(j), c) = b(j, c);
      for (std::size_t i = 0; i < d; ++i) s.points(s.row_ab(i, j), c) = (c == i ? b(j, c) : a(j, c));
      if (second_order) {
        for (std::size_t i = 0; i < d; ++i) s.points(s.row_ba(i, j), c) = (c == i ? a(j, c) : b(j, c));
      }
    }
  }
  return s;
}

SaltelliDesign saltelli_design(std::size_t n_base, std::size_t n_dims, std::uint64_t seed,
                               DesignKind kind, std::uint64_t i_replicate, bool second_order) {
  if (n_dims < 1) throw std::invalid_argument("saltelli_design: n_dims = 0. Violated constraint: n_dims >= 1");
  const DesignMatrix both = make_design(kind, n_base, 2 * n_dims, seed, i_replicate);
  DesignMatrix a(n_base, n_dims), b(n_base, n_dims);
  for (std::size_t j = 0; j < n_base; ++j) {
    for (std::size_t c = 0; c < n_dims; ++c) {
      a(j, c) = both(j, c);
      b(j, c) = both(j, n_dims + c);
    }
  }
  return saltelli_design(a, b, second_order);
}

SobolIndices sobol_indices(std::size_t n_dims, std::span<const double> values,
                           const BootstrapOptions& bootstrap, bool second_order) {
  check_bootstrap(bootstrap);
  const std::size_t stride = second_order ? 2 * n_dims + 2 : n_dims + 2;
  if (n_dims < 1 || values.size() % stride != 0 || values.size() / stride < 2)
    throw std::invalid_argument("sobol_indices: " + std::to_string(values.size()) + " values for " +
                                std::to_string(n_dims) + " factors. Violated constraint: a multiple of " +
                                (second_order ? "2 n_dims + 2" : "n_dims + 2") + ", at least twice that");
  check_finite(values, "sobol_indices");
  const std::size_t n = values.size() / stride;
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const SobolPoint point = estimate_sobol(n_dims, values, all, second_order);
  if (!(point.variance > 0.0))
    throw std::invalid_argument("sobol_indices: the model values have zero variance");

  // replicates[k][r]: k < d first order, then d total order, then the pairs.
  const std::size_t n_pairs = second_order ? n_dims * (n_dims - 1) / 2 : 0;
  std::vector<std::vector<double>> replicates(2 * n_dims + n_pairs, std::vector<double>(bootstrap.n_resamples));
  for_each_resample(bootstrap, n, [&](std::size_t r, const std::vector<std::size_t>& rows) {
    const SobolPoint p = estimate_sobol(n_dims, values, rows, second_order);
    // A resample can (rarely, for tiny n) have zero variance: count it as 0.
    const bool ok = p.variance > 0.0;
    for (std::size_t i = 0; i < n_dims; ++i) {
      replicates[i][r] = ok ? p.first[i] : 0.0;
      replicates[n_dims + i][r] = ok ? p.total[i] : 0.0;
    }
    for (std::size_t k = 0; k < n_pairs; ++k) replicates[2 * n_dims + k][r] = ok ? p.second[k] : 0.0;
  });

  SobolIndices out;
  out.n_base = n;
  out.mean = point.mean;
  out.variance = point.variance;
  out.confidence = bootstrap.confidence;
  out.n_resamples = bootstrap.n_resamples;
  for (std::size_t i = 0; i < n_dims; ++i) {
    out.first_order.push_back(with_interval(point.first[i], std::move(replicates[i]), bootstrap.confidence));
    out.total_order.push_back(
        with_interval(point.total[i], std::move(replicates[n_dims + i]), bootstrap.confidence));
  }
  for (std::size_t k = 0; k < n_pairs; ++k) {
    out.second_order.push_back(
        with_interval(point.second[k], std::move(replicates[2 * n_dims + k]), bootstrap.confidence));
  }
  return out;
}

double student_t_quantile(double p, double dof) {
  if (!(p > 0.0 && p < 1.0) || !(dof >= 4.0))
    throw std::invalid_argument("student_t_quantile: need 0 < p < 1 and dof >= 4");
  const double z = inverse_normal_cdf(p);
  const double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
  const double v = dof;
  return z + (z3 + z) / (4.0 * v) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v) +
         (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v) +
         (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * v * v * v * v);
}

IndexEstimate replicate_interval(std::span<const double> estimates, double confidence) {
  if (estimates.size() < 5)
    throw std::invalid_argument("replicate_interval: " + std::to_string(estimates.size()) +
                                " replicates. Violated constraint: at least 5");
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument("replicate_interval: confidence = " + std::to_string(confidence) +
                                ". Violated constraint: 0 < confidence < 1");
  check_finite(estimates, "replicate_interval");
  const auto r = static_cast<double>(estimates.size());
  double mean = 0.0;
  for (double e : estimates) mean += e;
  mean /= r;
  double ss = 0.0;
  for (double e : estimates) ss += (e - mean) * (e - mean);
  const double se = std::sqrt(ss / (r - 1.0) / r);
  const double t = student_t_quantile(0.5 * (1.0 + confidence), r - 1.0);
  IndexEstimate out;
  out.estimate = mean;
  out.low = mean - t * se;
  out.high = mean + t * se;
  out.std_error = se;
  out.interval_contains_zero = out.low <= 0.0 && 0.0 <= out.high;
  return out;
}

namespace {

// One Morris trajectory: (d+1) x d points and the factor moved at each step.
struct Trajectory {
  std::vector<double> points;  // row-major, (d+1) rows
  std::vector<std::size_t> moved;
};

Trajectory make_trajectory(std::uint64_t seed, std::size_t t, std::size_t d, std::size_t p) {
  const std::size_t jump = p / 2;  // delta in grid steps
  const double step = 1.0 / static_cast<double>(p - 1);
  const auto pick = [](RandomStream& s, std::size_t k) {
    return std::min(static_cast<std::size_t>(s.uniform() * static_cast<double>(k)), k - 1);
  };
  RandomStream stream(seed, kMorrisStream, t);
  // Random direction per factor; the start level leaves room for the move:
  // up from {0 .. p/2 - 1}, down from {p/2 .. p - 1}. This is the
  // distribution of Morris's B* = (J x* + delta/2 ((2B - J) D* + J)) P*.
  std::vector<std::size_t> level(d);
  std::vector<bool> up(d);
  for (std::size_t i = 0; i < d; ++i) {
    up[i] = stream.uniform() < 0.5;
    level[i] = pick(stream, jump) + (up[i] ? 0 : jump);
  }
  // Random order of the factors (Fisher-Yates).
  std::vector<std::size_t> order(d);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = d; i > 1; --i) std::swap(order[i - 1], order[pick(stream, i)]);
  Trajectory tr;
  tr.points.resize((d + 1) * d);
  tr.moved = order;
  for (std::size_t i = 0; i < d; ++i) tr.points[i] = static_cast<double>(level[i]) * step;
  for (std::size_t k = 0; k < d; ++k) {
    const std::size_t i = order[k];
    level[i] = up[i] ? level[i] + jump : level[i] - jump;
    for (std::size_t c = 0; c < d; ++c) tr.points[(k + 1) * d + c] = static_cast<double>(level[c]) * step;
  }
  return tr;
}

// d_ml of Campolongo et al. (2007): all point-to-point Euclidean distances.
double trajectory_distance(std::span<const double> a, std::span<const double> b, std::size_t d) {
  double sum = 0.0;
  for (std::size_t i = 0; i <= d; ++i) {
    for (std::size_t j = 0; j <= d; ++j) {
      double sq = 0.0;
      for (std::size_t c = 0; c < d; ++c) {
        const double diff = a[i * d + c] - b[j * d + c];
        sq += diff * diff;
      }
      sum += std::sqrt(sq);
    }
  }
  return sum;
}

// Greedy maximisation of the spread: start from the most distant pair, then
// repeatedly add the candidate with the largest sum of squared distances to
// the ones chosen (ties: lowest index). Campolongo et al. enumerate all
// subsets, which is infeasible beyond toy sizes; greedy forward selection is
// the usual substitute (cf. Ruano et al. 2012).
std::vector<std::size_t> select_spread(const std::vector<Trajectory>& cands, std::size_t r, std::size_t d) {
  const std::size_t m = cands.size();
  std::vector<double> dist(m * m, 0.0);
  for (std::size_t a = 0; a < m; ++a)
    for (std::size_t b = a + 1; b < m; ++b)
      dist[a * m + b] = dist[b * m + a] = trajectory_distance(cands[a].points, cands[b].points, d);
  std::size_t best_a = 0, best_b = 1;
  for (std::size_t a = 0; a < m; ++a)
    for (std::size_t b = a + 1; b < m; ++b)
      if (dist[a * m + b] > dist[best_a * m + best_b]) {
        best_a = a;
        best_b = b;
      }
  std::vector<std::size_t> chosen = {best_a, best_b};
  std::vector<bool> taken(m, false);
  taken[best_a] = taken[best_b] = true;
  std::vector<double> score(m, 0.0);  // sum of squared distances to the chosen
  for (std::size_t c = 0; c < m; ++c)
    score[c] = dist[c * m + best_a] * dist[c * m + best_a] + dist[c * m + best_b] * dist[c * m + best_b];
  while (chosen.size() < r) {
    std::size_t next = m;
    for (std::size_t c = 0; c < m; ++c)
      if (!taken[c] && (next == m || score[c] > score[next])) next = c;
    chosen.push_back(next);
    taken[next] = true;
    for (std::size_t c = 0; c < m; ++c) score[c] += dist[c * m + next] * dist[c * m + next];
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace

MorrisDesign morris_design(std::size_t n_dims, const MorrisOptions& options) {
  const std::size_t p = options.n_levels;
  if (n_dims < 1) throw std::invalid_argument("morris_design: n_dims = 0. Violated constraint: n_dims >= 1");
  if (p < 2 || p % 2 != 0)
    throw std::invalid_argument("MorrisOptions::n_levels = " + std::to_string(p) +
                                ". Violated constraint: even and >= 2");
  if (options.n_trajectories < 2)
    throw std::invalid_argument("MorrisOptions::n_trajectories = " +
                                std::to_string(options.n_trajectories) +
                                ". Violated constraint: n_trajectories >= 2");
  if (options.n_candidates != 0 && options.n_candidates < options.n_trajectories)
    throw std::invalid_argument("MorrisOptions::n_candidates = " + std::to_string(options.n_candidates) +
                                ". Violated constraint: 0 or >= n_trajectories");
  const std::size_t d = n_dims;
  const std::size_t r = options.n_trajectories;
  const std::size_t n_cand = std::max(options.n_candidates, r);
  std::vector<Trajectory> cands;
  cands.reserve(n_cand);
  for (std::size_t t = 0; t < n_cand; ++t) cands.push_back(make_trajectory(options.seed, t, d, p));
  std::vector<std::size_t> chosen(r);
  std::iota(chosen.begin(), chosen.end(), std::size_t{0});
  if (n_cand > r) chosen = select_spread(cands, r, d);

  MorrisDesign m;
  m.n_dims = d;
  m.n_trajectories = r;
  m.n_levels = p;
  m.delta = static_cast<double>(p / 2) / static_cast<double>(p - 1);
  m.points = DesignMatrix(r * (d + 1), d);
  m.candidate = chosen;
  for (std::size_t t = 0; t < r; ++t) {
    const Trajectory& tr = cands[chosen[t]];
    for (std::size_t k = 0; k <= d; ++k)
      for (std::size_t c = 0; c < d; ++c) m.points(t * (d + 1) + k, c) = tr.points[k * d + c];
    m.moved_factor.insert(m.moved_factor.end(), tr.moved.begin(), tr.moved.end());
  }
  return m;
}

double morris_spread(const MorrisDesign& design) {
  const std::size_t d = design.n_dims;
  const std::size_t rows = d + 1;
  double sum = 0.0;
  for (std::size_t a = 0; a < design.n_trajectories; ++a) {
    for (std::size_t b = a + 1; b < design.n_trajectories; ++b) {
      const auto& v = design.points.values();
      const double dist = trajectory_distance(std::span(v).subspan(a * rows * d, rows * d),
                                              std::span(v).subspan(b * rows * d, rows * d), d);
      sum += dist * dist;
    }
  }
  return std::sqrt(sum);
}

std::vector<std::size_t> MorrisResult::ranking() const {
  std::vector<std::size_t> order(factors.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return factors[a].mu_star.estimate > factors[b].mu_star.estimate;
  });
  return order;
}

MorrisResult morris_effects(const MorrisDesign& design, std::span<const double> values,
                            const BootstrapOptions& bootstrap) {
  check_bootstrap(bootstrap);
  const std::size_t d = design.n_dims, r = design.n_trajectories;
  if (values.size() != design.points.rows())
    throw std::invalid_argument("morris_effects: " + std::to_string(values.size()) +
                                " values for a design of " + std::to_string(design.points.rows()) +
                                " points");
  check_finite(values, "morris_effects");
  // effects[t d + i]: elementary effect of factor i on trajectory t.
  std::vector<double> effects(r * d);
  for (std::size_t t = 0; t < r; ++t) {
    const std::size_t row0 = t * (d + 1);
    for (std::size_t k = 0; k < d; ++k) {
      const std::size_t i = design.moved_factor[t * d + k];
      const double dx = design.points(row0 + k + 1, i) - design.points(row0 + k, i);
      effects[t * d + i] = (values[row0 + k + 1] - values[row0 + k]) / dx;
    }
  }
  const auto mu_star_on = [&](std::span<const std::size_t> trajectories, std::size_t i) {
    double s = 0.0;
    for (std::size_t t : trajectories) s += std::fabs(effects[t * d + i]);
    return s / static_cast<double>(trajectories.size());
  };
  std::vector<std::size_t> all(r);
  std::iota(all.begin(), all.end(), std::size_t{0});
  std::vector<std::vector<double>> replicates(d, std::vector<double>(bootstrap.n_resamples));
  for_each_resample(bootstrap, r, [&](std::size_t b, const std::vector<std::size_t>& rows) {
    for (std::size_t i = 0; i < d; ++i) replicates[i][b] = mu_star_on(rows, i);
  });
  MorrisResult out;
  for (std::size_t i = 0; i < d; ++i) {
    MorrisFactor f;
    double sum = 0.0;
    for (std::size_t t = 0; t < r; ++t) sum += effects[t * d + i];
    f.mu = sum / static_cast<double>(r);
    double ss = 0.0;
    for (std::size_t t = 0; t < r; ++t) ss += (effects[t * d + i] - f.mu) * (effects[t * d + i] - f.mu);
    f.sigma = std::sqrt(ss / static_cast<double>(r - 1));
    f.mu_star = with_interval(mu_star_on(all, i), std::move(replicates[i]), bootstrap.confidence);
    out.factors.push_back(f);
  }
  return out;
}

}  // namespace banensim::engine
