#pragma once
// Compare across assumptions (`compare S1 S2 ... --assumptions N`,
// docs/ANALYSIS.md section 7): the options' effect over every plausible
// assumption, not only at the scenarios' own values.
//
// N assumption sets are the points of a randomised Sobol' design over the
// uncertain parameters the compared scenarios use -- the declared plausible
// ranges (docs/MODEL.md section 6; never the levers' switches and years), or
// a study file's factors. At each set every option runs with that set's
// values (an option's own --variant settings win over the set's) on common
// random numbers: engine::run_paired with the same seed at every set, through
// the one resumable, rank-dealt point loop (studies/point_runner.hpp). A set's
// row holds each option's P(reach) with its 95% Wilson interval and each
// option's paired difference against the reference with its 95% normal
// interval -- Monte Carlo intervals, at that set -- and the same for
// P(reached by YEAR), YEAR = AssumptionStudy::by_year: "by when", which
// levers that act after the target year change while P(reach) cannot.
//
// Per option and figure (P(reach), P(reached by YEAR)), over the sets (the
// range over plausible assumptions):
//   - the median and the 5-95% range of the figure and of the difference;
//   - beats / ties / loses: the share of sets whose 95% paired Monte Carlo
//     interval of the difference lies wholly above 0 / contains 0 / lies
//     wholly below 0;
//   - the worst-case regret: at a set, an option's regret is the largest
//     figure of any compared option there minus its own (Savage 1951); its
//     worst case is the largest over the sets;
//   - what sizes the difference: its partial rank correlation coefficient
//     (PRCC) with each factor over the sets, those beyond chance named;
//   - the rule that decides the sign: PRIM (engine/prim.hpp) on "beats" (or
//     on "loses" when it never beats), the box with the largest coverage x
//     density among those with density >= min_density, in words ("KEY <= 0.04").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/prim.hpp"
#include "engine/rank_correlation.hpp"
#include "studies/factors.hpp"
#include "studies/point_runner.hpp"
#include "studies/sampling.hpp"
#include "studies/scenario_run.hpp"

namespace banensim::studies {

inline constexpr std::uint64_t kDefaultAssumptionPaths = 20000;
inline constexpr std::uint64_t kMaxAssumptionSets = 100000;

struct AssumptionRequest {
  RunRequest run;  // the options (scenarios and variants), --set/--target, paths, block size
  // The seed of every set: given, else the study file's `seed`, else run.seed.
  std::optional<std::uint64_t> seed;
  std::uint64_t sets = 0;                 // N, >= 2
  std::optional<std::string> study_file;  // its factors (and paths, seed) instead of the plausible ranges
  double min_density = 0.8;               // of the box that states the rule
  std::optional<Sampling> design;         // the sets' design: given, else the study file's, else sobol
};

struct AssumptionStudy {
  std::vector<Scenario> options;     // as loaded: the first is the reference
  std::vector<Overrides> own;        // each option's own settings (--variant), re-applied after a set's
  std::vector<Factor> factors;
  std::vector<std::string> notes;    // factors left out, and why
  RunSettings run;
  std::uint64_t sets = 0;
  engine::DesignMatrix unit;         // a row per set, a column per factor, in (0, 1)
  std::string design;                // as the result file's header names it
  std::optional<std::string> study_file;
  double min_density = 0.8;
  PointInputs inputs;  // every set's data files, and the digests of those a factor names
  // The second figure judged over the sets: P(reached by this year), the
  // year of compare's "P(by YEAR)" column (the target year + 4, or the
  // horizon when that is earlier).
  int by_year = 0;

