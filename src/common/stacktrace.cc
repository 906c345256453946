#include "common/stacktrace.h"

#include <cxxabi.h>
#include <execinfo.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace vigil::detail {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

// backtrace_symbols gives "module(mangled+0x1f) [0xaddr]"; demangle the
// symbol part when there is one.
std::string pretty_frame(const char* raw) {
  std::string s(raw);
  auto open = s.find('(');
  auto plus = s.find('+', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || plus == std::string::npos || plus == open + 1) return s;
  std::string symbol = s.substr(open + 1, plus - open - 1);
  return s.substr(0, open + 1) + demangle(symbol.c_str()) + s.substr(plus);
}

}  // namespace

std::string current_stacktrace(int skip) {
  void* frames[64];
  int n = backtrace(frames, 64);
  std::unique_ptr<char*, void (*)(void*)> symbols(backtrace_symbols(frames, n), std::free);
  std::string out;
  for (int i = skip; i < n; ++i) {
    out += "  at ";
    out += symbols ? pretty_frame(symbols.get()[i]) : std::string("?");
    out += '\n';
  }
  return out;
}

std::string demangled_type_name(const std::exception& e) { return demangle(typeid(e).name()); }

}  // namespace vigil::detail
