// Parser and SQL translation of the log query language (see log_query.h).
#include "store/log_query.h"

#include <cctype>
#include <charconv>

#include <re2/re2.h>

#include "common/text_cursor.h"

namespace vigil::store {
namespace {

class Parser : detail::TextCursor<QueryError> {
 public:
  explicit Parser(std::string_view s, bool stop_at_range = false)
      : TextCursor(s, "query"), stop_at_range_(stop_at_range) {}
  std::size_t position() const { return i_; }

  LogQuery parse() {
    LogQuery q;
    skip_ws();
    if (peek() == '{') {
      ++i_;
      skip_ws();
      if (peek() != '}') {
        while (true) {
          q.matchers.push_back(matcher(false));
          skip_ws();
          if (peek() == ',') {
            ++i_;
            skip_ws();
            continue;
          }
          break;
        }
      }
      expect('}');
    }
    while (true) {
      skip_ws();
      if (i_ >= s_.size() || (stop_at_range_ && peek() == '[')) break;
      if (starts("|=")) q.lines.push_back(line(LineFilter::Op::kContains, 2));
      else if (starts("!=")) q.lines.push_back(line(LineFilter::Op::kNotContains, 2));
      else if (starts("|~")) q.lines.push_back(line(LineFilter::Op::kMatches, 2));
      else if (starts("!~")) q.lines.push_back(line(LineFilter::Op::kNotMatches, 2));
      else if (peek() == '|') {
        ++i_;
        skip_ws();
        if (!stage(q)) q.matchers.push_back(matcher(true));
      } else {
        fail("expected '|=', '!=', '|~', '!~' or '| label op value'");
      }
    }
    q.source = std::string(s_.substr(0, i_));
    return q;
  }

 private:
  // A LogQL stage after '|' other than a label filter: true when consumed.
  bool stage(LogQuery& q) {
    std::size_t start = i_;
    std::string word;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.' || peek() == '-')
      word.push_back(s_[i_++]);
    skip_ws();
    bool is_filter = peek() == '=' || peek() == '!' || peek() == '<' || peek() == '>';
    if (word.empty() || is_filter) {
      i_ = start;
      return false;
    }
    if (word == "json") {
      if (peek() != '\0' && peek() != '|' && peek() != '[' && peek() != '!')
        fail("`| json` with parameters is not supported");
      q.json = true;
      return true;
    }
    if (word == "drop") {  // `| drop __error__, __error_details__`
      while (true) {
        ident();
        skip_ws();
        if (peek() != ',') break;
        ++i_;
      }
      return true;
    }
    i_ = start;
    fail("the LogQL stage `| " + word + "` is not supported (supported: line filters, `| json`, `| drop`, "
         "and label filters)");
  }


  std::string ident() {
    skip_ws();
    std::size_t start = i_;
    if (!(std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_')) fail("expected a label name");
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.' || peek() == '-') ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  std::string quoted() {
    skip_ws();
    char q = peek();
    if (q != '"' && q != '`') fail("expected a quoted string");
    ++i_;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == q) break;
      if (c == '\\' && q == '"') {
        if (i_ >= s_.size()) fail("unterminated string");
        char e = s_[i_++];
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          default: out.push_back(e);  // \" \\ and anything else literally
        }
        continue;
      }
      out.push_back(c);
    }
    return out;
  }

  std::shared_ptr<const re2::RE2> compile(const std::string& pattern) {
    re2::RE2::Options options;
    options.set_log_errors(false);  // the error goes back to the caller, not to stderr
    auto re = std::make_shared<const re2::RE2>(pattern, options);
    if (!re->ok()) fail("invalid regular expression \"" + pattern + "\": " + re->error());
    return re;
  }

