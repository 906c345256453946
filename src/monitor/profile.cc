// Feature and dataset profiles: merging, and their JSON form (saved
// reference profiles, and what replicas exchange).
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "vigil/profile.h"

namespace vigil {

using nlohmann::json;

void FeatureProfile::merge(const FeatureProfile& o) {
  auto kind_name = [](FeatureKind k) { return k == FeatureKind::kNumeric ? "numeric" : "categorical"; };
  if (kind != o.kind)
    throw std::invalid_argument("profile merge: column '" + name + "' is " + kind_name(kind) + " here and " +
                                kind_name(o.kind) + " in the other profile");
  try {
    if (kind == FeatureKind::kNumeric) numeric.merge(o.numeric);
    else categorical.merge(o.categorical);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("profile merge: column '" + name + "': " + e.what());
  }
  type_errors += o.type_errors;
  note_type_error(o.first_type_error, o.first_type_error_line);
}

void FeatureProfile::note_type_error(const std::string& text, std::size_t line) {
  if (line == 0 || (first_type_error_line != 0 && first_type_error_line <= line)) return;
  first_type_error = text;
  first_type_error_line = line;
}

std::uint64_t FeatureProfile::rows() const {
  return kind == FeatureKind::kNumeric ? numeric.count() + numeric.missing()
                                       : categorical.count() + categorical.missing();
}

namespace {

// Profiles of parts of one dataset have the same columns; merging others
// would give a profile of no dataset. An empty profile merges with any.
void require_same_columns(const DatasetProfile& a, const DatasetProfile& b) {
  std::string only_here, only_there;
  for (const auto& [name, f] : a.features)
    if (!b.features.count(name)) only_here += (only_here.empty() ? "" : ", ") + name;
  for (const auto& [name, f] : b.features)
    if (!a.features.count(name)) only_there += (only_there.empty() ? "" : ", ") + name;
  if (only_here.empty() && only_there.empty()) return;
  throw std::invalid_argument("profile merge: the columns differ (only here: " +
                              (only_here.empty() ? std::string("none") : only_here) + "; only in the other: " +
                              (only_there.empty() ? std::string("none") : only_there) + ")");
}

}  // namespace

void DatasetProfile::merge(const DatasetProfile& o) {
  if (!features.empty() && !o.features.empty()) require_same_columns(*this, o);
  for (const auto& [name, f] : o.features) {
    auto it = features.find(name);
    if (it == features.end()) features.emplace(name, f);
    else it->second.merge(f);
  }
  if (columns.empty()) columns = o.columns;
  rows += o.rows;
  if (o.start_unix_nano && (!start_unix_nano || o.start_unix_nano < start_unix_nano)) start_unix_nano = o.start_unix_nano;
  end_unix_nano = std::max(end_unix_nano, o.end_unix_nano);
}

// ---- JSON -------------------------------------------------------------------------

struct ProfileCodec {
  // JSON has no infinities or NaN: those travel as strings.
  static json number(double v) {
    if (std::isfinite(v)) return v;
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  }
  static double number(const json& j, const std::string& where) {
    if (j.is_number()) return j.get<double>();
    if (j == "inf") return INFINITY;
    if (j == "-inf") return -INFINITY;
    if (j == "nan") return NAN;
    throw std::invalid_argument(where + ": expected a number");
  }
  static const json& at(const json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw std::invalid_argument(where + ": missing '" + key + "'");
    return j.at(key);
  }
  template <typename T>
  static T get(const json& j, const char* key, const std::string& where) {
    const json& v = at(j, key, where);
    try {
      return v.get<T>();
    } catch (const json::exception&) {
      throw std::invalid_argument(where + "." + key + ": wrong type");
    }
  }

