// Feeds a minute-by-minute traffic pattern to the in-process SloMonitor and
// prints the error ratio per window, for slo_agreement_test.py to compare
// with what the generated Prometheus rules compute on the same traffic.
//   slo_traffic MINUTES:REQUESTS_PER_MINUTE:ERRORS_PER_MINUTE ...
#include <cmath>
#include <cstdio>
#include <string>

#include "vigil/slo.h"

int main(int argc, char** argv) {
  vigil::SloMonitor monitor({.name = "requests-availability",
                             .objective = 0.999,
                             .period = std::chrono::hours(24 * 30),
                             .resolution = std::chrono::seconds(60),
                             .background_ticker = false});
  int minute = 0;
  for (int a = 1; a < argc; ++a) {
    int minutes = 0, total = 0, errors = 0;
    if (std::sscanf(argv[a], "%d:%d:%d", &minutes, &total, &errors) != 3) {
      std::fprintf(stderr, "bad segment %s\n", argv[a]);
      return 2;
    }
    for (int m = 0; m < minutes; ++m) {
      for (int i = 0; i < total; ++i) monitor.record_request(i >= errors);
      monitor.tick(std::chrono::minutes(++minute));
    }
  }
  vigil::SloStatus s = monitor.status();
  std::printf("{");
  for (std::size_t i = 0; i < s.windows.size(); ++i)
    std::printf("%s\"%lld\": %.12g", i ? ", " : "", static_cast<long long>(s.windows[i].window.count()),
                std::isnan(s.windows[i].error_ratio) ? -1.0 : s.windows[i].error_ratio);
  std::printf("}\n");
  return 0;
}
