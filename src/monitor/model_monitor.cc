// ModelMonitor: per-model windows of profiles, metrics per prediction,
// ground-truth joins, and drift/quality evaluation when a window closes.
// One mutex per model; evaluation runs outside it.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "common/fast_clock.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"

namespace vigil {
namespace {

constexpr std::string_view kPredictionFeature = "@prediction";
constexpr std::string_view kConfidenceFeature = "@confidence";

// An owned copy of a MonitorValue.
using Owned = std::variant<std::monostate, double, std::string>;
Owned own(const MonitorValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string_view>(&v)) return std::string(*s);
  return std::monostate{};
}
std::string label_text(const Owned& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", *d);
    return buf;
  }
  return "";
}

struct Metrics {
  Family<Histogram>* latency = nullptr;
  Family<Counter>* predictions = nullptr;
  Family<Histogram>* confidence = nullptr;
  Family<Counter>* errors = nullptr;
  Family<Counter>* labels = nullptr;
  Family<Gauge>* quality = nullptr;  // accuracy, precision, recall, f1, mae, rmse by "metric"
  Family<Gauge>* drift_score = nullptr;
  Family<Gauge>* drifted = nullptr;
  Family<Gauge>* dataset_drift = nullptr;
  Family<Gauge>* drift_share = nullptr;
  Family<Gauge>* check_failed = nullptr;
  Family<Counter>* checks_failed_total = nullptr;
  Family<Counter>* evaluations = nullptr;
  Family<Counter>* concept_drift = nullptr;
  Family<Counter>* pending_dropped = nullptr;
};

}  // namespace

struct ModelMonitor::Impl {
  struct Model {
    std::mutex mu;
    std::string name;
    ModelTask task = ModelTask::kClassification;
    std::optional<DatasetProfile> reference;
    DatasetProfile window;
    std::uint64_t window_start = 0, window_end = 0;
    std::optional<DatasetProfile> last_closed;
    // Ground truth.
    struct Pending {
      Owned prediction;
      std::uint64_t time;
      std::string version;
    };
    std::unordered_map<std::string, Pending> pending;
    std::deque<std::pair<std::uint64_t, std::string>> pending_order;
    std::deque<std::pair<std::string, std::string>> labelled;  // (predicted, actual) classes
    std::deque<double> errors;                                 // regression: prediction − actual
    std::map<std::string, std::array<std::uint64_t, 3>> confusion;  // class -> tp, fp, fn
    std::uint64_t correct = 0;
    double sum_abs = 0, sum_sq = 0;
    PageHinkley page_hinkley{{.delta = 0.005, .lambda = 20, .min_samples = 30}};
    Adwin adwin{0.002};
    bool concept_drift = false;
  };

  ModelMonitorOptions options;
  Metrics m;
  mutable std::mutex models_mu;
  std::map<std::string, std::unique_ptr<Model>, std::less<>> models;
  mutable std::mutex history_mu;
  std::deque<DriftEvaluation> history;

  std::uint64_t window_ns() const {
    return static_cast<std::uint64_t>(std::chrono::nanoseconds(options.window).count());
  }

  Model& model(std::string_view name) {
    std::lock_guard lock(models_mu);
    auto it = models.find(name);
    if (it == models.end()) {
      auto mdl = std::make_unique<Model>();
      mdl->name = std::string(name);
      it = models.emplace(std::string(name), std::move(mdl)).first;
    }
    return *it->second;
  }

  FeatureProfile& window_feature(Model& mdl, std::string_view name, FeatureKind guess) {
    auto it = mdl.window.features.find(name);
    if (it != mdl.window.features.end()) return it->second;
    FeatureProfile f;
    f.name = std::string(name);
    f.kind = guess;
    f.numeric = NumericSummary(options.sample_size);
    if (mdl.reference) {
      auto r = mdl.reference->features.find(name);
      if (r != mdl.reference->features.end()) {
        f.kind = r->second.kind;
        if (f.kind == FeatureKind::kNumeric && !r->second.numeric.bin_edges().empty())
          f.numeric.set_bins(r->second.numeric.bin_edges());
      }
    }
    return mdl.window.features.emplace(std::string(name), std::move(f)).first->second;
  }

