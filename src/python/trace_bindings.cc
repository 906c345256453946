// Tracer provider, tracers, spans and span contexts for vigil.trace. The
// active span lives in Python (a contextvar, right under asyncio); every
// span is started here with its parent given explicitly.
#include <pybind11/stl.h>

#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "python/bindings.h"
#include "vigil/metrics.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

// Where an exporter sends spans, as the Python exporter objects describe it;
// each processor builds its own exporter from it.
struct ExporterSpec {
  std::string kind;  // "otlp", "console" or "memory"
  OtlpHttpOptions http;
  // Batches received by "memory" exporters, as OTLP/JSON, until taken.
  std::shared_ptr<std::mutex> memory_mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> memory = std::make_shared<std::vector<std::string>>();
};

class MemoryExporter final : public SpanExporter {
 public:
  explicit MemoryExporter(const ExporterSpec& spec) : mu_(spec.memory_mu), batches_(spec.memory) {}
  ExportResult export_spans(std::span<const std::unique_ptr<SpanData>> spans) override {
    std::string json = encode_otlp_traces_json(spans);
    std::lock_guard lock(*mu_);
    batches_->push_back(std::move(json));
    return ExportResult::kSuccess;
  }

 private:
  std::shared_ptr<std::mutex> mu_;
  std::shared_ptr<std::vector<std::string>> batches_;
};

std::unique_ptr<SpanExporter> make_exporter(const ExporterSpec& spec) {
  if (spec.kind == "otlp") return std::make_unique<OtlpHttpSpanExporter>(spec.http);
  if (spec.kind == "console") return std::make_unique<OStreamSpanExporter>(std::cout);
  if (spec.kind == "memory") return std::make_unique<MemoryExporter>(spec);
  throw py::value_error("unknown exporter kind '" + spec.kind + "'");
}

// OpenTelemetry's attribute types: bool, int, float, str and homogeneous
// sequences of them. Anything else is dropped with a warning, as the
// OpenTelemetry SDK does, rather than failing the instrumented call.
std::optional<AttributeValue> attribute_value(const py::handle& v, std::string_view key) {
  if (py::isinstance<py::bool_>(v)) return AttributeValue(v.cast<bool>());
  if (py::isinstance<py::int_>(v)) return AttributeValue(v.cast<std::int64_t>());
  if (py::isinstance<py::float_>(v)) return AttributeValue(v.cast<double>());
  if (py::isinstance<py::str>(v)) return AttributeValue(v.cast<std::string>());
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    py::sequence seq = py::reinterpret_borrow<py::sequence>(v);
    if (seq.size() == 0) return AttributeValue(std::vector<std::string>{});
    py::handle first = seq[0];
    try {
      if (py::isinstance<py::bool_>(first)) return AttributeValue(seq.cast<std::vector<bool>>());
      if (py::isinstance<py::int_>(first)) return AttributeValue(seq.cast<std::vector<std::int64_t>>());
      if (py::isinstance<py::float_>(first)) return AttributeValue(seq.cast<std::vector<double>>());
      if (py::isinstance<py::str>(first)) return AttributeValue(seq.cast<std::vector<std::string>>());
    } catch (const py::cast_error&) {
    }
  }
  std::string msg = "Invalid type " + std::string(py::str(py::type::of(v).attr("__name__"))) + " for attribute '" +
                    std::string(key) + "' value; expected bool, int, float, str or a sequence of one of them";
  PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 2);
  return std::nullopt;
}

Attributes attributes_of(const py::object& obj) {
  Attributes out;
  if (obj.is_none()) return out;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
    std::string key = py::str(k);
    if (auto value = attribute_value(v, key)) out.push_back({std::move(key), std::move(*value)});
  }
  return out;
}

py::int_ int_of_hex(const std::string& hex) {
  return py::reinterpret_steal<py::int_>(PyLong_FromString(hex.c_str(), nullptr, 16));
}

std::string hex_of_int(const py::int_& v, int digits) {
  return py::str(py::module_::import("builtins").attr("format")(v, "0" + std::to_string(digits) + "x"));
}

SpanContext make_context(const py::int_& trace_id, const py::int_& span_id, bool remote, int flags,
                         const std::string& trace_state) {
  SpanContext c;
  auto t = TraceId::from_hex(hex_of_int(trace_id, 32));
  auto s = SpanId::from_hex(hex_of_int(span_id, 16));
  if (!t || !s) throw py::value_error("trace_id must fit 128 bits and span_id 64 bits, both non-negative");
  c.trace_id = *t;
  c.span_id = *s;
  c.remote = remote;
  c.flags = static_cast<std::uint8_t>(flags);
  c.trace_state = trace_state;
  return c;
}

