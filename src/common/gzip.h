// gzip for HTTP bodies: responses and requests of the server, OTLP export.
#pragma once

#include <string>
#include <string_view>

namespace vigil::detail {

// True when an Accept-Encoding header allows gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);
std::string gzip_compress(std::string_view data);
// Throws std::runtime_error on corrupt input or output past max_size.
std::string gzip_decompress(std::string_view data, std::size_t max_size);

}  // namespace vigil::detail
