// POSTs OTLP bodies with the retry rules of the OTLP/HTTP specification;
// shared by the span and log exporters.
#pragma once

#include <memory>
#include <string>

#include "vigil/otlp.h"

namespace vigil::detail {

class OtlpHttpSender {
 public:
  explicit OtlpHttpSender(OtlpHttpOptions options);  // throws std::invalid_argument on a bad endpoint
  ~OtlpHttpSender();
  // True once the collector accepted the body (2xx).
  bool send(std::string body);
  const OtlpHttpOptions& options() const { return options_; }

 private:
  OtlpHttpOptions options_;
  std::string path_;
  struct Client;
  std::unique_ptr<Client> client_;
};

}  // namespace vigil::detail
