#include "server/ingest_api.h"

#include <optional>

#include "common/clock.h"
#include "common/monitor_value.h"
#include "server/http_util.h"
#include "server/otlp_receiver.h"
#include "server/prediction_api.h"
#include "store/store.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"
#include "vigil/slo.h"

namespace vigil::server {
namespace {

// What OTLP exporters back off on and retry: the queue is full, or the
// store cannot commit (`failure` names why) and refuses new data.
void refuse_for_now(Response& res, const std::string& failure) {
  res.set_header("Retry-After", failure.empty() ? "1" : "5");
  send_error(res, 503, failure.empty() ? "store queue full; retry later"
                                       : "store cannot write (" + failure + "); retry later");
}

const char* item_name(Signal signal) { return signal == Signal::kTraces ? "spans" : "logs"; }

// Reads a JSON body and parses it with `parse`; on failure answers 415,
// 413 or 400 (naming the line) and returns nothing.
template <class Parse>
auto read_payload(Exchange& x, std::size_t max_bytes, Parse parse) -> std::optional<decltype(parse(std::string_view()))> {
  if (!require_json(x.req, x.res)) return std::nullopt;
  std::string body;
  if (!read_body(x.req, x.res, max_bytes, body)) return std::nullopt;
  try {
    return parse(body);
  } catch (const PayloadError& e) {
    send_error(x.res, 400, e.what());
    return std::nullopt;
  }
}

}  // namespace

IngestApi::IngestApi(IngestOptions options, store::Store& store, ModelMonitor& monitor, const SlosByModel& slos,
                     Registry& registry)
    : options_(options),
      store_(store),
      monitor_(monitor),
      slos_(slos),
      items_(&registry.counter({.name = "vigil_receiver_items_total",
                                .help = "Items received, by signal and outcome (accepted, rejected as invalid, "
                                        "refused when the queue was full, malformed request).",
                                .labels = {"signal", "outcome"}})) {}

void IngestApi::count(const char* signal, const char* outcome, double n) {
  if (n > 0) items_->labels({signal, outcome}).inc(n);
}

std::atomic<double>& IngestApi::expansion(Signal signal) { return expansion_[signal == Signal::kTraces ? 0 : 1]; }

void IngestApi::traces(Exchange& x) { otlp(Signal::kTraces, x); }
void IngestApi::logs(Exchange& x) { otlp(Signal::kLogs, x); }

// When the batch this body will become (its size times the last decoded
// body's expansion, less a margin) cannot fit, decoding it would only take
// CPU from the store's writer.
bool IngestApi::sheds_before_decoding(Signal signal, std::size_t encoded_bytes) {
  double grow = expansion(signal).load(std::memory_order_relaxed);
  return !store_.admits(static_cast<std::size_t>(static_cast<double>(encoded_bytes) * 0.9 * grow));
}

void IngestApi::count_request(Signal signal, const char* outcome) { count(item_name(signal), outcome, 1); }

OtlpOutcome IngestApi::ingest_otlp(Signal signal, std::string_view body, bool json_body) {
  const char* name = item_name(signal);
  DecodeResult d = decode_otlp(signal, body, json_body,
                               {.now_ns = detail::unix_now_ns(),
                                .max_future_ns = std::chrono::nanoseconds(options_.max_clock_skew).count(),
                                .max_age_ns = std::chrono::nanoseconds(options_.max_age).count()});
  if (!d.error.empty()) {
    count(name, "malformed", 1);
    return {.kind = OtlpOutcome::Kind::kMalformed, .error = d.error};
  }
  std::size_t n = d.batch.rows();
  if (!json_body && !body.empty())
    expansion(signal).store(static_cast<double>(d.batch.bytes()) / static_cast<double>(body.size()),
                            std::memory_order_relaxed);
  // An exporter told to retry keeps its data, one told OK drops it.
  std::uint64_t ticket = n ? store_.submit(std::move(d.batch)) : 0;
  if (n && (!ticket || (options_.acknowledge_committed && !store_.await_commit(ticket)))) {
    count(name, "refused", static_cast<double>(n));
    return {.kind = OtlpOutcome::Kind::kRefused, .store_failure = store_.failure()};
  }
  count(name, "accepted", static_cast<double>(n));
  count(name, "rejected", static_cast<double>(d.rejected));
  count(name, "end_before_start", static_cast<double>(d.end_before_start));
  return {.rejected = d.rejected, .partial_message = d.partial_message};
}

void IngestApi::otlp(Signal signal, Exchange& x) {
  std::string type = x.req.get_header_value("Content-Type");
  bool json_body = type.rfind("application/json", 0) == 0;
  if (!json_body && type.rfind("application/x-protobuf", 0) != 0)
    return send_error(x.res, 415, "Content-Type must be application/x-protobuf or application/json");
  bool compressed = !x.req.get_header_value("Content-Encoding").empty();
  if (!json_body && !compressed && sheds_before_decoding(signal, x.req.body.size()))
    return refuse_for_now(x.res, store_.failure());
  std::string decompressed;  // the server has already bounded an uncompressed body
  if (compressed && !read_body(x.req, x.res, options_.max_body_bytes, decompressed))
    return count_request(signal, "malformed");
  std::string_view body = compressed ? std::string_view(decompressed) : std::string_view(x.req.body);
  OtlpOutcome out = ingest_otlp(signal, body, json_body);
  if (out.kind == OtlpOutcome::Kind::kMalformed) return send_error(x.res, 400, out.error);
  if (out.kind == OtlpOutcome::Kind::kRefused) return refuse_for_now(x.res, out.store_failure);
  x.res.status = 200;
  x.res.set_content(otlp_response(signal, out.rejected, out.partial_message, json_body),
                    json_body ? "application/json" : "application/x-protobuf");
}

void IngestApi::predictions(Exchange& x) {
  auto records = read_payload(x, options_.max_body_bytes, parse_predictions);
  if (!records) return count("predictions", "malformed", 1);
  std::vector<std::string_view> models;
  for (const auto& r : *records) models.push_back(r.model);
  if (!monitor_.admits(models)) {  // checked whole, so a batch is applied entirely or not at all
    count("predictions", "refused", static_cast<double>(records->size()));
    return send_error(x.res, 422,
                      "monitor.max_models reached: this batch names models beyond the limit, so it was not applied. "
                      "A model is a deployed model; put versions in 'version' and request ids in 'request_id'");
  }
  for (const auto& r : *records) {
    apply(monitor_, r);
    if (auto it = slos_.find(r.model); it != slos_.end()) it->second->record_request(r.error.empty(), r.latency_seconds);
  }
  count("predictions", "accepted", static_cast<double>(records->size()));
  send_json(x.res, 200, {{"accepted", records->size()}});
}

void IngestApi::labels(Exchange& x) {
  auto labels = read_payload(x, options_.max_body_bytes, parse_labels);
  if (!labels) return count("labels", "malformed", 1);
  std::size_t joined = 0;
  for (const auto& l : *labels) joined += monitor_.record_label(l.model, l.request_id, detail::monitor_view(l.label));
  count("labels", "accepted", static_cast<double>(joined));
  count("labels", "unknown", static_cast<double>(labels->size() - joined));
  send_json(x.res, 200, {{"joined", joined}, {"unknown", labels->size() - joined}});
}

}  // namespace vigil::server
