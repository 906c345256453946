// A position in a query's text, shared by the small hand-written parsers
// (the log query language, LogQL, TraceQL): peeking, skipping blanks,
// expecting a character, and failing with the language and column, as
// "query:1:17: expected a quoted string". Parsers derive from it and use
// s_ and i_ directly.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::detail {

template <class Error>  // the exception a parse error throws (constructible from a string)
class TextCursor {
 protected:
  TextCursor(std::string_view text, const char* language) : s_(text), language_(language) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(std::string(language_) + ":1:" + std::to_string(i_ + 1) + ": " + what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool starts(std::string_view t) const { return s_.substr(i_, t.size()) == t; }
  void skip_ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }

  std::string_view s_;
  std::size_t i_ = 0;

 private:
  const char* language_;
};

}  // namespace vigil::detail
