#include "studies/factors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "engine/random_stream.hpp"
#include "engine/text_format.hpp"

namespace banensim::studies {

namespace {

bool parses_as_number(const std::string& text, double& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

// log Phi(x) for x <= 0: from erfc while Phi(x) is a normal double (x > -37);
// below, where it underflows, the asymptotic series of the Mills ratio
// (Abramowitz & Stegun 26.2.12), Phi(x) = phi(x) / |x| (1 - z + 3 z^2 - 15 z^3
// + 105 z^4 - 945 z^5 + ...), z = 1 / x^2, whose next term is below 2e-15
// there.
double log_lower_tail(double x) {
  if (x > -37.0) return std::log(engine::normal_cdf(x));
  const double z = 1.0 / (x * x);
  const double series = 1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * (105.0 - z * 945.0))));
  return -0.5 * x * x - std::log(-x) - 0.5 * std::log(2.0 * std::numbers::pi) + std::log(series);
}

// The quantile of the normal truncated to [a, b] when b < -37, where Phi(a)
// and Phi(b) are not doubles: Phi(x) = Phi(b) (1 - (1 - u)(1 - Phi(a)/Phi(b)))
// solved for x in log space by Newton's method from b. log Phi is concave and
// increasing, so the first step lands at or left of the root and the steps
// after it climb to it without overshooting.
double truncated_lower_tail_quantile(double a, double b, double u) {
  const double la = log_lower_tail(a), lb = log_lower_tail(b);
  const double target = lb + std::log1p((1.0 - u) * std::expm1(la - lb));
  double x = b;
  for (int i = 0; i < 100; ++i) {
    const double lx = log_lower_tail(x);
    const double slope = std::exp(-0.5 * x * x - 0.5 * std::log(2.0 * std::numbers::pi) - lx);  // phi(x) / Phi(x)
    const double next = std::min(b, std::max(a, x - (lx - target) / slope));
    if (std::fabs(next - x) <= 1e-15 * std::fabs(x)) return next;
    x = next;
  }
  return x;
}

// Inverse CDF of the normal truncated to [a, b] (standardised), at u in (0, 1).
// In the upper tail the complement is used, so truncation far from the mean
// loses no precision; beyond 37 sd, where the tail probabilities underflow,
// the log-space solution above.
double truncated_normal_quantile(double a, double b, double u) {
  if (a > 0) return -truncated_normal_quantile(-b, -a, 1 - u);
  if (b < -37.0) return truncated_lower_tail_quantile(a, b, u);
  const double pa = engine::normal_cdf(a), pb = engine::normal_cdf(b);
  const double p = pa + u * (pb - pa);
  if (!(p > 0)) return a;
  if (!(p < 1)) return b;
  return engine::inverse_normal_cdf(p);
}

// The declared lever a key belongs to (its switch and year excluded), or nullptr.
const models::ParamTable<models::BanenafspraakParams>::LeverEntry* lever_of(const std::string& key) {
  for (const auto& lever : models::banenafspraak_parameters().levers()) {
    if (lever.parameters_act_when_off) continue;  // e.g. lever 1's, which the law's national target uses too
    if (key.rfind(lever.key + ".", 0) == 0 && key != lever.enabled_key && key != lever.year_key) return &lever;
  }
  return nullptr;
}

}  // namespace

const char* distribution_name(Distribution d) {
  switch (d) {
    case Distribution::kUniform: return "uniform";
    case Distribution::kNormal: return "normal";
    case Distribution::kTriangular: return "triangular";
    case Distribution::kLogUniform: return "log-uniform";
    case Distribution::kDiscrete: return "discrete";
  }
  return "?";
}

std::string Factor::value_at(double u) const {
  if (distribution == Distribution::kDiscrete) {
    const auto n = values.size();
    const auto i = u >= 1 ? n - 1 : std::min(n - 1, static_cast<std::size_t>(std::floor(std::max(u, 0.0) * static_cast<double>(n))));
    return values[i];
  }
  double v = low;
  if (u >= 1) {
    v = high;
  } else if (u > 0) {
    switch (distribution) {
      case Distribution::kUniform: v = low + (high - low) * u; break;
      case Distribution::kLogUniform: v = std::exp(std::log(low) + (std::log(high) - std::log(low)) * u); break;
      case Distribution::kTriangular: {
        const double f_mode = (mode - low) / (high - low);
        v = u < f_mode ? low + std::sqrt(u * (high - low) * (mode - low))
                       : high - std::sqrt((1 - u) * (high - low) * (high - mode));
        break;
      }
      case Distribution::kNormal:
        v = mean + sd * truncated_normal_quantile((low - mean) / sd, (high - mean) / sd, u);
        break;
      case Distribution::kDiscrete: break;
    }
    v = std::min(std::max(v, low), high);  // rounding must not leave the support
  }
  return integral ? std::to_string(std::llround(v)) : engine::decimal(v);
}

