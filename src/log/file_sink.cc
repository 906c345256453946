// A log file with size and time rotation. Rotation renames
// path.(n-1) -> path.n down to path -> path.1, so path is always the live
// file and path.1 the newest rotated one (logrotate's numbering).
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "vigil/log.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class FileSink final : public Sink {
 public:
  explicit FileSink(FileSinkOptions options) : options_(std::move(options)), formatter_(make_formatter(options_.format)) {
    if (options_.max_files < 1) options_.max_files = 1;
    open();
  }
  ~FileSink() override {
    if (file_) std::fclose(file_);
  }

  void write(const LogRecord& r) override {
    line_.clear();
    formatter_->format(r, line_);
    bool too_big = options_.max_bytes > 0 && size_ > 0 && size_ + line_.size() > options_.max_bytes;
    bool too_old = options_.interval.count() > 0 && std::chrono::steady_clock::now() - opened_ >= options_.interval;
    if (too_big || too_old) rotate();
    if (!file_) return;  // reopening failed: the error was reported once
    std::fwrite(line_.data(), 1, line_.size(), file_);
    size_ += line_.size();
  }

  void flush() override {
    if (file_) std::fflush(file_);
  }

 private:
  void open() {
    file_ = std::fopen(options_.path.c_str(), "ab");
    if (!file_) throw std::system_error(errno, std::generic_category(), "cannot open log file " + options_.path.string());
    std::error_code ec;
    auto sz = fs::file_size(options_.path, ec);
    size_ = ec ? 0 : sz;
    opened_ = std::chrono::steady_clock::now();
  }

  fs::path numbered(int n) const {
    fs::path p = options_.path;
    p += "." + std::to_string(n);
    return p;
  }

  void rotate() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    fs::remove(numbered(options_.max_files), ec);
    for (int n = options_.max_files - 1; n >= 1; --n)
      if (fs::exists(numbered(n), ec)) fs::rename(numbered(n), numbered(n + 1), ec);
    fs::rename(options_.path, numbered(1), ec);
    try {
      open();
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "vigil: %s\n", e.what());
    }
  }

  FileSinkOptions options_;
  std::unique_ptr<Formatter> formatter_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
  std::chrono::steady_clock::time_point opened_;
  std::string line_;
};

}  // namespace

std::shared_ptr<Sink> file_sink(FileSinkOptions options) { return std::make_shared<FileSink>(std::move(options)); }

}  // namespace vigil
