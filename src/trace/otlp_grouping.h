// OTLP nests spans as resource -> scope -> spans; this groups a flat batch
// that way, keeping first-seen order (pointer identity: one provider shares
// one resource object, one tracer one scope object).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "vigil/trace.h"

namespace vigil::detail {

struct ScopeGroup {
  const InstrumentationScope* scope;
  std::vector<const SpanData*> spans;
};
struct ResourceGroup {
  const Resource* resource;
  std::vector<ScopeGroup> scopes;
};

inline std::vector<ResourceGroup> group_by_resource_and_scope(std::span<const std::unique_ptr<SpanData>> spans) {
  std::vector<ResourceGroup> out;
  for (const auto& s : spans) {
    if (!s) continue;
    ResourceGroup* rg = nullptr;
    for (auto& g : out)
      if (g.resource == s->resource.get()) rg = &g;
    if (!rg) rg = &out.emplace_back(ResourceGroup{s->resource.get(), {}});
    ScopeGroup* sg = nullptr;
    for (auto& g : rg->scopes)
      if (g.scope == s->scope.get()) sg = &g;
    if (!sg) sg = &rg->scopes.emplace_back(ScopeGroup{s->scope.get(), {}});
    sg->spans.push_back(s.get());
  }
  return out;
}

}  // namespace vigil::detail
