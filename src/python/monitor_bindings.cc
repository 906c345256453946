// vigil.ModelMonitor over the C++ ModelMonitor: one event at a time, or a
// whole batch of rows from NumPy buffers in one call without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/bindings.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"
#include "vigil/prediction_export.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

using Numbers = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Codes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using Times = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

// A feature or prediction value from Python: a number, a label, or missing.
MonitorValue monitor_value(const py::handle& v) {
  if (v.is_none()) return std::monostate{};
  if (PyUnicode_Check(v.ptr())) {
    Py_ssize_t n = 0;
    const char* data = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
    if (!data) throw py::error_already_set();
    return std::string_view(data, static_cast<std::size_t>(n));
  }
  if (PyBool_Check(v.ptr()) || PyLong_Check(v.ptr()) || PyFloat_Check(v.ptr()) ||
      py::isinstance(v, py::module_::import("numbers").attr("Number")))
    return py::cast<double>(v);
  throw py::type_error("a monitored value must be a number, a str or None, not " +
                       std::string(py::str(py::type::of(v).attr("__name__"))));
}

ModelTask task_of(const std::string& task) {
  if (task == "classification") return ModelTask::kClassification;
  if (task == "regression") return ModelTask::kRegression;
  throw py::value_error("task must be 'classification' or 'regression', not '" + task + "'");
}

// One column of a batch, read without the GIL: numbers, or codes into a
// dictionary (code < 0 = missing).
struct BatchColumn {
  std::string name;
  std::optional<Numbers> numbers;
  std::optional<Codes> codes;
  std::vector<std::string> dictionary;

  std::size_t size() const { return numbers ? numbers->size() : codes->size(); }
  MonitorValue at(std::size_t row) const {
    if (numbers) return numbers->data()[row];
    std::int64_t c = codes->data()[row];
    if (c < 0) return std::monostate{};
    return std::string_view(dictionary[static_cast<std::size_t>(c)]);
  }
};

BatchColumn batch_column(const py::tuple& spec) {
  // (name, "numeric", float64 array) or (name, "categorical", codes, dictionary)
  BatchColumn c{.name = spec[0].cast<std::string>()};
  if (spec[1].cast<std::string>() == "numeric") {
    c.numbers = spec[2].cast<Numbers>();
  } else {
    c.codes = spec[2].cast<Codes>();
    c.dictionary = spec[3].cast<std::vector<std::string>>();
    for (std::size_t i = 0; i < static_cast<std::size_t>(c.codes->size()); ++i)
      if (c.codes->data()[i] >= static_cast<std::int64_t>(c.dictionary.size()))
        throw py::value_error("column '" + c.name + "': category code out of range");
  }
  return c;
}

struct Batch {
  std::vector<BatchColumn> features;
  std::optional<BatchColumn> prediction;
  std::optional<Numbers> confidence, latency;
  std::optional<Times> times;
  std::vector<std::string> request_ids;
  std::size_t rows = 0;
};

void check_length(std::size_t rows, std::size_t n, const std::string& what) {
  if (n != rows)
    throw py::value_error(what + " has " + std::to_string(n) + " rows, the features " + std::to_string(rows));
}

Batch batch_of(const py::list& features, const py::object& prediction, const py::object& confidence,
               const py::object& latency, const py::object& request_ids, const py::object& times, std::size_t rows) {
  Batch b{.rows = rows};
  for (const auto& spec : features) {
    b.features.push_back(batch_column(spec.cast<py::tuple>()));
    check_length(rows, b.features.back().size(), "column '" + b.features.back().name + "'");
  }
  if (!prediction.is_none()) {
    b.prediction = batch_column(prediction.cast<py::tuple>());
    check_length(rows, b.prediction->size(), "the prediction");
  }
  if (!confidence.is_none()) check_length(rows, (b.confidence = confidence.cast<Numbers>())->size(), "confidence");
  if (!latency.is_none()) check_length(rows, (b.latency = latency.cast<Numbers>())->size(), "latency_seconds");
  if (!times.is_none()) check_length(rows, (b.times = times.cast<Times>())->size(), "timestamps");
  if (!request_ids.is_none()) {
    b.request_ids = request_ids.cast<std::vector<std::string>>();
    check_length(rows, b.request_ids.size(), "request_ids");
  }
  return b;
}

