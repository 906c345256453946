// Model monitoring in a running service: every prediction with its
// features, confidence, latency and outcome; ground truth joined later by
// request id; Prometheus metrics; and, every window, drift and data-quality
// evaluation against the model's reference profile.
//
//   vigil::ModelMonitor monitor({.registry = &vigil::default_registry()});
//   monitor.set_reference("fraud", vigil::DatasetProfile::load("fraud-reference.json"));
//   monitor.record({.model = "fraud", .version = "3", .request_id = id,
//                   .features = {{"amount", 120.5}, {"country", "NO"}},
//                   .prediction = "legit", .confidence = 0.97, .latency_seconds = 0.004});
//   monitor.record_label("fraud", id, "fraud");       // minutes later
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vigil/drift.h"
#include "vigil/drift_report.h"
#include "vigil/profile.h"

namespace vigil {

class Registry;

// A feature or prediction value: a number, a label, or missing.
using MonitorValue = std::variant<std::monostate, double, std::string_view>;

struct FeatureValue {
  std::string_view name;
  MonitorValue value;
  FeatureValue(std::string_view n, double v) : name(n), value(v) {}
  FeatureValue(std::string_view n, int v) : name(n), value(static_cast<double>(v)) {}
  FeatureValue(std::string_view n, std::string_view v) : name(n), value(v) {}
  FeatureValue(std::string_view n, const char* v) : name(n), value(std::string_view(v)) {}
  FeatureValue(std::string_view n, std::monostate) : name(n), value(std::monostate{}) {}
};

enum class ModelTask { kClassification, kRegression };

// How a model's reference is read.
struct ReferenceOptions {
  ModelTask task = ModelTask::kClassification;
  // The reference's label column (e.g. "label" of a training CSV): it is
  // neither compared for drift nor reported missing from prediction events.
  std::string target;
};

struct PredictionEvent {
  std::string_view model;
  std::string_view version;
  std::string_view request_id;           // for joining ground truth later; may be empty
  std::vector<FeatureValue> features;
  MonitorValue prediction;               // a class label (classification) or a value (regression)
  double confidence = -1;                // in [0,1]; negative = not given
  double latency_seconds = -1;           // negative = not given
  std::string_view error;                // error category ("" = served); errors carry no prediction
  std::uint64_t time_unix_nano = 0;      // 0 = now
};

struct ModelMonitorOptions {
  Registry* registry = nullptr;  // vigil_model_* metrics; null = none
  // Tumbling evaluation windows: drift and quality are evaluated when one
  // closes (by event time), against the model's reference.
  std::chrono::seconds window{300};
  // A closed window with fewer rows is profiled (and written to
  // window_profiles) but neither judged nor made the baseline: a few
  // hundred rows, such as the partial first window after a start, can
  // cross a drift threshold by sampling noise alone. Counted in
  // vigil_model_windows_unjudged_total. 0: every window is judged.
  std::size_t min_window_rows = 0;
  CompareOptions compare;  // tests, thresholds, per-feature overrides, dataset-drift share
  // Ground truth: accuracy, precision/recall/F1 (macro) or MAE/RMSE over the
  // last `label_window` labelled predictions.
  std::size_t label_window = 1000;
  std::size_t max_pending = 100000;           // predictions awaiting a label (oldest dropped, counted)
  std::chrono::seconds label_ttl{3600};       // and for at most this long
  std::size_t history = 2000;                 // evaluations kept in memory
  std::size_t sample_size = 2000;             // per-feature reservoir in a window (KS/Wasserstein)
  // Cardinality guards, so memory and /metrics stay bounded whatever names
  // clients send. Events for models past max_models are refused (counted in
  // vigil_model_refused_total): folding them into one model would mix their
  // drift statistics into nonsense. Features past max_features of a model
  // are left out of its profile (counted in vigil_model_features_dropped_total).
  // Categories per feature are bounded by the profile (1024 tracked values,
  // the rest counted together); predicted classes and error categories by
  // their families' series limits (max_classes, max_error_categories; the
  // rest go to the __overflow__ series).
  std::size_t max_models = 100;
  std::size_t max_features = 200;
  std::size_t max_classes = 1000;
  std::size_t max_error_categories = 200;
  // Fleet-wide drift: each closed window's profile is also saved as
  // <window_profiles>/<model>/<window start, unix ns>-<instance>.json.
  // Windows start at multiples of `window`, so replicas' files for one
  // window merge (`vigil merge`) into the fleet's window; replicas must
  // share the model's reference, whose bins their windows use. Empty: off.
  std::filesystem::path window_profiles;
  std::string instance;  // this replica in those names; empty: host name and process id
  // Or (also) sent to another daemon, http://host:port, which saves them in
  // its own window_profiles directory under this instance's name: for
  // replicas that share no directory. A background thread sends them
  // (3 attempts); a full queue (16 windows) or a failure is counted in
  // vigil_model_window_profiles_total, and monitoring goes on. Invalid
  // urls throw std::invalid_argument from the constructor.
  std::string window_profiles_url;
  std::string window_profiles_token;  // the receiving daemon's bearer token, if it has one
  // Called (outside the monitor's locks) after every evaluation: storage,
  // alerting. Also see ModelMonitor::history().
  std::function<void(const struct DriftEvaluation&)> on_evaluation;
};

// The outcome of one window of one model.
struct DriftEvaluation {
  std::string model;
  std::uint64_t window_start_unix_nano = 0, window_end_unix_nano = 0;
  std::uint64_t rows = 0;
  DriftReport report;                  // per-feature drift, dataset drift, quality checks
  std::vector<std::string> drifted;    // names of drifted features (including prediction/confidence)
  std::vector<std::string> failed_checks;  // "check:feature"
};

struct ModelQuality {
  std::size_t labelled = 0;  // in the sliding window
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;  // classification (macro averages)
  double mae = 0, rmse = 0;                                // regression
  // Page–Hinkley or ADWIN fired on the error stream in the open window or
  // the last closed one. Reading it changes nothing: every reader that
  // looks at least once per window sees each detection.
  bool concept_drift = false;
};

class ModelMonitor {
 public:
  explicit ModelMonitor(ModelMonitorOptions options = {});
  ~ModelMonitor();
  ModelMonitor(const ModelMonitor&) = delete;
  ModelMonitor& operator=(const ModelMonitor&) = delete;

