// CSV loading (RFC 4180 and errors with file:line), table profiles,
// data-quality checks and the drift report's JSON and HTML.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "vigil/drift_report.h"

namespace {

using vigil::FeatureKind;

std::string csv_error(const std::string& text) {
  try {
    vigil::parse_csv(text, "data.csv");
  } catch (const vigil::CsvError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Csv, ParsesQuotesEscapesAndLineEndings) {
  auto t = vigil::parse_csv("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"multi\nline\",\n\n3,z,NA\n", "t.csv");
  ASSERT_EQ(t.rows, 3u);
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].kind, FeatureKind::kNumeric);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 2, 3}));
  const auto& b = t.columns[1];
  EXPECT_EQ(b.kind, FeatureKind::kCategorical);
  EXPECT_EQ(b.dictionary[static_cast<std::size_t>(b.codes[0])], "x, y");
  EXPECT_EQ(b.dictionary[static_cast<std::size_t>(b.codes[1])], "multi\nline");
  const auto& c = t.columns[2];
  EXPECT_EQ(c.dictionary[static_cast<std::size_t>(c.codes[0])], "say \"hi\"");
  EXPECT_EQ(c.codes[1], -1);  // empty: missing
  EXPECT_EQ(c.codes[2], -1);  // NA: missing
}

TEST(Csv, ErrorsNameFileAndLine) {
  EXPECT_EQ(csv_error(""), "data.csv:1: empty file: expected a header row");
  EXPECT_EQ(csv_error("a,b\n1,2\n3\n"), "data.csv:3: expected 2 fields, found 1");
  EXPECT_EQ(csv_error("a,b\n1,2\n3,\"open\n4,5\n"), "data.csv:3: unterminated quoted field");
  EXPECT_EQ(csv_error("a,b\n1,x\"y\n"), "data.csv:2: unexpected '\"' inside an unquoted field");
  EXPECT_EQ(csv_error("a,b\n1,\"x\"y\n"), "data.csv:2: unexpected character after a closing quote");
  EXPECT_EQ(csv_error("a,a\n1,2\n"), "data.csv:1: duplicate column 'a' in the header");
  // A quoted newline advances the line count for later errors.
  EXPECT_EQ(csv_error("a,b\n1,\"two\nlines\"\n3\n"), "data.csv:4: expected 2 fields, found 1");
  EXPECT_THROW(vigil::read_csv("/nonexistent/file.csv"), std::system_error);
}

TEST(Csv, KindsFromReferenceCountTypeErrors) {
  auto t = vigil::parse_csv("x,y\n1,a\noops,b\n3,c\n", "cur.csv", {.kinds = {{"x", FeatureKind::kNumeric}}});
  EXPECT_EQ(t.columns[0].kind, FeatureKind::kNumeric);
  EXPECT_EQ(t.columns[0].type_errors, 1u);
  EXPECT_TRUE(std::isnan(t.columns[0].numbers[1]));
  // Inferred: a column with any text among the first rows is categorical.
  auto inferred = vigil::parse_csv("x\n1\n2\nthree\n", "i.csv");
  EXPECT_EQ(inferred.columns[0].kind, FeatureKind::kCategorical);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ticks;
  vigil::parse_csv("x\n1\n", "p.csv", {.progress = [&](auto d, auto t) { ticks.emplace_back(d, t); }});
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ(ticks.back().first, ticks.back().second);
}

std::string make_csv(std::size_t rows, double income_scale, const std::vector<double>& city_weights, unsigned seed,
                     bool with_extra = false, bool drop_plan = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> age(40, 10);
  std::lognormal_distribution<double> income(10, 0.5);
  std::discrete_distribution<int> city(city_weights.begin(), city_weights.end());
  const char* cities[] = {"paris", "oslo", "lima", "kyiv"};
  std::ostringstream out;
  out << "age,income,city" << (drop_plan ? "" : ",plan") << (with_extra ? ",extra" : "") << "\n";
  for (std::size_t i = 0; i < rows; ++i) {
    out << age(rng) << "," << income(rng) * income_scale << "," << cities[city(rng)];
    if (!drop_plan) out << "," << (i % 3 ? "pro" : "free");
    if (with_extra) out << ",1";
    out << "\n";
  }
  return out.str();
}