std::size_t record_rows(ModelMonitor& monitor, PredictionExporter* exporter, const Batch& b, std::string_view model,
                        std::string_view version) {
  std::size_t recorded = 0;
  PredictionEvent e{.model = model, .version = version};
  e.features.reserve(b.features.size());
  for (std::size_t row = 0; row < b.rows; ++row) {
    e.features.clear();
    for (const auto& c : b.features) e.features.emplace_back(std::string_view(c.name), std::monostate{}).value = c.at(row);
    e.prediction = b.prediction ? b.prediction->at(row) : MonitorValue{};
    e.confidence = b.confidence ? b.confidence->data()[row] : -1;
    e.latency_seconds = b.latency ? b.latency->data()[row] : -1;
    e.request_id = b.request_ids.empty() ? std::string_view() : std::string_view(b.request_ids[row]);
    e.time_unix_nano = b.times ? b.times->data()[row] : 0;
    recorded += monitor.record(e) ? 1 : 0;
    if (exporter) exporter->export_prediction(e);
  }
  return recorded;
}

py::dict evaluation_dict(const DriftEvaluation& e) {
  py::dict d;
  d["model"] = e.model;
  d["window_start_unix_nano"] = e.window_start_unix_nano;
  d["window_end_unix_nano"] = e.window_end_unix_nano;
  d["rows"] = e.rows;
  d["dataset_drift"] = e.report.dataset_drift;
  d["drifted"] = e.drifted;
  d["failed_checks"] = e.failed_checks;
  d["report_json"] = e.report.to_json();
  return d;
}

py::list evaluation_list(const std::vector<DriftEvaluation>& evaluations) {
  py::list out;
  for (const auto& e : evaluations) out.append(evaluation_dict(e));
  return out;
}

std::unique_ptr<ModelMonitor> make_monitor(Registry* registry, double window_seconds, std::size_t label_window,
                                           std::size_t max_pending, double label_ttl_seconds, std::size_t sample_size,
                                           std::size_t max_models, std::size_t max_features,
                                           std::size_t min_window_rows) {
  if (!(window_seconds >= 1)) throw py::value_error("window_seconds must be at least 1");
  return std::make_unique<ModelMonitor>(ModelMonitorOptions{
      .registry = registry,
      .window = seconds_of(window_seconds),
      .min_window_rows = min_window_rows,
      .label_window = label_window,
      .max_pending = max_pending,
      .label_ttl = seconds_of(label_ttl_seconds),
      .sample_size = sample_size,
      .max_models = max_models,
      .max_features = max_features});
}

}  // namespace

