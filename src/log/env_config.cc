// Logging configuration from the environment, so an operator can turn on
// debug logs or switch to console output without a rebuild.
#include <cstdlib>
#include <stdexcept>

#include "vigil/log.h"

namespace vigil {

LogProviderOptions log_options_from_env(LogProviderOptions base) {
  if (const char* spec = std::getenv("VIGIL_LOG_LEVEL"); spec && *spec) {
    if (!parse_level_spec(spec))
      throw std::invalid_argument(std::string("VIGIL_LOG_LEVEL: invalid level spec '") + spec +
                                  "' (expected e.g. 'info' or 'warn,ranker=debug')");
    base.level_spec = spec;
  }
  if (const char* fmt = std::getenv("VIGIL_LOG_FORMAT"); fmt && *fmt) {
    std::string_view f = fmt;
    if (f == "json") base.format = LogFormat::kJson;
    else if (f == "console") base.format = LogFormat::kConsole;
    else throw std::invalid_argument(std::string("VIGIL_LOG_FORMAT: expected 'json' or 'console', got '") + fmt + "'");
  }
  if (const char* a = std::getenv("VIGIL_LOG_ASYNC"); a && *a) {
    std::string_view v = a;
    if (v == "1" || v == "true") base.async = true;
    else if (v == "0" || v == "false") base.async = false;
    else throw std::invalid_argument(std::string("VIGIL_LOG_ASYNC: expected 0 or 1, got '") + a + "'");
  }
  return base;
}

}  // namespace vigil
