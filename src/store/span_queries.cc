// Trace queries over span blocks (see span_store.h): whole traces through the
// trace index, searches that scan blocks newest first, and operation latency.
#include "store/span_store.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "store/span_block.h"

namespace vigil::store {
namespace {

std::string delimited(std::string_view v) { return "\n" + std::string(v) + "\n"; }

// Reads whole traces through the trace index. A block being scanned passes
// its own spans of the trace in, so only the trace's other blocks are read,
// and from those only the trace's spans are built.
class TraceReader {
 public:
  explicit TraceReader(Db& db)
      : by_id_(db, "SELECT data FROM span_blocks WHERE id = ?"),
        by_trace_(db, "SELECT block_id FROM span_traces WHERE trace_key = ? ORDER BY block_id DESC") {}

  // Calls fn(const SpanRow&) once per span of the trace, with its newest
  // copy, in no particular order. `local` holds the trace's spans in block
  // `local_block` (in block order); they are visited in place, not copied.
  template <typename Fn>
  void for_each_span(std::string_view trace_id, std::int64_t local_block, const std::vector<const SpanRow*>& local,
                     Fn&& fn) {
    std::vector<std::int64_t> ids;
    by_trace_.bind(1, trace_key(trace_id));
    while (by_trace_.step()) ids.push_back(by_trace_.i64(0));
    by_trace_.reset();
    std::deque<SpanRow> others;  // spans read from the trace's other blocks; a deque keeps them in place
    std::unordered_set<std::string_view> seen;  // span ids
    auto visit = [&](const SpanRow& s) {
      if (seen.insert(s.span_id).second) fn(s);
    };
    for (std::int64_t id : ids) {  // newest block first; later in a block = sent later
      if (id == local_block) {
        for (auto it = local.rbegin(); it != local.rend(); ++it) visit(**it);
        continue;
      }
      by_id_.bind(1, id);
      std::size_t first = others.size();
      if (by_id_.step()) {  // else dropped by retention since the index was read
        SpanBlockReader in(by_id_.blob(0));
        while (in.next())
          if (in.trace_id_is(trace_id)) in.read(others.emplace_back());
      }
      by_id_.reset();
      for (std::size_t k = others.size(); k > first; --k) visit(others[k - 1]);
    }
  }

  // The trace's spans by start time.
  std::vector<SpanRow> trace(std::string_view trace_id) {
    std::vector<SpanRow> out;
    for_each_span(trace_id, -1, {}, [&](const SpanRow& s) { out.push_back(s); });
    std::sort(out.begin(), out.end(), [](const SpanRow& a, const SpanRow& b) {
      return std::tie(a.start_ns, a.span_id) < std::tie(b.start_ns, b.span_id);
    });
    return out;
  }

 private:
  Stmt by_id_, by_trace_;
};

// A decoded block's spans grouped by trace, each group in block order.
std::unordered_map<std::string_view, std::vector<const SpanRow*>> by_trace(const std::vector<SpanRow>& spans) {
  std::unordered_map<std::string_view, std::vector<const SpanRow*>> groups;
  for (const SpanRow& s : spans) groups[s.trace_id].push_back(&s);
  return groups;
}

// The attribute as SQLite's CAST(json_extract(...) AS TEXT) renders it (the
// query syntax this replaced), with true/false also accepted for booleans.
bool attribute_matches(const nlohmann::json& attrs, const std::string& key, const std::string& want) {
  auto it = attrs.find(key);
  if (it == attrs.end() || it->is_null()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == want;
  if (it->is_boolean()) return want == (it->get<bool>() ? "1" : "0") || want == it->dump();
  return it->dump() == want;
}

// A search's conditions on single spans, prepared once per query.
class SpanFilter {
 public:
  explicit SpanFilter(const TraceQuery& q) : q_(q) {
    for (const auto& [key, value] : q.attributes) needles_.push_back(key_needle(key));
  }

  bool matches(const SpanRow& s) const {
    if (!q_.service.empty() && s.service != q_.service) return false;
    if (!q_.operation.empty() && s.name != q_.operation) return false;
    if (q_.start_ns && s.start_ns < q_.start_ns) return false;
    if (q_.end_ns && s.start_ns > q_.end_ns) return false;
    if (q_.span_matches && !q_.span_matches(s)) return false;
    if (q_.attributes.empty()) return true;
    for (const std::string& needle : needles_)
      if (!needle.empty() && s.attributes.find(needle) == std::string::npos) return false;
    nlohmann::json attrs = nlohmann::json::parse(s.attributes, nullptr, false);
    if (!attrs.is_object()) return false;
    for (const auto& [k, v] : q_.attributes)
      if (!attribute_matches(attrs, k, v)) return false;
    return true;
  }

 private:
  // `"key":`, which the span's attribute text must contain if it has the
  // key: a key of plain ASCII is written verbatim by every JSON writer the
  // store has had. Empty (no text check, the parser decides) for any other
  // key. Saves parsing the JSON of spans that lack the key.
  static std::string key_needle(std::string_view key) {
    for (char c : key)
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || static_cast<unsigned char>(c) >= 0x80) return {};
    return "\"" + std::string(key) + "\":";
  }

  const TraceQuery& q_;
  std::vector<std::string> needles_;  // per q_.attributes entry
};

// Builds a trace's summary from its spans, visited in any order. The root
// is the earliest span without a parent, else the earliest span.
class TraceSummarizer {
 public:
  void add(const SpanRow& s) {
    if (!t_.spans) t_.trace_id = s.trace_id;
    start_ = std::min(start_, s.start_ns);
    end_ = std::max(end_, s.end_ns);
    t_.errors += s.status_code == 2;
    auto rank = std::tuple(!s.parent_span_id.empty(), s.start_ns, std::string_view(s.span_id));
    if (!t_.spans++ || rank < std::tuple(root_has_parent_, root_start_, std::string_view(root_span_id_))) {
      std::tie(root_has_parent_, root_start_) = std::tuple(!s.parent_span_id.empty(), s.start_ns);
      root_span_id_ = s.span_id;
      t_.root_service = s.service;
      t_.root_name = s.name;
    }
  }
  bool empty() const { return t_.spans == 0; }
  TraceSummary done() {
    t_.start_ns = start_;
    t_.duration_ns = end_ - start_;
    return std::move(t_);
  }

