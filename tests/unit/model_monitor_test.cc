// ModelMonitor end to end on a seeded stream: drift injected into one
// feature at a known time fires for that feature only, within one window,
// and never on the baseline; ground truth drives accuracy and concept-drift
// detectors; quality checks and metrics follow.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"

namespace {

constexpr std::uint64_t kSecond = 1'000'000'000ull;
constexpr std::uint64_t kT0 = 1'800'000'000ull * kSecond;  // a window boundary for 60 s windows

struct Row {
  double age, income, tenure, score;
  std::string country, device;
};

class Stream {
 public:
  explicit Stream(unsigned seed) : rng_(seed) {}
  Row next(double income_scale = 1.0, bool new_country = false) {
    static const char* countries[] = {"NO", "SE", "DK", "FI", "IS"};
    static const char* devices[] = {"ios", "android", "web"};
    Row r{age_(rng_), income_(rng_) * income_scale, tenure_(rng_), score_(rng_),
          countries[new_country && coin_(rng_) < 0.3 ? 4 : country_(rng_)], devices[device_(rng_)]};
    return r;
  }

 private:
  std::mt19937_64 rng_;
  std::normal_distribution<double> age_{40, 10}, score_{0, 1};
  std::lognormal_distribution<double> income_{10, 0.5};
  std::uniform_real_distribution<double> tenure_{0, 10}, coin_{0, 1};
  std::discrete_distribution<int> country_{4, 3, 2, 1};
  std::discrete_distribution<int> device_{5, 4, 1};
};

vigil::DatasetProfile reference_profile() {
  Stream s(1);
  std::ostringstream csv;
  csv << "age,income,tenure,score,country,device\n";
  for (int i = 0; i < 20000; ++i) {
    Row r = s.next();
    csv << r.age << ',' << r.income << ',' << r.tenure << ',' << r.score << ',' << r.country << ',' << r.device << '\n';
  }
  return vigil::profile_table(vigil::parse_csv(csv.str(), "reference.csv"));
}

void send(vigil::ModelMonitor& monitor, const Row& r, std::uint64_t t, const std::string& id) {
  monitor.record({.model = "churn",
                  .version = "2",
                  .request_id = id,
                  .features = {{"age", r.age}, {"income", r.income}, {"tenure", r.tenure}, {"score", r.score},
                               {"country", r.country}, {"device", r.device}},
                  .prediction = r.score > 0.5 ? "churn" : "stay",
                  .confidence = 1 / (1 + std::exp(-std::fabs(r.score))),
                  .latency_seconds = 0.002 + 0.001 * std::fabs(r.score),
                  .time_unix_nano = t});
}

TEST(ModelMonitor, DriftInOneFeatureFiresForThatFeatureOnly) {
  vigil::Registry registry;
  std::vector<vigil::DriftEvaluation> seen;
  vigil::ModelMonitor monitor({.registry = &registry,
                               .window = std::chrono::seconds(60),
                               .on_evaluation = [&](const vigil::DriftEvaluation& e) { seen.push_back(e); }});
  monitor.set_reference("churn", reference_profile());
  Stream s(2);
  const std::uint64_t change = kT0 + 630 * kSecond;  // halfway through window 10
  const std::uint64_t step = 20'000'000;          // 50 predictions a second
  int n = 0;
  for (std::uint64_t t = kT0; t < kT0 + 14 * 60 * kSecond; t += step, ++n)
    send(monitor, s.next(t >= change ? 1.6 : 1.0), t, "r" + std::to_string(n));
  monitor.evaluate(kT0 + 15 * 60 * kSecond);

  ASSERT_EQ(seen.size(), 14u);
  std::size_t first_detection = 0;
  for (std::size_t w = 0; w < seen.size(); ++w) {
    const auto& ev = seen[w];
    EXPECT_EQ(ev.window_start_unix_nano, kT0 + w * 60 * kSecond);
    EXPECT_EQ(ev.rows, 3000u);
    std::vector<std::string> drifted_features;
    for (const auto& f : ev.report.features)
      if (f.role == "feature" && f.drift.drifted) drifted_features.push_back(f.name);
    if (ev.window_end_unix_nano <= change) {
      EXPECT_TRUE(drifted_features.empty()) << "baseline window " << w << " flagged " << drifted_features.front();
      EXPECT_FALSE(ev.report.dataset_drift);
      EXPECT_TRUE(ev.failed_checks.empty()) << ev.failed_checks.front();
    } else {
      if (!drifted_features.empty() && !first_detection) first_detection = w;
      if (ev.window_start_unix_nano >= change) {
        EXPECT_EQ(drifted_features, std::vector<std::string>{"income"}) << w;
      }
    }
  }
  // The change falls in window 10; it is flagged there or, at the latest, in window 11.
  EXPECT_GE(first_detection, 10u);
  EXPECT_LE(first_detection, 11u);
  EXPECT_EQ(monitor.history("churn").size(), 14u);

  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_model_feature_drifted{model=\"churn\",feature=\"income\"} 1"), std::string::npos);
  EXPECT_NE(text.find("vigil_model_feature_drifted{model=\"churn\",feature=\"age\"} 0"), std::string::npos);
  EXPECT_NE(text.find("vigil_model_drift_evaluations_total{model=\"churn\"} 14"), std::string::npos);
  EXPECT_NE(text.find("vigil_model_predictions_total{model=\"churn\",version=\"2\",class=\"stay\"}"), std::string::npos);
  EXPECT_NE(text.find("vigil_model_prediction_latency_seconds_bucket{model=\"churn\",version=\"2\",le=\"0.004\"}"),
            std::string::npos);
}