  static json encode(const NumericSummary& s) {
    auto st = s.sketch_.state();
    json sk = {{"relative_accuracy", st.relative_accuracy}, {"max_bins", st.max_bins},
               {"positive_offset", st.positive_offset},     {"positive", st.positive},
               {"negative_offset", st.negative_offset},     {"negative", st.negative},
               {"zeros", st.zeros},                         {"pos_inf", st.pos_inf},
               {"neg_inf", st.neg_inf},                     {"count", st.count},
               {"sum", number(st.sum)},                     {"min", number(st.min)},
               {"max", number(st.max)}};
    return {{"count", s.count_},   {"missing", s.missing_}, {"finite", s.finite_},   {"min", number(s.min_)},
            {"max", number(s.max_)}, {"shift", s.shift_},   {"sum", s.sum_},         {"sumsq", s.sumsq_},           {"edges", s.edges_},
            {"bins", s.bins_},     {"sample", s.sample_},   {"sample_capacity", s.sample_capacity_},
            {"seen_for_sample", s.seen_for_sample_},        {"sketch", sk},
            {"few_values", s.few_},                          {"many_values", s.many_},
            {"bins_derived", s.bins_derived_},              {"grid", encode(s.grid_)}};
  }

  // An integer field within [lo, hi]: a float there (1e300) must not reach
  // a cast to an integer type, which is undefined past its range.
  static std::int64_t integer(const json& j, const char* key, const std::string& where, std::int64_t lo, std::int64_t hi) {
    const json& v = at(j, key, where);
    if (!v.is_number_integer()) throw std::invalid_argument(where + "." + key + ": expected an integer");
    if (v.is_number_unsigned() ? v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi) : v.get<std::int64_t>() < lo ||
                                                                                            v.get<std::int64_t>() > hi)
      throw std::invalid_argument(where + "." + key + ": out of range");
    return v.get<std::int64_t>();
  }

  // Up to 4,096 counts per column: as LEB128 varints in base64, a run of
  // empty cells as 0 and the run's length less one, they take a fraction of
  // the text of a JSON array and parse as one string.
  static void put_varint(std::string& bytes, std::uint64_t c) {
    for (; c >= 0x80; c >>= 7) bytes += static_cast<char>((c & 0x7f) | 0x80);
    bytes += static_cast<char>(c);
  }
  static std::string pack_counts(const std::vector<std::uint64_t>& counts) {
    std::string bytes;
    for (std::size_t i = 0; i < counts.size();) {
      std::size_t run = 0;
      while (i + run < counts.size() && counts[i + run] == 0) ++run;
      if (run) {
        put_varint(bytes, 0);
        put_varint(bytes, run - 1);
        i += run;
      } else {
        put_varint(bytes, counts[i++]);
      }
    }
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
      std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
      if (i + 1 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
      if (i + 2 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 2]);
      out += kAlphabet[n >> 18];
      out += kAlphabet[(n >> 12) & 63];
      out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
  }

  static std::vector<std::uint64_t> unpack_counts(const std::string& text, const std::string& w) {
    auto value = [&](char c) -> std::uint32_t {
      if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
      if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a' + 26);
      if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0' + 52);
      if (c == '+') return 62;
      if (c == '/') return 63;
      throw std::invalid_argument(w + ": not base64");
    };
    if (text.size() % 4) throw std::invalid_argument(w + ": not base64");
    std::string bytes;
    for (std::size_t i = 0; i < text.size(); i += 4) {
      std::uint32_t n = value(text[i]) << 18 | value(text[i + 1]) << 12;
      if (text[i + 2] != '=') n |= value(text[i + 2]) << 6;
      if (text[i + 3] != '=') n |= value(text[i + 3]);
      bytes += static_cast<char>(n >> 16);
      if (text[i + 2] != '=') bytes += static_cast<char>((n >> 8) & 255);
      if (text[i + 3] != '=') bytes += static_cast<char>(n & 255);
    }
    std::vector<std::uint64_t> varints;
    std::uint64_t c = 0;
    int shift = 0;
    for (char ch : bytes) {
      auto b = static_cast<std::uint8_t>(ch);
      if (shift > 63 || (shift == 63 && (b & 0x7e))) throw std::invalid_argument(w + ": a count past 64 bits");
      c |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (b & 0x80) {
        shift += 7;
        continue;
      }
      varints.push_back(c);
      c = 0, shift = 0;
    }
    if (shift) throw std::invalid_argument(w + ": truncated counts");
    std::vector<std::uint64_t> counts;
    for (std::size_t i = 0; i < varints.size(); ++i) {
      if (varints[i] != 0) {
        counts.push_back(varints[i]);
        continue;
      }
      // Bounded before it is expanded: a grid has at most kMaxCells cells.
      if (i + 1 == varints.size() || varints[i + 1] >= static_cast<std::uint64_t>(GridHistogram::kMaxCells) ||
          counts.size() + varints[i + 1] + 1 > static_cast<std::uint64_t>(GridHistogram::kMaxCells))
        throw std::invalid_argument(w + ": a run of empty cells past the grid");
      counts.insert(counts.end(), varints[++i] + 1, 0);
    }
    return counts;
  }

