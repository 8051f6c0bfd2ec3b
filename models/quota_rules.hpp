#pragma once
// The quota rules of the banenafspraak that do not depend on a path: the
// regime in force in a year (the law timeline, then the split levers), the
// legal targets of a year, and the replay of the observed years that gives
// every quota's state at the forecast origin from the history, the law and
// the decisions taken (docs/MODEL.md §3 and §4.1, §4.12). No hand-set
// switch: a newer history file moves the origin and the states with it.

#include <array>
#include <vector>

#include "models/history.hpp"
#include "models/law.hpp"
#include "models/problem.hpp"

namespace banensim::models {

struct BanenafspraakParams;

// The rules in force in a year.
struct Regime {
  const LawRow* law = nullptr;  // the row of the law timeline in force
  bool national = false;        // one national target (by law or lever 1), else one per sector
  // A quota's rules change (every quota is reset) when the regime's name or
  // its targets change from one year to the next (Wet banenafspraak art. 12).
  bool same_rules_as(const Regime& other) const { return law->regime == other.law->regime && national == other.national; }
};

// The law row in force in `year`, its targets overridden by the split levers
// (policy.abolish_split: national; policy.keep_split: sector) from their years.
Regime regime_in(const BanenafspraakParams& p, int year);

// The legal targets of `year` (targets.file): 0 before the file's first
// year (no target yet), its last year's after its last (the end state).
double market_target(const TargetPath& targets, int year);
double government_target(const TargetPath& targets, int year);

struct QuotaState {
  bool active = false;
  int pending_from = 0;       // year an activation takes effect; 0 = none pending
  double last_shortfall = 0;  // max(0, target - counted) at the quota's last measurement
};

// The quotas at the forecast origin.
struct OriginQuotas {
  std::array<QuotaState, kNumQuotas> state{};
  // For a quota that missed, is neither active nor pending, and whose
  // decision falls after the origin (the miss at the origin's own
  // measurement, in practice): the year an activation would take effect; a
  // path draws whether it is activated (quota.activation_probability). 0 for
  // the others.
  std::array<int, kNumQuotas> undecided_from{};
};

// Replays the observed years first_year..origin (none at the 2012 baseline):
// the regime of each year (with the reset rule), pending activations taking
// effect, each quota of the regime measured against its target (a met quota
// deactivated when quota.deactivate_when_met), and the decisions taken by
// the origin (decided_year <= origin) on the misses. Only data dated at or
// before the origin are used.
OriginQuotas replay_quotas(const BanenafspraakParams& p, int origin);

// Decisions that contradict the history or the law: a decision on a year the
// history shows the quota met, or on a quota the rules of that year do not
// have. One problem per row, at the decisions file's line.
std::vector<Problem> decision_problems(const BanenafspraakParams& p, int origin);

}  // namespace banensim::models
