// Repeated scrapes of one registry with the series snapshots kept between
// them (see ScrapeBuffer in vigil/exposition.h).
#include <algorithm>

#include "metrics/number_format.h"
#include "vigil/exposition.h"

namespace vigil {

std::string ScrapeBuffer::scrape(const Registry& registry, ExpositionFormat format) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Collector>> collectors = registry.collectors();
  std::vector<const MetricFamilySnapshot*> families;
  std::vector<MetricFamilySnapshot> others;  // from collectors that cannot refill in place
  for (const auto& c : collectors) {
    auto [slot, inserted] = families_.try_emplace(c.get());
    if (c->collect_into(slot->second)) {
      families.push_back(&slot->second);
    } else {
      families_.erase(slot);
      c->collect(others);
    }
  }
  for (const auto& f : others) families.push_back(&f);  // `others` no longer grows
  std::stable_sort(families.begin(), families.end(),
                   [](const auto* a, const auto* b) { return detail::exposition_order(*a, *b); });
  std::string out;
  detail::encode_families(families, format, out);
  return out;
}

}  // namespace vigil
