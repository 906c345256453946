// The prediction-event API: JSON objects, JSON arrays or NDJSON of
// predictions (features, prediction, confidence, latency, outcome) and of
// ground-truth labels, validated whole before anything is applied.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/monitor.h"
#include "vigil/owned_value.h"

namespace vigil::server {

struct PredictionRecord {
  std::string model, version, request_id, error;
  std::vector<std::pair<std::string, OwnedValue>> features;
  OwnedValue prediction;
  double confidence = -1, latency_seconds = -1;
  std::uint64_t time_ns = 0;
  std::optional<OwnedValue> label;  // ground truth sent along (joined by request_id)
};

struct LabelRecord {
  std::string model, request_id;
  OwnedValue label;
};

// "line 3: 'model' must be a non-empty string"
class PayloadError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

std::vector<PredictionRecord> parse_predictions(std::string_view body);
std::vector<LabelRecord> parse_labels(std::string_view body);

// Feeds one record to the monitor (and its label, when present).
void apply(ModelMonitor& monitor, const PredictionRecord& r);

}  // namespace vigil::server
