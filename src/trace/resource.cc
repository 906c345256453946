#include <unistd.h>

#include "vigil/trace.h"

namespace vigil {

Resource Resource::create(Attributes attributes) {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  Resource r;
  r.attributes = {{"service.name", std::string("unknown_service")},
                  {"host.name", std::string(host)},
                  {"telemetry.sdk.name", std::string("vigil")},
                  {"telemetry.sdk.language", std::string("cpp")},
                  {"telemetry.sdk.version", std::string("0.1.0")}};
  for (auto& a : attributes) {
    bool replaced = false;
    for (auto& existing : r.attributes)
      if (existing.key == a.key) {
        existing.value = a.value;
        replaced = true;
      }
    if (!replaced) r.attributes.push_back(std::move(a));
  }
  return r;
}

const AttributeValue* Resource::find(std::string_view key) const {
  for (const auto& a : attributes)
    if (a.key == key) return &a.value;
  return nullptr;
}

}  // namespace vigil
