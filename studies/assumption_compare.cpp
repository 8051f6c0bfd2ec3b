#include "studies/assumption_compare.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include <boost/math/distributions/normal.hpp>
#include <tbb/parallel_for.h>

#include "engine/random_stream.hpp"
#include "engine/run_summary.hpp"
#include "engine/text_format.hpp"
#include "studies/design.hpp"
#include "studies/provenance.hpp"
#include "studies/study_file.hpp"

namespace banensim::studies {

namespace {

std::string col(std::size_t k, const std::string& what) { return "s" + std::to_string(k) + "_" + what; }

// The factors every option uses: the declared plausible ranges, in
// declaration order, each kept when some option can vary it and none
// refuses it; with notes on the rest.
FactorSet union_factors(const std::vector<Scenario>& options) {
  std::vector<FactorSet> per_option;
  for (const auto& o : options) per_option.push_back(default_factors(o));
  FactorSet u;
  std::set<std::string> seen_notes;
  for (const models::ParamSpec* spec : models::uncertain_parameters(models::banenafspraak_schema())) {
    const Factor* found = nullptr;
    std::string refused;
    for (const FactorSet& fs : per_option) {
      for (const Factor& f : fs.factors) {
        if (f.key == spec->key && found == nullptr) found = &f;
      }
      for (const std::string& n : fs.notes) {
        if (n.rfind(spec->key + ": left out, it cannot be varied", 0) == 0 && refused.empty()) refused = n;
      }
    }
    if (found != nullptr && refused.empty()) {
      u.factors.push_back(*found);
    } else {
      const std::string note =
          !refused.empty() ? refused
                           : spec->key + ": left out, a parameter of a lever that no compared option switches on: it "
                                         "cannot change any output";
      if (seen_notes.insert(note).second) u.notes.push_back(note);
    }
  }
  return u;
}

std::string percent(double share) { return engine::fmt_percent(share); }

// A bound in a rule's words: 10,790 or 0.0412 (3 significant digits below 1,000).
std::string bound_words(double x) { return std::abs(x) >= 1000 ? engine::fmt_int(x) : engine::significant(x, 3); }

// A signed figure; a non-zero one that would print as zero keeps two
// significant digits (-0.00017, not "-0.000").
std::string signed_text(double x, int decimals) { return (x > 0 ? "+" : "") + engine::fmt_estimate(x, decimals); }

// The point of a whole-number scalar's cumulative counts at `value`
// (engine::cumulative_by_value, engine::cumulative_difference).
template <typename Point>
const Point& at_value(const std::vector<Point>& points, double value) {
  for (const Point& p : points) {
    if (p.value == value) return p;
  }
  throw std::logic_error("no cumulative count at " + engine::fmt(value, 0));
}

}  // namespace

SignRule sign_rule(const engine::DesignMatrix& x, const std::vector<Factor>& factors, const std::vector<bool>& beats,
                   const std::vector<bool>& loses, double min_density) {
  SignRule rule;
  const std::size_t n = beats.size();
  const auto count = [](const std::vector<bool>& v) { return static_cast<std::size_t>(std::count(v.begin(), v.end(), true)); };
  const std::size_t n_beats = count(beats), n_loses = count(loses);
  const std::vector<bool>* interest = nullptr;
  if (n_beats > 0 && n_beats < n) {
    interest = &beats;
  } else if (n_beats == 0 && n_loses > 0 && n_loses < n) {
    interest = &loses;
    rule.helps = false;
  }
  if (interest == nullptr) {
    rule.text = n_beats == n   ? "it beats the reference in every assumption set: no assumption decides the sign"
                : n_loses == n ? "it loses in every assumption set: no assumption decides the sign"
                : n_beats + n_loses == 0
                    ? "it never differs from the reference by more than its Monte Carlo noise: there is no sign to decide"
                    : "it loses in some assumption sets and ties in the rest; it never beats the reference";
    return rule;
  }
  rule.n_interest = count(*interest);
  // The box that states the rule: among those with density >= min_density,
  // the one with the largest coverage x density (ties: the earlier, larger
  // box) -- the region that holds the most of the sets where the option
  // wins while holding the fewest where it does not, i.e. where the sign
  // flips. (discover's pick, the largest coverage at the density floor,
  // would reach past the flip until a fifth of the box were other sets.)
  // When no box is that dense, the densest, and the output says so.
  const auto pick = [&](const engine::PrimResult& search, bool& qualifies) {
    std::size_t index = 0;
    double best = -1;
    for (std::size_t i = 0; i < search.trajectory.size(); ++i) {
      const engine::PrimBox& b = search.trajectory[i];
      if (b.density >= min_density && b.coverage * b.density > best) {
        best = b.coverage * b.density;
        index = i;
      }
    }
    qualifies = best >= 0;
    if (!qualifies) {
      for (std::size_t i = 0; i < search.trajectory.size(); ++i) {
        if (search.trajectory[i].density > search.trajectory[index].density) index = i;
      }
    }
    return index;
  };
  const engine::PrimResult search = engine::prim(x, *interest);
  const std::size_t index = pick(search, rule.qualifies);
  const engine::PrimBox& box = search.trajectory[index];
  // Could a box this good arise by chance? PRIM always boxes a few points
  // well, so the same search runs on the labels shuffled among the sets
  // (kSignRulePermutations times, a fixed random stream: the same answer
  // every run), and p = (1 + shuffles whose picked box scores at least as
  // high in coverage x density) / (1 + shuffles).
  {
    const double score = box.coverage * box.density;
    engine::RandomStream rng(0, engine::stream_id("studies.sign_rule.permutation"), 0);
    // The shuffles in order from the one stream (each from the one before),
    // then the searches in parallel (tbb, the caller's task arena): the
    // count of as good boxes does not depend on the order they finish in.
    std::vector<std::vector<bool>> shuffles(kSignRulePermutations);
    std::vector<bool> shuffled = *interest;
    for (std::vector<bool>& labels : shuffles) {
      for (std::size_t i = n - 1; i > 0; --i) {  // Fisher-Yates
        const auto j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(i + 1));
        const bool t = shuffled[i];
        shuffled[i] = shuffled[std::min(j, i)];
        shuffled[std::min(j, i)] = t;
      }
      labels = shuffled;
    }
    std::vector<unsigned char> at_least_as_good(kSignRulePermutations, 0);
    tbb::parallel_for(std::size_t{0}, kSignRulePermutations, [&](std::size_t k) {
      const engine::PrimResult null_search = engine::prim(x, shuffles[k]);
      bool q = false;
      const engine::PrimBox& b = null_search.trajectory[pick(null_search, q)];
      at_least_as_good[k] = b.coverage * b.density >= score ? 1 : 0;
    });
    const auto as_good =
        static_cast<std::size_t>(std::count(at_least_as_good.begin(), at_least_as_good.end(), 1));
    rule.permutation_p = static_cast<double>(1 + as_good) / static_cast<double>(1 + kSignRulePermutations);
  }
  const engine::QuasiP qp = engine::quasi_p_values(x, *interest, search, box);
  rule.found = true;
  rule.coverage = box.coverage;
  rule.density = box.density;
  rule.mass = box.mass;
  rule.n_inside = box.n_inside;
  rule.n_interest_inside = box.n_interest_inside;
  for (std::size_t j = 0; j < factors.size(); ++j) {
    if (!box.restricted[j]) continue;
    ++rule.n_restrictions;
    const Factor& f = factors[j];
    const bool cut_low = box.low[j] > search.domain_low[j], cut_high = box.high[j] < search.domain_high[j];
    const double lo = cut_low ? box.low[j] : f.support_low();
    const double hi = cut_high ? box.high[j] : f.support_high();
    const double span = f.support_high() - f.support_low();
    const double kept = span > 0 ? (hi - lo) / span : 1.0;
    if (kept >= 0.9) continue;  // a minor trim: peeling a finite sample always nibbles at the edges
    SignRule::Condition c;
    c.key = f.key;
    c.factor = j;
    if (cut_low) c.low = lo;
    if (cut_high) c.high = hi;
    c.kept = kept;
    c.quasi_p_low = qp.low[j];
    c.quasi_p_high = qp.high[j];
    rule.conditions.push_back(c);
  }
  // In words: the restrictions that matter, most restrictive first -- those
  // whose quasi-p-value (either side) is <= 0.05 (the box concentrates the
  // cases beyond chance there); when the box is not beyond chance (its
  // permutation p > 0.05, or no such restriction), the most restrictive one
  // too, and the text says "for inspection only". The JSON has every
  // restriction, with its quasi-p-values.
  std::stable_sort(rule.conditions.begin(), rule.conditions.end(),
                   [](const SignRule::Condition& a, const SignRule::Condition& b) { return a.kept < b.kept; });
  const auto significant = [](const SignRule::Condition& c) {
    return (std::isfinite(c.quasi_p_low) && c.quasi_p_low <= 0.05) ||
           (std::isfinite(c.quasi_p_high) && c.quasi_p_high <= 0.05);
  };
  for (auto& c : rule.conditions) c.in_words = significant(c);
  const bool beyond_chance =
      rule.permutation_p <= 0.05 &&
      std::any_of(rule.conditions.begin(), rule.conditions.end(), [](const auto& c) { return c.in_words; });
  if (!rule.conditions.empty() && !beyond_chance) rule.conditions.front().in_words = true;
  // The rule as stated, counted over the sets (inside: low <= x <= high, as PRIM's box).
  rule.stated = std::any_of(rule.conditions.begin(), rule.conditions.end(), [](const auto& c) { return c.in_words; });
  for (std::size_t i = 0; rule.stated && i < n; ++i) {
    const bool inside = std::all_of(rule.conditions.begin(), rule.conditions.end(), [&](const auto& c) {
      const double v = x(i, c.factor);
      return !c.in_words || ((!c.low || v >= *c.low) && (!c.high || v <= *c.high));
    });
    if (!inside) continue;
    ++rule.n_stated_inside;
    if ((*interest)[i]) ++rule.n_stated_interest_inside;
  }
  if (rule.stated) {
    rule.stated_coverage = static_cast<double>(rule.n_stated_interest_inside) / static_cast<double>(rule.n_interest);
    rule.stated_density = static_cast<double>(rule.n_stated_interest_inside) / static_cast<double>(rule.n_stated_inside);
  }
  std::string words;
  for (const auto& c : rule.conditions) {
    if (!c.in_words) continue;
    words += words.empty() ? "" : " and ";
    if (c.low && c.high) {
      words += c.key + " in [" + bound_words(*c.low) + ", " + bound_words(*c.high) + "]";
    } else if (c.low) {
      words += c.key + " >= " + bound_words(*c.low);
    } else {
      words += c.key + " <= " + bound_words(*c.high);
    }
  }
  const std::string verb = rule.helps ? "beats" : "loses";
  if (words.empty()) {
    rule.text = "no assumption marks off where it " + verb + " (no box keeps less than 90% of a factor's range)";
  } else if (!beyond_chance) {
    // With few such sets a box always fits them; unless a cut is unlikely
    // by chance (quasi-p <= 0.05) it is no rule, only where to look.
    rule.text = "no assumption marks off where it " + verb + " beyond chance (" + std::to_string(rule.n_interest) +
                " such set" + (rule.n_interest == 1 ? "" : "s") + "; " +
                (rule.permutation_p > 0.05
                     ? "as good a box arises with the sets shuffled, p = " + engine::fmt(rule.permutation_p, 2)
                     : std::string("no cut's quasi-p-value is <= 0.05")) +
                "); PRIM's box, for inspection only: " + words;
  } else {
    // "when" only if the sentence's own region is as dense as a box must be;
    // else its wins (losses) lie mostly there, and the figures say how mostly.
    rule.text = std::string(rule.helps ? "it beats the reference" : "it loses") +
                (rule.stated_density >= min_density ? " when " : " mostly when ") + words;
  }
  return rule;
}


