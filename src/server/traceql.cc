#include "server/traceql.h"

#include <cctype>
#include <charconv>
#include <re2/re2.h>
#include <stdexcept>

#include "common/text_cursor.h"
#include "server/http_util.h"

namespace vigil::server {

using nlohmann::json;
using Scope = TraceqlCondition::Scope;
using Op = TraceqlCondition::Op;

namespace {

class Parser : detail::TextCursor<std::invalid_argument> {
 public:
  explicit Parser(std::string_view s) : TextCursor(s, "traceql") {}

  TraceqlQuery parse() {
    TraceqlQuery q;
    skip_ws();
    if (i_ == s_.size()) return q;
    expect('{');
    skip_ws();
    while (peek() != '}') {
      condition(q);
      skip_ws();
      if (starts("&&")) i_ += 2, skip_ws();
      else if (starts("||")) fail("the operator '||' is not supported (only && within one spanset)");
      else if (peek() != '}') fail("expected '&&' or '}'");
    }
    ++i_;
    skip_ws();
    if (i_ != s_.size()) {
      if (peek() == '|') fail("pipelines ('| count()', '| select(...)', ...) are not supported");
      fail("spanset operators ('&&', '||', '>>', '~' between spansets) are not supported");
    }
    return q;
  }

 private:
  std::string word() {
    std::size_t start = i_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.' || peek() == '-' ||
           peek() == '/' || peek() == ':')
      ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  void field(TraceqlCondition& c, std::size_t at) {
    std::string f = word();
    static const std::pair<const char*, Scope> kIntrinsics[] = {{"name", Scope::kName}, {"status", Scope::kStatus},
                                                                {"statusMessage", Scope::kStatusMessage},
                                                                {"kind", Scope::kKind}, {"duration", Scope::kDuration}};
    for (auto [name, scope] : kIntrinsics)
      if (f == name) return void(c.scope = scope);
    if (f == "traceDuration") return void(c.key = f);  // trace level: read by condition()
    if (f.rfind("resource.", 0) == 0) c.scope = Scope::kResource, c.key = f.substr(9);
    else if (f.rfind("span.", 0) == 0) c.scope = Scope::kSpan, c.key = f.substr(5);
    else if (f.size() > 1 && f[0] == '.') c.scope = Scope::kAny, c.key = f.substr(1);
    else {
      i_ = at;
      fail(f.empty() ? "expected a field (resource.x, span.x, .x or an intrinsic)"
                     : "the field '" + f + "' is not supported (use resource.x, span.x, .x, name, status, "
                       "statusMessage, kind, duration or traceDuration)");
    }
    if (c.key.empty()) fail("expected an attribute name after the scope");
  }

  Op op() {
    skip_ws();
    static const std::pair<const char*, Op> kOps[] = {{"=~", Op::kRe}, {"!~", Op::kNre}, {"!=", Op::kNe}, {">=", Op::kGe},
                                                      {"<=", Op::kLe}, {"=", Op::kEq},   {">", Op::kGt},  {"<", Op::kLt}};
    for (auto [text, o] : kOps)
      if (starts(text)) {
        i_ += std::string_view(text).size();
        return o;
      }
    fail("expected an operator (= != > >= < <= =~ !~)");
  }

  std::string quoted() {
    char q = peek();
    ++i_;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == q) return out;
      if (c == '\\' && q == '"' && i_ < s_.size()) c = s_[i_++];
      out.push_back(c);
    }
  }

