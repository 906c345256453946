#include "server/http_util.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

#include "common/duration.h"
#include "common/gzip.h"

namespace vigil::server {

using nlohmann::json;

void send_json(Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

json parse_or(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

std::int64_t int_param(const Request& req, const char* name, std::int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    throw std::invalid_argument(std::string("parameter '") + name + "' must be an integer");
  return out;
}

std::int64_t parse_go_duration(std::string_view text, const char* what) {
  auto bad = [&] {
    return std::invalid_argument(std::string("parameter '") + what + "' must be a duration like 1.5ms, 300us, 2s or 1h30m");
  };
  if (text.empty()) throw bad();
  double total = 0;
  while (!text.empty()) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end == text.data() || v < 0) throw bad();
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    std::size_t unit_len = 0;
    while (unit_len < text.size() && !std::isdigit(static_cast<unsigned char>(text[unit_len])) && text[unit_len] != '.')
      ++unit_len;
    std::string_view unit = text.substr(0, unit_len);
    text.remove_prefix(unit_len);
    double scale = unit == "ns" ? 1 : unit == "us" || unit == "\u00b5s" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9
                 : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : 0;
    if (scale == 0) throw bad();
    total += v * scale;
  }
  if (!(total < 9.2e18)) throw bad();
  return static_cast<std::int64_t>(std::llround(total));
}

std::int64_t duration_param(const Request& req, const char* name, std::int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string v = req.get_param_value(name);
  std::int64_t ns = 0;
  if (auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ns); ec == std::errc() && end == v.data() + v.size())
    return ns;
  try {
    return detail::parse_duration(v).count();
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(std::string("parameter '") + name + "' must be a duration like 250ms, 2s, 5m");
  }
}

bool bearer_matches(const Request& req, std::string_view token) {
  return bearer_value_matches(req.get_header_value("Authorization"), token);
}

bool bearer_value_matches(std::string_view h, std::string_view token) {
  if (token.empty()) return true;
  if (!h.starts_with("Bearer ")) return false;
  std::string_view given = h.substr(7);
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

bool read_body(const Request& req, Response& res, std::size_t max_bytes, std::string& body) {
  std::string encoding = req.get_header_value("Content-Encoding");
  if (encoding.empty() || encoding == "identity") {
    if (req.body.size() > max_bytes) {
      send_error(res, 413, "request body exceeds max_body_bytes (" + std::to_string(max_bytes) + " bytes)");
      return false;
    }
    body = req.body;
    return true;
  }
  if (encoding != "gzip" && encoding != "deflate" && encoding != "x-gzip") {
    send_error(res, 415, "Content-Encoding '" + encoding + "' is not supported: use gzip, deflate or none");
    return false;
  }
  try {
    body = detail::gzip_decompress(req.body, max_bytes);
    return true;
  } catch (const detail::DecompressedTooLarge&) {
    send_error(res, 413, "request body exceeds max_body_bytes (" + std::to_string(max_bytes) + " bytes) once decompressed");
  } catch (const std::exception&) {
    send_error(res, 400, "could not read the request body (truncated, or not valid gzip/deflate)");
  }
  return false;
}

bool is_json_type(std::string_view type) {
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media == "application/json" || media == "application/x-ndjson";
}

bool require_json(const Request& req, Response& res) {
  if (is_json_type(req.get_header_value("Content-Type"))) return true;
  send_error(res, 415, "Content-Type must be application/json or application/x-ndjson");
  return false;
}

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool is_ipv4(std::string_view h) {
  int parts = 0;
  while (!h.empty()) {
    std::size_t dot = h.find('.');
    std::string_view part = h.substr(0, dot);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc() || end != part.data() + part.size() || v > 255) return false;
    ++parts;
    h = dot == std::string_view::npos ? std::string_view() : h.substr(dot + 1);
    if (dot != std::string_view::npos && h.empty()) return false;
  }
  return parts == 4;
}

}  // namespace

bool host_allowed(std::string_view host, const std::vector<std::string>& allowed) {
  if (host.empty()) return true;
  if (host.front() == '[') return host.find(']') != std::string_view::npos;  // an IPv6 literal
  std::string_view name = host.substr(0, host.rfind(':'));
  if (name.empty()) return false;
  if (is_ipv4(name) || equal_ignoring_case(name, "localhost")) return true;
  for (const auto& a : allowed)
    if (equal_ignoring_case(name, a)) return true;
  return false;
}

}  // namespace vigil::server