  void add_value(Model& mdl, std::string_view name, const MonitorValue& v) {
    FeatureKind guess = std::holds_alternative<std::string_view>(v) ? FeatureKind::kCategorical : FeatureKind::kNumeric;
    FeatureProfile& f = window_feature(mdl, name, guess);
    if (std::holds_alternative<std::monostate>(v)) {
      if (f.kind == FeatureKind::kNumeric) f.numeric.add_missing();
      else f.categorical.add_missing();
      return;
    }
    if (f.kind == FeatureKind::kNumeric) {
      if (const auto* d = std::get_if<double>(&v)) {
        f.numeric.add(*d);
      } else {
        ++f.type_errors;  // text where the reference has numbers
        f.numeric.add_missing();
      }
    } else {
      if (const auto* s = std::get_if<std::string_view>(&v)) f.categorical.add(*s);
      else f.categorical.add(label_text(own(v)));
    }
  }

  // Swaps out the window if `t` is past it; returns the closed one.
  std::optional<std::pair<DatasetProfile, std::uint64_t>> roll(Model& mdl, std::uint64_t t) {
    std::uint64_t w = window_ns();
    if (mdl.window_end == 0) {
      mdl.window_start = t / w * w;
      mdl.window_end = mdl.window_start + w;
      mdl.window.start_unix_nano = mdl.window_start;
      return std::nullopt;
    }
    if (t < mdl.window_end) return std::nullopt;
    DatasetProfile closed = std::move(mdl.window);
    closed.end_unix_nano = mdl.window_end;
    mdl.window = DatasetProfile{};
    mdl.window_start = t / w * w;
    mdl.window_end = mdl.window_start + w;
    mdl.window.start_unix_nano = mdl.window_start;
    return std::make_pair(std::move(closed), mdl.window_end);
  }

  // Evaluates a closed window against the model's reference (outside the model lock).
  std::optional<DriftEvaluation> evaluate_closed(Model& mdl, DatasetProfile closed) {
    std::optional<DatasetProfile> reference;
    {
      std::lock_guard lock(mdl.mu);
      mdl.last_closed = closed;
      if (!mdl.reference) {
        mdl.reference = closed;  // the first window is the baseline
        return std::nullopt;
      }
      // Outputs the reference lacks (a training CSV has no confidence)
      // take their baseline from the first window that has them.
      for (auto name : {kPredictionFeature, kConfidenceFeature}) {
        auto it = closed.features.find(name);
        if (it != closed.features.end() && !mdl.reference->features.count(name))
          mdl.reference->features.emplace(std::string(name), it->second);
      }
      reference = *mdl.reference;
    }
    if (closed.rows == 0) return std::nullopt;
    CompareOptions co = options.compare;
    co.prediction = std::string(kPredictionFeature);
    co.outputs.push_back(std::string(kConfidenceFeature));
    DriftEvaluation ev;
    ev.model = mdl.name;
    ev.window_start_unix_nano = closed.start_unix_nano;
    ev.window_end_unix_nano = closed.end_unix_nano;
    ev.rows = closed.rows;
    ev.report = compare(*reference, closed, co);
    ev.report.reference_name = "reference";
    ev.report.current_name = mdl.name + " window";
    // The target of a training set never arrives with predictions.
    std::erase_if(ev.report.quality, [&](const QualityCheck& q) {
      return q.check == "missing_feature" && (q.feature == co.target || q.feature.starts_with('@'));
    });
    for (const auto& f : ev.report.features)
      if (f.drift.drifted) ev.drifted.push_back(f.name);
    for (const auto& q : ev.report.quality)
      if (q.failed) ev.failed_checks.push_back(q.check + ":" + q.feature);
    publish(ev);
    return ev;
  }

  void publish(const DriftEvaluation& ev) {
    if (options.registry) {
      m.evaluations->labels({ev.model}).inc();
      for (const auto& f : ev.report.features) {
        m.drift_score->labels({ev.model, f.name, std::string(drift_method_name(f.drift.method))}).set(f.drift.score);
        m.drifted->labels({ev.model, f.name}).set(f.drift.drifted ? 1 : 0);
      }
      m.dataset_drift->labels({ev.model}).set(ev.report.dataset_drift ? 1 : 0);
      m.drift_share->labels({ev.model}).set(ev.report.drift_share);
      for (const auto& q : ev.report.quality) {
        if (!q.failed && q.count == 0 && q.check != "missing_rate_jump") {
          // Only touch series that exist or matter, to keep cardinality down.
          m.check_failed->labels({ev.model, q.check, q.feature}).set(0);
          continue;
        }
        m.check_failed->labels({ev.model, q.check, q.feature}).set(q.failed ? 1 : 0);
        if (q.failed) m.checks_failed_total->labels({ev.model, q.check}).inc();
      }
    }
    {
      std::lock_guard lock(history_mu);
      history.push_back(ev);
      while (history.size() > options.history) history.pop_front();
    }
    if (options.on_evaluation) options.on_evaluation(ev);
  }