  static json encode(const GridHistogram& g) {
    auto st = g.state();
    return {{"exponent", st.exponent}, {"max_abs", st.max_abs}, {"first_cell", st.first_cell},
            {"counts_varint_base64", pack_counts(st.counts)}};
  }

  // Profiles written before the grid existed have none: their KS and
  // Wasserstein fall back to the reservoir sample.
  static void decode_grid(const json& j, NumericSummary& s, const std::string& w) {
    if (j.contains("bins_derived")) s.bins_derived_ = get<bool>(j, "bins_derived", w);
    if (!j.contains("grid")) return;
    const json& g = j.at("grid");
    const std::string wg = w + ".grid";
    GridHistogram::State st{.exponent = static_cast<int>(integer(g, "exponent", wg, -1100, 1100)),
                            .max_abs = get<double>(g, "max_abs", wg),
                            .first_cell = integer(g, "first_cell", wg, -(std::int64_t{1} << 53), std::int64_t{1} << 53),
                            .counts = unpack_counts(get<std::string>(g, "counts_varint_base64", wg),
                                                    wg + ".counts_varint_base64")};
    try {
      s.grid_ = GridHistogram::from_state(st);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(w + "." + e.what());
    }
    if (s.grid_.count() != s.finite_) throw std::invalid_argument(wg + ": counts do not add up to the finite values");
  }

  static NumericSummary decode_numeric(const json& j, const std::string& w) {
    NumericSummary s(get<std::size_t>(j, "sample_capacity", w));
    s.count_ = get<std::uint64_t>(j, "count", w);
    s.missing_ = get<std::uint64_t>(j, "missing", w);
    s.finite_ = get<std::uint64_t>(j, "finite", w);
    s.min_ = number(at(j, "min", w), w + ".min");
    s.max_ = number(at(j, "max", w), w + ".max");
    s.shift_ = get<double>(j, "shift", w);
    s.sum_ = get<double>(j, "sum", w);
    s.sumsq_ = get<double>(j, "sumsq", w);
    auto edges = get<std::vector<double>>(j, "edges", w);
    if (!edges.empty()) s.set_bins(std::move(edges));
    auto bins = get<std::vector<std::uint64_t>>(j, "bins", w);
    if (bins.size() != s.bins_.size()) throw std::invalid_argument(w + ".bins: expected one more count than edges");
    s.bins_ = std::move(bins);
    s.sample_ = get<std::vector<double>>(j, "sample", w);
    s.seen_for_sample_ = get<std::uint64_t>(j, "seen_for_sample", w);
    s.few_ = get<std::vector<std::pair<double, std::uint64_t>>>(j, "few_values", w);
    s.many_ = get<bool>(j, "many_values", w);
    decode_grid(j, s, w);
    const json& sk = at(j, "sketch", w);
    std::string ws = w + ".sketch";
    QuantileSketch::State st;
    st.relative_accuracy = get<double>(sk, "relative_accuracy", ws);
    st.max_bins = get<std::uint32_t>(sk, "max_bins", ws);
    st.positive_offset = get<std::int32_t>(sk, "positive_offset", ws);
    st.positive = get<std::vector<std::uint64_t>>(sk, "positive", ws);
    st.negative_offset = get<std::int32_t>(sk, "negative_offset", ws);
    st.negative = get<std::vector<std::uint64_t>>(sk, "negative", ws);
    st.zeros = get<std::uint64_t>(sk, "zeros", ws);
    st.pos_inf = get<std::uint64_t>(sk, "pos_inf", ws);
    st.neg_inf = get<std::uint64_t>(sk, "neg_inf", ws);
    st.count = get<std::uint64_t>(sk, "count", ws);
    st.sum = number(at(sk, "sum", ws), ws + ".sum");
    st.min = number(at(sk, "min", ws), ws + ".min");
    st.max = number(at(sk, "max", ws), ws + ".max");
    try {
      s.sketch_ = QuantileSketch::from_state(st);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(ws + ": " + e.what());
    }
    return s;
  }