TEST(ModelMonitor, UnseenCategoryFailsQualityCheck) {
  vigil::ModelMonitor monitor({.window = std::chrono::seconds(60)});
  monitor.set_reference("churn", reference_profile());
  Stream s(3);
  int n = 0;
  for (std::uint64_t t = kT0; t < kT0 + 120 * kSecond; t += 50'000'000, ++n)
    send(monitor, s.next(1.0, /*new_country=*/t >= kT0 + 60 * kSecond), t, std::to_string(n));
  monitor.evaluate(kT0 + 180 * kSecond);
  auto h = monitor.history("churn");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_TRUE(h[0].failed_checks.empty());
  EXPECT_EQ(h[1].failed_checks, std::vector<std::string>{"unseen_categories:country"});
}

TEST(ModelMonitor, FirstWindowIsTheReferenceWithoutOne) {
  vigil::ModelMonitor monitor({.window = std::chrono::seconds(10)});
  Stream s(4);
  for (int i = 0; i < 3000; ++i) send(monitor, s.next(i >= 2000 ? 2.0 : 1.0), kT0 + i * 10'000'000ull, "");
  monitor.evaluate(kT0 + 40 * kSecond);
  auto h = monitor.history();
  ASSERT_EQ(h.size(), 2u);  // window 0 became the baseline
  EXPECT_TRUE(h[0].drifted.empty());
  EXPECT_EQ(h[1].drifted, std::vector<std::string>{"income"});
}

TEST(ModelMonitor, LabelsJoinByRequestIdIntoQualityMetrics) {
  vigil::Registry registry;
  vigil::ModelMonitor monitor({.registry = &registry, .label_window = 100});
  // 10 predictions: classes a/b; truth differs on 3.
  const char* predicted[] = {"a", "a", "a", "b", "b", "b", "a", "b", "a", "b"};
  const char* actual[] = {"a", "a", "b", "b", "b", "a", "a", "b", "b", "b"};
  for (int i = 0; i < 10; ++i)
    monitor.record({.model = "m", .version = "1", .request_id = "q" + std::to_string(i), .prediction = predicted[i],
                    .time_unix_nano = kT0 + i * kSecond});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(monitor.record_label("m", "q" + std::to_string(i), actual[i]));
  EXPECT_FALSE(monitor.record_label("m", "q3", "a"));     // already labelled
  EXPECT_FALSE(monitor.record_label("m", "nope", "a"));   // never seen
  auto q = monitor.quality("m");
  EXPECT_EQ(q.labelled, 10u);
  EXPECT_DOUBLE_EQ(q.accuracy, 0.7);
  // a: tp 3, fp 2 (predicted a, was b), fn 1 → precision 0.6, recall 0.75
  // b: tp 4, fp 1, fn 2 → precision 0.8, recall 4/6
  EXPECT_DOUBLE_EQ(q.precision, (0.6 + 0.8) / 2);
  EXPECT_DOUBLE_EQ(q.recall, (0.75 + 4.0 / 6.0) / 2);
  double f1a = 2 * 0.6 * 0.75 / 1.35, f1b = 2 * 0.8 * (4.0 / 6.0) / (0.8 + 4.0 / 6.0);
  EXPECT_NEAR(q.f1, (f1a + f1b) / 2, 1e-12);
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_model_quality{model=\"m\",version=\"1\",metric=\"accuracy\"} 0.7"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_model_labels_total{model=\"m\",outcome=\"unknown\"} 2"), std::string::npos);
}

