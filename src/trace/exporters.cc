#include <ostream>

#include "trace/otlp_http_sender.h"
#include "vigil/otlp.h"

namespace vigil {

struct OtlpHttpSpanExporter::Impl {
  explicit Impl(OtlpHttpOptions o) : sender(std::move(o)) {}
  detail::OtlpHttpSender sender;
  bool shut_down = false;
};

OtlpHttpSpanExporter::OtlpHttpSpanExporter(OtlpHttpOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

OtlpHttpSpanExporter::~OtlpHttpSpanExporter() = default;

ExportResult OtlpHttpSpanExporter::export_spans(std::span<const std::unique_ptr<SpanData>> spans) {
  if (impl_->shut_down || spans.empty()) return impl_->shut_down ? ExportResult::kFailure : ExportResult::kSuccess;
  std::string body = impl_->sender.options().protocol == OtlpProtocol::kHttpJson ? encode_otlp_traces_json(spans)
                                                                                : encode_otlp_traces_protobuf(spans);
  return impl_->sender.send(std::move(body)) ? ExportResult::kSuccess : ExportResult::kFailure;
}

bool OtlpHttpSpanExporter::shutdown() {
  impl_->shut_down = true;
  return true;
}

OStreamSpanExporter::OStreamSpanExporter(std::ostream& out) : out_(out) {}

ExportResult OStreamSpanExporter::export_spans(std::span<const std::unique_ptr<SpanData>> spans) {
  out_ << encode_otlp_traces_json(spans) << '\n';
  out_.flush();
  return out_ ? ExportResult::kSuccess : ExportResult::kFailure;
}

}  // namespace vigil
