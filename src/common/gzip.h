// gzip for HTTP bodies: responses and requests of the server, OTLP export.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::detail {

// True when an Accept-Encoding header allows gzip (q > 0).
bool accepts_gzip(std::string_view accept_encoding);
std::string gzip_compress(std::string_view data);
// Thrown when decompressed output would pass its limit (a "zip bomb").
class DecompressedTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// gzip or zlib ("deflate") input. Throws DecompressedTooLarge past
// max_size, std::runtime_error on corrupt or truncated input.
std::string gzip_decompress(std::string_view data, std::size_t max_size);

}  // namespace vigil::detail