double sample_quantile(std::vector<double> x, double p) {
  if (x.empty()) return std::nan("");
  std::sort(x.begin(), x.end());
  const double h = (static_cast<double>(x.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

std::string AssumptionStudy::reach_label() const {
  return "P(reach) in " + std::to_string(options[0].model.target_year());
}

std::string AssumptionStudy::by_year_label() const { return "P(reached by " + std::to_string(by_year) + ")"; }

PointSet AssumptionStudy::points() const {
  return factor_design_points(factors, unit, "assumption set", "assumption sets", "set");
}

std::vector<engine::JournalColumn> AssumptionStudy::output_columns() const {
  using Kind = engine::JournalColumn::Kind;
  std::vector<engine::JournalColumn> c;
  for (std::size_t k = 0; k < options.size(); ++k) {
    for (const char* w : {"p_reach", "p_reach_ci_low", "p_reach_ci_high"}) c.push_back({col(k, w), Kind::kNumber});
    if (k > 0) {
      for (const char* w : {"diff", "diff_ci_low", "diff_ci_high"}) c.push_back({col(k, w), Kind::kNumber});
    }
    for (const char* w : {"p_by", "p_by_ci_low", "p_by_ci_high"}) c.push_back({col(k, w), Kind::kNumber});
    if (k > 0) {
      for (const char* w : {"diff_by", "diff_by_ci_low", "diff_by_ci_high"}) c.push_back({col(k, w), Kind::kNumber});
    }
  }
  return c;
}

std::string AssumptionStudy::provenance() const {
  std::ostringstream os;
  // The identity of the computation: a resume compares it byte for byte.
  os << "# banensim compare --assumptions; options " << options.size() << "; design " << design << "; rows "
     << unit.rows() << "; seed " << run.seed << "; paths " << run.paths << "; block_size " << run.block_size
     << "; program " << program_text() << "\n"
     << data_lines(options[0].resolved) << inputs.data_lines;
  for (std::size_t k = 0; k < options.size(); ++k) {
    // No path: a file's spelling is not part of the computation (its content is,
    // in the hash), so a resume may name the scenario by any path, as a sweep's.
    os << "# option s" << k << " " << options[k].name << " resolved_hash " << options[k].resolved.hash();
    for (const auto& [key, value] : own[k]) os << " " << key << "=" << value;
    os << "\n";
  }
  for (const Factor& f : factors) os << "# factor " << f.describe() << "\n";
  return os.str();
}

AssumptionStudy plan_assumption_compare(const AssumptionRequest& request) {
  AssumptionStudy s;
  s.options = load_run_scenarios(request.run);
  if (s.options.size() < 2) throw StudyError("compare needs at least two options (the first is the reference)");
  s.own = own_overrides(request.run);
  std::optional<StudyFile> study;
  if (request.study_file) study = read_study_file(*request.study_file);
  s.study_file = request.study_file;
  if (study && !study->factors.empty()) {
    s.factors = study->factors;
  } else {
    FactorSet u = union_factors(s.options);
    s.factors = std::move(u.factors);
    s.notes = std::move(u.notes);
  }
  if (s.factors.empty()) throw StudyError("compare --assumptions: no uncertain parameter can be varied on these options");
  for (std::size_t k = 0; k < s.options.size(); ++k) {
    for (const auto& [key, value] : s.own[k]) {
      for (const Factor& f : s.factors) {
        if (f.key == key) {
          s.notes.push_back(key + ": fixed at " + value + " in option " + s.options[k].name +
                            " (its own setting wins over the assumption set's)");
        }
      }
    }
  }
  s.run.paths = request.run.paths.value_or(study && study->paths ? *study->paths : kDefaultAssumptionPaths);
  s.run.seed = request.seed.value_or(study && study->seed ? *study->seed : request.run.seed);
  s.run.block_size = request.run.block_size;
  s.sets = request.sets;
  if (s.sets < 2) throw StudyError("--assumptions " + std::to_string(s.sets) + ": must be at least 2");
  if (s.sets > kMaxAssumptionSets) {
    throw StudyError("--assumptions " + std::to_string(s.sets) + ": at most " + std::to_string(kMaxAssumptionSets));
  }
  s.min_density = request.min_density;
  const Sampling sampling = request.design.value_or(study && study->design ? *study->design : Sampling::kSobol);
  SampledUnit sampled = sample_unit(sampling, s.sets, s.factors.size(), s.run.seed);
  s.unit = std::move(sampled.unit);
  s.design = std::move(sampled.design);
  s.inputs = check_paired_points(s.options, s.own, s.points());
  const auto& m0 = s.options[0].model;
  s.by_year = std::min(m0.target_year() + 4, m0.horizon_year());
  return s;
}

AssumptionResult run_assumption_compare(const AssumptionStudy& s, const std::optional<std::string>& rows_file,
                                        bool resume, ExecutionContext& ctx, const std::vector<std::string>& companions) {
  AssumptionResult r;
  // Today's compare at the scenarios' own values: the Monte Carlo-only answer beside the range.
  RunRequest central;
  central.paths = s.run.paths;
  central.seed = s.run.seed;
  central.block_size = s.run.block_size;
  r.central = run_scenarios(s.options, central, ctx);
  if (ctx.is_root() && r.central.result.cancelled) return r;  // r.run.completed is false
  if (ctx.cancelled()) return r;

  std::optional<ResultFile> file;
  if (rows_file) file = ResultFile{*rows_file, s.provenance(), resume, companions, {}};
  const std::size_t n_options = s.options.size();
  const double by_year = s.by_year;
  const PairedCells cells = [n_options, by_year](const engine::PairedTally& t, const engine::OutputLayout& layout) {
    const std::size_t i_reach = layout.indicator_index("reach_target");
    const std::size_t i_first = layout.scalar_index("first_year_reached");
    std::vector<std::string> c;
    const auto probability = [&c](const engine::Proportion& p) {
      const engine::Interval ci = p.wilson();
      c.insert(c.end(), {engine::decimal(p.estimate()), engine::decimal(ci.low), engine::decimal(ci.high)});
    };
    const auto difference = [&c](const engine::RunningStats& d) {
      const engine::Interval di = engine::mean_interval(d);
      c.insert(c.end(), {engine::decimal(d.mean()), engine::decimal(di.low), engine::decimal(di.high)});
    };
    for (std::size_t k = 0; k < n_options; ++k) {
      const engine::Tally& v = t.variant(k);
      probability(v.indicator(i_reach));
      if (k > 0) difference(t.indicator_pair(k, i_reach).difference);
      probability(at_value(engine::cumulative_by_value(v.scalar(i_first).histogram, v.n_paths()), by_year).up_to_value);
      if (k > 0) difference(at_value(engine::cumulative_difference(t, k, i_first, layout), by_year).difference);
    }
    return c;
  };
  const auto started = std::chrono::steady_clock::now();
  r.run = run_paired_points(s.options, s.own, s.points(), s.output_columns(), cells, s.run, file, ctx);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!r.run.completed || !r.run.root) return r;

  // The analysis reads the rows as written (shortest round-trip text), so a
  // resumed comparison reports exactly the numbers of an uninterrupted one.
  const PointTable& t = r.run.table;
  const std::size_t n = t.rows.size(), d = s.factors.size();
  r.values = engine::DesignMatrix(n, d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) r.values(i, j) = s.factors[j].number(t.rows[i][1 + j]);
  }
  // One figure of option k over the sets, from its columns `value` and
  // (k > 0) `diff` with its interval.
  const auto judge = [&](std::size_t k, const std::string& value, const std::string& diff) {
    Judgement j;
    j.value = t.numbers(col(k, value));
    j.median = sample_quantile(j.value, 0.5);
    j.low = sample_quantile(j.value, 0.05);
    j.high = sample_quantile(j.value, 0.95);
    if (k == 0) return j;
    j.difference = t.numbers(col(k, diff));
    const std::vector<double> lo = t.numbers(col(k, diff + "_ci_low")), hi = t.numbers(col(k, diff + "_ci_high"));
    std::vector<bool> beats(n), loses(n);
    for (std::size_t i = 0; i < n; ++i) {
      beats[i] = lo[i] > 0;
      loses[i] = hi[i] < 0;
      j.beats += beats[i] ? 1U : 0U;
      j.loses += loses[i] ? 1U : 0U;
    }
    j.ties = n - j.beats - j.loses;
    j.diff_median = sample_quantile(j.difference, 0.5);
    j.diff_low = sample_quantile(j.difference, 0.05);
    j.diff_high = sample_quantile(j.difference, 0.95);
    j.diff_min = *std::min_element(j.difference.begin(), j.difference.end());
    j.diff_max = *std::max_element(j.difference.begin(), j.difference.end());
    j.rule = sign_rule(r.values, s.factors, beats, loses, s.min_density);
    j.drivers = engine::partial_rank_correlations(r.values, j.difference);
    return j;
  };
  for (std::size_t k = 0; k < n_options; ++k) {
    OptionSummary o;
    o.name = s.options[k].name;
    o.reach = judge(k, "p_reach", "diff");
    o.by_year = judge(k, "p_by", "diff_by");
    // Alike at every set because its levers act after the target year: say
    // so, and where what they change is judged.
    const auto& option = s.options[k].model;
    if (k > 0 && o.reach.diff_min == 0.0 && o.reach.diff_max == 0.0) {
      const auto& reference = s.options[0].model.params();
      if (const auto levers = levers_acting_after(reference, option.params(), option.target_year())) {
        const int year = option.target_year();
        o.reach.rule.text += "; its levers act only after the end-" + std::to_string(year) + " measurement (" +
                             *levers + "), so they cannot change P(reach) in " + std::to_string(year) +
                             ": what they change is judged on " + s.by_year_label() + " over the same sets";
      }
    }
    r.options.push_back(std::move(o));
  }
  // Regret of each figure: behind the best option at each set, with its
  // Monte Carlo interval from the set's row.
  const auto regret = [&](Judgement OptionSummary::*figure, std::size_t& minimax, const std::string& value,
                          const std::string& diff) {
    std::vector<std::vector<SetFigure>> at(n, std::vector<SetFigure>(n_options));
    for (std::size_t k = 0; k < n_options; ++k) {
      const std::vector<double> v = t.numbers(col(k, value)), lo = t.numbers(col(k, value + "_ci_low")),
                                hi = t.numbers(col(k, value + "_ci_high"));
      for (std::size_t i = 0; i < n; ++i) at[i][k] = SetFigure{v[i], lo[i], hi[i], 0, 0, 0};
      if (k == 0) continue;
      const std::vector<double> dv = t.numbers(col(k, diff)), dlo = t.numbers(col(k, diff + "_ci_low")),
                                dhi = t.numbers(col(k, diff + "_ci_high"));
      for (std::size_t i = 0; i < n; ++i) {
        at[i][k].diff = dv[i];
        at[i][k].diff_low = dlo[i];
        at[i][k].diff_high = dhi[i];
      }
    }
    for (std::size_t k = 0; k < n_options; ++k) {
      Judgement& j = r.options[k].*figure;
      const WorstRegret w = worst_regret(at, k, s.run.paths);
      j.worst_regret = w.regret;
      j.worst_regret_set = w.set;
      j.worst_regret_low = w.low;
      j.worst_regret_high = w.high;
      if (j.worst_regret < (r.options[minimax].*figure).worst_regret) minimax = k;
    }
  };
  regret(&OptionSummary::reach, r.minimax_regret, "p_reach", "diff");
  regret(&OptionSummary::by_year, r.minimax_regret_by_year, "p_by", "diff_by");
  return r;
}

engine::Interval regret_interval(const std::vector<SetFigure>& at_set, std::size_t k, double widen) {
  const SetFigure& own = at_set.at(k);
  // Half-widths: of the paired difference (symmetric), and the larger side of the Wilson interval.
  const auto diff_half = [](const SetFigure& f) { return 0.5 * (f.diff_high - f.diff_low); };
  const auto value_half = [](const SetFigure& f) { return std::max(f.value - f.low, f.high - f.value); };
  engine::Interval regret{0, 0};
  for (std::size_t j = 0; j < at_set.size(); ++j) {
    if (j == k) continue;
    const SetFigure& other = at_set[j];
    engine::Interval d{};
    if (widen == 1.0 && k == 0) {
      d = {other.diff_low, other.diff_high};  // the row's own interval, as written
    } else if (widen == 1.0 && j == 0) {
      d = {-own.diff_high, -own.diff_low};
    } else if (k == 0 || j == 0) {
      const double e = k == 0 ? other.diff : -own.diff;
      const double h = widen * diff_half(k == 0 ? other : own);
      d = {e - h, e + h};
    } else {
      const double e = other.value - own.value;
      const double h = widen * std::min(diff_half(other) + diff_half(own), value_half(other) + value_half(own));
      d = {e - h, e + h};
    }
    regret.low = std::max(regret.low, d.low);
    regret.high = std::max(regret.high, d.high);
  }
  return regret;
}

WorstRegret worst_regret(const std::vector<std::vector<SetFigure>>& at, std::size_t k, std::uint64_t paths) {
  WorstRegret w;
  const double n_paths = static_cast<double>(paths);
  // The lower ends' intervals widened for the number of sets (Bonferroni):
  // z(1 - 0.025 / N) / z(0.975).
  const double sets = static_cast<double>(at.size());
  const double widen = at.size() <= 1 ? 1.0
                                      : boost::math::quantile(boost::math::normal(), 1 - 0.025 / sets) /
                                            boost::math::quantile(boost::math::normal(), 0.975);
  for (std::size_t i = 0; i < at.size(); ++i) {
    double best = -std::numeric_limits<double>::infinity();
    for (const SetFigure& f : at[i]) best = std::max(best, f.value);
    // A share of `paths` paths: the regret is a whole number of paths, so
    // equal regrets compare equal whatever the rounding of the two figures.
    const double regret = std::round((best - at[i].at(k).value) * n_paths) / n_paths;
    if (regret > w.regret) {
      w.regret = regret;
      w.set = i;
    }
    w.low = std::max(w.low, regret_interval(at[i], k, widen).low);
    w.high = std::max(w.high, regret_interval(at[i], k).high);
  }
  return w;
}

std::vector<std::size_t> minimax_options(const AssumptionResult& r, bool by_year) {
  std::vector<std::size_t> tied;
  if (r.options.empty()) return tied;
  const auto figure = [by_year](const OptionSummary& o) -> const Judgement& { return by_year ? o.by_year : o.reach; };
  const double least = figure(r.options[by_year ? r.minimax_regret_by_year : r.minimax_regret]).worst_regret;
  for (std::size_t k = 0; k < r.options.size(); ++k) {
    if (figure(r.options[k]).worst_regret == least) tied.push_back(k);
  }
  return tied;
}

std::vector<std::size_t> minimax_near(const AssumptionResult& r, bool by_year) {
  std::vector<std::size_t> near;
  if (r.options.empty()) return near;
  const auto figure = [by_year](const OptionSummary& o) -> const Judgement& { return by_year ? o.by_year : o.reach; };
  const std::vector<std::size_t> tied = minimax_options(r, by_year);
  const Judgement& least = figure(r.options[tied.front()]);
  for (std::size_t k = 0; k < r.options.size(); ++k) {
    if (std::find(tied.begin(), tied.end(), k) != tied.end()) continue;
    if (figure(r.options[k]).worst_regret_low <= least.worst_regret_high) near.push_back(k);
  }
  return near;
}

std::string minimax_names(const AssumptionResult& r, bool by_year) {
  std::vector<std::string> names;
  for (const std::size_t k : minimax_options(r, by_year)) names.push_back(r.options[k].name);
  return engine::join_names(names);
}

std::vector<std::size_t> named_drivers(const Judgement& j) {
  std::vector<std::size_t> named;
  const double level = 0.05 / static_cast<double>(std::max<std::size_t>(1, j.drivers.size()));
  for (std::size_t f = 0; f < j.drivers.size(); ++f) {
    if (j.drivers[f].p_value <= level) named.push_back(f);  // NaN p-values are never <= level
  }
  std::stable_sort(named.begin(), named.end(), [&j](std::size_t a, std::size_t b) {
    return std::abs(j.drivers[a].prcc) > std::abs(j.drivers[b].prcc);
  });
  if (named.size() > 3) named.resize(3);
  return named;
}

// The figures behind a sign rule, for the sentence: the rule's own coverage
// and density over the sets, and, when the sentence leaves out some of the
// box's restrictions, the box's too (a reader must not take the box's
// density for the stated rule's).
std::string rule_figures(const SignRule& r, double min_density) {
  const std::string box_note =
      r.qualifies ? "" : "; no box reaches density " + engine::fmt(min_density, 2) + ", the densest is shown";
  const std::string box = "coverage " + engine::fmt(r.coverage, 2) + ", density " + engine::fmt(r.density, 2);
  if (!r.stated || (r.n_stated_inside == r.n_inside && r.n_stated_interest_inside == r.n_interest_inside)) {
    return box + box_note;
  }
  const std::string verb = r.helps ? "beats" : "loses";
  return "where this holds: " + std::to_string(r.n_stated_inside) + " sets, it " + verb + " in " +
         std::to_string(r.n_stated_interest_inside) + ": coverage " + engine::fmt(r.stated_coverage, 2) +
         ", density " + engine::fmt(r.stated_density, 2) + "; PRIM's whole box (" +
         std::to_string(r.n_restrictions) + " restriction" + (r.n_restrictions == 1 ? "" : "s") + "): " +
         box + box_note;
}

std::string rule_sentence(const AssumptionStudy& s, const OptionSummary& o, const Judgement& j,
                          const std::string& what) {
  const double n = static_cast<double>(j.value.size());
  std::ostringstream os;
  os << "On " << what << ", " << o.name << " beats " << s.options[0].name << " by more than its Monte Carlo noise in "
     << percent(static_cast<double>(j.beats) / n) << " of the " << j.value.size()
     << " plausible assumption sets, ties in " << percent(static_cast<double>(j.ties) / n) << " and loses in "
     << percent(static_cast<double>(j.loses) / n) << "; median difference " << signed_text(j.diff_median, 3)
     << " (range over plausible assumptions, 5-95%: " << signed_text(j.diff_low, 3) << " to "
     << signed_text(j.diff_high, 3) << "); " << j.rule.text;
  if (j.rule.found) os << " (" << rule_figures(j.rule, s.min_density) << ")";
  // What sizes it, when it varies at all.
  const std::size_t n_sets = j.value.size(), n_factors = j.drivers.size();
  if (!j.difference.empty() && j.diff_min < j.diff_max && n_sets < n_factors + 3) {
    os << "; too few sets to say what sizes the difference (a partial rank correlation over " << n_factors
       << " factors needs at least " << n_factors + 3 << ")";
  } else if (std::any_of(j.drivers.begin(), j.drivers.end(), [](const auto& d) { return std::isfinite(d.prcc); })) {
    const std::vector<std::size_t> named = named_drivers(j);
    if (named.empty()) {
      os << "; no assumption sizes the difference beyond chance (no partial rank correlation with p <= 0.05 / "
         << j.drivers.size() << ")";
    } else {
      os << "; what sizes the difference (partial rank correlation over the " << n_sets
         << " sets, 95% interval from their number): ";
      for (std::size_t i = 0; i < named.size(); ++i) {
        const auto& d = j.drivers[named[i]];
        os << (i == 0 ? "" : ", ") << s.factors[named[i]].key << " " << signed_text(d.prcc, 2) << " ["
           << signed_text(d.ci_low, 2) << ", " << signed_text(d.ci_high, 2) << "]";
      }
    }
  }
  os << ".";
  return os.str();
}

nlohmann::json assumptions_json(const AssumptionStudy& s, const AssumptionResult& r) {
  nlohmann::json j;
  j["sets"] = r.run.table.rows.size();
  j["design"] = s.design;
  j["paths_per_set"] = s.run.paths;
  j["seed"] = s.run.seed;
  j["study_file"] = s.study_file ? nlohmann::json(*s.study_file) : nlohmann::json(nullptr);
  j["min_density"] = s.min_density;
  nlohmann::json factors = nlohmann::json::array();
  for (const Factor& f : s.factors) {
    factors.push_back({{"key", f.key}, {"distribution", distribution_name(f.distribution)}, {"low", f.support_low()},
                       {"high", f.support_high()}, {"description", f.describe()}});
  }
  j["factors"] = factors;
  j["notes"] = s.notes;
  j["interval_kinds"] = {
      {"monte_carlo",
       "Monte Carlo interval: 95% interval of the sampling noise of the paths at one assumption set (Wilson for "
       "P(reach), normal on the paired per-path differences); it says nothing about the assumptions"},
      {"assumption_range",
       "range over plausible assumptions: the 5% and 95% quantiles, over the assumption sets, of the figure "
       "computed at each set; the spread that comes from not knowing the uncertain parameters"}};
  j["beats_rule"] =
      "beats: the 95% paired Monte Carlo interval of the difference lies wholly above 0; loses: wholly below 0; "
      "ties: it contains 0; each share's ci_low, ci_high: its 95% Wilson interval as an estimate of the share of the "
      "whole plausible range, the sets taken as independent draws (an assumption that holds for the monte_carlo "
      "design; a randomized Sobol' or Latin hypercube design usually estimates it more closely); the share "
      "estimated is of 'by more than its Monte Carlo noise' at these paths per set";
  j["regret_rule"] =
      "regret of an option at a set: the largest figure (P(reach), or P(reached by by_year)) of any compared "
      "option at that set minus its own; worst-case regret: its largest regret over the sets, an estimate that "
      "leans high (a maximum over noisy sets); its Monte Carlo range: an interval for the true worst case -- low: "
      "the largest over the sets of the regret's lower end from the differences' intervals widened for the number "
      "of sets (Bonferroni), high: the largest 95% upper end; with K options it holds the true worst case with "
      "probability at least about 1 - K x 2.5% (docs/ANALYSIS.md section 7); not_told_apart: options whose range "
      "reaches the smallest's (overlapping ranges, a heuristic)";
  j["by_year"] = s.by_year;
  // A figure's summary over the sets; with k > 0 also its difference, the
  // beats / ties / loses shares, the sign rule and the sentence.
  const auto judgement = [&s](const OptionSummary& o, const Judgement& jd, std::size_t k, const std::string& name,
                              const std::string& what) {
    const double n = static_cast<double>(jd.value.size());
    nlohmann::json oj;
    oj[name] = {{"median", jd.median}, {"p05", jd.low}, {"p95", jd.high},
                {"min", *std::min_element(jd.value.begin(), jd.value.end())},
                {"max", *std::max_element(jd.value.begin(), jd.value.end())}};
    oj["worst_case_regret"] = jd.worst_regret;
    oj["worst_case_regret_set"] = jd.worst_regret_set;
    oj["worst_case_regret_monte_carlo"] = {{"low", jd.worst_regret_low}, {"high", jd.worst_regret_high}};
    if (k == 0) return oj;
    oj["difference"] = {{"median", jd.diff_median}, {"p05", jd.diff_low}, {"p95", jd.diff_high},
                        {"min", jd.diff_min}, {"max", jd.diff_max}};
    // Each share with its 95% Wilson interval as an estimate of the share of the whole plausible range.
    const auto share = [n](std::size_t count) {
      const engine::Interval w = engine::Proportion(count, static_cast<std::uint64_t>(n)).wilson();
      return nlohmann::json{
          {"sets", count}, {"share", static_cast<double>(count) / n}, {"ci_low", w.low}, {"ci_high", w.high}};
    };
    oj["beats"] = share(jd.beats);
    oj["ties"] = share(jd.ties);
    oj["loses"] = share(jd.loses);
    const SignRule& sr = jd.rule;
    nlohmann::json rule = {{"found", sr.found}, {"text", sr.text}};
    if (sr.found) {
      rule["helps"] = sr.helps;
      rule["coverage"] = sr.coverage;
      rule["density"] = sr.density;
      rule["mass"] = sr.mass;
      rule["qualifies"] = sr.qualifies;
      rule["permutation_p"] = sr.permutation_p;
      rule["n_inside"] = sr.n_inside;
      rule["n_interest_inside"] = sr.n_interest_inside;
      rule["n_interest"] = sr.n_interest;
      rule["n_restrictions"] = sr.n_restrictions;
      if (sr.stated) {
        rule["stated"] = {{"coverage", sr.stated_coverage}, {"density", sr.stated_density},
                          {"n_inside", sr.n_stated_inside}, {"n_interest_inside", sr.n_stated_interest_inside}};
      } else {
        rule["stated"] = nullptr;
      }
      nlohmann::json conds = nlohmann::json::array();
      for (const auto& c : sr.conditions) {
        const auto opt = [](const std::optional<double>& v) {
          return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
        };
        const auto fin = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
        conds.push_back({{"key", c.key}, {"low", opt(c.low)}, {"high", opt(c.high)}, {"kept", c.kept},
                         {"quasi_p_low", fin(c.quasi_p_low)}, {"quasi_p_high", fin(c.quasi_p_high)},
                         {"in_words", c.in_words}});
      }
      rule["conditions"] = conds;
    }
    oj["rule"] = rule;
    nlohmann::json drivers = nlohmann::json::array();
    const std::vector<std::size_t> named = named_drivers(jd);
    for (std::size_t f = 0; f < jd.drivers.size(); ++f) {
      const auto& d = jd.drivers[f];
      const auto fin = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
      drivers.push_back({{"key", s.factors[f].key}, {"prcc", fin(d.prcc)}, {"ci_low", fin(d.ci_low)},
                         {"ci_high", fin(d.ci_high)}, {"p_value", fin(d.p_value)},
                         {"in_words", std::find(named.begin(), named.end(), f) != named.end()}});
    }
    oj["drivers"] = drivers;
    oj["sentence"] = rule_sentence(s, o, jd, what);
    return oj;
  };
  nlohmann::json options = nlohmann::json::array();
  for (std::size_t k = 0; k < r.options.size(); ++k) {
    const OptionSummary& o = r.options[k];
    nlohmann::json oj = judgement(o, o.reach, k, "p_reach", s.reach_label());
    oj["name"] = o.name;
    oj["by_year"] = judgement(o, o.by_year, k, "p_reached_by", s.by_year_label());
    options.push_back(oj);
  }
  j["options"] = options;
  j["minimax_regret"] = r.options.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.options[r.minimax_regret].name);
  j["minimax_regret_by_year"] =
      r.options.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.options[r.minimax_regret_by_year].name);
  for (const bool by_year : {false, true}) {
    nlohmann::json names = nlohmann::json::array();
    for (const std::size_t k : minimax_options(r, by_year)) names.push_back(r.options[k].name);
    j[by_year ? "minimax_regret_by_year_tied" : "minimax_regret_tied"] = names;
    nlohmann::json near = nlohmann::json::array();
    for (const std::size_t k : minimax_near(r, by_year)) near.push_back(r.options[k].name);
    j[by_year ? "minimax_regret_by_year_not_told_apart" : "minimax_regret_not_told_apart"] = near;
  }
  return j;
}

