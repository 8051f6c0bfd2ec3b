#include "engine/batch_model.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace banensim::engine {

BatchRecord::BatchRecord(const OutputLayout& layout, std::size_t max_lanes)
    : max_lanes_(max_lanes),
      capacity_(padded_lanes(max_lanes)),
      n_series_(layout.series.size()),
      n_scalars_(layout.scalars.size()),
      n_indicators_(layout.indicators.size()),
      series_(n_series_ * capacity_, std::numeric_limits<double>::quiet_NaN()),
      scalars_(n_scalars_ * capacity_, 0.0),
      indicators_(n_indicators_ * capacity_, 0) {
  if (max_lanes == 0) throw std::invalid_argument("BatchRecord: max_lanes must be > 0");
}

void BatchRecord::start(std::size_t n_lanes) {
  if (n_lanes == 0 || n_lanes > max_lanes_) {
    throw std::invalid_argument("BatchRecord::start: " + std::to_string(n_lanes) + " lanes, capacity " +
                                std::to_string(max_lanes_));
  }
  n_lanes_ = n_lanes;
  std::fill(scalars_.begin(), scalars_.end(), 0.0);
  std::fill(indicators_.begin(), indicators_.end(), static_cast<unsigned char>(0));
}

void BatchRecord::poison_series() noexcept {
  std::fill(series_.begin(), series_.end(), std::numeric_limits<double>::quiet_NaN());
}

}  // namespace banensim::engine