TEST(ModelMonitor, RegressionErrorsAndConceptDrift) {
  vigil::Registry registry;
  vigil::ModelMonitor monitor({.registry = &registry, .label_window = 4});
  monitor.set_reference("price", vigil::DatasetProfile{}, vigil::ModelTask::kRegression);
  double preds[] = {10, 20, 30, 40, 50}, truth[] = {12, 18, 33, 40, 45};
  for (int i = 0; i < 5; ++i) {
    monitor.record({.model = "price", .request_id = std::to_string(i), .prediction = preds[i], .time_unix_nano = kT0});
    monitor.record_label("price", std::to_string(i), truth[i]);
  }
  auto q = monitor.quality("price");  // last 4: errors -2 (dropped), 2, -3, 0, 5
  EXPECT_EQ(q.labelled, 4u);
  EXPECT_DOUBLE_EQ(q.mae, (2 + 3 + 0 + 5) / 4.0);
  EXPECT_DOUBLE_EQ(q.rmse, std::sqrt((4 + 9 + 0 + 25) / 4.0));

  // Classification error rate from 5 % to 40 %: the detectors fire.
  vigil::ModelMonitor cls({.registry = &registry});
  std::mt19937_64 rng(5);
  std::bernoulli_distribution low(0.05), high(0.4);
  for (int i = 0; i < 6000; ++i) {
    std::string id = std::to_string(i);
    cls.record({.model = "fraud", .request_id = id, .prediction = "ok", .time_unix_nano = kT0});
    bool wrong = i < 4000 ? low(rng) : high(rng);
    cls.record_label("fraud", id, wrong ? "fraud" : "ok");
    if (i == 3999) {
      EXPECT_FALSE(cls.quality("fraud").concept_drift);
    }
  }
  EXPECT_TRUE(cls.quality("fraud").concept_drift);
  // Reading is not consuming: a second reader (the UI polling) sees it too.
  EXPECT_TRUE(cls.quality("fraud").concept_drift);
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_model_concept_drift_total{model=\"fraud\",detector=\"page_hinkley\"}"), std::string::npos);
}

// A training set's label column is the model's target: with `target` set,
// windows of predictions (which never carry it) neither report it missing
// nor compare it for drift.
TEST(ModelMonitor, TargetColumnOfTheReferenceIsNeitherMissingNorDrifted) {
  std::ostringstream csv;
  csv << "income,label\n";
  std::mt19937_64 rng(3);
  std::normal_distribution<double> income(50, 5);
  for (int i = 0; i < 2000; ++i) csv << income(rng) << ',' << (i % 3 ? "ok" : "bad") << '\n';
  vigil::DatasetProfile reference = vigil::profile_table(vigil::parse_csv(csv.str(), "train.csv"));
  auto run = [&](std::string target) {
    vigil::ModelMonitor monitor({.window = std::chrono::seconds(60)});
    monitor.set_reference("m", reference, {.task = vigil::ModelTask::kClassification, .target = std::move(target)});
    for (int i = 0; i < 500; ++i)
      monitor.record({.model = "m", .features = {{"income", income(rng)}}, .prediction = "ok",
                      .time_unix_nano = kT0 + static_cast<std::uint64_t>(i) * 100'000'000ull});
    auto evs = monitor.evaluate(kT0 + 120 * kSecond);
    EXPECT_EQ(evs.size(), 1u);
    return evs.empty() ? vigil::DriftEvaluation{} : evs[0];
  };
  auto mentions_label = [](const vigil::DriftEvaluation& ev) {
    for (const auto& c : ev.failed_checks)
      if (c.find("label") != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(mentions_label(run("")));  // without the target, the label column is a missing feature
  vigil::DriftEvaluation with_target = run("label");
  EXPECT_FALSE(mentions_label(with_target)) << with_target.failed_checks.size();
  for (const auto& f : with_target.report.features)
    if (f.name == "label") {
      EXPECT_NE(f.role, "feature");
    }
}

// Shutdown: close_windows() evaluates the open window before its end, so
// its verdict is not lost; its evaluation ends at the closing time.
TEST(ModelMonitor, CloseWindowsEvaluatesTheOpenWindowEarly) {
  vigil::ModelMonitor monitor({.window = std::chrono::seconds(60)});
  monitor.set_reference("churn", reference_profile());
  Stream s(9);
  for (int i = 0; i < 300; ++i) send(monitor, s.next(), kT0 + static_cast<std::uint64_t>(i) * 100'000'000ull, "");
  EXPECT_TRUE(monitor.evaluate(kT0 + 40 * kSecond).empty());  // the window runs to kT0 + 60 s
  auto evs = monitor.close_windows(kT0 + 40 * kSecond);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].rows, 300u);
  EXPECT_EQ(evs[0].window_start_unix_nano, kT0);
  EXPECT_EQ(evs[0].window_end_unix_nano, kT0 + 40 * kSecond);
}

