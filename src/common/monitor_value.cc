#include "common/monitor_value.h"

#include <cstdio>

namespace vigil::detail {

MonitorValue monitor_view(const OwnedValue& v) {
  struct Visit {
    MonitorValue operator()(std::nullptr_t) const { return std::monostate{}; }
    MonitorValue operator()(bool b) const { return std::string_view(b ? "true" : "false"); }
    MonitorValue operator()(std::int64_t i) const { return static_cast<double>(i); }
    MonitorValue operator()(std::uint64_t u) const { return static_cast<double>(u); }
    MonitorValue operator()(double d) const { return d; }
    MonitorValue operator()(const std::string& s) const { return std::string_view(s); }
  };
  return std::visit(Visit{}, v);
}

OwnedValue own(const MonitorValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string_view>(&v)) return std::string(*s);
  return nullptr;
}

std::string label_text(const OwnedValue& v) {
  MonitorValue view = monitor_view(v);
  if (const auto* s = std::get_if<std::string_view>(&view)) return std::string(*s);
  if (const auto* d = std::get_if<double>(&view)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", *d);
    return buf;
  }
  return "";
}

}  // namespace vigil::detail
