// A check run on YAML text before yaml-cpp parses it. Debian's yaml-cpp 0.7
// loops forever on a ',' where a document's node should start (",", "a: b
// ---\n,", "'x'\n,", "&a ,"): the yaml fuzzer found it. In block context a
// line cannot begin with ',' (it is a flow indicator), so such a line is
// refused before parsing; lines inside flow collections ([ ] { }) and block
// scalars (| >) are left alone.
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::detail {

// 0 when the text has no line that yaml-cpp would loop on, else that line's
// number (1-based).
std::size_t yaml_stray_comma_line(std::string_view text);

}  // namespace vigil::detail
