// ModelMonitor: per-model windows of profiles, metrics per prediction,
// ground-truth joins, and drift/quality evaluation when a window closes.
// One mutex per model; evaluation runs outside it.
//
// Kept as one file just past 400 lines: recording, closing a window and
// judging it share that locking rule (what runs under the model's mutex and
// what must not), which reads best in one place.
#include <algorithm>
#include <cmath>
#include <optional>

#include "common/fast_clock.h"
#include "common/monitor_value.h"
#include "monitor/model_metrics.h"
#include "monitor/model_scores.h"
#include "monitor/window_profile_poster.h"
#include "monitor/window_profiles.h"
#include "vigil/monitor.h"

namespace vigil {
namespace {

constexpr std::string_view kPredictionFeature = "@prediction";
constexpr std::string_view kConfidenceFeature = "@confidence";

// One model's state, guarded by `mu`.
struct Model {
  std::mutex mu;
  std::string name;
  ReferenceOptions settings;
  std::optional<DatasetProfile> reference;
  // The open window and the last closed one.
  DatasetProfile window;
  std::uint64_t window_start = 0, window_end = 0;
  std::optional<DatasetProfile> last_closed;
  // Ground truth.
  detail::PendingLabels pending;
  detail::ClassificationScores classification;
  detail::RegressionScores regression;
  PageHinkley page_hinkley{{.delta = 0.005, .lambda = 20, .min_samples = 30}};
  Adwin adwin{0.002};
  bool concept_drift_open = false, concept_drift_closed = false;  // in the open window / the last closed one

  ModelQuality quality() const {
    ModelQuality q;
    if (settings.task == ModelTask::kRegression) regression.fill(q);
    else classification.fill(q);
    q.concept_drift = concept_drift_open || concept_drift_closed;
    return q;
  }
};

// The class a prediction is counted under in vigil_model_predictions_total.
std::string predicted_class(const PredictionEvent& e, ModelTask task) {
  if (const auto* s = std::get_if<std::string_view>(&e.prediction)) return std::string(*s);
  if (task == ModelTask::kClassification && std::holds_alternative<double>(e.prediction))
    return detail::label_text(detail::own(e.prediction));
  return "value";
}

}  // namespace

struct ModelMonitor::Impl {
  ModelMonitorOptions options;
  std::optional<detail::ModelMetrics> metrics;
  std::optional<detail::WindowProfileWriter> window_writer;
  std::optional<detail::WindowProfilePoster> window_poster;
  mutable std::mutex models_mu;
  std::map<std::string, std::unique_ptr<Model>, std::less<>> models;
  mutable std::mutex history_mu;
  std::deque<DriftEvaluation> history;

  std::uint64_t window_ns() const {
    return static_cast<std::uint64_t>(std::chrono::nanoseconds(options.window).count());
  }

  // The model's state, created on first sight; nullptr when it would be one
  // model past max_models (unless `always`, for configured references).
  Model* model(std::string_view name, bool always = false) {
    std::lock_guard lock(models_mu);
    auto it = models.find(name);
    if (it == models.end()) {
      if (!always && models.size() >= options.max_models) return nullptr;
      auto mdl = std::make_unique<Model>();
      mdl->name = std::string(name);
      it = models.emplace(std::string(name), std::move(mdl)).first;
    }
    return it->second.get();
  }

  Model* find(std::string_view name) const {
    std::lock_guard lock(models_mu);
    auto it = models.find(name);
    return it == models.end() ? nullptr : it->second.get();
  }

  std::vector<Model*> all() const {
    std::lock_guard lock(models_mu);
    std::vector<Model*> out;
    for (auto& [name, mdl] : models) out.push_back(mdl.get());
    return out;
  }

  // nullptr for a new feature of a model already at max_features.
  FeatureProfile* window_feature(Model& mdl, std::string_view name, FeatureKind guess) {
    auto it = mdl.window.features.find(name);
    if (it != mdl.window.features.end()) return &it->second;
    // The outputs (@prediction, @confidence) always have room.
    const auto& fs = mdl.window.features;
    std::size_t inputs = fs.size() - fs.count(kPredictionFeature) - fs.count(kConfidenceFeature);
    if (!name.starts_with('@') && inputs >= options.max_features) return nullptr;
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
    return &mdl.window.features.emplace(std::string(name), std::move(f)).first->second;
  }

  // False when the feature had no room (the model is at max_features).
  bool add_value(Model& mdl, std::string_view name, const MonitorValue& v) {
    FeatureKind guess = std::holds_alternative<std::string_view>(v) ? FeatureKind::kCategorical : FeatureKind::kNumeric;
    FeatureProfile* slot = window_feature(mdl, name, guess);
    if (!slot) return false;
    FeatureProfile& f = *slot;
    if (std::holds_alternative<std::monostate>(v)) {
      if (f.kind == FeatureKind::kNumeric) f.numeric.add_missing();
      else f.categorical.add_missing();
      return true;
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
      else f.categorical.add(detail::label_text(detail::own(v)));
    }
    return true;
  }

