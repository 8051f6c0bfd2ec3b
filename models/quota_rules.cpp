#include "models/quota_rules.hpp"

#include <algorithm>
#include <string>

#include "models/banenafspraak_params.hpp"
#include "models/csv_table.hpp"

namespace banensim::models {

namespace {

double target_in(const TargetPath& t, int year, double TargetYear::*field) {
  if (t.years.empty() || year < t.years.front().year) return 0.0;
  if (year >= t.years.back().year) return t.years.back().*field;
  return t.years[static_cast<std::size_t>(year - t.years.front().year)].*field;
}

// Target and count of `quota` in the observed year `h` (no lever acts in an
// observed year: a lever's year lies after the origin).
struct Measured {
  double target = 0, count = 0;
};
Measured measured(const TargetPath& targets, const HistoryYear& h, QuotaId quota) {
  const double tm = market_target(targets, h.year), tg = government_target(targets, h.year);
  switch (quota) {
    case QuotaId::kMarket: return {tm, h.market_counted};
    case QuotaId::kGovernment: return {tg, h.government_counted};
    case QuotaId::kNational: return {tm + tg, h.market_counted + h.government_counted};
  }
  return {};
}

bool has_quota(const Regime& r, QuotaId quota) { return r.national == (quota == QuotaId::kNational); }

const QuotaDecision* decision_on(const QuotaDecisions& d, QuotaId quota, int missed_year) {
  for (const QuotaDecision& row : d.rows) {
    if (row.quota == quota && row.missed_year == missed_year) return &row;
  }
  return nullptr;
}

}  // namespace

Regime regime_in(const BanenafspraakParams& p, int year) {
  Regime r;
  r.law = &p.law_timeline.in_force(year);
  r.national = r.law->national;
  if (p.policy.abolish_split.active(year)) r.national = true;
  if (p.policy.keep_split.active(year)) r.national = false;
  return r;
}

double market_target(const TargetPath& targets, int year) { return target_in(targets, year, &TargetYear::market); }
double government_target(const TargetPath& targets, int year) {
  return target_in(targets, year, &TargetYear::government);
}

OriginQuotas replay_quotas(const BanenafspraakParams& p, int origin) {
  OriginQuotas o;
  for (const HistoryYear& h : p.observed.years) {
    const int y = h.year;
    if (y > origin) break;
    const Regime regime = regime_in(p, y);
    if (!regime.same_rules_as(regime_in(p, y - 1))) {
      o.state = {};
      o.undecided_from = {};
    }
    for (QuotaState& q : o.state) {
      if (q.pending_from != 0 && y >= q.pending_from) {
        q.active = true;
        q.pending_from = 0;
      }
    }
    for (std::size_t i = 0; i < kNumQuotas; ++i) {
      const auto quota = static_cast<QuotaId>(i);
      if (!has_quota(regime, quota)) continue;
      QuotaState& q = o.state[i];
      const Measured m = measured(p.legal_targets, h, quota);
      q.last_shortfall = std::max(0.0, m.target - m.count);
      if (!(m.target > 0 && m.count < m.target)) {
        if (p.quota.deactivate_when_met) {
          q.active = false;
          q.pending_from = 0;
          o.undecided_from[i] = 0;
        }
        continue;
      }
      if (q.active || q.pending_from != 0) continue;
      // A miss: decided by the origin when a decision row says so, or when
      // its decision year (y + 1) has passed without one (not activated).
      const QuotaDecision* d = decision_on(p.decisions, quota, y);
      if (d != nullptr && d->decided_year <= origin) {
        q.pending_from = d->effective_year;
        if (y >= q.pending_from) {  // effective already in the year it missed: active from then
          q.active = true;
          q.pending_from = 0;
        }
      } else if (d != nullptr || y + 1 > origin) {
        // In force `lag` years after the missed measurement, under the law
        // that decides it (in force in y + 1); not before the first simulated year.
        o.undecided_from[i] = std::max(origin + 1, y + p.law_timeline.in_force(y + 1).activation_lag_years);
      }
    }
  }
  // Effective years that have passed by the origin: active at it.
  for (QuotaState& q : o.state) {
    if (q.pending_from != 0 && q.pending_from <= origin) {
      q.active = true;
      q.pending_from = 0;
    }
  }
  return o;
}

std::vector<Problem> decision_problems(const BanenafspraakParams& p, int origin) {
  std::vector<Problem> problems;
  for (const QuotaDecision& d : p.decisions.rows) {
    if (d.decided_year > origin) continue;
    const HistoryYear* h = nullptr;
    for (const HistoryYear& y : p.observed.years) {
      if (y.year == d.missed_year) h = &y;
    }
    if (h == nullptr || h->year > origin) continue;
    const std::string quota = quota_name(d.quota);
    const SourceLocation where{p.decisions.file, d.line, 0};
    if (!has_quota(regime_in(p, d.missed_year), d.quota)) {
      problems.push_back(Problem{where, "quota", quota,
                                 "the law of " + std::to_string(d.missed_year) + " (" + p.law_timeline.file +
                                     ") has no " + quota + " quota to activate"});
      continue;
    }
    const Measured m = measured(p.legal_targets, *h, d.quota);
    if (!(m.target > 0 && m.count < m.target)) {
      problems.push_back(Problem{where, "missed_year", std::to_string(d.missed_year),
                                 "the " + quota + " quota met its target that year (" + whole_text(m.count) +
                                     " counted against " + whole_text(m.target) + " in " + p.observed.file +
                                     "): there is no miss to decide on"});
    }
  }
  return problems;
}

}  // namespace banensim::models