  void update_quality_gauges(Model& mdl, std::string_view version) {
    if (!options.registry) return;
    ModelQuality q = quality_of(mdl);
    std::string model = mdl.name, ver(version);
    if (mdl.task == ModelTask::kClassification) {
      m.quality->labels({model, ver, "accuracy"}).set(q.accuracy);
      m.quality->labels({model, ver, "precision"}).set(q.precision);
      m.quality->labels({model, ver, "recall"}).set(q.recall);
      m.quality->labels({model, ver, "f1"}).set(q.f1);
    } else {
      m.quality->labels({model, ver, "mae"}).set(q.mae);
      m.quality->labels({model, ver, "rmse"}).set(q.rmse);
    }
  }

  static ModelQuality quality_of(const Model& mdl) {
    ModelQuality q;
    q.concept_drift = mdl.concept_drift;
    if (mdl.task == ModelTask::kRegression) {
      q.labelled = mdl.errors.size();
      if (q.labelled) {
        q.mae = mdl.sum_abs / static_cast<double>(q.labelled);
        q.rmse = std::sqrt(std::max(0.0, mdl.sum_sq) / static_cast<double>(q.labelled));
      }
      return q;
    }
    q.labelled = mdl.labelled.size();
    if (!q.labelled) return q;
    q.accuracy = static_cast<double>(mdl.correct) / static_cast<double>(q.labelled);
    double p = 0, r = 0, f = 0;
    std::size_t classes = 0;
    for (const auto& [cls, c] : mdl.confusion) {
      auto [tp, fp, fn] = c;
      if (tp + fp + fn == 0) continue;
      double prec = tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : 0;
      double rec = tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : 0;
      p += prec;
      r += rec;
      f += prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
      ++classes;
    }
    if (classes) {
      q.precision = p / static_cast<double>(classes);
      q.recall = r / static_cast<double>(classes);
      q.f1 = f / static_cast<double>(classes);
    }
    return q;
  }
};

ModelMonitor::ModelMonitor(ModelMonitorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (Registry* r = impl_->options.registry) {
    auto& m = impl_->m;
    m.latency = &r->histogram({.name = "vigil_model_prediction_latency_seconds",
                               .help = "Prediction latency.",
                               .labels = {"model", "version"},
                               .buckets = exponential_buckets(0.0005, 2, 14)});
    m.predictions = &r->counter({.name = "vigil_model_predictions_total",
                                 .help = "Predictions served, by predicted class (\"value\" for regression).",
                                 .labels = {"model", "version", "class"},
                                 .max_series = 2000});
    m.confidence = &r->histogram({.name = "vigil_model_prediction_confidence",
                                  .help = "Confidence of served predictions.",
                                  .labels = {"model", "version"},
                                  .buckets = linear_buckets(0.1, 0.1, 10)});
    m.errors = &r->counter({.name = "vigil_model_errors_total",
                            .help = "Failed predictions by error category.",
                            .labels = {"model", "version", "category"}});
    m.labels = &r->counter({.name = "vigil_model_labels_total",
                            .help = "Ground-truth labels received, by outcome (joined, unknown).",
                            .labels = {"model", "outcome"}});
    m.quality = &r->gauge({.name = "vigil_model_quality",
                           .help = "Model quality over the last labelled predictions (accuracy, precision, recall, f1 "
                                   "macro; mae, rmse).",
                           .labels = {"model", "version", "metric"}});
    m.drift_score = &r->gauge({.name = "vigil_model_feature_drift_score",
                               .help = "Drift score of the last closed window (p-value for tests, distance otherwise).",
                               .labels = {"model", "feature", "method"}});
    m.drifted = &r->gauge({.name = "vigil_model_feature_drifted",
                           .help = "1 if the feature drifted in the last closed window.",
                           .labels = {"model", "feature"}});
    m.dataset_drift = &r->gauge({.name = "vigil_model_dataset_drift",
                                 .help = "1 if the share of drifted features passed the dataset-drift threshold.",
                                 .labels = {"model"}});
    m.drift_share = &r->gauge({.name = "vigil_model_drift_share",
                               .help = "Share of features that drifted in the last closed window.",
                               .labels = {"model"}});
    m.check_failed = &r->gauge({.name = "vigil_model_data_quality_failed",
                                .help = "1 if the data-quality check failed in the last closed window.",
                                .labels = {"model", "check", "feature"}});
    m.checks_failed_total = &r->counter({.name = "vigil_model_data_quality_failures_total",
                                         .help = "Failed data-quality checks, by check.",
                                         .labels = {"model", "check"}});
    m.evaluations = &r->counter({.name = "vigil_model_drift_evaluations_total",
                                 .help = "Windows evaluated for drift and data quality.",
                                 .labels = {"model"}});
    m.concept_drift = &r->counter({.name = "vigil_model_concept_drift_total",
                                   .help = "Concept-drift detections on the error stream, by detector.",
                                   .labels = {"model", "detector"}});
    m.pending_dropped = &r->counter({.name = "vigil_model_pending_dropped_total",
                                     .help = "Predictions that stopped waiting for a label (too many or too old).",
                                     .labels = {"model"}});
  }
}

