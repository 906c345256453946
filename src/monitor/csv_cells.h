// One CSV cell into a column: missing tokens, numbers (a fast path for
// plain decimals, from_chars for the rest), categories coded through an
// open-addressing index, and the first type error kept to name it.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

// Category lookups run once per cell: a multiply-fold over 8-byte words is
// several times faster than std::hash on the short strings CSVs hold.
struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
      h ^= h >> 29;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0x94d049bb133111ebull;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

inline bool is_missing_token(std::string_view s) {
  return s.empty() || s == "NA" || s == "N/A" || s == "NaN" || s == "nan" || s == "null" || s == "NULL" ||
         s == "None";
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

// Builds one column from its cells.
// Category -> code by open addressing over the dictionary: one probe in a
// flat array per cell, where a node-based map chases pointers (and missed
// the cache on every lookup once a table had hundreds of columns). A slot
// holds the hash's high half and code + 1 (0: empty).
class CategoryIndex {
 public:
  std::int32_t code(std::string_view value, std::vector<std::string>& dictionary) {
    if ((dictionary.size() + 1) * 2 > slots_.size()) rehash(dictionary);
    const std::uint64_t h = SvHash{}(value);
    const std::uint64_t tag = h >> 32 << 32;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const std::uint64_t slot = slots_[i];
      if (slot == 0) {
        dictionary.emplace_back(value);
        slots_[i] = tag | dictionary.size();
        return static_cast<std::int32_t>(dictionary.size() - 1);
      }
      const auto code = static_cast<std::int32_t>((slot & 0xffffffffu) - 1);
      if ((slot & ~std::uint64_t{0xffffffffu}) == tag && dictionary[static_cast<std::size_t>(code)] == value) return code;
    }
  }

 private:
  void rehash(const std::vector<std::string>& dictionary) {
    std::size_t size = 16;
    while (size < 4 * (dictionary.size() + 1)) size *= 2;
    slots_.assign(size, 0);
    for (std::size_t k = 0; k < dictionary.size(); ++k) {
      const std::uint64_t h = SvHash{}(dictionary[k]);
      std::size_t i = h & (size - 1);
      while (slots_[i]) i = (i + 1) & (size - 1);
      slots_[i] = (h >> 32 << 32) | (k + 1);
    }
  }
  std::vector<std::uint64_t> slots_;
};

class ColumnBuilder {
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
  Column col_;
  CategoryIndex index_;
  const std::size_t* line_ = nullptr;
};

}  // namespace vigil::detail
