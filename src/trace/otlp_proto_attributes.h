// AttributeValue -> OTLP AnyValue/KeyValue protobuf messages, shared by the
// span and log encoders.
#pragma once

#include <string>

#include "opentelemetry/proto/common/v1/common.pb.h"
#include "vigil/trace.h"

namespace vigil::detail {

namespace common = opentelemetry::proto::common::v1;

inline void to_any(const AttributeValue& v, common::AnyValue& out) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>) out.set_bool_value(x);
        else if constexpr (std::is_same_v<T, std::int64_t>) out.set_int_value(x);
        else if constexpr (std::is_same_v<T, double>) out.set_double_value(x);
        else if constexpr (std::is_same_v<T, std::string>) out.set_string_value(x);
        else {
          auto* arr = out.mutable_array_value();
          for (const auto& e : x) to_any(AttributeValue(static_cast<typename T::value_type>(e)), *arr->add_values());
        }
      },
      v);
}

inline void to_key_values(const Attributes& attrs, google::protobuf::RepeatedPtrField<common::KeyValue>& out) {
  out.Reserve(static_cast<int>(attrs.size()));
  for (const auto& a : attrs) {
    auto* kv = out.Add();
    kv->set_key(a.key);
    to_any(a.value, *kv->mutable_value());
  }
}

inline std::string bytes_of(const auto& id) { return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()); }

}  // namespace vigil::detail
