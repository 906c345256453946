// Conversions between OwnedValue and the model monitor's view of a value
// (a number, a label or missing): booleans are labels ("true", "false"),
// integers are numbers.
#pragma once

#include <string>

#include "vigil/monitor.h"
#include "vigil/owned_value.h"

namespace vigil::detail {

// Views `v`; the result points into `v` for strings, so `v` must outlive it.
MonitorValue monitor_view(const OwnedValue& v);
OwnedValue own(const MonitorValue& v);
// The class name of a label or prediction: the text, or a number as %.15g.
std::string label_text(const OwnedValue& v);

}  // namespace vigil::detail