// A window under min_window_rows (here the partial first one) is neither
// judged nor the baseline; the next full one is both, and the skip is counted.
TEST(ModelMonitor, WindowsUnderMinRowsAreProfiledNotJudged) {
  vigil::Registry registry;
  vigil::ModelMonitor monitor({.registry = &registry, .window = std::chrono::seconds(10), .min_window_rows = 500});
  Stream s(5);
  const std::uint64_t start = kT0 + 8 * kSecond;  // 2 s before the first window ends: 200 rows
  for (int i = 0; i < 2200; ++i) send(monitor, s.next(i >= 1200 ? 2.0 : 1.0), start + i * 10'000'000ull, "");
  monitor.evaluate(start + 40 * kSecond);
  auto h = monitor.history();
  ASSERT_EQ(h.size(), 1u);  // windows of 200 (unjudged), 1000 (the baseline), 1000 (judged)
  EXPECT_EQ(h[0].rows, 1000u);
  EXPECT_EQ(h[0].window_start_unix_nano, kT0 + 20 * kSecond);
  EXPECT_EQ(h[0].drifted, std::vector<std::string>{"income"});
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_model_windows_unjudged_total{model=\"churn\"} 1"), std::string::npos) << text;
}

// Sending windows to a daemon that is away never blocks monitoring: the
// queue holds 16, the rest are dropped, and every window is counted once
// as posted, failed or dropped, also when the monitor stops mid-retry.
TEST(ModelMonitor, WindowsSentToAnAbsentDaemonAreQueuedDroppedAndCounted) {
  vigil::Registry registry;
  {
    vigil::ModelMonitor monitor({.registry = &registry,
                                 .window = std::chrono::seconds(60),
                                 .max_models = 50,
                                 .instance = "test",
                                 .window_profiles_url = "http://127.0.0.1:1"});
    for (int m = 0; m < 20; ++m)
      monitor.record({.model = "m" + std::to_string(m), .prediction = "ok", .time_unix_nano = kT0});
    EXPECT_EQ(monitor.close_windows(kT0 + kSecond).size(), 0u);  // no reference: nothing evaluated, all sent
  }
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  auto count = [&](const std::string& result) {
    std::string key = "vigil_model_window_profiles_total{result=\"" + result + "\"} ";
    std::size_t at = text.find(key);
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + key.size()));
  };
  EXPECT_EQ(count("posted"), 0);
  EXPECT_GE(count("post_dropped"), 3);
  EXPECT_EQ(count("posted") + count("post_failed") + count("post_dropped"), 20) << text;
}

TEST(ModelMonitor, AWindowProfilesUrlThatIsNotHttpIsRefused) {
  EXPECT_THROW(vigil::ModelMonitor({.window_profiles_url = "ftp://central:21"}), std::invalid_argument);
  EXPECT_THROW(vigil::ModelMonitor({.window_profiles_url = "http://central:9464/api"}), std::invalid_argument);
}

// Whatever names clients send, the monitor keeps at most max_models models
// and max_features features per model, and counts what it leaves out.
TEST(ModelMonitor, ModelsAndFeaturesPastTheirLimitsAreRefusedAndCounted) {
  vigil::Registry registry;
  vigil::ModelMonitor monitor({.registry = &registry, .max_models = 3, .max_features = 2});
  int recorded = 0;
  for (int i = 0; i < 5; ++i)
    recorded += monitor.record({.model = "m" + std::to_string(i), .prediction = "ok", .time_unix_nano = kT0});
  EXPECT_EQ(recorded, 3);
  EXPECT_EQ(monitor.models().size(), 3u);
  EXPECT_FALSE(monitor.record_label("never-seen", "r1", "ok"));
  EXPECT_EQ(monitor.models().size(), 3u);  // a label does not create a model
  EXPECT_TRUE(monitor.admits({"m0", "m1", "m2"}));
  EXPECT_FALSE(monitor.admits({"m0", "m9"}));
  for (int i = 0; i < 4; ++i)
    monitor.record({.model = "m0", .features = {{"a", 1.0}, {"b", 2.0}, {"c" + std::to_string(i), 3.0}},
                    .prediction = "ok", .time_unix_nano = kT0});
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  EXPECT_NE(text.find("vigil_model_refused_total{reason=\"max_models\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("vigil_model_features_dropped_total{model=\"m0\"} 4"), std::string::npos) << text;
}

}  // namespace