void bind_exporter(py::module_& m) {
  py::class_<PredictionExporter>(m, "PredictionExporter")
      .def(py::init([](std::string endpoint, std::map<std::string, std::string> headers, std::size_t max_queue_size,
                       double schedule_delay_seconds, Registry* registry) {
             return std::make_unique<PredictionExporter>(PredictionExporterOptions{
                 .endpoint = std::move(endpoint), .headers = HeaderMap(headers.begin(), headers.end()),
                 .max_queue_size = max_queue_size,
                 .schedule_delay = milliseconds_of(schedule_delay_seconds),
                 .registry = registry});
           }), py::keep_alive<1, 6>(), py::arg("endpoint"), py::arg("headers"), py::arg("max_queue_size"),
           py::arg("schedule_delay_seconds"), py::arg("registry"))
      .def("flush", [](PredictionExporter& e, double timeout_seconds) {
        return e.flush(milliseconds_of(timeout_seconds));
      }, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("dropped", &PredictionExporter::dropped)
      .def_property_readonly("failed", &PredictionExporter::failed);
}

void bind_monitor(py::module_& m) {
  bind_exporter(m);
  py::class_<ModelMonitor>(m, "ModelMonitor")
      .def(py::init(&make_monitor), py::keep_alive<1, 2>(), py::arg("registry"), py::arg("window_seconds"), py::arg("label_window"),
           py::arg("max_pending"), py::arg("label_ttl_seconds"), py::arg("sample_size"), py::arg("max_models"),
           py::arg("max_features"), py::arg("min_window_rows"))
      .def("set_reference", [](ModelMonitor& mon, std::string_view model, const DatasetProfile& reference,
                               const std::string& task, std::string target) {
        mon.set_reference(model, reference, ReferenceOptions{.task = task_of(task), .target = std::move(target)});
      })
      .def("use_last_window_as_reference", &ModelMonitor::use_last_window_as_reference)
      .def("record", [](ModelMonitor& mon, std::string_view model, const py::dict& features, const py::handle& prediction,
                        double confidence, double latency_seconds, std::string_view request_id,
                        std::string_view version, std::string_view error, std::uint64_t time_unix_nano,
                        PredictionExporter* exporter) {
        PredictionEvent e{.model = model, .version = version, .request_id = request_id,
                          .prediction = monitor_value(prediction), .confidence = confidence,
                          .latency_seconds = latency_seconds, .error = error, .time_unix_nano = time_unix_nano};
        e.features.reserve(features.size());
        for (auto [k, v] : features) {
          if (!PyUnicode_Check(k.ptr())) throw py::type_error("feature names must be str");
          e.features.emplace_back(std::string_view(PyUnicode_AsUTF8(k.ptr())), std::monostate{}).value = monitor_value(v);
        }
        bool recorded = mon.record(e);
        if (exporter) exporter->export_prediction(e);
        return recorded;
      }, py::arg("model"), py::arg("features"), py::arg("prediction"), py::arg("confidence"),
         py::arg("latency_seconds"), py::arg("request_id"), py::arg("version"), py::arg("error"),
         py::arg("time_unix_nano"), py::arg("exporter") = nullptr)
      .def("record_batch", [](ModelMonitor& mon, const std::string& model, const py::list& features,
                              const py::object& prediction, const py::object& confidence, const py::object& latency,
                              const py::object& request_ids, const py::object& times, std::size_t rows,
                              const std::string& version, PredictionExporter* exporter) {
        Batch b = batch_of(features, prediction, confidence, latency, request_ids, times, rows);
        py::gil_scoped_release release;
        return record_rows(mon, exporter, b, model, version);
      }, py::arg("model"), py::arg("features"), py::arg("prediction"), py::arg("confidence"), py::arg("latency"),
         py::arg("request_ids"), py::arg("times"), py::arg("rows"), py::arg("version"), py::arg("exporter") = nullptr)
      .def("record_label", [](ModelMonitor& mon, std::string_view model, std::string_view request_id,
                              const py::handle& label, PredictionExporter* exporter) {
        MonitorValue value = monitor_value(label);
        if (exporter) exporter->export_label(model, request_id, value);
        return mon.record_label(model, request_id, value);
      }, py::arg("model"), py::arg("request_id"), py::arg("label"), py::arg("exporter") = nullptr)
      .def("evaluate", [](ModelMonitor& mon, std::uint64_t now) {
        std::vector<DriftEvaluation> out;
        {
          py::gil_scoped_release release;
          out = mon.evaluate(now);
        }
        return evaluation_list(out);
      }, py::arg("now_unix_nano") = 0)
      .def("close_windows", [](ModelMonitor& mon, std::uint64_t now) {
        std::vector<DriftEvaluation> out;
        {
          py::gil_scoped_release release;
          out = mon.close_windows(now);
        }
        return evaluation_list(out);
      }, py::arg("now_unix_nano") = 0)
      .def("history", [](const ModelMonitor& mon, std::string_view model) { return evaluation_list(mon.history(model)); },
           py::arg("model") = "")
      .def("quality", [](const ModelMonitor& mon, std::string_view model) {
        ModelQuality q = mon.quality(model);
        py::dict d;
        d["labelled"] = q.labelled;
        d["accuracy"] = q.accuracy;
        d["precision"] = q.precision;
        d["recall"] = q.recall;
        d["f1"] = q.f1;
        d["mae"] = q.mae;
        d["rmse"] = q.rmse;
        d["concept_drift"] = q.concept_drift;
        return d;
      })
      .def("models", &ModelMonitor::models);
}

}  // namespace vigil::python
