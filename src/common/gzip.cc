#include "common/gzip.h"

#include <zlib.h>

#include <cstdlib>
#include <stdexcept>

namespace vigil::detail {

bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "*") continue;
    double q = 1;
    if (semi != std::string_view::npos) {
      std::size_t qpos = item.find("q=", semi);
      if (qpos != std::string_view::npos) q = std::strtod(std::string(item.substr(qpos + 2)).c_str(), nullptr);
    }
    if (q > 0) return true;
  }
  return false;
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("vigil: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, data.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("vigil: gzip compression failed");
  out.resize(zs.total_out);
  return out;
}

std::string gzip_decompress(std::string_view data, std::size_t max_size) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) throw std::runtime_error("inflateInit2 failed");  // gzip or zlib
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw std::runtime_error("invalid gzip body");
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_size) {
      inflateEnd(&zs);
      throw DecompressedTooLarge("decompressed body exceeds the size limit");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      throw std::runtime_error("truncated gzip body");
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace vigil::detail
