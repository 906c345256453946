// One HTTP request as a handler sees it, and the response it fills in.
// The server (http_server.h) reads the request whole, within its limits,
// before any handler runs; the body is still as sent (Content-Encoding not
// undone: read_body in http_util.h decodes it under a decoded-size limit).
// Accessor names follow cpp-httplib's, which the handlers were written for.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::detail {

// Header names compare without regard to case (RFC 9110 5.1).
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using HeaderMap = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ... ("HEAD" is served as GET without a body)
  std::string path;    // percent-decoded, without the query string
  HeaderMap headers;
  std::multimap<std::string, std::string> params;  // the query string, decoded
  std::vector<std::string> matches;  // [0] the path, then one per route placeholder
  std::string body;
  std::string remote_addr;

  bool has_header(std::string_view name) const { return headers.find(name) != headers.end(); }
  // The first value, or "" when absent.
  std::string get_header_value(std::string_view name) const;
  bool has_param(std::string_view name) const { return params.find(std::string(name)) != params.end(); }
  // The i-th value of a repeated parameter, or "" when there is none.
  std::string get_param_value(std::string_view name, std::size_t i = 0) const;
  std::size_t get_param_value_count(std::string_view name) const { return params.count(std::string(name)); }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  std::string get_header_value(std::string_view name) const;
  void set_content(std::string content, std::string_view content_type);
  void set_content(const char* data, std::size_t size, std::string_view content_type) {
    set_content(std::string(data, size), content_type);
  }
  void set_redirect(std::string location, int status_code = 302);
};

// "%41b+c" -> "Ab c" when `plus_is_space` (query strings); an invalid escape
// is kept as written rather than refused, as browsers do.
std::string percent_decode(std::string_view text, bool plus_is_space);
// "a=1&b=x%20y&a=2" -> {a:1, a:2, b:"x y"}.
std::multimap<std::string, std::string> parse_query(std::string_view query);

}  // namespace vigil::detail
