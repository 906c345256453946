// Drift reports for vigil.drift: the same compare() as `vigil drift`, on
// tables built from DataFrames or on saved profiles.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "python/bindings.h"
#include "vigil/drift_report.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

DriftOptions drift_options(const std::string& method, std::optional<double> threshold, std::size_t bins) {
  auto m = parse_drift_method(method);
  if (!m)
    throw py::value_error("unknown drift method '" + method +
                          "' (auto, ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger)");
  return {*m, threshold, bins};
}

struct CompareArgs {
  std::string method = "auto";
  std::optional<double> threshold;
  std::size_t bins = 0;
  // feature -> (method, threshold or None)
  std::map<std::string, std::pair<std::string, std::optional<double>>> per_feature;
  double dataset_drift_share = 0.5;
  std::string target, prediction;
};

CompareOptions compare_options(const CompareArgs& a) {
  if (!(a.dataset_drift_share >= 0 && a.dataset_drift_share <= 1))
    throw py::value_error("dataset_drift_share must be within [0, 1]");
  CompareOptions c;
  c.defaults = drift_options(a.method, a.threshold, a.bins);
  for (const auto& [name, mt] : a.per_feature) c.per_feature[name] = drift_options(mt.first, mt.second, a.bins);
  c.dataset_drift_share = a.dataset_drift_share;
  c.target = a.target;
  c.prediction = a.prediction;
  c.threads = std::max(1u, std::thread::hardware_concurrency());
  return c;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!(out << text)) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void bind_drift(py::module_& m) {
  py::class_<DriftReport>(m, "DriftReport")
      .def("to_json", &DriftReport::to_json, py::call_guard<py::gil_scoped_release>())
      .def("to_html", &DriftReport::to_html, py::call_guard<py::gil_scoped_release>())
      .def("save_html", [](const DriftReport& r, const std::filesystem::path& path) { write_text(path, r.to_html()); },
           py::call_guard<py::gil_scoped_release>())
      .def_readonly("dataset_drift", &DriftReport::dataset_drift)
      .def_readonly("drift_share", &DriftReport::drift_share)
      .def_readonly("features_checked", &DriftReport::features_checked)
      .def_readonly("features_drifted", &DriftReport::features_drifted);
  m.def("compare", [](const DatasetProfile& reference, const DatasetProfile& current, const Table* reference_table,
                      const Table* current_table, const std::string& method, std::optional<double> threshold,
                      std::size_t bins, const std::map<std::string, std::pair<std::string, std::optional<double>>>& per_feature,
                      double dataset_drift_share, const std::string& target, const std::string& prediction,
                      const std::string& reference_name, const std::string& current_name) {
    CompareOptions options = compare_options({method, threshold, bins, per_feature, dataset_drift_share, target, prediction});
    for (const std::string* col : {&target, &prediction})
      if (!col->empty() && !reference.features.count(*col))
        throw py::key_error("column '" + *col + "' is not in the reference");
    py::gil_scoped_release release;
    DriftReport report = compare(reference, current, options, reference_table, current_table);
    report.reference_name = reference_name;
    report.current_name = current_name;
    return report;
  }, py::arg("reference"), py::arg("current"), py::arg("reference_table"), py::arg("current_table"),
     py::arg("method"), py::arg("threshold"), py::arg("bins"), py::arg("per_feature"), py::arg("dataset_drift_share"),
     py::arg("target"), py::arg("prediction"), py::arg("reference_name"), py::arg("current_name"));
}

}  // namespace vigil::python