void bind_context(py::module_& m) {
  py::class_<SpanContext>(m, "SpanContext")
      .def(py::init(&make_context), py::arg("trace_id"), py::arg("span_id"), py::arg("is_remote") = false,
           py::arg("trace_flags") = 0, py::arg("trace_state") = "")
      .def_property_readonly("trace_id", [](const SpanContext& c) { return int_of_hex(c.trace_id.hex()); })
      .def_property_readonly("span_id", [](const SpanContext& c) { return int_of_hex(c.span_id.hex()); })
      .def_property_readonly("trace_id_hex", [](const SpanContext& c) { return c.trace_id.hex(); })
      .def_property_readonly("span_id_hex", [](const SpanContext& c) { return c.span_id.hex(); })
      .def_property_readonly("trace_flags", [](const SpanContext& c) { return c.flags; })
      .def_property_readonly("trace_state", [](const SpanContext& c) { return c.trace_state; })
      .def_property_readonly("is_remote", [](const SpanContext& c) { return c.remote; })
      .def_property_readonly("is_valid", &SpanContext::valid)
      .def_property_readonly("sampled", &SpanContext::sampled)
      .def("__eq__", [](const SpanContext& a, const SpanContext& b) {
        return a.trace_id == b.trace_id && a.span_id == b.span_id && a.flags == b.flags;
      })
      .def("__repr__", [](const SpanContext& c) {
        return "SpanContext(trace_id=0x" + c.trace_id.hex() + ", span_id=0x" + c.span_id.hex() +
               ", trace_flags=0x0" + std::to_string(c.flags) + ", is_remote=" + (c.remote ? "True" : "False") + ")";
      });
  m.def("format_traceparent", &format_traceparent);
  m.def("parse_traceparent", &parse_traceparent, py::arg("traceparent"), py::arg("tracestate") = "");
}

void bind_span(py::module_& m) {
  py::class_<Span>(m, "Span")
      .def("get_span_context", &Span::context)
      .def("is_recording", &Span::recording)
      .def("set_attribute", [](Span& s, std::string_view key, const py::handle& value) {
        if (!s.recording()) return;
        if (auto v = attribute_value(value, key)) s.set_attribute(key, std::move(*v));
      })
      .def("set_attributes", [](Span& s, const py::object& attributes) {
        if (!s.recording()) return;
        for (auto& a : attributes_of(attributes)) s.set_attribute(a.key, std::move(a.value));
      })
      .def("add_event", [](Span& s, std::string_view name, const py::object& attributes, std::uint64_t timestamp) {
        s.add_event(name, attributes_of(attributes), timestamp);
      }, py::arg("name"), py::arg("attributes") = py::none(), py::arg("timestamp") = 0)
      .def("add_link", [](Span& s, const SpanContext& context, const py::object& attributes) {
        s.add_link(context, attributes_of(attributes));
      }, py::arg("context"), py::arg("attributes") = py::none())
      .def("record_exception", [](Span& s, std::string_view type, std::string_view message,
                                  std::string_view stacktrace) { s.record_exception(type, message, stacktrace); })
      .def("set_status", [](Span& s, int code, std::string_view description) {
        s.set_status(static_cast<StatusCode>(code), description);
      }, py::arg("code"), py::arg("description") = "")
      .def("update_name", &Span::update_name)
      // Ending hands the span to the processors: a queue push for the
      // batch processor, so the GIL stays held (releasing it costs more);
      // end_blocking releases it, for synchronous (simple) processors.
      .def("end", [](Span& s, std::uint64_t end_time) { s.end(end_time); }, py::arg("end_time") = 0)
      .def("end_blocking", [](Span& s, std::uint64_t end_time) { s.end(end_time); }, py::arg("end_time") = 0,
           py::call_guard<py::gil_scoped_release>());
}

Span start_span(const Tracer& tracer, std::string_view name, int kind, const std::optional<SpanContext>& parent,
                const py::object& attributes, const std::vector<SpanContext>& links, std::uint64_t start_time) {
  SpanOptions o{.kind = static_cast<SpanKind>(kind), .parent = parent, .root = !parent,
                .attributes = attributes_of(attributes), .start_unix_nano = start_time};
  for (const auto& l : links) o.links.push_back({l, {}});
  return tracer.start_span(name, std::move(o));
}

