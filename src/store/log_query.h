// The log query language (a small subset of Loki's LogQL):
//
//   {service="ranker", level="error"} |= "timeout" != "retry" |~ "gpu[0-9]" | user_id="42" | latency_ms > 250
//
// A selector of label matchers (= != =~ !~), then line filters on the
// message (|= contains, != does not contain, |~ matches, !~ does not match)
// and label filters (| key op value, with > < >= <= for numbers). Labels
// are the columns service, level, logger, trace_id, span_id, or any
// attribute of the record. Regular expressions use RE2 syntax, as Loki's
// do: label matchers must match the whole value (Prometheus semantics), line
// filters match anywhere in the message. RE2 runs in linear time with
// bounded memory, so a query cannot stall or crash the daemon, whatever the
// pattern and however long the log line.
//
// Loki's `| json` stage is accepted: a record's fields are already parsed,
// so it only marks the query as wanting them as labels of its streams.
// `| drop __error__` is accepted and does nothing (vigil never sets
// __error__). Any other LogQL stage (logfmt, line_format, unwrap, ...) is
// a QueryError naming it.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace vigil::store {

struct LogMatcher {
  enum class Op { kEq, kNe, kRe, kNre, kGt, kLt, kGe, kLe };
  std::string key;
  Op op = Op::kEq;
  std::string value;
  double number = 0;               // for > < >= <=
  std::shared_ptr<const re2::RE2> regex;  // for =~ !~, anchored at both ends
};

struct LineFilter {
  enum class Op { kContains, kNotContains, kMatches, kNotMatches };
  Op op = Op::kContains;
  std::string text;
  std::shared_ptr<const re2::RE2> regex;  // for |~ !~, unanchored
};

struct LogQuery {
  std::vector<LogMatcher> matchers;  // selector and label filters alike: all must hold
  std::vector<LineFilter> lines;
  bool json = false;  // `| json` given: fields are labels of the result's streams
  std::string source;
};

// "query:1:17: expected a quoted string"
class QueryError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

LogQuery parse_log_query(std::string_view text);
// As above, stopping at the first '[' outside a string (a LogQL range
// vector's `{...} |= "x" [5m]`); `consumed` receives where it stopped.
LogQuery parse_log_query(std::string_view text, std::size_t& consumed);

// The SQL condition for what SQL can evaluate (equality, containment,
// numeric comparisons), with its bound parameters in order; regular
// expressions are left to matches_post_filter().
struct SqlCondition {
  std::string where;  // "1" when nothing applies
  std::vector<std::string> params;
};
SqlCondition to_sql(const LogQuery& q);
bool has_post_filter(const LogQuery& q);

// The column or JSON path a label refers to.
std::string label_sql(const std::string& key);

}  // namespace vigil::store
