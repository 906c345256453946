// Sinks that format each record and write the line somewhere: a stdio
// stream, a std::ostream, or nowhere (for measuring).
#include <ostream>
#include <unistd.h>

#include "vigil/log.h"

namespace vigil {
namespace {

class FileStreamSink final : public Sink {
 public:
  FileStreamSink(std::FILE* f, LogFormat format)
      : file_(f), formatter_(make_formatter(format, format == LogFormat::kConsole && ::isatty(::fileno(f)))) {}
  void write(const LogRecord& r) override {
    line_.clear();
    formatter_->format(r, line_);
    std::fwrite(line_.data(), 1, line_.size(), file_);
  }
  void flush() override { std::fflush(file_); }

 private:
  std::FILE* file_;
  std::unique_ptr<Formatter> formatter_;
  std::string line_;  // reused: no allocation per record once warm
};

class OStreamSink final : public Sink {
 public:
  OStreamSink(std::ostream& out, LogFormat format) : out_(out), formatter_(make_formatter(format)) {}
  void write(const LogRecord& r) override {
    line_.clear();
    formatter_->format(r, line_);
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }
  void flush() override { out_.flush(); }

 private:
  std::ostream& out_;
  std::unique_ptr<Formatter> formatter_;
  std::string line_;
};

class NullSink final : public Sink {
 public:
  explicit NullSink(bool format) : format_(format) {}
  void write(const LogRecord& r) override {
    if (!format_) return;
    line_.clear();
    formatter_.format(r, line_);
    // Keep the compiler from discarding the formatting.
    asm volatile("" : : "r"(line_.data()) : "memory");
  }

 private:
  bool format_;
  JsonFormatter formatter_;
  std::string line_;
};

}  // namespace

std::shared_ptr<Sink> stdout_sink(LogFormat format) { return std::make_shared<FileStreamSink>(stdout, format); }
std::shared_ptr<Sink> stderr_sink(LogFormat format) { return std::make_shared<FileStreamSink>(stderr, format); }
std::shared_ptr<Sink> ostream_sink(std::ostream& out, LogFormat format) {
  return std::make_shared<OStreamSink>(out, format);
}
std::shared_ptr<Sink> null_sink(bool format_json) { return std::make_shared<NullSink>(format_json); }

}  // namespace vigil
