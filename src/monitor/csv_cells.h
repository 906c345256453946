// One CSV cell into a column: missing tokens, numbers (a fast path for
// plain decimals, from_chars for the rest), categories coded through an
// open-addressing index, and the first type error kept to name it.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

// By length first: a category's cell is almost never 0, 2, 3 or 4 bytes
// of these, and the switch is small enough to inline into every caller.
inline bool is_missing_token(std::string_view s) {
  switch (s.size()) {
    case 0: return true;
    case 2: return s == "NA";
    case 3: return s == "N/A" || s == "NaN" || s == "nan";
    case 4: return s == "null" || s == "NULL" || s == "None";
    default: return false;
  }
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// [-]digits[.digits] with at most 15 significant digits (most CSV
// numbers), as the integer of its digits over a power of ten: both exact in
// a double, so the one division gives the correctly rounded value, the same
// as from_chars (Clinger's fast path). False for anything else.
inline bool parse_plain_decimal(std::string_view s, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = s.data();
  const char* end = p + s.size();
  const bool negative = p != end && *p == '-';
  p += negative;
  std::uint64_t digits = 0;
  int count = 0, fraction = -1;
  for (; p != end; ++p) {
    if (*p >= '0' && *p <= '9') {
      digits = digits * 10 + static_cast<std::uint64_t>(*p - '0');
      ++count;
      if (fraction >= 0) ++fraction;
    } else if (*p == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (count == 0 || count > 15) return false;
  double v = static_cast<double>(digits) / kPow10[fraction > 0 ? fraction : 0];
  out = negative ? -v : v;
  return true;
}

inline bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

// A key's first eight bytes, zero-padded, read with fixed-size loads that
// stay inside the key (a cell may end its buffer): no memcpy call per cell.
inline std::uint64_t key_prefix(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t w = 0;
  if (n >= 8) {
    std::memcpy(&w, p, 8);
  } else if (n >= 4) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);  // overlaps lo by 8 - n bytes, which agree
    w = lo | (std::uint64_t{hi} << (8 * (n - 4)));
  } else if (n > 0) {
    w = std::uint64_t{static_cast<unsigned char>(p[0])} | std::uint64_t{static_cast<unsigned char>(p[n / 2])} << (8 * (n / 2)) |
        std::uint64_t{static_cast<unsigned char>(p[n - 1])} << (8 * (n - 1));
  }
  return w;
}

// Category -> code by open addressing: one probe in a flat array per cell,
// where a node-based map chases pointers (and missed the cache on every
// lookup once a table had hundreds of columns). A 16-byte slot holds the
// key's first eight bytes and a tag of hash bits and length, so a key of up
// to eight bytes (most categories) is matched in the slot itself, without
// reading the dictionary, which at 1,000 columns is a second cache miss.
class CategoryIndex {
 public:
  std::int32_t code(std::string_view value, std::vector<std::string>& dictionary) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(dictionary);
    const std::uint64_t prefix = key_prefix(value);
    const std::uint64_t h = hash(value, prefix);
    const std::uint32_t tag = tag_of(h, value.size());
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.code_plus_1 == 0) {
        dictionary.emplace_back(value);
        size_ = dictionary.size();
        slot = {prefix, tag, static_cast<std::uint32_t>(size_)};
        return static_cast<std::int32_t>(dictionary.size() - 1);
      }
      if (slot.tag != tag || slot.prefix != prefix) continue;
      const auto code = static_cast<std::int32_t>(slot.code_plus_1 - 1);
      if (value.size() <= 8 || dictionary[static_cast<std::size_t>(code)] == value) return code;
    }
  }

 private:
  struct Slot {
    std::uint64_t prefix = 0;
    std::uint32_t tag = 0, code_plus_1 = 0;  // code_plus_1 0: empty
  };
  // 24 bits of hash above the bits that pick the slot, and the length up to
  // 255: with the prefix, that decides equality for keys of up to 8 bytes.
  static std::uint32_t tag_of(std::uint64_t h, std::size_t length) {
    return static_cast<std::uint32_t>(h >> 40 << 8) | static_cast<std::uint32_t>(std::min<std::size_t>(length, 255));
  }
  // A multiply-fold over 8-byte words: several times faster than std::hash
  // on the short strings CSVs hold.
  static std::uint64_t hash(std::string_view s, std::uint64_t prefix) {
    std::uint64_t h = (0x9e3779b97f4a7c15ull ^ s.size() ^ prefix) * 0xbf58476d1ce4e5b9ull;
    for (std::size_t i = 8; i < s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + std::min(i, s.size() - 8), 8);  // the last word overlaps its predecessor
      h = ((h ^ (h >> 29)) ^ w) * 0xbf58476d1ce4e5b9ull;
    }
    h = (h ^ (h >> 32)) * 0x94d049bb133111ebull;
    return h ^ (h >> 29);
  }
  void rehash(const std::vector<std::string>& dictionary) {
    std::size_t size = 16;
    while (size < 4 * (dictionary.size() + 1)) size *= 2;
    slots_.assign(size, Slot{});
    size_ = dictionary.size();
    for (std::size_t k = 0; k < dictionary.size(); ++k) {
      const std::string_view key = dictionary[k];
      const std::uint64_t prefix = key_prefix(key);
      const std::uint64_t h = hash(key, prefix);
      std::size_t i = h & (size - 1);
      while (slots_[i].code_plus_1) i = (i + 1) & (size - 1);
      slots_[i] = {prefix, tag_of(h, key.size()), static_cast<std::uint32_t>(k + 1)};
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;  // the dictionary's size, kept here so that a lookup does not read the dictionary
};

// Line-aligned, its index first: a cell then touches two cache lines of
// its builder (index, then kind and the value buffers), where a builder
// straddling lines touched up to four, and at 100 columns the builders
// alone fill L1.
class alignas(64) ColumnBuilder {
 public:
  ColumnBuilder(std::string name, FeatureKind kind) {
    col_.name = std::move(name);
    col_.kind = kind;
  }
  void add(std::string_view cell) {
    if (col_.kind == FeatureKind::kNumeric && !cell.empty() &&
        ((cell.front() >= '0' && cell.front() <= '9') || cell.front() == '-')) {  // the common case, untrimmed
      double v;
      if (parse_plain_decimal(cell, v)) {
        col_.numbers.push_back(v);
        return;
      }
    }
    std::string_view t = trim(cell);
    if (col_.kind == FeatureKind::kNumeric) {
      double v;
      if (is_missing_token(t)) {
        col_.numbers.push_back(NAN);
      } else if (parse_number(t, v)) {
        col_.numbers.push_back(v);
      } else {
        if (col_.type_errors++ == 0) {  // the first is kept to name it
          col_.first_type_error = std::string(t.substr(0, 60));
          col_.first_type_error_line = line_ ? *line_ : 0;
        }
        col_.numbers.push_back(NAN);
      }
      return;
    }
    if (is_missing_token(t)) {
      col_.codes.push_back(-1);
      return;
    }
    col_.codes.push_back(index_.code(t, col_.dictionary));
  }
  // The quote-free fast path: a plain decimal (as parse_plain_decimal takes)
  // that starts at p and ends at a field end (delimiter, line end or `end`)
  // is parsed where it lies, without cutting the field first. Returns where
  // it ended, or nullptr when the field is anything else (a category, a
  // missing token, an exponent): the caller then cuts it and calls add().
  const char* add_plain_number(const char* p, const char* end, char delim) {
    static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    if (col_.kind != FeatureKind::kNumeric || p == end) return nullptr;
    const bool negative = *p == '-';
    if (!negative && static_cast<unsigned>(*p - '0') > 9) return nullptr;
    const char* q = p + negative;
    std::uint64_t digits = 0;
    const char* first = q;
    for (; q != end && static_cast<unsigned>(*q - '0') <= 9; ++q) digits = digits * 10 + static_cast<unsigned>(*q - '0');
    std::ptrdiff_t count = q - first, fraction = 0;
    if (q != end && *q == '.') {
      const char* point = ++q;
      for (; q != end && static_cast<unsigned>(*q - '0') <= 9; ++q) digits = digits * 10 + static_cast<unsigned>(*q - '0');
      fraction = q - point;
      count += fraction;
    }
    if (count == 0 || count > 15) return nullptr;
    if (q != end && *q != delim && *q != '\n' && *q != '\r') return nullptr;
    const double v = static_cast<double>(digits) / kPow10[fraction];
    col_.numbers.push_back(negative ? -v : v);
    return q;
  }
  // The line of the record being added, read when a value is a type error.
  void watch_line(const std::size_t* line) { line_ = line; }
  Column finish() { return std::move(col_); }
  const Column& column() const { return col_; }
  // Ready for the next chunk: values and type errors go, the buffers'
  // capacity stays, and so do the categories unless there are many.
  void clear(std::size_t kept_categories) {
    col_.numbers.clear();
    col_.codes.clear();
    col_.type_errors = 0;
    col_.first_type_error.clear();
    col_.first_type_error_line = 0;
    if (col_.dictionary.size() > kept_categories) {
      col_.dictionary.clear();
      index_ = {};
    }
  }

 private:
  CategoryIndex index_;
  Column col_;
  const std::size_t* line_ = nullptr;
};

}  // namespace vigil::detail
