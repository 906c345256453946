// Small helpers every daemon handler shares: JSON responses and errors in
// the API's one error format ({"error": "..."}), typed query parameters,
// bearer-token checks and bounded body reading.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"

namespace vigil::server {

using detail::Request;
using detail::Response;

void send_json(Response& res, int status, const nlohmann::json& body);
void send_error(Response& res, int status, const std::string& message);
// `text` parsed as JSON, or `fallback` when it is not JSON (stored columns).
nlohmann::json parse_or(const std::string& text, nlohmann::json fallback);

// Query parameters; both throw std::invalid_argument naming the parameter,
// which the route table answers with 400.
std::int64_t int_param(const Request& req, const char* name, std::int64_t fallback);
// A duration ("250ms", "1.5s", "2m") or a bare integer of nanoseconds.
std::int64_t duration_param(const Request& req, const char* name, std::int64_t fallback);
// A Go duration ("1.5ms", "300us", "2s", "1h30m"), as Jaeger, Tempo and
// Loki take them, in nanoseconds; throws std::invalid_argument naming `what`.
std::int64_t parse_go_duration(std::string_view text, const char* what);

// True when `token` is empty or the request carries "Authorization: Bearer
// <token>"; compared in constant time so the token cannot be guessed byte by byte.
bool bearer_matches(const Request& req, std::string_view token);
// The same rule for an Authorization value from elsewhere (gRPC metadata).
bool bearer_value_matches(std::string_view authorization, std::string_view token);

// The request's body with its Content-Encoding (gzip, deflate) undone,
// stopping at `max_bytes` of decoded bytes: the server's limit bounds only
// the bytes sent, and 64 KiB of gzip can inflate to gigabytes. On failure
// answers 413, 415 or 400 and returns false.
bool read_body(const Request& req, Response& res, std::size_t max_bytes, std::string& body);

// True for application/json and application/x-ndjson (parameters allowed).
// The JSON APIs take nothing else: a browser sends text/plain and form
// bodies cross-site without asking (no CORS preflight), JSON it does not.
bool is_json_type(std::string_view content_type);
// Unless the request's Content-Type is JSON, answers 415; returns whether it was JSON.
bool require_json(const Request& req, Response& res);

// Whether a Host header may reach the daemon: absent (HTTP/1.0), an IP
// literal, "localhost", or one of `allowed` (case-insensitive). A DNS
// rebinding page reaches a loopback daemon under its own domain name, which
// is none of these.
bool host_allowed(std::string_view host_header, const std::vector<std::string>& allowed);

}  // namespace vigil::server