  LogMatcher matcher(bool allow_numbers) {
    LogMatcher m;
    m.key = ident();
    skip_ws();
    using Op = LogMatcher::Op;
    if (starts("=~")) m.op = Op::kRe, i_ += 2;
    else if (starts("!~")) m.op = Op::kNre, i_ += 2;
    else if (starts("!=")) m.op = Op::kNe, i_ += 2;
    else if (starts("==")) m.op = Op::kEq, i_ += 2;
    else if (starts(">=") && allow_numbers) m.op = Op::kGe, i_ += 2;
    else if (starts("<=") && allow_numbers) m.op = Op::kLe, i_ += 2;
    else if (peek() == '=') m.op = Op::kEq, ++i_;
    else if (peek() == '>' && allow_numbers) m.op = Op::kGt, ++i_;
    else if (peek() == '<' && allow_numbers) m.op = Op::kLt, ++i_;
    else fail(allow_numbers ? "expected =, !=, =~, !~, >, <, >= or <=" : "expected =, !=, =~ or !~");
    skip_ws();
    if (m.op == Op::kGt || m.op == Op::kLt || m.op == Op::kGe || m.op == Op::kLe) {
      std::size_t start = i_;
      while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == '-' ||
                                s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+'))
        ++i_;
      std::string_view num = s_.substr(start, i_ - start);
      auto res = std::from_chars(num.data(), num.data() + num.size(), m.number);
      if (num.empty() || res.ec != std::errc() || res.ptr != num.data() + num.size()) {
        i_ = start;
        fail("expected a number");
      }
      m.value = std::string(num);
      return m;
    }
    if (allow_numbers && (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '-')) {
      std::size_t start = i_;  // | status=500 : a bare number compares as text
      while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != '|') ++i_;
      m.value = std::string(s_.substr(start, i_ - start));
    } else {
      m.value = quoted();
    }
    if (m.op == Op::kRe || m.op == Op::kNre) m.regex = compile(m.value);
    return m;
  }

  LineFilter line(LineFilter::Op op, std::size_t len) {
    i_ += len;
    LineFilter f;
    f.op = op;
    f.text = quoted();
    if (op == LineFilter::Op::kMatches || op == LineFilter::Op::kNotMatches) f.regex = compile(f.text);
    return f;
  }

  bool stop_at_range_ = false;
};

}  // namespace

LogQuery parse_log_query(std::string_view text) { return Parser(text).parse(); }

LogQuery parse_log_query(std::string_view text, std::size_t& consumed) {
  Parser p(text, true);
  LogQuery q = p.parse();
  consumed = p.position();
  return q;
}

std::string label_sql(const std::string& key) {
  static const char* kColumns[] = {"service", "level", "logger", "trace_id", "span_id"};
  for (const char* c : kColumns)
    if (key == c) return c;
  if (key == "msg" || key == "body") return "body";
  // Any other label is an attribute; the key is bound as a JSON path
  // parameter, never spliced into SQL.
  return "";
}

SqlCondition to_sql(const LogQuery& q) {
  SqlCondition c;
  std::string where;
  auto add = [&](const std::string& cond) { where += (where.empty() ? "" : " AND ") + cond; };
  for (const auto& m : q.matchers) {
    std::string col = label_sql(m.key);
    std::string expr = col;
    if (col.empty()) {
      expr = "json_extract(attributes, ?)";
      c.params.push_back("$.\"" + m.key + "\"");
    }
    using Op = LogMatcher::Op;
    switch (m.op) {
      case Op::kEq:
        add("CAST(" + expr + " AS TEXT) = ?");
        c.params.push_back(m.value);
        break;
      case Op::kNe:
        add("(" + expr + " IS NULL OR CAST(" + expr + " AS TEXT) <> ?)");
        if (col.empty()) c.params.push_back("$.\"" + m.key + "\"");  // the expression appears twice
        c.params.push_back(m.value);
        break;
      case Op::kGt: add("CAST(" + expr + " AS REAL) > ?"); c.params.push_back(m.value); break;
      case Op::kLt: add("CAST(" + expr + " AS REAL) < ?"); c.params.push_back(m.value); break;
      case Op::kGe: add("CAST(" + expr + " AS REAL) >= ?"); c.params.push_back(m.value); break;
      case Op::kLe: add("CAST(" + expr + " AS REAL) <= ?"); c.params.push_back(m.value); break;
      case Op::kRe:
      case Op::kNre:
        if (col.empty()) c.params.pop_back();  // evaluated after the query
        break;
    }
  }
  for (const auto& l : q.lines) {
    if (l.op == LineFilter::Op::kContains) {
      add("instr(body, ?) > 0");
      c.params.push_back(l.text);
    } else if (l.op == LineFilter::Op::kNotContains) {
      add("instr(body, ?) = 0");
      c.params.push_back(l.text);
    }
  }
  c.where = where.empty() ? "1" : where;
  return c;
}

bool has_post_filter(const LogQuery& q) {
  for (const auto& m : q.matchers)
    if (m.regex) return true;
  for (const auto& l : q.lines)
    if (l.regex) return true;
  return false;
}

}  // namespace vigil::store