ModelMonitor::~ModelMonitor() = default;

void ModelMonitor::set_reference(std::string_view model, DatasetProfile reference, ModelTask task) {
  auto& mdl = impl_->model(model);
  std::lock_guard lock(mdl.mu);
  mdl.reference = std::move(reference);
  mdl.task = task;
  // Rebin the open window on the new reference's edges.
  mdl.window.features.clear();
  mdl.window.rows = 0;
}

bool ModelMonitor::use_last_window_as_reference(std::string_view model) {
  auto& mdl = impl_->model(model);
  std::lock_guard lock(mdl.mu);
  if (!mdl.last_closed) return false;
  mdl.reference = mdl.last_closed;
  return true;
}

void ModelMonitor::record(const PredictionEvent& e) {
  std::uint64_t t = e.time_unix_nano ? e.time_unix_nano : detail::fast_unix_nanos();
  auto& mdl = impl_->model(e.model);
  std::optional<std::pair<DatasetProfile, std::uint64_t>> closed;
  std::string version(e.version.empty() ? "unknown" : e.version);
  {
    std::lock_guard lock(mdl.mu);
    closed = impl_->roll(mdl, t);
    ++mdl.window.rows;
    for (const auto& f : e.features) impl_->add_value(mdl, f.name, f.value);
    if (e.error.empty()) {
      impl_->add_value(mdl, kPredictionFeature, e.prediction);
      if (e.confidence >= 0) impl_->add_value(mdl, kConfidenceFeature, e.confidence);
      if (!e.request_id.empty()) {
        auto [it, inserted] = mdl.pending.try_emplace(std::string(e.request_id));
        it->second = {own(e.prediction), t, version};
        if (inserted) mdl.pending_order.emplace_back(t, it->first);
        // Bounded: oldest first, by count and by age.
        std::uint64_t ttl = static_cast<std::uint64_t>(std::chrono::nanoseconds(impl_->options.label_ttl).count());
        while (!mdl.pending_order.empty() &&
               (mdl.pending.size() > impl_->options.max_pending || mdl.pending_order.front().first + ttl < t)) {
          if (mdl.pending.erase(mdl.pending_order.front().second) && impl_->options.registry)
            impl_->m.pending_dropped->labels({mdl.name}).inc();
          mdl.pending_order.pop_front();
        }
      }
    }
  }
  if (Registry* r = impl_->options.registry; r) {
    auto& m = impl_->m;
    std::string model(e.model);
    if (e.latency_seconds >= 0) m.latency->labels({model, version}).observe(e.latency_seconds);
    if (!e.error.empty()) {
      m.errors->labels({model, version, std::string(e.error)}).inc();
    } else {
      std::string cls = std::holds_alternative<std::string_view>(e.prediction) ? std::string(std::get<std::string_view>(e.prediction))
                        : mdl.task == ModelTask::kClassification && std::holds_alternative<double>(e.prediction)
                            ? label_text(own(e.prediction))
                            : "value";
      m.predictions->labels({model, version, cls}).inc();
      if (e.confidence >= 0) m.confidence->labels({model, version}).observe(e.confidence);
    }
  }
  if (closed) impl_->evaluate_closed(mdl, std::move(closed->first));
}