TEST(DriftReport, OnlyTheShiftedFeatureDrifts) {
  auto ref_t = vigil::parse_csv(make_csv(4000, 1.0, {5, 3, 2}, 1), "ref.csv");
  auto cur_t = vigil::parse_csv(make_csv(3000, 1.6, {5, 3, 2}, 2), "cur.csv");
  auto ref = vigil::profile_table(ref_t);
  auto cur = vigil::profile_table(cur_t, &ref);
  auto report = vigil::compare(ref, cur, {}, &ref_t, &cur_t);
  ASSERT_EQ(report.features.size(), 4u);
  for (const auto& f : report.features) EXPECT_EQ(f.drift.drifted, f.name == "income") << f.name;
  EXPECT_EQ(report.features[1].drift.method, vigil::DriftMethod::kWasserstein);
  EXPECT_EQ(report.features[2].drift.method, vigil::DriftMethod::kJensenShannon);
  EXPECT_EQ(report.features_drifted, 1u);
  EXPECT_FALSE(report.dataset_drift);
  // Per-feature override and a stricter dataset share.
  vigil::CompareOptions o;
  o.per_feature["age"] = {.method = vigil::DriftMethod::kPsi, .threshold = 0.0};
  o.dataset_drift_share = 0.5;
  auto strict = vigil::compare(ref, cur, o, &ref_t, &cur_t);
  EXPECT_EQ(strict.features[0].drift.method, vigil::DriftMethod::kPsi);
  EXPECT_TRUE(strict.features[0].drift.drifted);
  EXPECT_TRUE(strict.dataset_drift);  // 2 of 4
}

TEST(DriftReport, QualityChecksAreNamedAndCounted) {
  auto ref_t = vigil::parse_csv(make_csv(2000, 1.0, {5, 3, 2}, 3), "ref.csv");
  std::string cur_text = make_csv(1000, 1.0, {5, 3, 2, 2}, 4, /*with_extra=*/true, /*drop_plan=*/true);
  cur_text += "oops,,paris,1\n,,,1\n";
  vigil::CsvOptions with_kinds;
  for (const auto& c : ref_t.columns) with_kinds.kinds[c.name] = c.kind;
  auto cur_t = vigil::parse_csv(cur_text, "cur.csv", with_kinds);
  auto ref = vigil::profile_table(ref_t);
  auto cur = vigil::profile_table(cur_t, &ref);
  auto checks = vigil::check_quality(ref, cur);
  auto find = [&](const std::string& check, const std::string& feature) -> const vigil::QualityCheck& {
    for (const auto& c : checks)
      if (c.check == check && c.feature == feature) return c;
    throw std::runtime_error("no check " + check + " on " + feature);
  };
  EXPECT_TRUE(find("missing_feature", "plan").failed);
  EXPECT_TRUE(find("extra_feature", "extra").failed);
  EXPECT_TRUE(find("unseen_categories", "city").failed);  // kyiv
  EXPECT_GT(find("unseen_categories", "city").count, 100u);
  EXPECT_EQ(find("type_errors", "age").count, 1u);
  EXPECT_TRUE(find("type_errors", "age").failed);
  EXPECT_FALSE(find("missing_rate_jump", "income").failed);  // 2 of 1002
  EXPECT_FALSE(find("out_of_range", "age").failed);
  EXPECT_FALSE(find("constant_column", "age").failed);
  // A column gone constant, and a missing-rate jump.
  auto flat = vigil::parse_csv("age,income,city,plan\n" + std::string("5,,paris,pro\n") + "5,,paris,pro\n5,1,paris,pro\n",
                               "flat.csv", with_kinds);
  auto flat_checks = vigil::check_quality(ref, vigil::profile_table(flat, &ref));
  bool constant = false, jump = false;
  for (const auto& c : flat_checks) {
    constant |= c.check == "constant_column" && c.feature == "age" && c.failed;
    jump |= c.check == "missing_rate_jump" && c.feature == "income" && c.failed;
  }
  EXPECT_TRUE(constant);
  EXPECT_TRUE(jump);
}

