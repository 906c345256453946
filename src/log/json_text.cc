// JSON string escaping and RFC 3339 timestamps: the two primitives every
// formatter shares. Escaping validates UTF-8 as RFC 3629 defines it (no
// overlongs, no surrogates, nothing past U+10FFFF) because a log line is
// untrusted input: a request header or a model feature can hold any bytes.
#include <array>
#include <cstring>

#include "log/json_writer.h"
#include "vigil/log.h"

namespace vigil {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Which ASCII bytes need an escape: controls, '"' and '\\'.
constexpr std::array<bool, 128> make_escape_table() {
  std::array<bool, 128> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  t[0x7f] = true;  // DEL: legal JSON, but invisible in a terminal
  return t;
}
constexpr auto kNeedsEscape = make_escape_table();

// Length of the valid UTF-8 sequence starting at s[i] (2-4), or 0.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i + k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// The first `rest` (0-7) bytes of src as one word, padded with a plain
// letter, read in fixed-size pieces and assembled in a register (bytes
// stored and reloaded as a word would stall store forwarding).
std::uint64_t padded_tail(const char* src, std::size_t rest) {
  std::uint64_t chunk = 0x6161616161616161ull;
  unsigned at = 0;
  auto insert = [&](std::uint64_t v, std::uint64_t mask, unsigned bytes) {
    chunk = (chunk & ~(mask << (8 * at))) | (v << (8 * at));
    at += bytes;
  };
  if (rest & 4) {
    std::uint32_t v;
    std::memcpy(&v, src, 4);
    insert(v, 0xffffffffull, 4);
  }
  if (rest & 2) {
    std::uint16_t v;
    std::memcpy(&v, src + at, 2);
    insert(v, 0xffffull, 2);
  }
  if (rest & 1) insert(static_cast<unsigned char>(src[at]), 0xffull, 1);
  return chunk;
}

}  // namespace

char* write_json_string_any(char* p, std::string_view s) {
  *p++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      if (!detail::chunk_needs_escape(chunk)) {
        std::memcpy(p, &chunk, 8);
        p += 8;
        i += 8;
        continue;
      }
    } else {
      // The last 1-7 bytes, padded to one word (json_writer.h): most keys and
      // short values end here without a test per byte. The whole word is
      // stored: the room has 8 bytes to spare (json_string_bound).
      std::size_t rest = s.size() - i;
      std::uint64_t chunk = padded_tail(s.data() + i, rest);
      if (!detail::chunk_needs_escape(chunk)) {
        std::memcpy(p, &chunk, 8);
        p += rest;
        break;
      }
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!kNeedsEscape[c]) {
        *p++ = static_cast<char>(c);
        ++i;
        continue;
      }
      *p++ = '\\';
      switch (c) {
        case '"': *p++ = '"'; break;
        case '\\': *p++ = '\\'; break;
        case '\n': *p++ = 'n'; break;
        case '\r': *p++ = 'r'; break;
        case '\t': *p++ = 't'; break;
        case '\b': *p++ = 'b'; break;
        case '\f': *p++ = 'f'; break;
        default:
          *p++ = 'u';
          *p++ = '0';
          *p++ = '0';
          *p++ = kHex[c >> 4];
          *p++ = kHex[c & 0xf];
      }
      ++i;
      continue;
    }
    std::size_t n = utf8_sequence_length(s, i);
    if (n != 0) {
      std::memcpy(p, s.data() + i, n);
      p += n;
      i += n;
      continue;
    }
    std::memcpy(p, "\\ufffd", 6);  // one replacement per invalid byte
    p += 6;
    ++i;
  }
  *p++ = '"';
  return p;
}

void append_json_string(std::string& out, std::string_view s) {
  // Worst case every byte becomes six ("\\u00XX"); write into that room and
  // trim, instead of growing the string byte by byte.
  std::size_t old = out.size();
  out.resize(old + json_string_bound(s.size()));
  char* end = write_json_string(out.data() + old, s);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

char* write_rfc3339_nanos(char* p, std::uint64_t unix_nano) {
  std::uint64_t secs = unix_nano / 1'000'000'000ull;
  std::uint32_t nanos = static_cast<std::uint32_t>(unix_nano % 1'000'000'000ull);
  // Records come in bursts within one second: reuse its formatted prefix.
  thread_local std::uint64_t cached_secs = ~0ull;
  thread_local char cached[20];
  if (secs == cached_secs) {
    char buf[11];
    buf[0] = '.';
    for (int k = 9; k >= 1; --k) {
      buf[k] = static_cast<char>('0' + nanos % 10);
      nanos /= 10;
    }
    std::memcpy(p, cached, 19);
    std::memcpy(p + 19, buf, 10);
    p[29] = 'Z';
    return p + 30;
  }
  std::int64_t days = static_cast<std::int64_t>(secs / 86400);
  std::uint32_t sod = static_cast<std::uint32_t>(secs % 86400);
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  days += 719468;
  std::int64_t era = days / 146097;
  std::uint32_t doe = static_cast<std::uint32_t>(days - era * 146097);
  std::uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400;
  std::uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::uint32_t mp = (5 * doy + 2) / 153;
  std::uint32_t day = doy - (153 * mp + 2) / 5 + 1;
  std::uint32_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;

  char buf[32];
  auto put = [&](char* p, std::uint64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) {
      p[k] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(buf, static_cast<std::uint64_t>(year), 4);
  buf[4] = '-';
  put(buf + 5, month, 2);
  buf[7] = '-';
  put(buf + 8, day, 2);
  buf[10] = 'T';
  put(buf + 11, sod / 3600, 2);
  buf[13] = ':';
  put(buf + 14, sod / 60 % 60, 2);
  buf[16] = ':';
  put(buf + 17, sod % 60, 2);
  buf[19] = '.';
  put(buf + 20, nanos, 9);
  buf[29] = 'Z';
  std::memcpy(p, buf, 30);
  std::memcpy(cached, buf, 19);
  cached_secs = secs;
  return p + 30;
}

void append_rfc3339_nanos(std::string& out, std::uint64_t unix_nano) {
  char buf[32];
  out.append(buf, write_rfc3339_nanos(buf, unix_nano));
}

}  // namespace vigil
