#include "server/logql.h"

#include <cctype>
#include <charconv>

#include "common/text_cursor.h"
#include "server/http_util.h"

namespace vigil::server {
namespace {

using store::QueryError;

class MetricParser : detail::TextCursor<QueryError> {
 public:
  explicit MetricParser(std::string_view s) : TextCursor(s, "query") {}

  LogqlQuery parse() {
    LogqlQuery q;
    skip_ws();
    if (peek() == '{' || i_ == s_.size()) {
      q.logs = store::parse_log_query(s_);
      return q;
    }
    std::string word = identifier();
    if (word == "vector") {
      q.kind = LogqlQuery::Kind::kConstant;
      q.constant = vector_term();
      while (skip_ws(), peek() == '+') {
        ++i_;
        skip_ws();
        if (identifier() != "vector") fail("only vector(n) terms can be added");
        q.constant += vector_term();
      }
    } else {
      q.kind = LogqlQuery::Kind::kMetric;
      if (word == "sum") aggregation(q);
      else range_function(word, q);
    }
    skip_ws();
    if (i_ != s_.size()) fail("unexpected '" + std::string(s_.substr(i_, 1)) + "' (binary operators are not supported)");
    return q;
  }

 private:
  std::string identifier() {
    skip_ws();
    std::size_t start = i_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.') ++i_;
    if (i_ == start) fail("expected a function name or a stream selector '{'");
    return std::string(s_.substr(start, i_ - start));
  }

  double vector_term() {
    expect('(');
    skip_ws();
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ')') ++i_;
    std::string_view num = s_.substr(start, i_ - start);
    while (!num.empty() && std::isspace(static_cast<unsigned char>(num.back()))) num.remove_suffix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (num.empty() || ec != std::errc() || end != num.data() + num.size()) {
      i_ = start;
      fail("vector() takes a number");
    }
    expect(')');
    return v;
  }

  void grouping(LogqlQuery& q) {
    q.without = identifier() == "without";
    expect('(');
    skip_ws();
    while (peek() != ')') {
      q.grouping.push_back(identifier());
      skip_ws();
      if (peek() == ',') ++i_, skip_ws();
      else if (peek() != ')') fail("expected ',' or ')' in the label list");
    }
    ++i_;
    q.sum = true;
  }

  bool at_grouping() {
    skip_ws();
    return s_.substr(i_, 2) == "by" || s_.substr(i_, 7) == "without";
  }

  void aggregation(LogqlQuery& q) {
    q.sum = true;
    if (at_grouping()) grouping(q);
    expect('(');
    range_function(identifier(), q);
    expect(')');
    if (at_grouping()) {
      if (!q.grouping.empty() || q.without) fail("the label list is given twice");
      grouping(q);
    }
  }

  void range_function(const std::string& name, LogqlQuery& q) {
    using Fn = LogqlQuery::Fn;
    if (name == "count_over_time") q.fn = Fn::kCountOverTime;
    else if (name == "rate") q.fn = Fn::kRate;
    else if (name == "bytes_over_time") q.fn = Fn::kBytesOverTime;
    else if (name == "bytes_rate") q.fn = Fn::kBytesRate;
    else {
      i_ -= name.size();
      fail("the LogQL function '" + name + "' is not supported (supported: count_over_time, rate, bytes_over_time, "
           "bytes_rate, sum, vector)");
    }
    expect('(');
    skip_ws();
    std::size_t consumed = 0;
    try {
      q.logs = store::parse_log_query(s_.substr(i_), consumed);
    } catch (const QueryError& e) {  // its column is relative to the log query: make it the whole query's
      std::string what = e.what();
      auto col_end = what.find(':', 8);
      std::size_t col = std::stoul(what.substr(8, col_end - 8));
      i_ += col - 1;
      fail(what.substr(col_end + 2));
    }
    i_ += consumed;
    expect('[');
    std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ']') ++i_;
    if (i_ == s_.size()) fail("expected ']'");
    try {
      q.range_ns = parse_go_duration(s_.substr(start, i_ - start), "range");
    } catch (const std::invalid_argument&) {
      i_ = start;
      fail("the range must be a duration like [5m]");
    }
    if (q.range_ns <= 0) fail("the range must be positive");
    ++i_;
    expect(')');
  }

};

}  // namespace

LogqlQuery parse_logql(std::string_view text) { return MetricParser(text).parse(); }

}  // namespace vigil::server
