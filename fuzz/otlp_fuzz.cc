// OTLP request bodies (traces and logs, protobuf and JSON) as the daemon
// receives them: any bytes must decode or be refused with a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/otlp_receiver.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto signal = (data[0] & 1) ? vigil::server::Signal::kLogs : vigil::server::Signal::kTraces;
  bool json = (data[0] & 2) != 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = vigil::server::decode_otlp(signal, body, json);
  if (r.error.empty()) (void)vigil::server::otlp_response(signal, r.rejected, r.partial_message, json);
  return 0;
}
