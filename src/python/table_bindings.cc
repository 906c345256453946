// Tables and profiles for vigil.profile / vigil.drift. Columns arrive as
// NumPy buffers (float64 values, or integer category codes beside their
// dictionary, as pandas.factorize gives them): no Python object per value.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "python/bindings.h"
#include "vigil/drift_report.h"

namespace py = pybind11;

namespace vigil::python {
namespace {

using Numbers = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Codes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

Column numeric_column(std::string name, const Numbers& values, std::uint64_t type_errors) {
  Column c{.name = std::move(name), .kind = FeatureKind::kNumeric};
  c.numbers.assign(values.data(), values.data() + values.size());
  c.type_errors = type_errors;
  return c;
}

Column categorical_column(std::string name, const Codes& codes, std::vector<std::string> dictionary) {
  Column c{.name = std::move(name), .kind = FeatureKind::kCategorical};
  c.codes.resize(static_cast<std::size_t>(codes.size()));
  const std::int64_t* in = codes.data();
  const auto n = static_cast<std::int64_t>(dictionary.size());
  for (std::size_t i = 0; i < c.codes.size(); ++i) {
    if (in[i] >= n) throw py::value_error("column '" + c.name + "': category code out of range");
    c.codes[i] = in[i] < 0 ? -1 : static_cast<std::int32_t>(in[i]);
  }
  c.dictionary = std::move(dictionary);
  return c;
}

void add_column(Table& t, Column c) {
  if (t.find(c.name)) throw py::value_error("duplicate column '" + c.name + "'");
  if (t.columns.empty()) t.rows = c.size();
  else if (c.size() != t.rows)
    throw py::value_error("column '" + c.name + "' has " + std::to_string(c.size()) + " rows, the others " +
                          std::to_string(t.rows));
  t.columns.push_back(std::move(c));
}

py::dict feature_kinds(const DatasetProfile& p) {
  py::dict out;
  for (const auto& [name, f] : p.features)
    out[py::str(name)] = f.kind == FeatureKind::kNumeric ? "numeric" : "categorical";
  return out;
}

void bind_table(py::module_& m) {
  py::class_<Table>(m, "Table")
      .def(py::init<>())
      .def("add_numeric", [](Table& t, std::string name, const Numbers& values, std::uint64_t type_errors) {
        add_column(t, numeric_column(std::move(name), values, type_errors));
      }, py::arg("name"), py::arg("values"), py::arg("type_errors") = 0)
      .def("add_categorical", [](Table& t, std::string name, const Codes& codes, std::vector<std::string> dictionary) {
        add_column(t, categorical_column(std::move(name), codes, std::move(dictionary)));
      })
      .def_readonly("rows", &Table::rows)
      .def_property_readonly("names", [](const Table& t) {
        std::vector<std::string> names;
        for (const auto& c : t.columns) names.push_back(c.name);
        return names;
      });
  m.def("read_csv", [](const std::filesystem::path& path) { return read_csv(path); },
        py::call_guard<py::gil_scoped_release>());
}

void bind_profile(py::module_& m) {
  py::class_<DatasetProfile>(m, "DatasetProfile")
      .def(py::init<>())
      .def("merge", &DatasetProfile::merge, py::call_guard<py::gil_scoped_release>())
      .def("to_json", &DatasetProfile::to_json, py::call_guard<py::gil_scoped_release>())
      .def_static("from_json", &DatasetProfile::from_json)
      .def("save", &DatasetProfile::save, py::call_guard<py::gil_scoped_release>())
      .def_static("load", &DatasetProfile::load, py::call_guard<py::gil_scoped_release>())
      .def_readonly("rows", &DatasetProfile::rows)
      .def_property_readonly("kinds", &feature_kinds)
      .def("copy", [](const DatasetProfile& p) { return DatasetProfile(p); });
  m.def("binning_profile", [](const std::map<std::string, std::vector<double>, std::less<>>& edges) {
    return binning_profile(edges);
  });
  m.def("bins_of", [](const DatasetProfile& profile) { return binning_profile(profile); });
  m.def("reference_bin_edges", &reference_bin_edges, py::arg("lo"), py::arg("hi"), py::arg("count"),
        py::arg("bins") = 0);
  m.def("profile_table", [](const Table& table, const DatasetProfile* reference, std::size_t bins) {
    py::gil_scoped_release release;
    return profile_table(table, reference, bins, std::max(1u, std::thread::hardware_concurrency()));
  }, py::arg("table"), py::arg("reference") = nullptr, py::arg("bins") = 0);
}

}  // namespace

void bind_tables(py::module_& m) {
  bind_table(m);
  bind_profile(m);
}

}  // namespace vigil::python
