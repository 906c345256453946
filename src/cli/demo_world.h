// `vigil demo`'s simulated world: credit applicants, the model's score, the
// ground truth that arrives later, and stage latencies. Seeded, so a run
// can be repeated.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "vigil/drift_report.h"

namespace vigil::cli {

struct Applicant {
  double age, income, debt_ratio;
  const char* employment;
  const char* channel;
};

class World {
 public:
  explicit World(std::uint64_t seed) : rng_(seed) {}
  // After the drift point, incomes fall to 55 %.
  Applicant draw(bool drifted) {
    static const char* kinds[] = {"salaried", "self-employed", "unemployed"};
    static const char* channels[] = {"web", "ios", "android", "partner"};
    return {age_(rng_), income_(rng_) * (drifted ? 0.55 : 1.0), std::clamp(debt_(rng_), 0.0, 1.0),
            kinds[employment_(rng_)], channels[channel_(rng_)]};
  }
  // The model: probability of default.
  static double score(const Applicant& a) {
    return 1 / (1 + std::exp(-(2.3 * a.debt_ratio - 0.000028 * a.income + (a.employment[0] == 'u' ? 0.9 : 0.0) - 0.45)));
  }
  // What really happened, close to but not exactly what the model thinks.
  bool defaulted(const Applicant& a) {
    double risk = 2.5 * a.debt_ratio - 0.00003 * a.income + (a.employment[0] == 'u' ? 1.0 : 0.0);
    return std::bernoulli_distribution(1 / (1 + std::exp(-(risk - 0.5))))(rng_);
  }
  double stage_ms(double median, double sigma) { return std::lognormal_distribution<double>(std::log(median), sigma)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // The model's reference profile: 20 000 applicants from before the drift,
  // as `vigil drift --save-profile` would profile the training set.
  DatasetProfile training_reference() {
    std::ostringstream csv;
    csv << "age,income,debt_ratio,employment,channel\n";
    for (int i = 0; i < 20000; ++i) {
      Applicant a = draw(false);
      csv << a.age << ',' << a.income << ',' << a.debt_ratio << ',' << a.employment << ',' << a.channel << '\n';
    }
    return profile_table(parse_csv(csv.str(), "training.csv"));
  }

 private:
  std::mt19937_64 rng_;
  std::normal_distribution<double> age_{41, 11}, debt_{0.35, 0.15};
  std::lognormal_distribution<double> income_{10.6, 0.45};
  std::discrete_distribution<int> employment_{7, 2, 1};
  std::discrete_distribution<int> channel_{5, 3, 3, 1};
};

}  // namespace vigil::cli