  // The reference profile for a model (e.g. from `vigil drift --save-profile`
  // or profile_table() on training data). Without one, the first closed
  // window becomes the reference.
  void set_reference(std::string_view model, DatasetProfile reference, ModelTask task = ModelTask::kClassification);
  void set_reference(std::string_view model, DatasetProfile reference, ReferenceOptions options);
  // Uses the model's last closed window as its reference from now on.
  bool use_last_window_as_reference(std::string_view model);

  // False when the event's model is past max_models (counted, not recorded).
  bool record(const PredictionEvent& event);
  // Ground truth for an earlier prediction; false if the request is unknown
  // (never seen, expired or already labelled).
  bool record_label(std::string_view model, std::string_view request_id, MonitorValue label);

  // Closes every window that ended before `now` (event time) and evaluates
  // it. record() does this on its own when a model's window has passed;
  // call it from a timer to close windows of models gone quiet.
  std::vector<DriftEvaluation> evaluate(std::uint64_t now_unix_nano = 0);
  // Closes every open window at `now` even though it has not run its full
  // length, and evaluates it: for shutdown, so the last window's verdict is
  // not lost. The evaluation's window ends at `now`.
  std::vector<DriftEvaluation> close_windows(std::uint64_t now_unix_nano = 0);

  std::vector<DriftEvaluation> history(std::string_view model = {}) const;
  ModelQuality quality(std::string_view model) const;
  std::vector<std::string> models() const;
  // Whether events for all of `models` would be recorded now: the ones not
  // yet known (each counted once) fit under max_models.
  bool admits(const std::vector<std::string_view>& models) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
