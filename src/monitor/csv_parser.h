// RFC 4180 records and fields: quoted fields, "" escapes, CRLF, newlines
// inside quotes, blank lines skipped. Fields are views into the text unless
// they had escapes; errors name the file and the line a record started on.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& name, char delim, std::size_t max_record_bytes,
            std::size_t first_line = 1)
      : s_(text), name_(name), delim_(delim), max_record_(max_record_bytes), line_(first_line), record_line_(first_line) {
    for (char c : {delim, '\n', '\r', '"'}) special_[static_cast<unsigned char>(c)] = true;
  }

  // Reads the next record into `fields`; false at the end. Blank lines are skipped.
  bool next(std::vector<std::string_view>& fields) {
    fields.clear();
    return next_each([&](std::string_view f) { fields.push_back(f); });
  }

  // The same, handing each field to on_field as it is cut (no list kept).
  template <typename OnField>
  bool next_each(OnField&& on_field) {
    owned_.clear();
    while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == '\r')) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= s_.size()) return false;
    record_line_ = line_;
    const std::size_t start = pos_;
    read_fields(on_field);
    if (pos_ - start > max_record_)
      throw CsvError(name_, record_line_, "a record longer than " + std::to_string(max_record_ >> 20) + " MiB");
    return true;
  }

  std::size_t record_line() const { return record_line_; }
  std::size_t position() const { return pos_; }
  std::size_t line() const { return line_; }

 private:
  template <typename OnField>
  void read_fields(OnField& on_field) {
    while (true) {
      if (pos_ < s_.size() && s_[pos_] == '"') {
        on_field(quoted_field());
      } else {
        std::size_t start = pos_;
        while (pos_ < s_.size() && !special_[static_cast<unsigned char>(s_[pos_])]) ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '"') throw CsvError(name_, line_, "unexpected '\"' inside an unquoted field");
        on_field(s_.substr(start, pos_ - start));
      }
      if (pos_ >= s_.size()) return;
      char c = s_[pos_];
      if (c == delim_) {
        ++pos_;
        if (pos_ >= s_.size()) {  // trailing delimiter: one more empty field
          on_field(std::string_view());
          return;
        }
        continue;
      }
      // End of record: \n, \r\n or a lone \r.
      if (c == '\r') ++pos_;
      if (pos_ < s_.size() && s_[pos_] == '\n') {
        ++pos_;
        ++line_;
      }
      return;
    }
  }

  std::string_view quoted_field() {
    ++pos_;  // opening quote
    std::string value;
    std::size_t start = pos_;
    bool escaped = false;
    while (true) {
      if (pos_ >= s_.size()) throw CsvError(name_, record_line_, "unterminated quoted field");
      char c = s_[pos_];
      if (c == '"') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {  // "" is a quote
          value.append(s_.substr(start, pos_ + 1 - start));
          pos_ += 2;
          start = pos_;
          escaped = true;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      ++pos_;
    }
    std::string_view tail = s_.substr(start, pos_ - start);
    ++pos_;  // closing quote
    if (pos_ < s_.size() && s_[pos_] != delim_ && s_[pos_] != '\n' && s_[pos_] != '\r')
      throw CsvError(name_, line_, "unexpected character after a closing quote");
    if (!escaped) return tail;
    value.append(tail);
    owned_.push_back(std::move(value));
    return owned_.back();
  }

  std::string_view s_;
  const std::string& name_;
  char delim_;
  std::size_t max_record_;
  bool special_[256] = {};  // bytes that end an unquoted field
  std::size_t pos_ = 0;
  std::size_t line_, record_line_;
  std::deque<std::string> owned_;  // unescaped quoted fields of the current record (stable addresses)
};

}  // namespace vigil::detail
