// Small helpers every daemon handler shares: JSON responses and errors in
// the API's one error format ({"error": "..."}), typed query parameters,
// bearer-token checks and bounded body reading.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::server {

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, const std::string& message);
// `text` parsed as JSON, or `fallback` when it is not JSON (stored columns).
nlohmann::json parse_or(const std::string& text, nlohmann::json fallback);

// Query parameters; both throw std::invalid_argument naming the parameter,
// which the route table answers with 400.
std::int64_t int_param(const httplib::Request& req, const char* name, std::int64_t fallback);
// A duration ("250ms", "1.5s", "2m") or a bare integer of nanoseconds.
std::int64_t duration_param(const httplib::Request& req, const char* name, std::int64_t fallback);

// True when `token` is empty or the request carries "Authorization: Bearer
// <token>"; compared in constant time so the token cannot be guessed byte by byte.
bool bearer_matches(const httplib::Request& req, std::string_view token);

// Reads a request body through httplib's decoder (gzip, deflate), stopping
// at `max_bytes` of decoded bytes: the limit httplib applies bounds only
// Content-Length, i.e. the compressed size, and 64 KiB of gzip can inflate
// to gigabytes. On failure answers 413 or 400 and returns false.
bool read_body(const httplib::ContentReader& reader, httplib::Response& res, std::size_t max_bytes, std::string& body);
// Reads and discards a body, so a refused request leaves the connection usable.
void drain_body(const httplib::ContentReader& reader);

// True for application/json and application/x-ndjson (parameters allowed).
// The JSON APIs take nothing else: a browser sends text/plain and form
// bodies cross-site without asking (no CORS preflight), JSON it does not.
bool is_json_type(std::string_view content_type);
// Unless the request's Content-Type is JSON: reads and discards `body`
// (when given) and answers 415; returns whether it was JSON.
bool require_json(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* body);

// Whether a Host header may reach the daemon: absent (HTTP/1.0), an IP
// literal, "localhost", or one of `allowed` (case-insensitive). A DNS
// rebinding page reaches a loopback daemon under its own domain name, which
// is none of these.
bool host_allowed(std::string_view host_header, const std::vector<std::string>& allowed);

}  // namespace vigil::server
