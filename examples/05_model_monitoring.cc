// Exercise 5: model performance monitoring. A simulated credit model serves
// predictions; the monitor profiles every feature, tracks latency,
// confidence and errors, joins late ground truth into accuracy, and every
// minute (simulated time) compares the window with the training reference.
// Halfway through, the "income" feature drifts: the monitor says so.
//   example_05_model_monitoring [report.html]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "vigil/exposition.h"
#include "vigil/metrics.h"
#include "vigil/monitor.h"

namespace {

constexpr std::uint64_t kSecond = 1'000'000'000ull;

struct Applicant {
  double age, income, debt_ratio;
  const char* employment;
};

class Population {
 public:
  explicit Population(unsigned seed) : rng_(seed) {}
  Applicant draw(double income_scale) {
    static const char* kinds[] = {"salaried", "self-employed", "unemployed"};
    return {age_(rng_), income_(rng_) * income_scale, std::clamp(debt_(rng_), 0.0, 1.0), kinds[employment_(rng_)]};
  }
  bool defaults(const Applicant& a) {  // the ground truth, revealed later
    double risk = 2.5 * a.debt_ratio - 0.00003 * a.income + (a.employment[0] == 'u' ? 1.0 : 0.0);
    return std::bernoulli_distribution(1 / (1 + std::exp(-(risk - 0.5))))(rng_);
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::normal_distribution<double> age_{41, 11}, debt_{0.35, 0.15};
  std::lognormal_distribution<double> income_{10.6, 0.45};
  std::discrete_distribution<int> employment_{7, 2, 1};
};

double model_score(const Applicant& a) {  // the "model": a fixed logistic score
  return 1 / (1 + std::exp(-(2.3 * a.debt_ratio - 0.000028 * a.income + (a.employment[0] == 'u' ? 0.9 : 0.0) - 0.45)));
}

}  // namespace

int main(int argc, char** argv) {
  // 1. Reference profile from the training data (here generated; usually
  //    profile_table(read_csv("train.csv")) or `vigil drift --save-profile`).
  Population train(1);
  std::ostringstream csv;
  csv << "age,income,debt_ratio,employment\n";
  for (int i = 0; i < 20000; ++i) {
    Applicant a = train.draw(1.0);
    csv << a.age << ',' << a.income << ',' << a.debt_ratio << ',' << a.employment << '\n';
  }
  vigil::DatasetProfile reference = vigil::profile_table(vigil::parse_csv(csv.str(), "train.csv"));

  // 2. The monitor: one-minute windows, metrics in a registry.
  vigil::Registry registry;
  const std::uint64_t t0 = 1'800'000'000ull * kSecond;
  vigil::ModelMonitor monitor({.registry = &registry,
                               .window = std::chrono::seconds(60),
                               .on_evaluation = [t0](const vigil::DriftEvaluation& ev) {
                                 std::printf("minute %llu: %llu predictions, drift share %.0f%%",
                                             static_cast<unsigned long long>((ev.window_start_unix_nano - t0) / (60 * kSecond)),
                                             static_cast<unsigned long long>(ev.rows), 100 * ev.report.drift_share);
                                 for (const auto& f : ev.drifted) std::printf("  DRIFT %s", f.c_str());
                                 for (const auto& c : ev.failed_checks) std::printf("  QUALITY %s", c.c_str());
                                 std::printf("\n");
                               }});
  monitor.set_reference("credit", reference);

  // 3. Serve 10 simulated minutes at 40 predictions/s; income drifts at minute 5.
  Population live(2);
  std::lognormal_distribution<double> latency(std::log(0.004), 0.4);
  std::vector<std::pair<std::string, bool>> awaiting;  // labels arrive ~2 minutes late
  int n = 0;
  for (std::uint64_t t = t0; t < t0 + 600 * kSecond; t += 25'000'000, ++n) {
    bool drifted = t >= t0 + 300 * kSecond;
    Applicant a = live.draw(drifted ? 0.55 : 1.0);
    std::string id = "app-" + std::to_string(n);
    bool timeout = n % 500 == 0;
    double p = model_score(a);
    monitor.record({.model = "credit",
                    .version = "1.4",
                    .request_id = id,
                    .features = {{"age", a.age}, {"income", a.income}, {"debt_ratio", a.debt_ratio},
                                 {"employment", a.employment}},
                    .prediction = p > 0.5 ? "default" : "repay",
                    .confidence = p > 0.5 ? p : 1 - p,
                    .latency_seconds = latency(live.rng()),
                    .error = timeout ? "timeout" : "",
                    .time_unix_nano = t});
    if (!timeout) awaiting.emplace_back(id, live.defaults(a));
    if (awaiting.size() > 4800) {  // two minutes of traffic
      auto [rid, truth] = awaiting.front();
      awaiting.erase(awaiting.begin());
      monitor.record_label("credit", rid, truth ? "default" : "repay");
    }
  }
  monitor.evaluate(t0 + 660 * kSecond);

  vigil::ModelQuality q = monitor.quality("credit");
  std::printf("accuracy %.3f  precision %.3f  recall %.3f  f1 %.3f over %zu labelled predictions\n", q.accuracy,
              q.precision, q.recall, q.f1, q.labelled);
  auto history = monitor.history("credit");
  if (argc > 1 && !history.empty()) {
    std::ofstream(argv[1]) << history.back().report.to_html();
    std::printf("last window's report: %s\n", argv[1]);
  }
  // What Prometheus would scrape:
  std::string text = vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
  for (std::string_view line : {std::string_view("vigil_model_feature_drifted{model=\"credit\",feature=\"income\"}"),
                                std::string_view("vigil_model_errors_total{")}) {
    auto pos = text.find(line);
    if (pos != std::string::npos) std::printf("%s\n", text.substr(pos, text.find('\n', pos) - pos).c_str());
  }
  return 0;
}
