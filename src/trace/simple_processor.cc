#include <mutex>

#include "vigil/trace.h"

namespace vigil {

struct SimpleSpanProcessor::Impl {
  std::mutex mu;  // exporters need not be thread safe
  std::unique_ptr<SpanExporter> exporter;
  bool shut_down = false;
};

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter) : impl_(std::make_unique<Impl>()) {
  impl_->exporter = std::move(exporter);
}

SimpleSpanProcessor::~SimpleSpanProcessor() { shutdown(std::chrono::seconds(5)); }

void SimpleSpanProcessor::on_end(std::unique_ptr<SpanData> span) {
  std::lock_guard lock(impl_->mu);
  if (impl_->shut_down) return;
  impl_->exporter->export_spans(std::span<const std::unique_ptr<SpanData>>(&span, 1));
}

bool SimpleSpanProcessor::force_flush(std::chrono::milliseconds) { return true; }

bool SimpleSpanProcessor::shutdown(std::chrono::milliseconds) {
  std::lock_guard lock(impl_->mu);
  if (impl_->shut_down) return true;
  impl_->shut_down = true;
  return impl_->exporter->shutdown();
}

}  // namespace vigil
