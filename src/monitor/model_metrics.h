// ModelMonitor's Prometheus families (vigil_model_*) and the one place that
// writes them, so the monitor's logic never touches a family directly.
#pragma once

#include <string>
#include <string_view>

#include "vigil/metrics.h"
#include "vigil/monitor.h"

namespace vigil::detail {

class ModelMetrics {
 public:
  ModelMetrics(Registry& registry, std::size_t max_classes, std::size_t max_error_categories);

  void prediction(const PredictionEvent& event, std::string_view version, std::string_view predicted_class);
  void window(const DriftEvaluation& evaluation);
  void quality(std::string_view model, std::string_view version, ModelTask task, const ModelQuality& q);
  void label(std::string_view model, bool joined);
  void concept_drift(std::string_view model, const char* detector);
  void pending_dropped(std::string_view model, std::size_t n);
  void model_refused();
  void features_dropped(std::string_view model, std::size_t n);
  void window_unjudged(std::string_view model);

 private:
  Family<Histogram>& latency_;
  Family<Counter>& predictions_;
  Family<Histogram>& confidence_;
  Family<Counter>& errors_;
  Family<Counter>& labels_;
  Family<Gauge>& quality_;  // accuracy, precision, recall, f1, mae, rmse by "metric"
  Family<Gauge>& drift_score_;
  Family<Gauge>& drifted_;
  Family<Gauge>& dataset_drift_;
  Family<Gauge>& drift_share_;
  Family<Gauge>& check_failed_;
  Family<Counter>& checks_failed_total_;
  Family<Counter>& evaluations_;
  Family<Counter>& concept_drift_;
  Family<Counter>& pending_dropped_;
  Counter& models_refused_;
  Family<Counter>& features_dropped_;
  Family<Counter>& windows_unjudged_;
};

}  // namespace vigil::detail