nlohmann::json assumption_compare_json(const AssumptionStudy& s, const AssumptionResult& r) {
  nlohmann::json result = run_json(r.central);
  result["assumptions"] = assumptions_json(s, r);
  // The sets' run time beside the central comparison's wall_seconds: provenance, not a result.
  result["provenance"]["assumption_sets_wall_seconds"] = r.wall_seconds;
  return result;
}

std::string assumptions_csv(const AssumptionStudy& s, const AssumptionResult& r) {
  const auto& layout = s.options[0].model.layout();
  const std::size_t i_reach = layout.indicator_index("reach_target");
  const engine::PairedTally& central = r.central.result.tally;
  const std::size_t n = r.run.table.rows.size();
  const std::size_t i_first = layout.scalar_index("first_year_reached");
  std::ostringstream os;
  os.precision(10);
  // The P(reach) columns, then the same for P(reached by by_year), named as compare's CSV names them.
  const std::vector<std::string> reach_columns = {
      "p_reach",        "p_reach_ci_low", "p_reach_ci_high", "diff",        "diff_ci_low", "diff_ci_high",
      "p_reach_median", "p_reach_p05",    "p_reach_p95",     "diff_median", "diff_p05",    "diff_p95",
      "diff_min",       "diff_max",       "share_beats",     "share_ties",  "share_loses"};
  os << "option,file,sets,seed,paths";
  for (const auto& c : reach_columns) os << "," << c;
  os << ",worst_case_regret,rule,rule_coverage,rule_density,rule_box_coverage,rule_box_density,by_year";
  for (const auto& c : reach_columns) {
    os << ","
       << (c.rfind("p_reach", 0) == 0 ? "p_reached_by" + c.substr(7)
           : c.rfind("diff", 0) == 0  ? "p_reached_by_" + c
                                      : "by_" + c);
  }
  os << ",by_worst_case_regret,by_rule,by_rule_coverage,by_rule_density,by_rule_box_coverage,by_rule_box_density,"
     << "resolved_hash,worst_case_regret_mc_low,worst_case_regret_mc_high,by_worst_case_regret_mc_low,"
     << "by_worst_case_regret_mc_high";
  for (const char* prefix : {"", "by_"}) {
    for (const char* what : {"beats", "ties", "loses"}) {
      os << "," << prefix << "share_" << what << "_ci_low," << prefix << "share_" << what << "_ci_high";
    }
  }
  os << "\n";
  // One figure's columns: its value here, its difference here, and its summary over the sets.
  const auto figure = [&](std::size_t k, const Judgement& j, const engine::Proportion& p,
                          const engine::RunningStats* d) {
    csv_probability(os, p);
    if (k == 0) {
      os << ",,,";
    } else {
      csv_difference(os, *d);
    }
    csv_number(os, j.median);
    csv_number(os, j.low);
    csv_number(os, j.high);
    if (k == 0) {
      os << ",,,,,,,,";  // no difference to itself
      return;
    }
    for (double x : {j.diff_median, j.diff_low, j.diff_high, j.diff_min, j.diff_max}) csv_number(os, x);
    for (std::size_t c : {j.beats, j.ties, j.loses}) csv_number(os, static_cast<double>(c) / static_cast<double>(n));
  };
  const auto rule = [&](std::size_t k, const Judgement& j) {
    if (k == 0) {
      os << ",,,,,";
      return;
    }
    os << "," << csv_field(j.rule.text);
    if (j.rule.found && j.rule.stated) {
      csv_number(os, j.rule.stated_coverage);
      csv_number(os, j.rule.stated_density);
    } else {
      os << ",,";
    }
    if (j.rule.found) {
      csv_number(os, j.rule.coverage);
      csv_number(os, j.rule.density);
    } else {
      os << ",,";
    }
  };
  for (std::size_t k = 0; k < s.options.size(); ++k) {
    const auto& o = r.options[k];
    os << csv_field(o.name) << "," << csv_field(s.options[k].file) << "," << n << ","
       << s.run.seed << "," << s.run.paths;
    figure(k, o.reach, central.variant(k).indicator(i_reach),
           k == 0 ? nullptr : &central.indicator_pair(k, i_reach).difference);
    csv_number(os, o.reach.worst_regret);
    rule(k, o.reach);
    os << "," << s.by_year;
    const engine::Tally& v = central.variant(k);
    const std::vector<engine::CumulativeDifference> by_diff =
        k == 0 ? std::vector<engine::CumulativeDifference>{}
               : engine::cumulative_difference(central, k, i_first, layout);
    figure(k, o.by_year, at_value(engine::cumulative_by_value(v.scalar(i_first).histogram, v.n_paths()), s.by_year)
                             .up_to_value,
           k == 0 ? nullptr : &at_value(by_diff, s.by_year).difference);
    csv_number(os, o.by_year.worst_regret);
    rule(k, o.by_year);
    os << "," << s.options[k].resolved.hash();  // what the option was computed from, its --set included
    for (double x : {o.reach.worst_regret_low, o.reach.worst_regret_high, o.by_year.worst_regret_low,
                     o.by_year.worst_regret_high}) {
      csv_number(os, x);
    }
    for (const Judgement* j : {&o.reach, &o.by_year}) {
      for (std::size_t c : {j->beats, j->ties, j->loses}) {
        if (k == 0) {
          os << ",,";  // the reference has no shares
          continue;
        }
        const engine::Interval w = engine::Proportion(c, n).wilson();
        csv_number(os, w.low);
        csv_number(os, w.high);
      }
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace banensim::studies