  // Swaps out the window if `t` is past it (or `early`); returns the closed one.
  std::optional<DatasetProfile> roll(Model& mdl, std::uint64_t t, bool early = false) {
    std::uint64_t w = window_ns();
    if (mdl.window_end == 0) {
      mdl.window_start = t / w * w;
      mdl.window_end = mdl.window_start + w;
      mdl.window.start_unix_nano = mdl.window_start;
      return std::nullopt;
    }
    if (t < mdl.window_end && !early) return std::nullopt;
    DatasetProfile closed = std::exchange(mdl.window, DatasetProfile{});
    closed.end_unix_nano = std::min(mdl.window_end, std::max(t, mdl.window_start));
    mdl.window_start = t / w * w;
    mdl.window_end = mdl.window_start + w;
    mdl.window.start_unix_nano = mdl.window_start;
    mdl.concept_drift_closed = std::exchange(mdl.concept_drift_open, false);
    return closed;
  }

  // The reference a closed window is compared with; nullopt when the closed
  // window becomes the reference itself (a model without one).
  std::optional<DatasetProfile> reference_for(Model& mdl, const DatasetProfile& closed) {
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
    return *mdl.reference;
  }

  // Evaluates a closed window against the model's reference (outside the model lock).
  std::optional<DriftEvaluation> evaluate_closed(Model& mdl, DatasetProfile closed) {
    if (window_writer && closed.rows > 0) window_writer->write(mdl.name, closed);
    if (window_poster && closed.rows > 0) window_poster->post(mdl.name, closed);
    if (closed.rows > 0 && closed.rows < options.min_window_rows) {  // nor a baseline, when there is none yet
      if (metrics) metrics->window_unjudged(mdl.name);
      return std::nullopt;
    }
    std::optional<DatasetProfile> reference = reference_for(mdl, closed);
    if (!reference || closed.rows == 0) return std::nullopt;
    CompareOptions co = options.compare;
    co.prediction = std::string(kPredictionFeature);
    co.outputs.push_back(std::string(kConfidenceFeature));
    if (!mdl.settings.target.empty()) co.target = mdl.settings.target;
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
    if (metrics) metrics->window(ev);
    {
      std::lock_guard lock(history_mu);
      history.push_back(ev);
      while (history.size() > options.history) history.pop_front();
    }
    if (options.on_evaluation) options.on_evaluation(ev);
  }

  // Closes the windows due at `now` (all of them when `early`) and evaluates them.
  std::vector<DriftEvaluation> close(std::uint64_t now, bool early) {
    std::vector<DriftEvaluation> out;
    for (Model* mdl : all()) {
      std::optional<DatasetProfile> closed;
      {
        std::lock_guard lock(mdl->mu);
        if (mdl->window_end != 0 && (early || now >= mdl->window_end)) closed = roll(*mdl, now, early);
      }
      if (closed)
        if (auto ev = evaluate_closed(*mdl, std::move(*closed))) out.push_back(std::move(*ev));
    }
    return out;
  }

  // record()'s profile and pending-label updates, under the model's lock.
  void add_event(Model& mdl, const PredictionEvent& e, std::uint64_t t, std::string_view version) {
    ++mdl.window.rows;
    std::size_t no_room = 0;
    for (const auto& f : e.features) no_room += !add_value(mdl, f.name, f.value);
    if (metrics) metrics->features_dropped(mdl.name, no_room);
    if (!e.error.empty()) return;
    add_value(mdl, kPredictionFeature, e.prediction);
    if (e.confidence >= 0) add_value(mdl, kConfidenceFeature, e.confidence);
    if (e.request_id.empty()) return;
    std::uint64_t ttl = static_cast<std::uint64_t>(std::chrono::nanoseconds(options.label_ttl).count());
    std::size_t dropped = mdl.pending.add(e.request_id, {detail::own(e.prediction), t, std::string(version)},
                                          options.max_pending, ttl);
    if (metrics) metrics->pending_dropped(mdl.name, dropped);
  }

  // Scores one joined label; returns the error signal for the detectors, or
  // nullopt when a regression label or prediction is not a number.
  std::optional<double> score(Model& mdl, const OwnedValue& predicted, const MonitorValue& actual) {
    std::size_t cap = std::max<std::size_t>(options.label_window, 1);
    if (mdl.settings.task == ModelTask::kClassification)
      return mdl.classification.add(detail::label_text(predicted), detail::label_text(detail::own(actual)), cap);
    const double* p = std::get_if<double>(&predicted);
    const double* a = std::get_if<double>(&actual);
    if (!p || !a) return std::nullopt;
    return mdl.regression.add(*p, *a, cap);
  }

