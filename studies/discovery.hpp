#pragma once
// Scenario discovery (docs/ANALYSIS.md section 5): a randomised Sobol' sample
// of the factors, a point being a case of interest when its output (by
// default p_reach) is >= the threshold (or <=); PRIM (engine/prim.hpp) then
// finds the box of factor values where the cases of interest concentrate,
// and with covering up to `boxes` boxes, each among the cases left outside
// the earlier ones. Reported as the EMA Workbench reports it: each box with
// its exact bounds (the design values at which it was cut), its coverage,
// density and mass, the quasi-p-value of each restriction, and the whole
// peeling and pasting trajectory (as CSV, and as a coverage-density
// trade-off chart).

#include <optional>
#include <string>
#include <vector>

#include "engine/prim.hpp"
#include "studies/design.hpp"

namespace banensim::studies {

struct BoxFinding {
  engine::PrimResult search;  // this search's trajectory (its measures relative to the whole design)
  std::size_t index = 0;      // the box shown: largest coverage with density >= min_density
  bool qualifies = true;      // false: no box reached min_density; the densest is shown
  engine::QuasiP quasi_p;     // of the shown box's restrictions
  std::size_t interest_together = 0;  // cases of interest inside this box or an earlier one

  const engine::PrimBox& box() const { return search.trajectory[index]; }
};

struct DiscoveryResult {
  EvaluatedDesign evaluated;   // completed / root in evaluated.run
  std::vector<bool> of_interest;
  std::size_t n_interest = 0;
  std::vector<BoxFinding> boxes;
  // Why there are fewer boxes than asked ("" when not): no point, or every
  // point, is a case of interest; none is left outside the boxes; no further
  // box reaches the density asked.
  std::string stop;
};

// `companions`: files the caller writes from the results (its chart); the
// trajectory file of `out` (discovery_files) is one already.
DiscoveryResult run_discovery(const DesignStudy& study, const std::optional<std::string>& out, bool resume,
                              ExecutionContext& ctx, const std::vector<std::string>& companions = {});

// Every box of every search, one row each:
//   search,box,phase,shown,coverage,density,mass,n_inside,n_interest_inside,n_restricted,
//   KEY_low,KEY_high (per factor, the exact bounds),
//   KEY_qp_low,KEY_qp_high (per factor, the shown boxes' quasi-p-values; empty elsewhere)
// A box of search k counts only the points outside the shown boxes of
// searches 1..k-1 (covering); with one search, its n_inside and
// n_interest_inside recount exactly from the result file's rows.
std::string trajectory_csv(const DesignStudy& study, const DiscoveryResult& r);

// The files a discovery with result file `out` writes beside it at the end
// (docs/OUTPUT.md): FILE.trajectory.csv (trajectory_csv). One rule for the
// program and the Python module, so both write the same files.
struct DiscoveryFiles {
  std::string trajectory;
};
DiscoveryFiles discovery_files(const std::string& out);
// Writes each of `files` atomically (engine/atomic_file.hpp).
void write_discovery_files(const DiscoveryFiles& files, const DesignStudy& study, const DiscoveryResult& r);

// Coverage against density along each search's trajectory, the shown box ringed.
std::string tradeoff_svg(const DesignStudy& study, const DiscoveryResult& r);

// The case-of-interest rule in words: "p_reach >= 0.5".
std::string interest_rule(const PrimSettings& prim);

}  // namespace banensim::studies
