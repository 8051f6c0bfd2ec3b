#include "engine/prim.hpp"

#include <algorithm>
#include <iterator>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace banensim::engine {
namespace {

// Rows to move in one peel or paste: alpha of the m rows inside, at least 1.
std::size_t slice_size(double alpha, std::size_t m) {
  const auto k = static_cast<std::size_t>(std::ceil(alpha * static_cast<double>(m) - 1e-9));
  return std::max<std::size_t>(k, 1);
}

double objective(PrimObjective kind, std::size_t ones_old, std::size_t n_old, std::size_t ones_new,
                 std::size_t n_new) {
  const double mean_old = static_cast<double>(ones_old) / static_cast<double>(n_old);
  const double mean_new = n_new > 0 ? static_cast<double>(ones_new) / static_cast<double>(n_new) : 0.0;
  if (kind == PrimObjective::kOriginal) return mean_new;
  const std::size_t moved = n_old > n_new ? n_old - n_new : n_new - n_old;
  return moved > 0 ? (mean_new - mean_old) / static_cast<double>(moved) : 0.0;
}

void check_options(const PrimOptions& o) {
  std::string problems;
  if (!(o.peel_alpha > 0.0 && o.peel_alpha < 0.5))
    problems += " PrimOptions::peel_alpha = " + std::to_string(o.peel_alpha) + " (need 0 < peel_alpha < 0.5).";
  if (!(o.paste_alpha > 0.0 && o.paste_alpha < 1.0))
    problems += " PrimOptions::paste_alpha = " + std::to_string(o.paste_alpha) + " (need 0 < paste_alpha < 1).";
  if (!(o.mass_min >= 0.0 && o.mass_min < 1.0))
    problems += " PrimOptions::mass_min = " + std::to_string(o.mass_min) + " (need 0 <= mass_min < 1).";
  if (!problems.empty()) throw std::invalid_argument("prim:" + problems);
}

class Search {
 public:
  Search(const DesignMatrix& x, const std::vector<bool>& y, std::vector<bool> eligible,
         const PrimOptions& o, PrimResult& r)
      : x_(x), y_(y), eligible_(std::move(eligible)), opt_(o), r_(r), low_(r.domain_low),
        high_(r.domain_high) {
    refilter();
    if (ones_ == 0) throw std::invalid_argument("prim: no case of interest left outside the earlier boxes");
    record(false);
  }

  // One peel; false when no admissible peel is left.
  bool peel() {
    const std::size_t m = inside_.size();
    if (ones_ == m || m <= 1) return false;
    const std::size_t k = slice_size(opt_.peel_alpha, m);
    const auto n_keep_min = static_cast<std::size_t>(std::ceil(opt_.mass_min * static_cast<double>(r_.n_rows) - 1e-9));
    bool found = false;
    double best = 0.0;
    std::size_t best_dim = 0;
    bool best_upper = false;
    double best_bound = 0.0;
    if (k >= m) return false;
    std::vector<std::pair<double, bool>> v(m);
    for (std::size_t j = 0; j < x_.cols(); ++j) {
      for (std::size_t t = 0; t < m; ++t) v[t] = {x_(inside_[t], j), y_[inside_[t]]};
      std::sort(v.begin(), v.end());
      for (bool upper : {false, true}) {
        // Lower: keep x >= v[k]; upper: keep x <= v[m-1-k]. Ties at the bound
        // stay inside, so fewer than k rows may go. If none would go (a
        // discrete input whose end value holds more than alpha of the rows),
        // peel that whole value instead: the bound moves to the next distinct
        // value, so integer and binary inputs can be peeled too.
        double bound = upper ? v[m - 1 - k].first : v[k].first;
        if (!upper && bound == v.front().first) {
          const auto next = std::upper_bound(v.begin(), v.end(), std::make_pair(bound, true));
          if (next == v.end()) continue;  // constant input
          bound = next->first;
        } else if (upper && bound == v.back().first) {
          const auto prev = std::lower_bound(v.begin(), v.end(), std::make_pair(bound, false));
          if (prev == v.begin()) continue;
          bound = std::prev(prev)->first;
        }
        std::size_t removed = 0, removed_ones = 0;
        for (const auto& [xv, yv] : v) {
          if (upper ? xv > bound : xv < bound) {
            ++removed;
            removed_ones += yv ? 1u : 0u;
          }
        }
        const std::size_t n_new = m - removed;
        if (removed == 0 || n_new < std::max<std::size_t>(n_keep_min, 1)) continue;
        const double obj = objective(opt_.objective, ones_, m, ones_ - removed_ones, n_new);
        if (!found || obj > best) {
          found = true;
          best = obj;
          best_dim = j;
          best_upper = upper;
          best_bound = bound;
        }
      }
    }
    if (!found) return false;
    (best_upper ? high_ : low_)[best_dim] = best_bound;
    refilter();
    record(false);
    return true;
  }