  // A number, or a duration in ns when it has a unit.
  json number() {
    std::size_t start = i_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '-' || peek() == '+') ++i_;
    std::string_view text = s_.substr(start, i_ - start);
    std::int64_t n = 0;
    if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        ec == std::errc() && end == text.data() + text.size())
      return n;
    double d = 0;
    if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        ec == std::errc() && end == text.data() + text.size())
      return d;
    try {
      return parse_go_duration(text, "duration");
    } catch (const std::invalid_argument&) {
      i_ = start;
      fail("'" + std::string(text) + "' is not a number or a duration like 200ms");
    }
  }

  json value(const TraceqlCondition& c) {
    skip_ws();
    if (peek() == '"' || peek() == '`') return quoted();
    if (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '-') return number();
    std::size_t at = i_;
    std::string w = word();
    if (w == "true" || w == "false") return w == "true";
    static const std::pair<const char*, int> kStatus[] = {{"unset", 0}, {"ok", 1}, {"error", 2}};
    static const std::pair<const char*, int> kKinds[] = {{"unspecified", 0}, {"internal", 1}, {"server", 2},
                                                         {"client", 3},      {"producer", 4}, {"consumer", 5}};
    if (c.scope == Scope::kStatus)
      for (auto [name, code] : kStatus)
        if (w == name) return code;
    if (c.scope == Scope::kKind)
      for (auto [name, code] : kKinds)
        if (w == name) return code;
    i_ = at;
    fail(w.empty() ? "expected a value" : "the value '" + w + "' is not supported here");
  }

  void condition(TraceqlQuery& q) {
    TraceqlCondition c;
    std::size_t at = i_;
    if (peek() == '(') fail("parentheses are not supported");
    field(c, at);
    c.op = op();
    c.value = value(c);
    if (c.op == Op::kRe || c.op == Op::kNre) {
      if (!c.value.is_string()) fail("=~ and !~ take a string");
      re2::RE2::Options options;
      options.set_log_errors(false);
      c.regex = std::make_shared<const re2::RE2>(c.value.get<std::string>(), options);
      if (!c.regex->ok()) fail("invalid regular expression: " + c.regex->error());
    }
    bool ordered = c.op == Op::kGt || c.op == Op::kGe || c.op == Op::kLt || c.op == Op::kLe;
    if (ordered && !c.value.is_number()) fail("> >= < <= take a number or a duration");
    if (c.key == "traceDuration" && c.scope == Scope::kAny) return trace_duration(q, c);
    if (c.op == Op::kEq && c.value.is_string()) {  // index hints
      if (c.scope == Scope::kResource && c.key == "service.name") q.service = c.value;
      if (c.scope == Scope::kName) q.operation = c.value;
    }
    q.conditions.push_back(std::move(c));
  }

  void trace_duration(TraceqlQuery& q, const TraceqlCondition& c) {
    if (!c.value.is_number()) fail("traceDuration takes a duration");
    auto ns = c.value.get<std::int64_t>();
    if (c.op == Op::kGt || c.op == Op::kGe) q.min_trace_ns = ns + (c.op == Op::kGt);
    else if (c.op == Op::kLt || c.op == Op::kLe) q.max_trace_ns = ns - (c.op == Op::kLt);
    else fail("traceDuration takes > >= < <=");
  }

};

bool compare(Op op, const json& have, const TraceqlCondition& c) {
  if (have.is_null()) return false;  // a missing field matches no condition, != included (as in Tempo)
  if (c.regex) {
    std::string text = have.is_string() ? have.get<std::string>() : have.dump();
    return re2::RE2::FullMatch(text, *c.regex) == (op == Op::kRe);
  }
  if (c.value.is_number()) {
    if (!have.is_number()) return false;
    double a = have.get<double>(), b = c.value.get<double>();
    switch (op) {
      case Op::kEq: return a == b;
      case Op::kNe: return a != b;
      case Op::kGt: return a > b;
      case Op::kGe: return a >= b;
      case Op::kLt: return a < b;
      case Op::kLe: return a <= b;
      default: return false;
    }
  }
  bool equal = have == c.value;
  return op == Op::kEq ? equal : op == Op::kNe ? !equal : false;
}

json lookup(const json& object, const std::string& key) {
  auto it = object.find(key);
  return it == object.end() ? json() : *it;
}

}  // namespace

TraceqlQuery parse_traceql(std::string_view text) { return Parser(text).parse(); }

bool traceql_matches(const TraceqlQuery& q, const store::SpanRow& s) {
  json attrs, resource;  // parsed on first use
  for (const auto& c : q.conditions) {
    json have;
    switch (c.scope) {
      case Scope::kName: have = s.name; break;
      case Scope::kStatus: have = s.status_code; break;
      case Scope::kStatusMessage: have = s.status_message; break;
      case Scope::kKind: have = s.kind; break;
      case Scope::kDuration: have = s.end_ns - s.start_ns; break;
      case Scope::kSpan:
      case Scope::kResource:
      case Scope::kAny:
        if (c.scope != Scope::kResource) {
          if (attrs.is_null()) attrs = parse_or(s.attributes, json::object());
          have = lookup(attrs, c.key);
        }
        if (have.is_null() && c.scope != Scope::kSpan) {
          if (resource.is_null()) resource = parse_or(s.resource, json::object());
          have = c.key == "service.name" ? json(s.service) : lookup(resource, c.key);
        }
        break;
    }
    if (!compare(c.op, have, c)) return false;
  }
  return true;
}

}  // namespace vigil::server