  PointSet points() const;
  std::vector<engine::JournalColumn> output_columns() const;
  std::string reach_label() const;    // "P(reach) in 2026"
  std::string by_year_label() const;  // "P(reached by 2030)"
  std::string provenance() const;
};

// Loads the options and the factors, draws the design and checks every set
// on every option (all problems at once: models::InputError).
AssumptionStudy plan_assumption_compare(const AssumptionRequest& request);

// The quantiles of a sample as numpy's default (linear interpolation between
// order statistics, "type 7"); NaN for an empty sample.
double sample_quantile(std::vector<double> x, double p);

struct SignRule {
  bool found = false;          // a box was found (the sign changes across the sets)
  bool helps = true;           // the box is where the option beats the reference (false: where it loses)
  std::string text;            // "it beats the reference when policy.x >= 0.04 and ...", or why there is none
  struct Condition {
    std::string key;
    std::optional<double> low, high;  // the exact bounds PRIM cut at (none: the range's end)
    double kept = 1;                  // share of the factor's range inside
    double quasi_p_low = 0, quasi_p_high = 0;  // NaN for a side not cut
    // Named in `text`: quasi-p <= 0.05 on a side; and, when the box is not beyond chance
    // (permutation p > 0.05 or no such side), the most restrictive too ("for inspection only").
    bool in_words = false;
    std::size_t factor = 0;  // index into the factors (the design's column)
  };
  // The restrictions that keep < 90% of a factor's range, most restrictive first.
  std::vector<Condition> conditions;
  double coverage = 0, density = 0, mass = 0;  // PRIM's box, every restriction
  std::size_t n_inside = 0, n_interest_inside = 0, n_interest = 0;
  // The rule as `text` states it (the conditions in words only), counted over
  // the sets: what a reader of the sentence is told. It differs from the box
  // when the box has restrictions the sentence leaves out.
  bool stated = false;  // a condition is in words (else nothing is stated and the figures below are 0)
  double stated_coverage = 0, stated_density = 0;
  std::size_t n_stated_inside = 0, n_stated_interest_inside = 0;
  std::size_t n_restrictions = 0;  // the box's, minor trims included
  bool qualifies = true;  // the box's density >= min_density
  // Share of label shuffles (plus one) whose box scores as high in coverage
  // x density: the rule is stated only when <= 0.05 (and a cut's quasi-p is).
  double permutation_p = 1;
};

// Label shuffles of the sign rule's permutation check.
inline constexpr std::size_t kSignRulePermutations = 199;

// The rule that decides an option's sign over the sets (rows of x, in the
// factors' units): PRIM on the sets where it beats the reference (or, when
// it never does, where it loses); docs/ANALYSIS.md section 7.
SignRule sign_rule(const engine::DesignMatrix& x, const std::vector<Factor>& factors, const std::vector<bool>& beats,
                   const std::vector<bool>& loses, double min_density);

// One figure of an option judged over the sets: P(reach) in the target
// year, or P(reached by AssumptionStudy::by_year).
struct Judgement {
  std::vector<double> value;           // per set
  std::vector<double> difference;      // per set (reference: empty)
  double median = 0, low = 0, high = 0;                 // 50%, 5%, 95% of the value over the sets
  double diff_median = 0, diff_low = 0, diff_high = 0;  // (reference: 0)
  double diff_min = 0, diff_max = 0;
  std::size_t beats = 0, ties = 0, loses = 0;
  // Regret at a set: the largest value of any compared option there minus
  // this one's (Savage 1951); the worst case is the largest over the sets.
  double worst_regret = 0;
  std::size_t worst_regret_set = 0;
  // Its Monte Carlo range (worst_regret): an interval for the true worst case.
  // The estimate, a maximum over noisy sets, leans high.
  double worst_regret_low = 0, worst_regret_high = 0;
  SignRule rule;                       // reference: not found
  // What sizes the difference: its partial rank correlation with each
  // factor over the sets (engine/rank_correlation.hpp), in factor order
  // (reference: empty; NaN where the difference never varies).
  std::vector<engine::PartialRankCorrelation> drivers;
};

// One option's figure at one assumption set as its row holds it: the value
// with its 95% Wilson interval and its paired difference from the reference
// with its 95% normal interval (the reference: 0 [0, 0]).
struct SetFigure {
  double value = 0, low = 0, high = 0;
  double diff = 0, diff_low = 0, diff_high = 0;
};

// The Monte Carlo interval of option k's regret at one set, max over j of
// (figure_j - figure_k), from the set's figures (docs/ANALYSIS.md section 7):
// for each other option j an interval of figure_j - figure_k -- the paired
// difference's own interval when j or k is the reference; otherwise
// (figure_j - figure_k) +- h, h the smaller of the two options' difference
// half-widths summed and their Wilson half-widths (the larger side) summed,
// a bound that holds whatever the correlation of their paths -- and the
// regret's interval is [max(0, largest lower end), max(0, largest upper end)].
// `widen` multiplies every half-width (about the estimate): 1 for 95%
// intervals.
engine::Interval regret_interval(const std::vector<SetFigure>& at_set, std::size_t k, double widen = 1.0);

// Option k's worst-case regret over the sets (at[i]: every option's figures
// at set i, each a share of `paths` paths) and its Monte Carlo range:
//   - regret: the largest over the sets of (the best figure - k's), counted
//     in whole paths so that equal regrets tie exactly; set: the first set
//     where it is largest;
//   - low: the largest over the sets of the regret's lower end with every
//     interval widened for the N sets (Bonferroni: z(1 - 0.025/N) in place of
//     z(0.975)), so that no set is chosen by its own noise;
//   - high: the largest 95% upper end over the sets.
// With K options [low, high] holds the true worst-case regret with
// probability at least about 1 - K x 2.5% (docs/ANALYSIS.md section 7).
struct WorstRegret {
  double regret = 0;
  std::size_t set = 0;
  double low = 0, high = 0;
};
WorstRegret worst_regret(const std::vector<std::vector<SetFigure>>& at, std::size_t k, std::uint64_t paths);

// The drivers stated in words: those whose p-value is <= 0.05 / the number
// of factors (Bonferroni over the factors), largest |PRCC| first, at most 3.
std::vector<std::size_t> named_drivers(const Judgement& j);

struct OptionSummary {
  std::string name;
  Judgement reach;    // P(reach): the total at or above the target at the target year's measurement
  Judgement by_year;  // P(reached by by_year): at or above it at some measurement up to that year
};

struct AssumptionResult {
  PointRun run;          // the sets' rows (completed / root as for a design)
  ScenarioRun central;   // today's compare at the scenarios' own values (Monte Carlo only); root only
  engine::DesignMatrix values;  // per set and factor, as the analysis sees it (Factor::number)
  std::vector<OptionSummary> options;
  std::size_t minimax_regret = 0;          // the option with the smallest worst-case regret of P(reach)
  std::size_t minimax_regret_by_year = 0;  // of P(reached by by_year)
  double wall_seconds = 0;  // the sets' runs (the central comparison's is in central.result)
};

// Every option whose worst-case regret of P(reach) (by_year: of P(reached by
// by_year)) equals the smallest, in option order: options that differ in
// nothing the figure sees tie exactly, and naming one of them would rank it.
std::vector<std::size_t> minimax_options(const AssumptionResult& r, bool by_year);
// Their names, "a", "a and b", "a, b and c".
std::string minimax_names(const AssumptionResult& r, bool by_year);
// The other options whose worst-case regret's Monte Carlo range reaches the
// smallest's (their low end at or below its high end), in option order: the
// noise does not tell them apart from it (overlapping ranges; a heuristic,
// not a test).
std::vector<std::size_t> minimax_near(const AssumptionResult& r, bool by_year);

// Runs the central comparison and then every set not already in `rows_file`
// (resume: continue it). Only the root's result holds rows and summaries.
// `companions`: files the caller writes from the result (ResultFile).
AssumptionResult run_assumption_compare(const AssumptionStudy& study, const std::optional<std::string>& rows_file,
                                        bool resume, ExecutionContext& ctx,
                                        const std::vector<std::string>& companions = {});

// The summary as JSON (the "assumptions" member of compare's result,
// docs/OUTPUT.md; docs/result.schema.json).
nlohmann::json assumptions_json(const AssumptionStudy& study, const AssumptionResult& result);

// compare --assumptions' whole result: run_json of the central comparison,
// "assumptions", and provenance.assumption_sets_wall_seconds (the sets' run time).
nlohmann::json assumption_compare_json(const AssumptionStudy& study, const AssumptionResult& result);

// The summary as CSV: one row per option (the first the reference), every
// column of the table (docs/OUTPUT.md, "compare --assumptions N --format csv").
std::string assumptions_csv(const AssumptionStudy& study, const AssumptionResult& result);

// One line per option and figure: what an adviser reads first ("keep-split
// beats the status quo in 12% of the plausible assumption sets ..."); `what`
// names the figure ("P(reach) in 2026", "P(reached by 2030)").
std::string rule_sentence(const AssumptionStudy& study, const OptionSummary& o, const Judgement& j,
                          const std::string& what);

}  // namespace banensim::studies
