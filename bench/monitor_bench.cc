// Model-monitoring costs: profile updates (values per second per core) and
// the drift evaluation of a window against a large reference.
//   build/bench/vigil_bench_monitor --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <random>

#include "vigil/drift.h"
#include "vigil/drift_report.h"
#include "vigil/profile.h"

namespace {

std::vector<double> normal_values(std::size_t n, double shift, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(shift, 1);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// One numeric feature value into a window profile: moments, DDSketch,
// reference bins and reservoir sample.
void BM_NumericProfileUpdate(benchmark::State& state) {
  auto values = normal_values(1 << 16, 0, 1);
  vigil::NumericSummary s(2000);
  std::vector<double> edges;
  for (int i = 0; i <= 17; ++i) edges.push_back(-4 + 8.0 * i / 17);
  s.set_bins(edges);
  std::size_t i = 0;
  for (auto _ : state) {
    s.add(values[i++ & 0xffff]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NumericProfileUpdate);

// The same, a column of 4,096 values at a time (as profile_csv adds a
// parsed chunk): the DDSketch takes the logarithms of a block at once.
void BM_NumericProfileUpdateBatch(benchmark::State& state) {
  auto values = normal_values(4096, 0, 1);
  vigil::NumericSummary s;
  for (auto _ : state) s.add(values);
  state.SetItemsProcessed(state.iterations() * 4096);
}
BENCHMARK(BM_NumericProfileUpdateBatch);

// One pass over a 200,000-row × 100-column CSV (make_wide_csv's mix:
// normal, lognormal, small integers, uniform, categorical), parse and
// profile, on 1 and 2 threads: cells per second is the figure.
const std::string& wide_csv() {
  static const std::string path = [] {
    std::string p = "/tmp/vigil-bench-wide-200k.csv";
    std::mt19937_64 rng(3);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    std::string text;
    for (int c = 0; c < 100; ++c) text += (c ? ",c" : "c") + std::to_string(c);
    text += '\n';
    char buf[32];
    for (int r = 0; r < 200000; ++r) {
      for (int c = 0; c < 100; ++c) {
        if (c) text += ',';
        int kind = c % 5 == 4 ? 4 : c % 4;
        double v = kind == 0 ? 500 + 30 * normal(rng) : kind == 1 ? std::exp(normal(rng)) : kind == 3 ? uniform(rng) : 0;
        if (kind == 2) text += std::to_string(static_cast<int>(uniform(rng) * 10));
        else if (kind == 4) text += "cat" + std::to_string(static_cast<int>(20 * uniform(rng) * uniform(rng)));
        else text.append(buf, static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%.4f", v)));
      }
      text += '\n';
    }
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return p;
  }();
  return path;
}

void BM_ProfileCsvWide(benchmark::State& state) {
  const std::string& path = wide_csv();
  for (auto _ : state) {
    auto p = vigil::profile_csv(path, {.threads = static_cast<unsigned>(state.range(0))});
    benchmark::DoNotOptimize(p.rows);
  }
  state.counters["cells_per_s"] = benchmark::Counter(200000.0 * 100 * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ProfileCsvWide)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The parsing floor: the same file into columns only (no profile).
void BM_ParseCsvWideOnly(benchmark::State& state) {
  const std::string& path = wide_csv();
  for (auto _ : state) {
    auto t = vigil::read_csv(path, {.infer_rows = 100});
    benchmark::DoNotOptimize(t.rows);
  }
  state.counters["cells_per_s"] = benchmark::Counter(200000.0 * 100 * static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseCsvWideOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CategoricalProfileUpdate(benchmark::State& state) {
  std::vector<std::string> cats = {"NO", "SE", "DK", "FI", "IS", "DE", "FR", "ES"};
  vigil::CategoricalSummary s;
  std::size_t i = 0;
  for (auto _ : state) s.add(cats[i++ & 7]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CategoricalProfileUpdate);

// 50 numeric features; the reference profile summarises 1M rows each
// (built once, untimed); the window holds 10k rows. Timed: compare() — the
// per-feature auto test (normed Wasserstein on the samples), binned shares
// and every data-quality check.
void BM_DriftEvaluation50FeaturesVs1MRowReference(benchmark::State& state) {
  static vigil::DatasetProfile reference, window;
  static bool built = false;
  if (!built) {
    for (int f = 0; f < 50; ++f) {
      std::string name = "f" + std::to_string(f);
      auto ref_values = normal_values(1'000'000, 0, 100 + f);
      vigil::Column col{.name = name, .numbers = ref_values};
      vigil::Table t;
      t.columns.push_back(std::move(col));
      t.rows = 1'000'000;
      auto p = vigil::profile_table(t);
      reference.features.emplace(name, std::move(p.features.at(name)));
      vigil::Table w;
      w.columns.push_back(vigil::Column{.name = name, .numbers = normal_values(10'000, f % 10 == 0 ? 0.5 : 0, 900 + f)});
      w.rows = 10'000;
      auto wp = vigil::profile_table(w, &reference);
      window.features.emplace(name, std::move(wp.features.at(name)));
    }
    reference.rows = 1'000'000;
    window.rows = 10'000;
    built = true;
  }
  std::size_t drifted = 0;
  for (auto _ : state) {
    auto report = vigil::compare(reference, window);
    drifted = report.features_drifted;
    benchmark::DoNotOptimize(report);
  }
  state.counters["drifted"] = static_cast<double>(drifted);
}
BENCHMARK(BM_DriftEvaluation50FeaturesVs1MRowReference)->Unit(benchmark::kMillisecond);

}  // namespace

// SciPy's exact two-sample KS p-value at its largest exact size, 10,000 per
// side (equal sizes: the alternating binomial sum) and 10,000 x 9,999 (the
// lattice-path band): no drift (D ≈ 0.01, a narrow band) and a clear shift
// (D ≈ 0.1, a band ten times wider).
void BM_Ks2sampExact10kPerSide(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1);
  const double shift = static_cast<double>(state.range(0)) / 100;
  std::vector<double> a(10000), b(static_cast<std::size_t>(state.range(1)));
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng) + shift;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  vigil::stats::TestResult r;
  for (auto _ : state) benchmark::DoNotOptimize(r = vigil::stats::ks_2samp_sorted(a, b));
  state.counters["D"] = r.statistic;
  state.counters["p"] = r.p_value;
}
BENCHMARK(BM_Ks2sampExact10kPerSide)->Args({0, 10000})->Args({25, 10000})->Args({0, 9999})->Args({25, 9999})
    ->Unit(benchmark::kMillisecond);
