#include "common/yaml_guard.h"

#include <cctype>

namespace vigil::detail {
namespace {

std::size_t indentation(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

// The line's content after anchors (&a) and tags (!t), which may precede a node.
std::string_view after_properties(std::string_view rest) {
  while (!rest.empty() && (rest[0] == '&' || rest[0] == '!')) {
    std::size_t end = 0;
    while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t') ++end;
    rest.remove_prefix(end);
    while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
  }
  return rest;
}

// Whether the line opens a block scalar: a value ending in | or > (with
// optional chomping and indentation indicators), outside quotes and comments.
bool opens_block_scalar(std::string_view line) {
  std::size_t hash = line.find(" #");
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
  while (!line.empty() && (line.back() == '-' || line.back() == '+' || std::isdigit(static_cast<unsigned char>(line.back()))))
    line.remove_suffix(1);
  return !line.empty() && (line.back() == '|' || line.back() == '>');
}

// Flow depth change over a line, ignoring quoted text and comments.
int flow_depth_change(std::string_view line) {
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#' && (i == 0 || line[i - 1] == ' ')) break;
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') --depth;
  }
  return depth;
}

}  // namespace

std::size_t yaml_stray_comma_line(std::string_view text) {
  std::size_t line_no = 0;
  int flow_depth = 0;
  std::size_t block_indent = std::string_view::npos;  // set inside a block scalar: its parent's indentation
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    std::size_t indent = indentation(line);
    bool blank = indent == line.size();
    if (block_indent != std::string_view::npos) {
      if (blank || indent > block_indent) continue;  // block scalar content
      block_indent = std::string_view::npos;
    }
    if (blank) continue;
    std::string_view rest = after_properties(line.substr(indent));
    if (flow_depth <= 0 && !rest.empty() && rest[0] == ',') return line_no;
    flow_depth += flow_depth_change(line);
    if (flow_depth <= 0 && opens_block_scalar(line)) block_indent = indent;
  }
  return 0;
}

}  // namespace vigil::detail