  // One paste; false when every candidate would lower the density.
  bool paste() {
    const std::size_t m = inside_.size();
    const std::size_t d = x_.cols();
    const std::size_t k = slice_size(opt_.paste_alpha, m);
    // Rows outside the box in exactly one input are the candidates for
    // widening that input.
    std::vector<std::vector<std::pair<double, bool>>> below(d), above(d);
    for (std::size_t i = 0; i < x_.rows(); ++i) {
      if (!eligible_[i]) continue;
      std::size_t n_out = 0, j_out = 0;
      for (std::size_t j = 0; j < d && n_out < 2; ++j) {
        if (x_(i, j) < low_[j] || x_(i, j) > high_[j]) {
          ++n_out;
          j_out = j;
        }
      }
      if (n_out != 1) continue;
      (x_(i, j_out) < low_[j_out] ? below : above)[j_out].emplace_back(x_(i, j_out), y_[i]);
    }
    bool found = false;
    double best = 0.0;
    std::size_t best_dim = 0, best_added = 0, best_added_ones = 0;
    bool best_upper = false;
    double best_bound = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      for (bool upper : {false, true}) {
        auto& c = upper ? above[j] : below[j];
        if (c.empty()) continue;
        // Nearest first; the k-th nearest value is the new bound.
        if (upper) std::sort(c.begin(), c.end());
        else std::sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        const double bound = c[std::min(k, c.size()) - 1].first;
        std::size_t added = 0, added_ones = 0;
        for (const auto& [xv, yv] : c) {
          if (upper ? xv <= bound : xv >= bound) {
            ++added;
            added_ones += yv ? 1u : 0u;
          }
        }
        const double obj = objective(opt_.objective, ones_, m, ones_ + added_ones, m + added);
        if (!found || obj > best) {
          found = true;
          best = obj;
          best_dim = j;
          best_upper = upper;
          best_bound = bound;
          best_added = added;
          best_added_ones = added_ones;
        }
      }
    }
    // Accept only if the density does not drop: (ones + a1) / (m + a) >= ones / m,
    // compared exactly in integers.
    if (!found || (ones_ + best_added_ones) * m < ones_ * (m + best_added)) return false;
    (best_upper ? high_ : low_)[best_dim] = best_bound;
    refilter();
    record(true);
    return true;
  }

 private:
  void refilter() {
    inside_.clear();
    ones_ = 0;
    for (std::size_t i = 0; i < x_.rows(); ++i) {
      bool in = eligible_[i];
      for (std::size_t j = 0; j < x_.cols() && in; ++j) in = low_[j] <= x_(i, j) && x_(i, j) <= high_[j];
      if (in) {
        inside_.push_back(i);
        ones_ += y_[i] ? 1u : 0u;
      }
    }
  }

  void record(bool pasted) {
    PrimBox b;
    b.low = low_;
    b.high = high_;
    b.restricted.resize(low_.size());
    for (std::size_t j = 0; j < low_.size(); ++j)
      b.restricted[j] = low_[j] > r_.domain_low[j] || high_[j] < r_.domain_high[j];
    b.n_inside = inside_.size();
    b.n_interest_inside = ones_;
    b.coverage = static_cast<double>(ones_) / static_cast<double>(r_.n_interest);
    b.density = inside_.empty() ? 0.0 : static_cast<double>(ones_) / static_cast<double>(inside_.size());
    b.mass = static_cast<double>(inside_.size()) / static_cast<double>(r_.n_rows);
    b.pasted = pasted;
    r_.trajectory.push_back(std::move(b));
  }