  // Feeds the error signal to both concept-drift detectors.
  void detect_concept_drift(Model& mdl, double error_signal) {
    bool page_hinkley = mdl.page_hinkley.update(error_signal);
    bool adwin = mdl.adwin.update(error_signal);
    mdl.concept_drift_open = mdl.concept_drift_open || page_hinkley || adwin;
    if (!metrics) return;
    if (page_hinkley) metrics->concept_drift(mdl.name, "page_hinkley");
    if (adwin) metrics->concept_drift(mdl.name, "adwin");
  }
};

ModelMonitor::ModelMonitor(ModelMonitorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (Registry* r = impl_->options.registry)
    impl_->metrics.emplace(*r, impl_->options.max_classes, impl_->options.max_error_categories);
  const ModelMonitorOptions& o = impl_->options;
  if (!o.window_profiles.empty()) impl_->window_writer.emplace(o.window_profiles, o.instance, o.registry);
  if (!o.window_profiles_url.empty())
    impl_->window_poster.emplace(detail::WindowProfilePostOptions{
        .url = o.window_profiles_url, .bearer_token = o.window_profiles_token, .instance = o.instance, .registry = o.registry});
}

ModelMonitor::~ModelMonitor() = default;

void ModelMonitor::set_reference(std::string_view model, DatasetProfile reference, ModelTask task) {
  set_reference(model, std::move(reference), ReferenceOptions{.task = task});
}

void ModelMonitor::set_reference(std::string_view model, DatasetProfile reference, ReferenceOptions options) {
  auto& mdl = *impl_->model(model, true);
  std::lock_guard lock(mdl.mu);
  mdl.reference = std::move(reference);
  mdl.settings = std::move(options);
  // Rebin the open window on the new reference's edges.
  mdl.window.features.clear();
  mdl.window.rows = 0;
}

bool ModelMonitor::use_last_window_as_reference(std::string_view model) {
  Model* mdl = impl_->find(model);
  if (!mdl) return false;
  std::lock_guard lock(mdl->mu);
  if (!mdl->last_closed) return false;
  mdl->reference = mdl->last_closed;
  return true;
}

bool ModelMonitor::record(const PredictionEvent& e) {
  Model* found = impl_->model(e.model);
  if (!found) {
    if (impl_->metrics) impl_->metrics->model_refused();
    return false;
  }
  Model& mdl = *found;
  std::uint64_t t = e.time_unix_nano ? e.time_unix_nano : detail::fast_unix_nanos();
  std::string_view version = e.version.empty() ? "unknown" : e.version;
  std::optional<DatasetProfile> closed;
  ModelTask task;
  {
    std::lock_guard lock(mdl.mu);
    closed = impl_->roll(mdl, t);
    impl_->add_event(mdl, e, t, version);
    task = mdl.settings.task;
  }
  if (impl_->metrics) impl_->metrics->prediction(e, version, predicted_class(e, task));
  if (closed) impl_->evaluate_closed(mdl, std::move(*closed));
  return true;
}

bool ModelMonitor::record_label(std::string_view model, std::string_view request_id, MonitorValue label) {
  Model* found = impl_->find(model);  // a label never creates a model: unknown names cost nothing
  if (!found) return false;
  Model& mdl = *found;
  std::lock_guard lock(mdl.mu);
  std::optional<detail::PendingLabels::Pending> pending = mdl.pending.take(request_id);
  if (!pending) {
    if (impl_->metrics) impl_->metrics->label(mdl.name, false);
    return false;
  }
  std::optional<double> error_signal = impl_->score(mdl, pending->prediction, label);
  if (!error_signal) return false;
  impl_->detect_concept_drift(mdl, *error_signal);
  if (impl_->metrics) {
    impl_->metrics->quality(mdl.name, pending->version, mdl.settings.task, mdl.quality());
    impl_->metrics->label(mdl.name, true);
  }
  return true;
}

std::vector<DriftEvaluation> ModelMonitor::evaluate(std::uint64_t now) {
  return impl_->close(now ? now : detail::fast_unix_nanos(), false);
}

std::vector<DriftEvaluation> ModelMonitor::close_windows(std::uint64_t now) {
  return impl_->close(now ? now : detail::fast_unix_nanos(), true);
}

std::vector<DriftEvaluation> ModelMonitor::history(std::string_view model) const {
  std::lock_guard lock(impl_->history_mu);
  std::vector<DriftEvaluation> out;
  for (const auto& ev : impl_->history)
    if (model.empty() || ev.model == model) out.push_back(ev);
  return out;
}

ModelQuality ModelMonitor::quality(std::string_view model) const {
  Model* mdl = impl_->find(model);
  if (!mdl) return {};
  std::lock_guard lock(mdl->mu);
  return mdl->quality();
}

bool ModelMonitor::admits(const std::vector<std::string_view>& names) const {
  std::lock_guard lock(impl_->models_mu);
  std::vector<std::string_view> unknown;
  for (std::string_view n : names) {
    if (impl_->models.count(n) || std::find(unknown.begin(), unknown.end(), n) != unknown.end()) continue;
    unknown.push_back(n);
    // Stop at the first name past the limit: `unknown` never outgrows it.
    if (impl_->models.size() + unknown.size() > impl_->options.max_models) return false;
  }
  return true;
}

std::vector<std::string> ModelMonitor::models() const {
  std::lock_guard lock(impl_->models_mu);
  std::vector<std::string> out;
  for (const auto& [name, m] : impl_->models) out.push_back(name);
  return out;
}

}  // namespace vigil
