#include <algorithm>
#include <functional>
#include <stdexcept>

#include "metrics/names.h"
#include "metrics/number_format.h"
#include "vigil/metrics.h"

namespace vigil {

namespace detail {
namespace {

// One hash for stored keys and lookup probes: equal values, equal hashes.
template <typename Strings>
std::size_t hash_label_values(const Strings& values) {
  std::size_t h = 0xcbf29ce484222325ull;
  for (std::string_view s : values) h = (h ^ std::hash<std::string_view>{}(s)) * 0x100000001b3ull;
  return h;
}

}  // namespace

std::size_t LabelKeyHash::operator()(std::span<const std::string_view> k) const noexcept {
  return hash_label_values(k);
}

std::size_t LabelKeyHash::operator()(std::span<const std::string> k) const noexcept { return hash_label_values(k); }

LabelValues make_label_values(const FamilyInfo& info, std::span<const std::string_view> values) {
  std::vector<std::string> owned(values.begin(), values.end());
  std::string rendered;
  render_label_pairs(rendered, info.label_names, owned);
  return LabelValues(std::move(owned), std::move(rendered));
}

}  // namespace detail

const std::vector<std::string>& LabelValues::values() const {
  static const std::vector<std::string> kEmpty;
  return data_ ? data_->values : kEmpty;
}

const std::string& LabelValues::rendered() const {
  static const std::string kEmpty;
  return data_ ? data_->rendered : kEmpty;
}

struct Registry::Entry {
  detail::FamilyInfo info;
  std::shared_ptr<Collector> family;
};

namespace {

std::string strip_total(std::string name) {
  if (name.ends_with("_total")) name.resize(name.size() - 6);
  return name;
}

template <typename Options>
detail::FamilyInfo info_from(const Options& o, MetricType type, std::string name) {
  return detail::FamilyInfo{std::move(name), o.help, o.unit, type, o.labels, o.max_series, {}};
}

}  // namespace

Registry::Registry() {
  auto& dropped = counter({.name = "vigil_metrics_series_dropped_total",
                           .help = "Label sets sent to the overflow series because a family reached its series limit.",
                           .labels = {"metric"},
                           .max_series = 100000});
  series_dropped_ = &dropped;
}

Registry::~Registry() = default;

// Called after validation, so no series is made for a rejected family.
Counter* Registry::dropped_counter(const detail::FamilyInfo& info) {
  return series_dropped_ ? &series_dropped_->labels({info.name}) : nullptr;
}

Registry::Entry& Registry::add(
    detail::FamilyInfo info, const std::function<std::shared_ptr<Collector>(const detail::FamilyInfo&)>& make) {
  detail::validate_family(info, info.bucket_bounds);
  std::lock_guard lock(mu_);
  if (auto it = families_.find(info.name); it != families_.end()) {
    Entry& e = *it->second;
    if (e.info.type != info.type || e.info.label_names != info.label_names || e.info.bucket_bounds != info.bucket_bounds ||
        e.info.unit != info.unit)
      throw std::invalid_argument("vigil: metric \"" + info.name +
                                  "\" is already registered with a different type, labels, unit or buckets");
    return e;
  }
  auto entry = std::make_unique<Entry>();
  entry->info = info;
  entry->family = make(entry->info);
  Entry& ref = *entry;
  families_.emplace(info.name, std::move(entry));
  return ref;
}

Family<Counter>& Registry::counter(CounterOptions o) {
  auto info = info_from(o, MetricType::kCounter, strip_total(o.name));
  Entry& e = add(std::move(info), [&](const detail::FamilyInfo& i) {
    return std::make_shared<Family<Counter>>(i, [](const detail::FamilyInfo&) { return std::make_unique<Counter>(); }, dropped_counter(i));
  });
  return static_cast<Family<Counter>&>(*e.family);
}

Family<Gauge>& Registry::gauge(GaugeOptions o) {
  auto info = info_from(o, MetricType::kGauge, o.name);
  Entry& e = add(std::move(info), [&](const detail::FamilyInfo& i) {
    return std::make_shared<Family<Gauge>>(i, [](const detail::FamilyInfo&) { return std::make_unique<Gauge>(); }, dropped_counter(i));
  });
  return static_cast<Family<Gauge>&>(*e.family);
}

Family<Histogram>& Registry::histogram(HistogramOptions o) {
  auto info = info_from(o, MetricType::kHistogram, o.name);
  info.bucket_bounds = std::move(o.buckets);
  Entry& e = add(std::move(info), [&](const detail::FamilyInfo& i) {
    auto make = [](const detail::FamilyInfo& own) { return std::make_unique<Histogram>(own.bucket_bounds); };
    return std::make_shared<Family<Histogram>>(i, make, dropped_counter(i));
  });
  return static_cast<Family<Histogram>&>(*e.family);
}

Family<Summary>& Registry::summary(SummaryOptions o) {
  auto info = info_from(o, MetricType::kSummary, o.name);
  SummaryConfig config = o.config;
  Summary probe(config);  // validates the config now, not on first labels()
  Entry& e = add(std::move(info), [&](const detail::FamilyInfo& i) {
    return std::make_shared<Family<Summary>>(i, [config](const detail::FamilyInfo&) { return std::make_unique<Summary>(config); }, dropped_counter(i));
  });
  return static_cast<Family<Summary>&>(*e.family);
}

void Registry::register_collector(std::shared_ptr<Collector> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<std::shared_ptr<Collector>> Registry::collectors() const {
  std::vector<std::shared_ptr<Collector>> all;
  std::lock_guard lock(mu_);
  for (const auto& [name, e] : families_) all.push_back(e->family);
  all.insert(all.end(), collectors_.begin(), collectors_.end());
  return all;
}

std::vector<MetricFamilySnapshot> Registry::gather() const {
  std::vector<MetricFamilySnapshot> out;
  for (const auto& c : collectors()) c->collect(out);
  std::stable_sort(out.begin(), out.end(), detail::exposition_order);
  return out;
}

Registry& default_registry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    reg->register_collector(make_process_collector());
    return reg;
  }();
  return *r;
}

}  // namespace vigil