  const DesignMatrix& x_;
  const std::vector<bool>& y_;
  const std::vector<bool> eligible_;  // false for rows inside an earlier box
  const PrimOptions& opt_;
  PrimResult& r_;
  std::vector<double> low_, high_;
  std::vector<std::size_t> inside_;
  std::size_t ones_ = 0;
};

}  // namespace

std::size_t PrimBox::n_restricted() const noexcept {
  return static_cast<std::size_t>(std::count(restricted.begin(), restricted.end(), true));
}

bool PrimBox::contains(std::span<const double> x) const noexcept {
  for (std::size_t j = 0; j < x.size() && j < low.size(); ++j) {
    if (x[j] < low[j] || x[j] > high[j]) return false;
  }
  return true;
}

std::size_t PrimResult::last_with_density_at_least(double threshold) const {
  for (std::size_t i = trajectory.size(); i > 0; --i) {
    if (trajectory[i - 1].density >= threshold) return i - 1;
  }
  throw std::out_of_range("PRIM: no box on the trajectory has density >= " + std::to_string(threshold));
}

std::size_t PrimResult::max_coverage_with_density_at_least(double threshold) const {
  bool found = false;
  std::size_t best = 0;
  for (std::size_t i = 0; i < trajectory.size(); ++i) {
    if (trajectory[i].density >= threshold && (!found || trajectory[i].coverage > trajectory[best].coverage)) {
      found = true;
      best = i;
    }
  }
  if (!found)
    throw std::out_of_range("PRIM: no box on the trajectory has density >= " + std::to_string(threshold));
  return best;
}

PrimResult prim(const DesignMatrix& x, const std::vector<bool>& of_interest, const PrimOptions& options,
                const std::vector<PrimBox>& earlier_boxes) {
  check_options(options);
  if (x.rows() == 0 || x.cols() == 0)
    throw std::invalid_argument("prim: the experiment has no rows or no inputs");
  if (of_interest.size() != x.rows())
    throw std::invalid_argument("prim: " + std::to_string(of_interest.size()) + " outcome flags for " +
                                std::to_string(x.rows()) + " rows");
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j)))
        throw std::invalid_argument("prim: input " + std::to_string(j) + " of row " + std::to_string(i) +
                                    " is not finite");
    }
  }
  PrimResult r;
  r.n_rows = x.rows();
  r.n_interest = static_cast<std::size_t>(std::count(of_interest.begin(), of_interest.end(), true));
  if (r.n_interest == 0) throw std::invalid_argument("prim: no row is a case of interest");
  r.domain_low.assign(x.cols(), 0.0);
  r.domain_high.assign(x.cols(), 0.0);
  for (std::size_t j = 0; j < x.cols(); ++j) {
    r.domain_low[j] = r.domain_high[j] = x(0, j);
    for (std::size_t i = 1; i < x.rows(); ++i) {
      r.domain_low[j] = std::min(r.domain_low[j], x(i, j));
      r.domain_high[j] = std::max(r.domain_high[j], x(i, j));
    }
  }
  std::vector<bool> eligible(x.rows(), true);
  for (const PrimBox& box : earlier_boxes) {
    if (box.low.size() != x.cols() || box.high.size() != x.cols())
      throw std::invalid_argument("prim: an earlier box has the wrong number of inputs");
    for (std::size_t i = 0; i < x.rows(); ++i)
      if (box.contains(x.row(i))) eligible[i] = false;
  }
  Search search(x, of_interest, std::move(eligible), options, r);
  while (search.peel()) {
  }
  if (options.paste) {
    while (search.paste()) {
    }
  }
  return r;
}

