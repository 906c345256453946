// Log counts per step (LogQL's count_over_time, rate, bytes_over_time):
// one scan of the rows in (start - range, end], each added to a bucket of
// gcd(step, range), and every step's window summed from the buckets it
// covers. The cost is one pass over the matching rows, whatever the number
// of steps or the length of the range.
#include <algorithm>
#include <climits>
#include <map>
#include <numeric>
#include <nlohmann/json.hpp>

#include "store/log_store.h"

namespace vigil::store {
namespace {

// Past these a query is refused: its answer would not fit a response or a
// browser (Loki's own default series limit is 500).
constexpr std::int64_t kMaxSteps = 100'000;
constexpr std::size_t kMaxSeries = 1'000;

using Buckets = std::map<std::int64_t, double>;  // bucket index -> rows or bytes

// The SQL that reads what the buckets need: time and message bytes, and
// the `by` labels (as text) when SQL can compute them. With regular
// expressions every column is read, for post_filter().
struct VolumeSql {
  std::string sql;
  std::vector<std::string> params;
};

VolumeSql volume_sql(const LogVolumeQuery& q, bool post) {
  VolumeSql v;
  std::string columns = post ? kLogColumns : "time_ns, length(CAST(body AS BLOB))";
  if (!post)
    for (const auto& key : q.by) {
      std::string col = label_sql(key);
      if (col.empty()) {
        columns += ", CAST(json_extract(attributes, ?) AS TEXT)";
        v.params.push_back("$.\"" + key + "\"");
      } else {
        columns += ", " + col;
      }
    }
  SqlCondition c = to_sql(q.logs);
  v.sql = "SELECT " + columns + " FROM logs WHERE " + c.where + " AND time_ns > ? AND time_ns <= ?";
  v.params.insert(v.params.end(), c.params.begin(), c.params.end());
  return v;
}

// The steps' windows summed from sorted buckets with two pointers: step j
// covers buckets (j * step_b, j * step_b + range_b].
std::vector<std::pair<std::int64_t, double>> window_sums(const Buckets& buckets, const LogVolumeQuery& q,
                                                         std::int64_t g, std::int64_t steps) {
  const std::int64_t step_b = q.step_ns / g, range_b = q.range_ns / g;
  std::vector<std::pair<std::int64_t, double>> points;
  auto lo = buckets.begin(), hi = buckets.begin();
  double sum = 0;
  for (std::int64_t j = 0; j < steps; ++j) {
    for (; hi != buckets.end() && hi->first <= j * step_b + range_b; ++hi) sum += hi->second;
    for (; lo != hi && lo->first <= j * step_b; ++lo) sum -= lo->second;
    if (lo != hi) points.emplace_back(q.start_ns + j * q.step_ns, sum);
  }
  return points;
}

}  // namespace

std::vector<LogSeries> log_volume(Db& db, const LogVolumeQuery& q) {
  if (q.step_ns <= 0 || q.range_ns <= 0 || q.end_ns < q.start_ns) throw QueryError("step and range must be positive");
  const std::int64_t steps = (q.end_ns - q.start_ns) / q.step_ns + 1;
  if (steps > kMaxSteps)
    throw QueryError("the query would have " + std::to_string(steps) + " steps; the limit is " +
                     std::to_string(kMaxSteps) + " (raise the step)");
  const std::int64_t g = std::gcd(q.step_ns, q.range_ns);
  const std::int64_t base = q.start_ns - q.range_ns;
  const bool post = has_post_filter(q.logs);
  VolumeSql v = volume_sql(q, post);
  Stmt s(db, v.sql);
  int i = 1;
  for (const auto& p : v.params) s.bind(i++, p);
  s.bind(i, base);
  s.bind(i + 1, q.end_ns);

  std::map<std::vector<std::string>, Buckets> series;
  std::vector<std::string> labels(q.by.size());
  while (s.step()) {
    std::int64_t time_ns = 0;
    double amount = 1;
    if (post) {
      LogRow r = read_log(s);
      if (!post_filter(q.logs, r)) continue;
      nlohmann::json attrs = nlohmann::json::parse(r.attributes, nullptr, false);
      for (std::size_t k = 0; k < q.by.size(); ++k) labels[k] = label_value(r, q.by[k], attrs);
      time_ns = r.time_ns;
      if (q.bytes) amount = static_cast<double>(r.body.size());
    } else {
      time_ns = s.i64(0);
      if (q.bytes) amount = static_cast<double>(s.i64(1));
      for (std::size_t k = 0; k < q.by.size(); ++k) labels[k] = s.text(2 + static_cast<int>(k));
    }
    auto [it, added] = series.try_emplace(labels);
    if (added && series.size() > kMaxSeries)
      throw QueryError("the query has more than " + std::to_string(kMaxSeries) + " series; aggregate with sum by (...)");
    it->second[(time_ns - base + g - 1) / g] += amount;
  }
  std::vector<LogSeries> out;
  for (auto& [values, buckets] : series) {
    auto points = window_sums(buckets, q, g, steps);
    if (!points.empty()) out.push_back({values, std::move(points)});
  }
  return out;
}

}  // namespace vigil::store
