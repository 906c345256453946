#include "server/http_message.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace vigil::detail {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

std::string Request::get_header_value(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::get_param_value(std::string_view name, std::size_t i) const {
  auto [first, last] = params.equal_range(std::string(name));
  if (static_cast<std::size_t>(std::distance(first, last)) <= i) return {};
  std::advance(first, static_cast<std::ptrdiff_t>(i));
  return first->second;
}

std::string Response::get_header_value(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (!CaseInsensitiveLess{}(k, name) && !CaseInsensitiveLess{}(name, k)) return v;
  return {};
}

void Response::set_content(std::string content, std::string_view content_type) {
  body = std::move(content);
  std::erase_if(headers, [](const auto& h) { return h.first == "Content-Type"; });
  set_header("Content-Type", std::string(content_type));
}

void Response::set_redirect(std::string location, int status_code) {
  status = status_code;
  set_header("Location", std::move(location));
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    out.emplace(percent_decode(key, true), percent_decode(value, true));
  }
  return out;
}

}  // namespace vigil::detail
