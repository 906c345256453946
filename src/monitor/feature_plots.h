// What a drift report shows of one feature beside its test: the bars of
// its distribution on both sides and its summary statistics (compare.cc
// fills the rest of a FeatureDrift). Also the two small helpers both use.
#pragma once

#include <string>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

// A number as a bin label: 4 significant digits.
std::string label_number(double v);
// The finite values of v, sorted.
std::vector<double> sorted_finite(const std::vector<double>& v);

// Numeric: one bar per value while both sides have few values, else the
// reference's bins; mean, sd, min, p50, max and the missing share (p50
// exact when the column, or the few values, are at hand).
void plot_numeric(FeatureDrift& fd, const FeatureProfile& ref, const FeatureProfile& cur, const Column* ref_col,
                  const Column* cur_col);
// Categorical: the 20 most frequent categories on either side, the rest as
// "(other)"; count, distinct and the missing share.
void plot_categorical(FeatureDrift& fd, const FeatureProfile& ref, const FeatureProfile& cur);

}  // namespace vigil::detail
