// Stack traces with function names and source lines, including functions
// with internal linkage (anonymous namespaces, static), which the dynamic
// symbol table behind backtrace_symbols() cannot name. elfutils' libdwfl
// reads .symtab and DWARF line tables of every loaded module. One session
// is kept per process (creating one costs milliseconds) and re-reported
// when an address falls outside the modules it knows (a later dlopen).
#include "common/stacktrace.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <execinfo.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <typeinfo>
#include <vector>

namespace vigil::detail {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(mangled);
}

class Symbolizer {
 public:
  // One or more lines for a return address: "function at file:line", with a
  // line for every function the compiler inlined at that point (innermost
  // first, as a debugger shows them), or "function in module" without
  // debug info, or the bare address.
  std::vector<std::string> describe(void* frame) {
    std::lock_guard lock(mu_);
    // Return addresses point after the call; step back into it.
    auto addr = reinterpret_cast<Dwarf_Addr>(frame) - 1;
    Dwfl_Module* module = dwfl_ ? dwfl_addrmodule(dwfl_, addr) : nullptr;
    if (!module) {
      report();
      module = dwfl_ ? dwfl_addrmodule(dwfl_, addr) : nullptr;
    }
    if (!module) return {hex(addr + 1)};
    const char* sym = dwfl_module_addrname(module, addr);
    std::string function = sym ? demangle(sym) : hex(addr + 1);

    const char* file = nullptr;
    int line = 0;
    if (Dwfl_Line* l = dwfl_module_getsrc(module, addr)) file = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr);
    if (!file) {
      const char* mod = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
      return {mod ? function + " in " + mod : function};
    }
    std::string where = std::string(file) + ":" + std::to_string(line);

    std::vector<std::string> out;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(module, addr, &bias);
    Dwarf_Die* scopes = nullptr;
    int n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    Dwarf_Files* files = nullptr;
    if (n > 0 && dwarf_getsrcfiles(cu, &files, nullptr) != 0) files = nullptr;
    for (int i = 0; i < n; ++i) {
      if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine) continue;
      out.push_back(die_name(&scopes[i]) + " at " + where);
      // The next frame out is where this body was inlined.
      Dwarf_Attribute attr;
      Dwarf_Word call_file = 0, call_line = 0;
      if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &call_file) == 0 &&
          dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &call_line) == 0 && files) {
        const char* f = dwarf_filesrc(files, call_file, nullptr, nullptr);
        where = std::string(f ? f : "?") + ":" + std::to_string(call_line);
      }
    }
    std::free(scopes);
    out.push_back(function + " at " + where);
    return out;
  }

 private:
  static std::string die_name(Dwarf_Die* die) {
    Dwarf_Attribute attr;
    if (const char* linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr)))
      return demangle(linkage);
    const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
    return name ? name : "?";
  }

  static std::string hex(Dwarf_Addr a) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(a));
    return buf;
  }

  void report() {
    if (dwfl_) dwfl_end(dwfl_);
    dwfl_ = dwfl_begin(&callbacks_);
    if (!dwfl_) return;
    dwfl_report_begin(dwfl_);
    if (dwfl_linux_proc_report(dwfl_, ::getpid()) != 0) {
      dwfl_end(dwfl_);
      dwfl_ = nullptr;
      return;
    }
    dwfl_report_end(dwfl_, nullptr, nullptr);
  }

  std::mutex mu_;
  char* debuginfo_path_ = nullptr;
  Dwfl_Callbacks callbacks_{.find_elf = dwfl_linux_proc_find_elf,
                            .find_debuginfo = dwfl_standard_find_debuginfo,
                            .section_address = nullptr,
                            .debuginfo_path = &debuginfo_path_};
  Dwfl* dwfl_ = nullptr;
};

Symbolizer& symbolizer() {
  static auto* s = new Symbolizer();  // never destroyed: usable during exit
  return *s;
}

}  // namespace

std::string current_stacktrace(int skip) {
  void* frames[64];
  int n = backtrace(frames, 64);
  std::string out;
  for (int i = skip; i < n; ++i)
    for (const std::string& frame : symbolizer().describe(frames[i])) {
      out += "  at ";
      out += frame;
      out += '\n';
    }
  return out;
}

std::string caller_stacktrace() {
  void* frames[64];
  int n = backtrace(frames, 64);
  std::string out;
  bool inside = true;
  for (int i = 1; i < n; ++i)
    for (const std::string& frame : symbolizer().describe(frames[i])) {
      if (inside && frame.starts_with("vigil::")) continue;
      inside = false;
      out += "  at ";
      out += frame;
      out += '\n';
    }
  return out;
}

std::string demangled_type_name(const std::exception& e) { return demangle(typeid(e).name()); }

}  // namespace vigil::detail
