// Histogram bucket helpers: linear, exponential and the default latency
// buckets (Gauge itself is header-only).
#include <cmath>
#include <stdexcept>

#include "vigil/metrics.h"

namespace vigil {

std::vector<double> linear_buckets(double start, double width, std::size_t count) {
  if (count < 1 || !(width > 0)) throw std::invalid_argument("vigil: linear_buckets needs count >= 1 and width > 0");
  std::vector<double> b(count);
  for (std::size_t i = 0; i < count; ++i) b[i] = start + width * static_cast<double>(i);
  return b;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (count < 1 || !(start > 0) || !(factor > 1))
    throw std::invalid_argument("vigil: exponential_buckets needs count >= 1, start > 0 and factor > 1");
  std::vector<double> b(count);
  double v = start;
  for (std::size_t i = 0; i < count; ++i, v *= factor) b[i] = v;
  return b;
}

std::vector<double> default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace vigil
