// CSV input in record-aligned chunks: see csv_stream.h.
#include "monitor/csv_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "vigil/drift_report.h"

namespace vigil::detail {

// The bytes of the input, decoded: plain, or gzip (any number of members)
// inflated as they are read.
class CsvStream::Source {
 public:
  Source(const std::filesystem::path& path, const std::string& name) : name_(name), raw_(kRawBytes) {
    if (path == "-") {
      fd_ = 0;
    } else {
      fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + name_);
      owns_ = true;
      struct stat st {};
      if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
    }
    fill();
    gzip_ = avail_ >= 2 && static_cast<unsigned char>(raw_[0]) == 0x1f && static_cast<unsigned char>(raw_[1]) == 0x8b;
    if (gzip_ && inflateInit2(&z_, 15 + 16) != Z_OK) throw std::runtime_error(name_ + ": cannot start gzip decoding");
  }
  ~Source() {
    if (gzip_) inflateEnd(&z_);
    if (owns_) ::close(fd_);
  }

  // Appends n bytes to out, fewer only at the end of the input: chunk
  // boundaries then depend on the text alone, not on how it was stored.
  std::size_t read(std::string& out, std::size_t n) {
    const std::size_t before = out.size();
    out.resize(before + n);
    std::size_t got = 0;
    while (got < n) {
      char* at = out.data() + before + got;
      std::size_t k = gzip_ ? inflate_into(at, n - got) : copy_into(at, n - got);
      if (k == 0) break;
      got += k;
    }
    out.resize(before + got);
    return got;
  }
  std::uint64_t bytes_read() const { return read_total_; }
  std::uint64_t size() const { return size_; }

 private:
  static constexpr std::size_t kRawBytes = std::size_t{256} << 10;

  // Refills raw_ from the descriptor; false at its end.
  bool fill() {
    while (true) {
      ssize_t n = ::read(fd_, raw_.data(), raw_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read " + name_);
      pos_ = 0;
      avail_ = static_cast<std::size_t>(n);
      read_total_ += avail_;
      return n > 0;
    }
  }

  std::size_t copy_into(char* out, std::size_t n) {
    if (avail_ == 0 && n >= raw_.size()) return read_into(out, n);  // straight into the chunk: no second copy
    if (avail_ == 0 && !fill()) return 0;
    std::size_t k = std::min(n, avail_);
    std::memcpy(out, raw_.data() + pos_, k);
    pos_ += k;
    avail_ -= k;
    return k;
  }

  std::size_t read_into(char* out, std::size_t n) {
    while (true) {
      ssize_t got = ::read(fd_, out, n);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw std::system_error(errno, std::generic_category(), "cannot read " + name_);
      read_total_ += static_cast<std::size_t>(got);
      return static_cast<std::size_t>(got);
    }
  }

  std::size_t inflate_into(char* out, std::size_t n) {
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out > 0) {
      if (avail_ == 0) {
        if (!fill()) {
          if (!member_done_) throw std::runtime_error(name_ + ": corrupt or truncated gzip: the input ends inside a member");
          break;
        }
      }
      if (member_done_) {  // another gzip member follows (as `cat a.gz b.gz` makes)
        inflateReset(&z_);
        member_done_ = false;
      }
      z_.next_in = reinterpret_cast<Bytef*>(raw_.data() + pos_);
      z_.avail_in = static_cast<uInt>(avail_);
      int rc = inflate(&z_, Z_NO_FLUSH);
      pos_ += avail_ - z_.avail_in;
      avail_ = z_.avail_in;
      if (rc == Z_STREAM_END) member_done_ = true;
      else if (rc != Z_OK && rc != Z_BUF_ERROR)
        throw std::runtime_error(name_ + ": corrupt or truncated gzip: " + (z_.msg ? z_.msg : "inflate failed"));
    }
    return n - z_.avail_out;
  }

  std::string name_;
  int fd_ = -1;
  bool owns_ = false;
  std::uint64_t size_ = 0, read_total_ = 0;
  std::vector<char> raw_;
  std::size_t pos_ = 0, avail_ = 0;
  bool gzip_ = false, member_done_ = false;
  z_stream z_{};
};

namespace {

// Lines in a chunk, counted on the reader thread before the chunk is handed
// on. A byte loop here was 9 % of a one-thread profile of a wide CSV (the
// compiler does not vectorise std::count at -O2); 16 bytes a step, with
// per-lane byte counters summed before they can wrap, is a few percent of it.
std::size_t count_newlines(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  std::size_t lines = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i lanes = _mm_setzero_si128();  // per byte lane: up to 255 newlines
    for (int step = 0; step < 255 && end - p >= 16; ++step, p += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(bytes, newline));  // a match is -1
    }
    const __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());  // two 64-bit sums of 8 lanes
    lines += static_cast<std::size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; p != end; ++p) lines += *p == '\n';
  return lines;
}

}  // namespace

CsvStream::CsvStream(const std::filesystem::path& path, Options options)
    : name_(path == "-" ? "<stdin>" : path.string()), options_(options),
      source_(std::make_unique<Source>(path, name_)) {}

CsvStream::~CsvStream() = default;

std::uint64_t CsvStream::bytes_read() const { return source_->bytes_read(); }
std::uint64_t CsvStream::size() const { return source_->size(); }

// Up to the next multiple of chunk_bytes, so chunks are cut alike
// whatever the source.
std::size_t CsvStream::read_more() {
  return source_->read(buffer_, options_.chunk_bytes - buffer_.size() % options_.chunk_bytes);
}

// After the last '\n' that is outside quotes: the buffer starts on a record
// boundary, so quote parity is known from its first byte.
std::size_t CsvStream::record_end() const {
  const char* p = buffer_.data();
  const std::size_t n = buffer_.size();
  if (!std::memchr(p, '"', n)) {
    const void* nl = ::memrchr(p, '\n', n);
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - p) + 1 : 0;
  }
  std::size_t end = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] == '"') quoted = !quoted;
    else if (p[i] == '\n' && !quoted) end = i + 1;
  }
  return end;
}

bool CsvStream::next(CsvChunk& out) {
  while (!eof_ && buffer_.size() < options_.chunk_bytes)
    if (read_more() == 0) eof_ = true;
  std::size_t end = eof_ ? buffer_.size() : record_end();
  while (end == 0 && !eof_) {  // one record is longer than a chunk: read on, up to the limit
    if (buffer_.size() > options_.max_record_bytes)
      throw CsvError(name_, line_, "a record longer than " + std::to_string(options_.max_record_bytes >> 20) +
                                       " MiB (no line end outside quotes)");
    if (read_more() == 0) eof_ = true;
    end = eof_ ? buffer_.size() : record_end();
  }
  if (end == 0) return false;
  // The chunk takes the buffer and the buffer keeps only the record that
  // straddles the cut: a copy of a few bytes instead of the whole chunk.
  std::swap(out.text, buffer_);
  buffer_.assign(out.text, end);
  out.text.resize(end);
  out.first_line = line_;
  line_ += count_newlines(out.text);
  return true;
}

}  // namespace vigil::detail