TEST(DriftReport, JsonAndHtml) {
  auto ref_t = vigil::parse_csv("x,<b>name</b>\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n", "ref.csv");
  auto cur_t = vigil::parse_csv("x,<b>name</b>\n10,a\n11,b\n12,<script>\n13,a\n14,b\n15,a\n", "cur.csv");
  auto ref = vigil::profile_table(ref_t);
  auto report = vigil::compare(ref, vigil::profile_table(cur_t, &ref), {}, &ref_t, &cur_t);
  report.reference_name = "ref.csv";
  report.current_name = "cur.csv";
  auto j = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(j["features"][0]["name"], "x");
  EXPECT_EQ(j["features"][0]["method"], "ks");
  EXPECT_EQ(j["features"][0]["drifted"], true);
  EXPECT_EQ(j["dataset_drift"]["checked_features"], 2);
  EXPECT_EQ(j["reference"]["rows"], 7);
  std::string html = report.to_html();
  EXPECT_EQ(html.find("<script"), std::string::npos);  // data never becomes markup
  EXPECT_NE(html.find("&lt;b&gt;name&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // no external assets
}

}  // namespace

namespace {

// clicks: 0..3 (few values); score: 1000 distinct values.
std::string clicks_csv(int rows, int shift) {
  std::string csv = "clicks,score\n";
  for (int i = 0; i < rows; ++i)
    csv += std::to_string((i * 7 + shift) % 4 == 3 ? (i % 2 ? 3 : 2) : (i * 7 + shift) % 4) + "," +
           std::to_string((i * 37) % 1000 + 0.5) + "\n";
  return csv;
}

}  // namespace

TEST(DriftReport, IntegerFeatureWithFewValuesGetsOneBarPerValue) {
  auto ref_t = vigil::parse_csv(clicks_csv(1000, 0), "ref.csv");
  auto cur_t = vigil::parse_csv(clicks_csv(800, 1), "cur.csv");
  auto ref = vigil::profile_table(ref_t);
  auto cur = vigil::profile_table(cur_t, &ref);
  auto report = vigil::compare(ref, cur, {}, &ref_t, &cur_t);
  const auto& clicks = report.features[0];
  ASSERT_EQ(clicks.name, "clicks");
  EXPECT_EQ(clicks.labels, (std::vector<std::string>{"0", "1", "2", "3"}));
  double ref_total = 0;
  for (double s : clicks.reference_share) ref_total += s;
  EXPECT_NEAR(ref_total, 1.0, 1e-12);
  EXPECT_GT(report.features[1].labels.size(), 4u);  // many values: range bins
}

TEST(DriftReport, ExactQuantilesWhenEveryValueIsKnown) {
  // 0..3 in equal numbers: numpy.quantile(x, 0.5) = 1.5 (linear interpolation).
  std::string csv = "clicks,score\n";
  for (int i = 0; i < 400; ++i) csv += std::to_string(i % 4) + "," + std::to_string(i) + "\n";
  auto t = vigil::parse_csv(csv, "t.csv");
  auto p = vigil::profile_table(t);
  auto with_rows = vigil::compare(p, p, {}, &t, &t);
  EXPECT_EQ(with_rows.features[0].reference_stats.at("p50"), 1.5);
  EXPECT_EQ(with_rows.features[1].reference_stats.at("p50"), 199.5);  // numpy.quantile(range(400), 0.5)
  EXPECT_TRUE(with_rows.features[1].exact_quantiles);
  // Profiles alone: few values stay exact, many values come from the sketch, rounded.
  auto profiles_only = vigil::compare(p, p);
  EXPECT_EQ(profiles_only.features[0].reference_stats.at("p50"), 1.5);
  EXPECT_TRUE(profiles_only.features[0].exact_quantiles);
  EXPECT_FALSE(profiles_only.features[1].exact_quantiles);
  double sketch = profiles_only.features[1].reference_stats.at("p50");
  EXPECT_NEAR(sketch, 199.5, 199.5 * 0.01);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", sketch);
  EXPECT_EQ(sketch, std::strtod(buf, nullptr)) << "rounded to 3 significant digits";
  EXPECT_NE(profiles_only.to_json().find("sketch estimate, rounded"), std::string::npos);
  EXPECT_NE(with_rows.to_json().find("exact: linear interpolation"), std::string::npos);
}