 private:
  TraceSummary t_;
  bool root_has_parent_ = false;
  std::int64_t root_start_ = 0;
  std::string root_span_id_;
  std::int64_t start_ = INT64_MAX, end_ = INT64_MIN;
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  k = std::clamp<std::size_t>(k, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

std::vector<SpanRow> find_trace(Db& db, std::string_view trace_id) { return TraceReader(db).trace(trace_id); }

std::vector<TraceSummary> search_traces(Db& db, const TraceQuery& q) {
  const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, 1000);
  std::string sql = "SELECT id, max_start_ns, data FROM span_blocks WHERE max_start_ns >= ? AND min_start_ns <= ?";
  if (!q.service.empty()) sql += " AND instr(services, ?) > 0";
  if (!q.operation.empty()) sql += " AND instr(operations, ?) > 0";
  sql += " ORDER BY max_start_ns DESC, id DESC";
  Stmt blocks(db, sql);
  blocks.bind(1, q.start_ns ? q.start_ns : INT64_MIN).bind(2, q.end_ns ? q.end_ns : INT64_MAX);
  int i = 3;
  if (!q.service.empty()) blocks.bind(i++, delimited(q.service));
  if (!q.operation.empty()) blocks.bind(i++, delimited(q.operation));

  const SpanFilter filter(q);
  TraceReader traces(db);
  std::vector<TraceSummary> found;
  std::unordered_set<std::string> examined;
  // The start times of the `limit` latest traces found so far. A trace whose
  // matching span is in a later block started no later than that block's
  // latest span, so once that is older than all of them the scan can stop.
  std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> latest;
  while (blocks.step()) {
    if (latest.size() == limit && blocks.i64(1) < latest.top()) break;
    std::int64_t block = blocks.i64(0);
    auto spans = decode_span_block(blocks.blob(2));
    auto local = by_trace(spans);
    for (const SpanRow& s : spans) {
      if (!filter.matches(s) || !examined.insert(s.trace_id).second) continue;
      TraceSummarizer sum;
      std::vector<SpanRow> matched;
      std::int64_t matched_count = 0;
      traces.for_each_span(s.trace_id, block, local[s.trace_id], [&](const SpanRow& r) {
        sum.add(r);
        if (q.spans_per_trace && filter.matches(r) && ++matched_count) matched.push_back(r);
      });
      if (sum.empty()) continue;  // its blocks were dropped while we read
      TraceSummary t = sum.done();
      std::sort(matched.begin(), matched.end(), [](const SpanRow& a, const SpanRow& b) { return a.start_ns < b.start_ns; });
      if (matched.size() > q.spans_per_trace) matched.resize(q.spans_per_trace);
      t.matched = std::move(matched);
      t.matched_count = matched_count;
      if (q.min_duration_ns && t.duration_ns < *q.min_duration_ns) continue;
      if (q.max_duration_ns && t.duration_ns > *q.max_duration_ns) continue;
      latest.push(t.start_ns);
      if (latest.size() > limit) latest.pop();
      found.push_back(std::move(t));
    }
  }
  std::sort(found.begin(), found.end(), [](const TraceSummary& a, const TraceSummary& b) {
    return std::tie(a.start_ns, a.trace_id) > std::tie(b.start_ns, b.trace_id);
  });
  if (found.size() > limit) found.resize(limit);
  return found;
}

std::vector<OperationLatency> operation_latency(Db& db, std::string_view service, std::int64_t start_ns,
                                                std::int64_t end_ns) {
  if (!end_ns) end_ns = INT64_MAX;
  std::string sql = "SELECT id, data FROM span_blocks WHERE max_start_ns >= ? AND min_start_ns <= ?";
  if (!service.empty()) sql += " AND instr(services, ?) > 0";
  sql += " ORDER BY id DESC";  // newest blocks first: the newest copy of a resent span wins
  Stmt blocks(db, sql);
  blocks.bind(1, start_ns).bind(2, end_ns);
  if (!service.empty()) blocks.bind(3, delimited(service));

  struct Group {
    std::vector<double> ms;
    double share = 0;
    bool root = false;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  std::unordered_set<std::string> seen;                   // trace id + span id
  std::unordered_map<std::string, double> trace_ms;       // by trace id
  TraceReader traces(db);
  while (blocks.step()) {
    std::int64_t block = blocks.i64(0);
    auto spans = decode_span_block(blocks.blob(1));
    auto local = by_trace(spans);
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
      const SpanRow& s = *it;
      if (s.start_ns < start_ns || s.start_ns > end_ns || (!service.empty() && s.service != service)) continue;
      if (!seen.insert(s.trace_id + s.span_id).second) continue;
      auto [t, added] = trace_ms.try_emplace(s.trace_id, 0.0);
      if (added) {
        std::int64_t lo = INT64_MAX, hi = INT64_MIN;
        traces.for_each_span(s.trace_id, block, local[s.trace_id], [&](const SpanRow& r) {
          lo = std::min(lo, r.start_ns), hi = std::max(hi, r.end_ns);
        });
        t->second = lo <= hi ? static_cast<double>(hi - lo) / 1e6 : 0;
      }
      Group& g = groups[{s.service, s.name}];
      double d = static_cast<double>(s.end_ns - s.start_ns) / 1e6;
      g.ms.push_back(d);
      g.share += t->second > 0 ? d / t->second : 0;
      g.root |= s.parent_span_id.empty();
    }
  }
  std::vector<OperationLatency> out;
  for (auto& [key, g] : groups) {
    auto& v = g.ms;
    OperationLatency o;
    o.service = key.first;
    o.name = key.second;
    o.count = static_cast<std::int64_t>(v.size());
    double sum = 0, mx = 0;
    for (double d : v) sum += d, mx = std::max(mx, d);
    o.mean_ms = sum / static_cast<double>(v.size());
    o.max_ms = mx;
    o.p50_ms = percentile(v, 0.5);
    o.p95_ms = percentile(v, 0.95);
    o.p99_ms = percentile(v, 0.99);
    o.share_of_trace = g.share / static_cast<double>(v.size());
    o.root = g.root;
    out.push_back(std::move(o));
  }
  // Slowest first: "which stage is slowest".
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.p95_ms > b.p95_ms; });
  return out;
}

// A parent span is usually in the child's block; otherwise the trace's
// other blocks are read once, through the trace index.
std::vector<ServiceCall> service_calls(Db& db, std::int64_t start_ns, std::int64_t end_ns) {
  Stmt blocks(db, "SELECT id, data FROM span_blocks WHERE max_start_ns >= ? AND min_start_ns <= ? ORDER BY id DESC");
  blocks.bind(1, start_ns).bind(2, end_ns ? end_ns : INT64_MAX);
  TraceReader traces(db);
  std::map<std::pair<std::string, std::string>, std::int64_t> edges;
  std::unordered_set<std::string> seen;  // trace id + span id: a resent span counts once
  std::unordered_map<std::string, std::unordered_map<std::string, std::string>> whole;  // trace -> span -> service
  while (blocks.step()) {
    std::int64_t block = blocks.i64(0);
    auto spans = decode_span_block(blocks.blob(1));
    auto local = by_trace(spans);
    std::unordered_map<std::string_view, std::string_view> here;  // span id -> service, in this block
    for (const SpanRow& s : spans) here.emplace(s.span_id, s.service);
    for (const SpanRow& s : spans) {
      if (s.parent_span_id.empty() || s.start_ns < start_ns || (end_ns && s.start_ns > end_ns)) continue;
      if (!seen.insert(s.trace_id + s.span_id).second) continue;
      std::string parent;
      if (auto it = here.find(s.parent_span_id); it != here.end()) {
        parent = it->second;
      } else {
        auto [t, added] = whole.try_emplace(s.trace_id);
        auto& services = t->second;  // a lambda may not capture a structured binding (clang)
        if (added)
          traces.for_each_span(s.trace_id, block, local[s.trace_id],
                               [&services](const SpanRow& r) { services.emplace(r.span_id, r.service); });
        if (auto p = services.find(s.parent_span_id); p != services.end()) parent = p->second;
      }
      if (!parent.empty() && parent != s.service) ++edges[{parent, s.service}];
    }
  }
  std::vector<ServiceCall> out;
  for (const auto& [k, n] : edges) out.push_back({k.first, k.second, n});
  return out;
}

std::int64_t count_spans(Db& db) {
  Stmt s(db, "SELECT COALESCE(SUM(spans), 0) FROM span_blocks");
  return s.step() ? s.i64(0) : 0;
}

}  // namespace vigil::store
