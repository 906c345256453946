// A number as it appears in generated PromQL and rule files: shortest
// round-trippable-enough text (10 significant digits), never locale-dependent.
#pragma once

#include <cstdio>
#include <string>

namespace vigil::detail {

inline std::string promql_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace vigil::detail
