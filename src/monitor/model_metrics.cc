#include "monitor/model_metrics.h"

namespace vigil::detail {

ModelMetrics::ModelMetrics(Registry& r, std::size_t max_classes, std::size_t max_error_categories)
    : latency_(r.histogram({.name = "vigil_model_prediction_latency_seconds",
                            .help = "Prediction latency.",
                            .labels = {"model", "version"},
                            .buckets = exponential_buckets(0.0005, 2, 14)})),
      predictions_(r.counter({.name = "vigil_model_predictions_total",
                              .help = "Predictions served, by predicted class (\"value\" for regression).",
                              .labels = {"model", "version", "class"},
                              .max_series = max_classes})),
      confidence_(r.histogram({.name = "vigil_model_prediction_confidence",
                               .help = "Confidence of served predictions.",
                               .labels = {"model", "version"},
                               .buckets = linear_buckets(0.1, 0.1, 10)})),
      errors_(r.counter({.name = "vigil_model_errors_total",
                         .help = "Failed predictions by error category.",
                         .labels = {"model", "version", "category"},
                         .max_series = max_error_categories})),
      labels_(r.counter({.name = "vigil_model_labels_total",
                         .help = "Ground-truth labels received, by outcome (joined, unknown).",
                         .labels = {"model", "outcome"}})),
      quality_(r.gauge({.name = "vigil_model_quality",
                        .help = "Model quality over the last labelled predictions (accuracy, precision, recall, f1 "
                                "macro; mae, rmse).",
                        .labels = {"model", "version", "metric"}})),
      drift_score_(r.gauge({.name = "vigil_model_feature_drift_score",
                            .help = "Drift score of the last closed window (p-value for tests, distance otherwise).",
                            .labels = {"model", "feature", "method"}})),
      drifted_(r.gauge({.name = "vigil_model_feature_drifted",
                        .help = "1 if the feature drifted in the last closed window.",
                        .labels = {"model", "feature"}})),
      dataset_drift_(r.gauge({.name = "vigil_model_dataset_drift",
                              .help = "1 if the share of drifted features passed the dataset-drift threshold.",
                              .labels = {"model"}})),
      drift_share_(r.gauge({.name = "vigil_model_drift_share",
                            .help = "Share of features that drifted in the last closed window.",
                            .labels = {"model"}})),
      check_failed_(r.gauge({.name = "vigil_model_data_quality_failed",
                             .help = "1 if the data-quality check failed in the last closed window.",
                             .labels = {"model", "check", "feature"}})),
      checks_failed_total_(r.counter({.name = "vigil_model_data_quality_failures_total",
                                      .help = "Failed data-quality checks, by check.",
                                      .labels = {"model", "check"}})),
      evaluations_(r.counter({.name = "vigil_model_drift_evaluations_total",
                              .help = "Windows evaluated for drift and data quality.",
                              .labels = {"model"}})),
      concept_drift_(r.counter({.name = "vigil_model_concept_drift_total",
                                .help = "Concept-drift detections on the error stream, by detector.",
                                .labels = {"model", "detector"}})),
      pending_dropped_(r.counter({.name = "vigil_model_pending_dropped_total",
                                  .help = "Predictions that stopped waiting for a label (too many or too old).",
                                  .labels = {"model"}})),
      models_refused_(r.counter({.name = "vigil_model_refused_total",
                                 .help = "Prediction events refused because their model was past max_models.",
                                 .labels = {"reason"}})
                          .labels({"max_models"})),
      features_dropped_(r.counter({.name = "vigil_model_features_dropped_total",
                                   .help = "Feature values left out of a model's profile: the model was at max_features.",
                                   .labels = {"model"}})),
      windows_unjudged_(r.counter({.name = "vigil_model_windows_unjudged_total",
                                   .help = "Closed windows with fewer rows than min_window_rows: profiled, not judged.",
                                   .labels = {"model"}})) {}

void ModelMetrics::prediction(const PredictionEvent& e, std::string_view version, std::string_view predicted_class) {
  if (e.latency_seconds >= 0) latency_.labels({e.model, version}).observe(e.latency_seconds);
  if (!e.error.empty()) {
    errors_.labels({e.model, version, e.error}).inc();
    return;
  }
  predictions_.labels({e.model, version, predicted_class}).inc();
  if (e.confidence >= 0) confidence_.labels({e.model, version}).observe(e.confidence);
}

void ModelMetrics::window(const DriftEvaluation& ev) {
  evaluations_.labels({ev.model}).inc();
  for (const auto& f : ev.report.features) {
    drift_score_.labels({ev.model, f.name, std::string(drift_method_name(f.drift.method))}).set(f.drift.score);
    drifted_.labels({ev.model, f.name}).set(f.drift.drifted ? 1 : 0);
  }
  dataset_drift_.labels({ev.model}).set(ev.report.dataset_drift ? 1 : 0);
  drift_share_.labels({ev.model}).set(ev.report.drift_share);
  for (const auto& q : ev.report.quality) {
    if (!q.failed && q.count == 0 && q.check != "missing_rate_jump") {
      // Only touch series that exist or matter, to keep cardinality down.
      check_failed_.labels({ev.model, q.check, q.feature}).set(0);
      continue;
    }
    check_failed_.labels({ev.model, q.check, q.feature}).set(q.failed ? 1 : 0);
    if (q.failed) checks_failed_total_.labels({ev.model, q.check}).inc();
  }
}

void ModelMetrics::quality(std::string_view model, std::string_view ver, ModelTask task, const ModelQuality& q) {
  if (task == ModelTask::kClassification) {
    quality_.labels({model, ver, "accuracy"}).set(q.accuracy);
    quality_.labels({model, ver, "precision"}).set(q.precision);
    quality_.labels({model, ver, "recall"}).set(q.recall);
    quality_.labels({model, ver, "f1"}).set(q.f1);
  } else {
    quality_.labels({model, ver, "mae"}).set(q.mae);
    quality_.labels({model, ver, "rmse"}).set(q.rmse);
  }
}

void ModelMetrics::label(std::string_view model, bool joined) {
  labels_.labels({model, joined ? "joined" : "unknown"}).inc();
}

void ModelMetrics::concept_drift(std::string_view model, const char* detector) {
  concept_drift_.labels({model, detector}).inc();
}

void ModelMetrics::pending_dropped(std::string_view model, std::size_t n) {
  if (n) pending_dropped_.labels({model}).inc(static_cast<double>(n));
}

void ModelMetrics::model_refused() { models_refused_.inc(); }

void ModelMetrics::features_dropped(std::string_view model, std::size_t n) {
  if (n) features_dropped_.labels({model}).inc(static_cast<double>(n));
}

void ModelMetrics::window_unjudged(std::string_view model) { windows_unjudged_.labels({model}).inc(); }

}  // namespace vigil::detail
