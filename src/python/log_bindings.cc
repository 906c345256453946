// The C++ log pipeline for vigil.logs: Python records (structlog events,
// logging.LogRecords) enter the same provider, async queue and sinks (JSON
// lines, OTLP/HTTP) as C++ ones, carrying the active Python span's ids and a
// Python traceback when an exception was logged.
#include <pybind11/stl.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "python/bindings.h"
#include "vigil/metrics.h"
#include "vigil/log.h"
#include "vigil/otlp.h"
#include "vigil/trace.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

struct LogPipelineOptions {
  std::string output;       // "stdout", "stderr", a file path, or "" for none
  std::string otlp_endpoint;  // OTLP/HTTP logs endpoint; "" for none
  std::map<std::string, std::string> headers;
  std::string level = "info";
  Registry* registry = nullptr;
  std::size_t queue_capacity = 8192;
  bool block_when_full = false;  // a full queue makes the caller wait instead of dropping
};

// One provider and its loggers by name (a logger costs an allocation to
// make, so each name is made once).
class LogPipeline {
 public:
  explicit LogPipeline(const LogPipelineOptions& o, Attributes resource)
      : provider_(options_of(o, std::move(resource))), blocks_when_full_(o.block_when_full) {}

  Logger& logger(const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = loggers_.find(name);
    if (it == loggers_.end()) it = loggers_.emplace(name, provider_.logger(name)).first;
    return it->second;
  }
  LogProvider& provider() { return provider_; }
  bool blocks_when_full() const { return blocks_when_full_; }

 private:
  static LogProviderOptions options_of(const LogPipelineOptions& o, Attributes resource) {
    if (o.queue_capacity == 0) throw py::value_error("queue_capacity must be at least 1");
    LogProviderOptions p{.async = true, .queue_capacity = o.queue_capacity, .block_when_full = o.block_when_full,
                         .registry = o.registry};
    auto level = parse_level(o.level);
    if (!level) throw py::value_error("unknown log level '" + o.level + "'");
    p.level = *level;
    if (o.output == "stdout") p.sinks.push_back(stdout_sink());
    else if (o.output == "stderr") p.sinks.push_back(stderr_sink());
    else if (!o.output.empty()) p.sinks.push_back(file_sink({.path = o.output}));
    if (!o.otlp_endpoint.empty()) {
      OtlpLogSinkOptions s{.resource = Resource::create(std::move(resource)), .registry = o.registry};
      s.http.endpoint = o.otlp_endpoint;
      s.http.headers = HeaderMap(o.headers.begin(), o.headers.end());
      p.sinks.push_back(otlp_log_sink(std::move(s)));
    }
    if (p.sinks.empty()) throw py::value_error("a log pipeline needs an output or an OTLP endpoint");
    return p;
  }

  LogProvider provider_;
  bool blocks_when_full_;
  std::mutex mu_;
  std::map<std::string, Logger, std::less<>> loggers_;
};

// Field views into the Python objects (kept alive by the caller's dict);
// values that are not str, int, float, bool or None are written as str().
struct FieldList {
  std::vector<Field> fields;
  std::deque<std::string> owned;
};

// A Python str as UTF-8. Lone surrogates (undecodable bytes smuggled in by
// surrogateescape) are passed through as bytes that are not UTF-8, which
// the formatter writes as U+FFFD, instead of failing the log call.
std::string_view utf8(const py::handle& text, std::deque<std::string>& owned) {
  py::object s = py::reinterpret_borrow<py::object>(text);
  const bool borrowed = PyUnicode_Check(s.ptr());  // else a temporary: copy its text
  if (!borrowed) s = py::str(s);
  Py_ssize_t n = 0;
  if (const char* data = PyUnicode_AsUTF8AndSize(s.ptr(), &n)) {
    std::string_view view(data, static_cast<std::size_t>(n));
    return borrowed ? view : std::string_view(owned.emplace_back(view));
  }
  PyErr_Clear();
  py::object bytes = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(s.ptr(), "utf-8", "surrogatepass"));
  if (!bytes) throw py::error_already_set();
  return owned.emplace_back(PyBytes_AS_STRING(bytes.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.ptr())));
}