std::shared_ptr<Sampler> sampler_of(const std::string& spec, double ratio) {
  if (spec == "always_on") return always_on_sampler();
  if (spec == "always_off") return always_off_sampler();
  if (spec == "ratio") return trace_id_ratio_sampler(ratio);
  if (spec == "parent_always_on") return parent_based_sampler(always_on_sampler());
  if (spec == "parent_always_off") return parent_based_sampler(always_off_sampler());
  if (spec == "parent_ratio") return parent_based_sampler(trace_id_ratio_sampler(ratio));
  throw py::value_error("unknown sampler '" + spec + "'");
}

void bind_provider(py::module_& m) {
  py::class_<ExporterSpec>(m, "ExporterSpec")
      .def(py::init([](std::string kind, std::string endpoint, bool json, std::map<std::string, std::string> headers,
                       bool gzip, double timeout_seconds) {
             ExporterSpec s{.kind = std::move(kind)};
             s.http.endpoint = std::move(endpoint);
             s.http.protocol = json ? OtlpProtocol::kHttpJson : OtlpProtocol::kHttpProtobuf;
             s.http.headers = HeaderMap(headers.begin(), headers.end());
             s.http.gzip = gzip;
             s.http.timeout = milliseconds_of(timeout_seconds);
             return s;
           }), py::arg("kind"), py::arg("endpoint") = "", py::arg("json") = false,
           py::arg("headers") = std::map<std::string, std::string>{}, py::arg("gzip") = false,
           py::arg("timeout_seconds") = 10.0)
      .def("take_batches", [](ExporterSpec& s) {
        std::lock_guard lock(*s.memory_mu);
        return std::exchange(*s.memory, {});
      });
  py::class_<Tracer>(m, "Tracer")
      .def("start_span", &start_span, py::arg("name"), py::arg("kind"), py::arg("parent"),
           py::arg("attributes"), py::arg("links"), py::arg("start_time"))
      // The common case (no attributes, links or start time) in fewer conversions.
      .def("start_simple", [](const Tracer& t, std::string_view name, int kind, const SpanContext* parent) {
        return t.start_span(name, SpanOptions{.kind = static_cast<SpanKind>(kind),
                                              .parent = parent ? std::optional<SpanContext>(*parent) : std::nullopt,
                                              .root = parent == nullptr});
      });
  py::class_<TracerProvider>(m, "TracerProvider")
      .def(py::init([](const py::object& resource, const std::string& sampler, double ratio) {
             return std::make_unique<TracerProvider>(TracerProviderOptions{
                 .resource = Resource::create(attributes_of(resource)), .sampler = sampler_of(sampler, ratio)});
           }), py::arg("resource"), py::arg("sampler") = "parent_always_on", py::arg("ratio") = 1.0)
      .def("add_batch_processor", [](TracerProvider& p, const ExporterSpec& spec, std::size_t max_queue_size,
                                     std::size_t max_export_batch_size, double schedule_delay_seconds,
                                     Registry* registry) {
             p.add_processor(std::make_unique<BatchSpanProcessor>(
                 make_exporter(spec),
                 BatchSpanProcessorOptions{
                     .max_queue_size = max_queue_size, .max_export_batch_size = max_export_batch_size,
                     .schedule_delay = milliseconds_of(schedule_delay_seconds),
                     .registry = registry}));
           }, py::keep_alive<1, 6>(), py::arg("exporter"), py::arg("max_queue_size"), py::arg("max_export_batch_size"),
           py::arg("schedule_delay_seconds"), py::arg("registry") = nullptr)
      .def("add_simple_processor", [](TracerProvider& p, const ExporterSpec& spec) {
        p.add_processor(std::make_unique<SimpleSpanProcessor>(make_exporter(spec)));
      })
      .def("tracer", &TracerProvider::tracer, py::arg("name"), py::arg("version") = "")
      .def("force_flush", [](TracerProvider& p, double timeout_seconds) {
        return p.force_flush(milliseconds_of(timeout_seconds));
      }, py::call_guard<py::gil_scoped_release>())
      .def("shutdown", [](TracerProvider& p, double timeout_seconds) {
        return p.shutdown(milliseconds_of(timeout_seconds));
      }, py::call_guard<py::gil_scoped_release>());
}

}  // namespace

void bind_trace(py::module_& m) {
  bind_context(m);
  bind_span(m);
  bind_provider(m);
}

}  // namespace vigil::python
