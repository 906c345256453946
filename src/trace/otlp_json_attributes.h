// AttributeValue -> OTLP/JSON AnyValue/KeyValue objects (64-bit integers as
// decimal strings), shared by the span and log encoders.
#pragma once

#include <nlohmann/json.hpp>

#include "vigil/trace.h"

namespace vigil::detail {

inline nlohmann::json any_value(const AttributeValue& v) {
  return std::visit(
      [](const auto& x) -> nlohmann::json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) return {{"boolValue", x}};
        else if constexpr (std::is_same_v<T, std::int64_t>) return {{"intValue", std::to_string(x)}};
        else if constexpr (std::is_same_v<T, double>) return {{"doubleValue", x}};
        else if constexpr (std::is_same_v<T, std::string>) return {{"stringValue", x}};
        else {
          nlohmann::json values = nlohmann::json::array();
          for (const auto& e : x) values.push_back(any_value(AttributeValue(static_cast<typename T::value_type>(e))));
          return {{"arrayValue", {{"values", values}}}};
        }
      },
      v);
}

inline nlohmann::json key_values(const Attributes& attrs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : attrs) out.push_back({{"key", a.key}, {"value", any_value(a.value)}});
  return out;
}

}  // namespace vigil::detail