  static json encode(const CategoricalSummary& s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hll;
    for (std::uint8_t r : s.hll_) hll += {kHex[r >> 4], kHex[r & 15]};
    json counts = json::object();
    for (const auto& [k, c] : s.counts_) counts[k] = c;
    return {{"count", s.count_}, {"missing", s.missing_}, {"exact", s.exact_},
            {"max_tracked", s.max_tracked_}, {"counts", counts}, {"hll", hll}};
  }

  static CategoricalSummary decode_categorical(const json& j, const std::string& w) {
    CategoricalSummary s(get<std::size_t>(j, "max_tracked", w));
    s.count_ = get<std::uint64_t>(j, "count", w);
    s.missing_ = get<std::uint64_t>(j, "missing", w);
    s.exact_ = get<bool>(j, "exact", w);
    for (const auto& [k, c] : at(j, "counts", w).items()) {
      if (!c.is_number_unsigned()) throw std::invalid_argument(w + ".counts." + k + ": expected a count");
      s.counts_[k] = c.get<std::uint64_t>();
    }
    auto hll = get<std::string>(j, "hll", w);
    if (hll.size() != 2 * s.hll_.size()) throw std::invalid_argument(w + ".hll: wrong length");
    for (std::size_t i = 0; i < s.hll_.size(); ++i) s.hll_[i] = static_cast<std::uint8_t>(std::stoul(hll.substr(2 * i, 2), nullptr, 16));
    return s;
  }
};

std::string DatasetProfile::to_json() const {
  json features_json = json::object();
  for (const auto& [name, f] : features) {
    json fj = f.kind == FeatureKind::kNumeric ? ProfileCodec::encode(f.numeric) : ProfileCodec::encode(f.categorical);
    fj["kind"] = f.kind == FeatureKind::kNumeric ? "numeric" : "categorical";
    fj["type_errors"] = f.type_errors;
    features_json[name] = std::move(fj);
  }
  json j = {{"format", "vigil.profile/v1"},
            {"rows", rows},
            {"columns", columns},
            {"start_unix_nano", start_unix_nano},
            {"end_unix_nano", end_unix_nano},
            {"features", std::move(features_json)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

DatasetProfile DatasetProfile::from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("profile: not JSON: ") + e.what());
  }
  const std::string w = "profile";
  if (ProfileCodec::get<std::string>(j, "format", w) != "vigil.profile/v1")
    throw std::invalid_argument("profile: unknown format (expected vigil.profile/v1)");
  DatasetProfile p;
  p.rows = ProfileCodec::get<std::uint64_t>(j, "rows", w);
  if (j.contains("columns")) p.columns = ProfileCodec::get<std::vector<std::string>>(j, "columns", w);
  p.start_unix_nano = ProfileCodec::get<std::uint64_t>(j, "start_unix_nano", w);
  p.end_unix_nano = ProfileCodec::get<std::uint64_t>(j, "end_unix_nano", w);
  for (const auto& [name, fj] : ProfileCodec::at(j, "features", w).items()) {
    std::string fw = w + ".features." + name;
    FeatureProfile f;
    f.name = name;
    auto kind = ProfileCodec::get<std::string>(fj, "kind", fw);
    if (kind == "numeric") {
      f.kind = FeatureKind::kNumeric;
      f.numeric = ProfileCodec::decode_numeric(fj, fw);
    } else if (kind == "categorical") {
      f.kind = FeatureKind::kCategorical;
      f.categorical = ProfileCodec::decode_categorical(fj, fw);
    } else {
      throw std::invalid_argument(fw + ".kind: expected numeric or categorical");
    }
    f.type_errors = ProfileCodec::get<std::uint64_t>(fj, "type_errors", fw);
    p.features.emplace(name, std::move(f));
  }
  return p;
}

void DatasetProfile::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write profile " + path.string());
  out << to_json() << '\n';
  if (!out) throw std::runtime_error("cannot write profile " + path.string());
}

DatasetProfile DatasetProfile::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read profile " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return from_json(ss.str());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path.string() + ": " + e.what());
  }
}

}  // namespace vigil
