#include <iostream>

#include <vigil/exposition.h>
#include <vigil/metrics.h>

int main() {
  vigil::Registry registry;
  registry.counter({.name = "consumer_runs_total", .help = "Runs."}).labels({}).inc();
  std::cout << vigil::encode(registry.gather(), vigil::ExpositionFormat::kPrometheusText);
}