FieldList fields_of(const py::dict& d) {
  FieldList out;
  out.fields.reserve(d.size());
  for (auto [k, v] : d) {
    std::string_view key = utf8(k, out.owned);
    if (v.is_none()) out.fields.push_back({key, nullptr});
    else if (py::isinstance<py::bool_>(v)) out.fields.push_back({key, v.cast<bool>()});
    else if (py::isinstance<py::int_>(v)) {
      try {
        out.fields.push_back({key, v.cast<std::int64_t>()});
      } catch (const py::cast_error&) {  // past 64 bits: keep every digit
        out.fields.push_back({key, utf8(v, out.owned)});
      }
    } else if (py::isinstance<py::float_>(v)) out.fields.push_back({key, v.cast<double>()});
    else out.fields.push_back({key, utf8(v, out.owned)});
  }
  return out;
}

void write(Logger& log, Level level, std::string_view text, const FieldList& list,
           const std::optional<SpanContext>& span, const std::optional<std::vector<std::string>>& exception) {
  std::optional<Scope> active;
  if (span && span->valid()) active.emplace(*span);
  if (exception && exception->size() == 3) {
    const auto& e = *exception;
    log.log(level, text, ExceptionInfo{e[0], e[1], e[2]}, list.fields);
  } else {
    log.log(level, text, std::span<const Field>(list.fields));
  }
}

void emit(LogPipeline& pipeline, int level, const std::string& logger, const py::str& message, const py::dict& fields,
          const std::optional<SpanContext>& span, const std::optional<std::vector<std::string>>& exception) {
  Logger& log = pipeline.logger(logger);
  auto lvl = static_cast<Level>(level);
  if (!log.enabled(lvl)) return;
  FieldList list = fields_of(fields);
  std::string_view text = utf8(message, list.owned);
  if (!pipeline.blocks_when_full()) return write(log, lvl, text, list, span, exception);
  // A full queue makes this call wait for the worker. Holding the GIL
  // meanwhile would stall every other Python thread, including the one that
  // may be draining the output (a pipe's reader): a deadlock. The snapshot
  // holds a reference to every key and value the views point into, so no
  // other thread can free one while the GIL is released.
  py::list alive(fields.attr("items")());
  py::gil_scoped_release unlocked;
  write(log, lvl, text, list, span, exception);
}

}  // namespace

void bind_log(py::module_& m) {
  py::class_<LogPipeline>(m, "LogPipeline")
      .def(py::init([](std::string output, std::string otlp_endpoint, std::map<std::string, std::string> headers,
                       const py::object& resource, std::string level, Registry* registry, std::size_t queue_capacity,
                       bool block_when_full) {
             Attributes attrs;
             if (!resource.is_none())
               for (auto [k, v] : py::reinterpret_borrow<py::dict>(resource))
                 attrs.push_back({py::str(k), std::string(py::str(v))});
             LogPipelineOptions o{std::move(output), std::move(otlp_endpoint), std::move(headers), std::move(level),
                                  registry, queue_capacity, block_when_full};
             return std::make_unique<LogPipeline>(o, std::move(attrs));
           }), py::keep_alive<1, 7>(), py::arg("output") = "stdout", py::arg("otlp_endpoint") = "",
           py::arg("headers") = std::map<std::string, std::string>{}, py::arg("resource") = py::none(),
           py::arg("level") = "info", py::arg("registry") = nullptr, py::arg("queue_capacity") = 8192,
           py::arg("block_when_full") = false)
      .def("emit", &emit, py::arg("level"), py::arg("logger"), py::arg("message"), py::arg("fields"),
           py::arg("span") = std::nullopt, py::arg("exception") = std::nullopt)
      .def("set_level", [](LogPipeline& p, const std::string& spec) {
        if (!p.provider().set_levels(spec)) throw py::value_error("invalid log level spec '" + spec + "'");
      })
      .def("flush", [](LogPipeline& p) { p.provider().flush(); }, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("dropped", [](LogPipeline& p) { return p.provider().dropped(); })
      .def_property_readonly("queue_waits", [](LogPipeline& p) { return p.provider().queue_waits(); });
  m.attr("LEVEL_TRACE") = static_cast<int>(Level::kTrace);
  m.attr("LEVEL_DEBUG") = static_cast<int>(Level::kDebug);
  m.attr("LEVEL_INFO") = static_cast<int>(Level::kInfo);
  m.attr("LEVEL_WARN") = static_cast<int>(Level::kWarn);
  m.attr("LEVEL_ERROR") = static_cast<int>(Level::kError);
  m.attr("LEVEL_FATAL") = static_cast<int>(Level::kFatal);
}

}  // namespace vigil::python