double binomial_upper_tail(std::size_t k, std::size_t n, double p) {
  if (k == 0) return 1.0;
  if (k > n || !(p > 0.0)) return 0.0;
  if (!(p < 1.0)) return 1.0;
  const double log_p = std::log(p), log_q = std::log1p(-p);
  const double log_n_fact = std::lgamma(static_cast<double>(n) + 1.0);
  const auto log_pmf = [&](std::size_t i) {
    const auto di = static_cast<double>(i), dn = static_cast<double>(n);
    return log_n_fact - std::lgamma(di + 1.0) - std::lgamma(dn - di + 1.0) + di * log_p + (dn - di) * log_q;
  };
  // The largest term is at the mode, or at k when the mode lies below it.
  const auto mode = static_cast<std::size_t>(std::floor((static_cast<double>(n) + 1.0) * p));
  const double top = log_pmf(std::max(k, std::min(mode, n)));
  double sum = 0.0;
  for (std::size_t i = k; i <= n; ++i) sum += std::exp(log_pmf(i) - top);
  return std::min(1.0, std::exp(top) * sum);
}

QuasiP quasi_p_values(const DesignMatrix& x, const std::vector<bool>& of_interest, const PrimResult& result,
                      const PrimBox& box, const std::vector<PrimBox>& earlier_boxes) {
  const std::size_t d = x.cols();
  if (box.low.size() != d || of_interest.size() != x.rows())
    throw std::invalid_argument("quasi_p_values: sizes do not match the experiment");
  std::vector<bool> eligible(x.rows(), true);
  for (const PrimBox& earlier : earlier_boxes)
    for (std::size_t i = 0; i < x.rows(); ++i)
      if (earlier.contains(x.row(i))) eligible[i] = false;
  QuasiP q;
  q.low.assign(d, std::nan(""));
  q.high.assign(d, std::nan(""));
  for (std::size_t j = 0; j < d; ++j) {
    for (const bool upper : {false, true}) {
      const double bound = upper ? box.high[j] : box.low[j];
      const double end = upper ? result.domain_high[j] : result.domain_low[j];
      if (bound == end) continue;
      PrimBox released = box;
      (upper ? released.high : released.low)[j] = end;
      std::size_t n_in = 0, n_hit = 0;
      for (std::size_t i = 0; i < x.rows(); ++i) {
        if (!eligible[i] || !released.contains(x.row(i))) continue;
        ++n_in;
        n_hit += of_interest[i] ? 1u : 0u;
      }
      const double p = n_in > 0 ? static_cast<double>(n_hit) / static_cast<double>(n_in) : 0.0;
      (upper ? q.high : q.low)[j] = binomial_upper_tail(box.n_interest_inside, box.n_inside, p);
    }
  }
  return q;
}

PrimBox measure_box(const DesignMatrix& x, const std::vector<bool>& of_interest, const PrimResult& result,
                    std::vector<double> low, std::vector<double> high) {
  if (low.size() != x.cols() || high.size() != x.cols() || of_interest.size() != x.rows())
    throw std::invalid_argument("measure_box: sizes do not match the experiment");
  PrimBox b;
  b.low = std::move(low);
  b.high = std::move(high);
  b.restricted.resize(x.cols());
  for (std::size_t j = 0; j < x.cols(); ++j)
    b.restricted[j] = b.low[j] > result.domain_low[j] || b.high[j] < result.domain_high[j];
  std::size_t n_interest = 0;
  for (std::size_t i = 0; i < x.rows(); ++i) {
    n_interest += of_interest[i] ? 1u : 0u;
    if (b.contains(x.row(i))) {
      ++b.n_inside;
      b.n_interest_inside += of_interest[i] ? 1u : 0u;
    }
  }
  b.coverage = n_interest > 0 ? static_cast<double>(b.n_interest_inside) / static_cast<double>(n_interest) : 0.0;
  b.density = b.n_inside > 0 ? static_cast<double>(b.n_interest_inside) / static_cast<double>(b.n_inside) : 0.0;
  b.mass = static_cast<double>(b.n_inside) / static_cast<double>(x.rows());
  return b;
}

}  // namespace banensim::engine
