// Name and value rules of the Prometheus data model.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "vigil/metrics.h"

namespace vigil::detail {

bool is_valid_metric_name(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_label_name(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*, no "__" prefix
bool is_valid_utf8(std::string_view s);

// Throws std::invalid_argument naming the family and the broken rule.
void validate_family(const FamilyInfo& info, std::span<const double> buckets);
void validate_exemplar(const LabelPairs& labels);

}  // namespace vigil::detail
