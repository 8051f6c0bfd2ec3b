#include "engine/model.hpp"

#include <stdexcept>

namespace banensim::engine {
namespace {

template <class Spec>
std::size_t find_index(const std::vector<Spec>& specs, const std::string& name, const char* kind) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].name == name) return i;
  }
  throw std::out_of_range(std::string("model output layout has no ") + kind + " named '" + name + "'");
}

}  // namespace

std::size_t OutputLayout::series_index(const std::string& name) const {
  return find_index(series, name, "series");
}
std::size_t OutputLayout::scalar_index(const std::string& name) const {
  return find_index(scalars, name, "scalar");
}
std::size_t OutputLayout::indicator_index(const std::string& name) const {
  return find_index(indicators, name, "indicator");
}

PathRecord::PathRecord(const OutputLayout& layout)
    : n_steps_(layout.n_steps()),
      n_series_(layout.series.size()),
      series_(layout.series.size() * layout.n_steps(), 0.0),
      scalars_(layout.scalars.size(), 0.0),
      indicators_(layout.indicators.size(), 0) {}

void PathRecord::clear() noexcept {
  std::fill(series_.begin(), series_.end(), 0.0);
  std::fill(scalars_.begin(), scalars_.end(), 0.0);
  std::fill(indicators_.begin(), indicators_.end(), static_cast<unsigned char>(0));
}

}  // namespace banensim::engine
