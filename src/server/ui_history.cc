#include "server/ui_history.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/clock.h"
#include "vigil/metrics.h"

namespace vigil::server {
namespace {

// The request counter and latency histogram the UI reads, first present
// wins (the same order as SOURCES in ui/app.js).
struct Source {
  const char* requests;   // counter family, or a histogram's count
  const char* latency;    // histogram family
  const char* errors;     // separate error counter, or null: errors are a label of `requests`
  bool (*is_error)(const std::vector<std::string>& names, const LabelValues& values);
};

std::string label(const std::vector<std::string>& names, const LabelValues& values, const char* name) {
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
    if (names[i] == name) return values[i];
  return "";
}

const Source kSources[] = {
    {"inference_requests", "inference_latency_seconds", nullptr,
     [](const auto& n, const auto& v) { return label(n, v, "status") == "error"; }},
    {"http_server_request_duration_seconds", "http_server_request_duration_seconds", nullptr,
     [](const auto& n, const auto& v) { return std::atoi(label(n, v, "http_response_status_code").c_str()) >= 500; }},
    {"vigil_model_predictions", "vigil_model_prediction_latency_seconds", "vigil_model_errors", nullptr},
};

const MetricFamilySnapshot* find(const std::vector<MetricFamilySnapshot>& fs, std::string_view name) {
  for (const auto& f : fs)
    if (f.name == name) return &f;
  return nullptr;
}

double total(const MetricFamilySnapshot* f, const Source& s, bool errors_only) {
  double n = 0;
  if (!f) return 0;
  for (const auto& series : f->series) {
    if (errors_only && !s.is_error(f->label_names, series.label_values)) continue;
    n += f->type == MetricType::kHistogram ? series.count : series.value;
  }
  return n;
}

void read_requests(const std::vector<MetricFamilySnapshot>& fs, UiSnapshot& snap) {
  const Source* src = &kSources[2];
  for (const auto& s : kSources)
    if (find(fs, s.requests)) {
      src = &s;
      break;
    }
  const auto* requests = find(fs, src->requests);
  snap.errors = src->errors ? total(find(fs, src->errors), *src, false) : total(requests, *src, true);
  snap.requests = total(requests, *src, false) + (src->errors ? snap.errors : 0);
  if (const auto* lat = find(fs, src->latency); lat && lat->type == MetricType::kHistogram) {
    std::vector<double> counts(lat->bucket_bounds.size() + 1, 0.0);
    for (const auto& series : lat->series)
      for (std::size_t i = 0; i < series.bucket_counts.size() && i < counts.size(); ++i) counts[i] += series.bucket_counts[i];
    double cumulative = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      cumulative += counts[i];
      double le = i < lat->bucket_bounds.size() ? lat->bucket_bounds[i] : std::numeric_limits<double>::infinity();
      snap.buckets.emplace_back(le, cumulative);
    }
  }
}

void read_gauges(const std::vector<MetricFamilySnapshot>& fs, UiSnapshot& snap) {
  for (const auto& f : fs) {
    auto each = [&](auto fn) {
      for (const auto& s : f.series) fn(s);
    };
    if (f.name == "process_cpu_seconds") each([&](const auto& s) { snap.cpu_seconds += s.value; });
    else if (f.name == "process_resident_memory_bytes") each([&](const auto& s) { snap.gauges["rss"] = s.value / 1048576; });
    else if (f.name == "vigil_model_quality")
      each([&](const auto& s) {
        if (label(f.label_names, s.label_values, "metric") == "accuracy" && !snap.gauges.count("accuracy"))
          snap.gauges["accuracy"] = 100 * s.value;
      });
    else if (f.name == "vigil_slo_error_budget_remaining_ratio")
      each([&](const auto& s) { snap.gauges["slo:" + label(f.label_names, s.label_values, "slo") + ":budget"] = 100 * s.value; });
    else if (f.name == "vigil_slo_compliance_ratio")
      each([&](const auto& s) { snap.gauges["slo:" + label(f.label_names, s.label_values, "slo") + ":compliance"] = 100 * s.value; });
    else if (f.name == "vigil_slo_burn_rate")
      each([&](const auto& s) {
        snap.gauges["slo:" + label(f.label_names, s.label_values, "slo") + ":burn:" +
                    label(f.label_names, s.label_values, "window")] = s.value;
      });
    else if (f.name == "vigil_model_feature_drift_score")
      each([&](const auto& s) {
        snap.gauges["drift:" + label(f.label_names, s.label_values, "model") + ":" +
                    label(f.label_names, s.label_values, "feature")] = s.value;
      });
  }
}

// As the UI's quantileFromBuckets: linear within the bucket holding the rank.
double quantile(const std::vector<std::pair<double, double>>& buckets, double q) {
  double count = buckets.empty() ? 0 : buckets.back().second;
  if (count <= 0) return NAN;
  double rank = q * count, prev_le = 0, prev_count = 0;
  for (const auto& [le, c] : buckets) {
    if (c >= rank) {
      if (!std::isfinite(le)) return prev_le;
      return prev_le + (le - prev_le) * ((rank - prev_count) / std::max(c - prev_count, 1e-9));
    }
    prev_le = le, prev_count = c;
  }
  return prev_le;
}

}  // namespace

UiSnapshot ui_snapshot(Registry& registry) {
  std::vector<MetricFamilySnapshot> fs;
  for (const auto& c : registry.collectors()) c->collect(fs);
  UiSnapshot snap;
  read_requests(fs, snap);
  read_gauges(fs, snap);
  return snap;
}

std::vector<store::HistoryPoint> ui_points(const UiSnapshot& before, const UiSnapshot& now, double seconds,
                                           std::int64_t t_ns) {
  std::vector<store::HistoryPoint> out;
  auto add = [&](std::string name, double v) {
    if (std::isfinite(v)) out.push_back({std::move(name), t_ns, v});
  };
  double requests = now.requests - before.requests, errors = now.errors - before.errors;
  if (seconds > 0 && requests >= 0) {  // a counter reset (a restart) leaves this step out
    add("rate", requests / seconds);
    add("errors", requests > 0 ? 100 * errors / requests : 0);
    add("cpu", 100 * (now.cpu_seconds - before.cpu_seconds) / seconds);
  }
  if (now.buckets.size() == before.buckets.size()) {
    std::vector<std::pair<double, double>> delta = now.buckets;
    for (std::size_t i = 0; i < delta.size(); ++i) delta[i].second -= before.buckets[i].second;
    for (auto [name, q] : {std::pair{"p50", 0.5}, {"p95", 0.95}, {"p99", 0.99}}) add(name, 1000 * quantile(delta, q));
  }
  for (const auto& [name, v] : now.gauges) add(name, v);
  return out;
}

UiHistory::UiHistory(Registry& registry, store::Store& store, UiHistoryOptions options)
    : registry_(registry), store_(store), options_(options), thread_([this] { run(); }) {}

UiHistory::~UiHistory() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void UiHistory::sample(std::int64_t now_ns) {
  UiSnapshot snap = ui_snapshot(registry_);
  if (last_) {
    store::Batch b;
    b.history = ui_points(*last_, snap, static_cast<double>(now_ns - last_ns_) / 1e9, now_ns);
    store_.enqueue(std::move(b));  // refused only while the store cannot write: a gap in the history
  }
  last_ = std::move(snap);
  last_ns_ = now_ns;
}

void UiHistory::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    sample(detail::unix_now_ns());
    lock.lock();
    wake_.wait_for(lock, options_.resolution, [this] { return stop_; });
  }
}

}  // namespace vigil::server