bool Factor::numeric() const {
  if (distribution != Distribution::kDiscrete) return true;
  double x = 0;
  for (const std::string& v : values) {
    if (!parses_as_number(v, x)) return false;
  }
  return true;
}

double Factor::number(const std::string& text) const {
  double x = std::nan("");
  if (numeric()) {
    (void)parses_as_number(text, x);
    return x;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == text) return static_cast<double>(i);
  }
  return x;
}

double Factor::support_low() const {
  if (distribution != Distribution::kDiscrete) return low;
  double lo = number(values.front());
  for (const auto& v : values) lo = std::min(lo, number(v));
  return lo;
}

double Factor::support_high() const {
  if (distribution != Distribution::kDiscrete) return high;
  double hi = number(values.front());
  for (const auto& v : values) hi = std::max(hi, number(v));
  return hi;
}

std::string Factor::describe() const {
  const auto d = [](double x) { return engine::decimal(x); };
  std::string text = key + " " + distribution_name(distribution) + " ";
  switch (distribution) {
    case Distribution::kUniform:
    case Distribution::kLogUniform: text += d(low) + ":" + d(high); break;
    case Distribution::kTriangular: text += d(low) + ":" + d(mode) + ":" + d(high); break;
    case Distribution::kNormal: text += "mean " + d(mean) + " sd " + d(sd) + " on " + d(low) + ":" + d(high); break;
    case Distribution::kDiscrete:
      for (std::size_t i = 0; i < values.size(); ++i) text += (i ? "," : "") + values[i];
      break;
  }
  return text + (integral ? " rounded" : "");
}

FactorSet default_factors(const Scenario& base) {
  const auto& schema = models::banenafspraak_schema();
  FactorSet set;
  for (const models::ParamSpec* spec : models::uncertain_parameters(schema)) {
    const models::PlausibleRange& r = *spec->plausible;
    if (r.distribution != models::Distribution::kUniform) {
      throw std::logic_error(spec->key + ": a declared plausible range is uniform (studies/factors.cpp)");
    }
    if (const auto* lever = lever_of(spec->key); lever != nullptr && !base.resolved.boolean(lever->enabled_key)) {
      set.notes.push_back(spec->key + ": left out, a parameter of " + lever->key + ", which this scenario switches off (" +
                          lever->enabled_key + " = false): it cannot change any output");
      continue;
    }
    Factor f;
    f.key = spec->key;
    f.low = r.low;
    f.high = r.high;
    f.integral = spec->type == models::ParamType::kInteger;
    std::string why;
    for (const double u : {0.0, 1.0}) {
      try {
        (void)derive(base.resolved, {{f.key, f.value_at(u)}}, "plausible range");
      } catch (const models::InputError& e) {
        if (why.empty()) why = e.problems().empty() ? e.what() : e.problems().front().message();
      }
    }
    if (why.empty()) {
      set.factors.push_back(std::move(f));
    } else {
      set.notes.push_back(f.key + ": left out, it cannot be varied independently on this scenario (" + why + ")");
    }
  }
  return set;
}

std::vector<std::string> unused_factor_notes(const std::vector<Factor>& factors, const Scenario& base) {
  std::vector<std::string> notes;
  for (const Factor& f : factors) {
    const auto* lever = lever_of(f.key);
    if (lever == nullptr || base.resolved.boolean(lever->enabled_key)) continue;
    bool switch_varied = false;
    for (const Factor& g : factors) switch_varied = switch_varied || g.key == lever->enabled_key;
    if (!switch_varied) {
      notes.push_back(f.key + ": a parameter of " + lever->key + ", which this scenario switches off (" +
                      lever->enabled_key + " = false) and the study does not vary: it cannot change any output");
    }
  }
  return notes;
}

}  // namespace banensim::studies
