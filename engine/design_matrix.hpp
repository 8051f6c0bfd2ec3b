#pragma once
// A dense row-major matrix of experiment inputs: one row per design point (or
// per experiment), one column per input factor. Used by the designs
// (sobol_design.hpp, sensitivity.hpp) and by scenario discovery (prim.hpp).
//
// Plain value type; not synchronised (share it read-only between threads).

#include <cstddef>
#include <span>
#include <vector>

namespace banensim::engine {

class DesignMatrix {
 public:
  DesignMatrix() = default;
  DesignMatrix(std::size_t n_rows, std::size_t n_cols, double fill = 0.0)
      : n_rows_(n_rows), n_cols_(n_cols), values_(n_rows * n_cols, fill) {}

  std::size_t rows() const noexcept { return n_rows_; }
  std::size_t cols() const noexcept { return n_cols_; }

  double& operator()(std::size_t i_row, std::size_t i_col) noexcept {
    return values_[i_row * n_cols_ + i_col];
  }
  double operator()(std::size_t i_row, std::size_t i_col) const noexcept {
    return values_[i_row * n_cols_ + i_col];
  }
  std::span<double> row(std::size_t i_row) noexcept {
    return {values_.data() + i_row * n_cols_, n_cols_};
  }
  std::span<const double> row(std::size_t i_row) const noexcept {
    return {values_.data() + i_row * n_cols_, n_cols_};
  }
  // All values, row after row.
  const std::vector<double>& values() const noexcept { return values_; }

  friend bool operator==(const DesignMatrix&, const DesignMatrix&) = default;

 private:
  std::size_t n_rows_ = 0;
  std::size_t n_cols_ = 0;
  std::vector<double> values_;
};

}  // namespace banensim::engine