bool ModelMonitor::record_label(std::string_view model, std::string_view request_id, MonitorValue label) {
  auto& mdl = impl_->model(model);
  std::string version;
  bool drift_ph = false, drift_adwin = false;
  {
    std::lock_guard lock(mdl.mu);
    auto it = mdl.pending.find(std::string(request_id));
    if (it == mdl.pending.end()) {
      if (impl_->options.registry) impl_->m.labels->labels({mdl.name, "unknown"}).inc();
      return false;
    }
    Owned predicted = std::move(it->second.prediction);
    version = it->second.version;
    mdl.pending.erase(it);
    Owned actual = own(label);
    std::size_t cap = std::max<std::size_t>(impl_->options.label_window, 1);
    double error_signal = 0;
    if (mdl.task == ModelTask::kRegression) {
      const double* p = std::get_if<double>(&predicted);
      const double* a = std::get_if<double>(&actual);
      if (!p || !a) return false;
      double err = *p - *a;
      mdl.errors.push_back(err);
      mdl.sum_abs += std::fabs(err);
      mdl.sum_sq += err * err;
      if (mdl.errors.size() > cap) {
        double old = mdl.errors.front();
        mdl.errors.pop_front();
        mdl.sum_abs -= std::fabs(old);
        mdl.sum_sq -= old * old;
      }
      error_signal = std::fabs(err);
    } else {
      std::string p = label_text(predicted), a = label_text(actual);
      auto apply = [&](const std::string& pc, const std::string& ac, int sign) {
        auto add = [&](std::uint64_t& x) { x = sign > 0 ? x + 1 : x - 1; };
        if (pc == ac) {
          add(mdl.confusion[pc][0]);
          mdl.correct = sign > 0 ? mdl.correct + 1 : mdl.correct - 1;
        } else {
          add(mdl.confusion[pc][1]);
          add(mdl.confusion[ac][2]);
        }
      };
      apply(p, a, +1);
      mdl.labelled.emplace_back(p, a);
      if (mdl.labelled.size() > cap) {
        auto [op, oa] = mdl.labelled.front();
        mdl.labelled.pop_front();
        apply(op, oa, -1);
      }
      error_signal = p == a ? 0.0 : 1.0;
    }
    drift_ph = mdl.page_hinkley.update(error_signal);
    drift_adwin = mdl.adwin.update(error_signal);
    mdl.concept_drift = mdl.concept_drift || drift_ph || drift_adwin;
    impl_->update_quality_gauges(mdl, version);
  }
  if (impl_->options.registry) {
    impl_->m.labels->labels({mdl.name, "joined"}).inc();
    if (drift_ph) impl_->m.concept_drift->labels({mdl.name, "page_hinkley"}).inc();
    if (drift_adwin) impl_->m.concept_drift->labels({mdl.name, "adwin"}).inc();
  }
  return true;
}

std::vector<DriftEvaluation> ModelMonitor::evaluate(std::uint64_t now) {
  if (now == 0) now = detail::fast_unix_nanos();
  std::vector<Impl::Model*> all;
  {
    std::lock_guard lock(impl_->models_mu);
    for (auto& [name, mdl] : impl_->models) all.push_back(mdl.get());
  }
  std::vector<DriftEvaluation> out;
  for (auto* mdl : all) {
    std::optional<std::pair<DatasetProfile, std::uint64_t>> closed;
    {
      std::lock_guard lock(mdl->mu);
      if (mdl->window_end != 0 && now >= mdl->window_end) closed = impl_->roll(*mdl, now);
    }
    if (closed)
      if (auto ev = impl_->evaluate_closed(*mdl, std::move(closed->first))) out.push_back(std::move(*ev));
  }
  return out;
}

std::vector<DriftEvaluation> ModelMonitor::history(std::string_view model) const {
  std::lock_guard lock(impl_->history_mu);
  std::vector<DriftEvaluation> out;
  for (const auto& ev : impl_->history)
    if (model.empty() || ev.model == model) out.push_back(ev);
  return out;
}

ModelQuality ModelMonitor::quality(std::string_view model) const {
  Impl::Model* mdl = nullptr;
  {
    std::lock_guard lock(impl_->models_mu);
    auto it = impl_->models.find(model);
    if (it == impl_->models.end()) return {};
    mdl = it->second.get();
  }
  std::lock_guard lock(mdl->mu);
  ModelQuality q = Impl::quality_of(*mdl);
  mdl->concept_drift = false;  // reported once
  return q;
}

std::vector<std::string> ModelMonitor::models() const {
  std::lock_guard lock(impl_->models_mu);
  std::vector<std::string> out;
  for (const auto& [name, m] : impl_->models) out.push_back(name);
  return out;
}

}  // namespace vigil
