// profile_csv: one pass over a CSV, chunks profiled on every core, merged.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "monitor/csv_stream.h"
#include "vigil/drift_report.h"

namespace vigil {
namespace {

struct Work {
  std::size_t index;  // chunk number: the first failing one is reported
  detail::CsvChunk chunk;
};

// Chunks from the reader to one profiling thread. Bounded: the reader
// waits when the profilers are behind, so memory is a few chunks.
class ChunkQueue {
 public:
  explicit ChunkQueue(std::size_t capacity) : capacity_(capacity) {}
  void push(Work w) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(w));
    ready_.notify_one();
  }
  std::optional<Work> pop() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    Work w = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return w;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    ready_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Work> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

// The first error by position in the input, whichever thread met it first.
class FirstError {
 public:
  void note(std::size_t index, std::exception_ptr e) {
    std::lock_guard lock(mu_);
    if (!error_ || index < index_) error_ = e, index_ = index;
  }
  bool before(std::size_t index) {
    std::lock_guard lock(mu_);
    return error_ && index_ < index;
  }
  void rethrow() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mu_;
  std::exception_ptr error_;
  std::size_t index_ = 0;
};

DatasetProfile empty_profile(const detail::CsvHead& head, const DatasetProfile* reference, std::size_t sample_size) {
  DatasetProfile p;
  p.columns = head.header;
  for (std::size_t c = 0; c < head.header.size(); ++c) {
    FeatureProfile f;
    f.name = head.header[c];
    f.kind = head.kinds[c];
    f.numeric = NumericSummary(sample_size);
    if (reference && f.kind == FeatureKind::kNumeric) {
      auto it = reference->features.find(f.name);
      if (it != reference->features.end() && it->second.kind == FeatureKind::kNumeric && !it->second.numeric.bin_edges().empty())
        f.numeric.set_bins(it->second.numeric.bin_edges());
    }
    p.features.emplace(f.name, std::move(f));
  }
  return p;
}

// Categorical values are counted per chunk first: one summary update per
// distinct value instead of one per row.
void add_chunk(DatasetProfile& p, const detail::CsvChunkParser& chunk, std::size_t rows) {
  p.rows += rows;
  std::vector<std::uint64_t> counts;
  for (std::size_t i = 0; i < chunk.columns(); ++i) {
    const Column& col = chunk.column(i);
    FeatureProfile& f = p.features.find(col.name)->second;
    f.type_errors += col.type_errors;
    f.note_type_error(col.first_type_error, col.first_type_error_line);
    if (col.kind == FeatureKind::kNumeric) {
      f.numeric.add(col.numbers);
      continue;
    }
    counts.assign(col.dictionary.size(), 0);
    std::uint64_t missing = 0;
    for (std::int32_t code : col.codes) {
      if (code < 0) ++missing;
      else ++counts[static_cast<std::size_t>(code)];
    }
    for (std::size_t k = 0; k < counts.size(); ++k) f.categorical.add(col.dictionary[k], counts[k]);
    f.categorical.add("", missing);
  }
}

}  // namespace

DatasetProfile profile_csv(const std::filesystem::path& path, const CsvProfileOptions& o) {
  detail::CsvStream stream(path, {.chunk_bytes = o.chunk_bytes, .max_record_bytes = o.csv.max_record_bytes});
  detail::CsvChunk first;
  if (!stream.next(first)) throw CsvError(stream.name(), 1, "empty file: expected a header row");
  // Blank lines, then a header longer than a chunk: the first chunk holds
  // only the blank lines, and the file would be refused as empty. Such
  // chunks are dropped, not joined, so a file of nothing but blank lines is
  // refused as empty in the memory of one chunk.
  for (detail::CsvChunk more; first.text.find_first_not_of("\r\n") == std::string::npos && stream.next(more);)
    first = std::move(more);
  const detail::CsvHead head = detail::parse_csv_head(first.text, stream.name(), o.csv, first.first_line);
  first.text.erase(0, head.body_offset);
  first.first_line = head.body_line;

  const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  // Chunk i goes to thread i mod threads, so each thread's profile, and the
  // merged one, is the same on every run with the same thread count.
  std::vector<DatasetProfile> parts(threads, empty_profile(head, o.reference, o.sample_size));
  std::vector<std::unique_ptr<ChunkQueue>> queues;
  for (unsigned t = 0; t < threads; ++t) queues.push_back(std::make_unique<ChunkQueue>(2));
  FirstError error;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      detail::CsvChunkParser parser(head, o.csv);
      while (auto w = queues[t]->pop()) {
        if (error.before(w->index)) continue;
        try {
          add_chunk(parts[t], parser, parser.parse(w->chunk.text, stream.name(), w->chunk.first_line));
        } catch (...) {
          error.note(w->index, std::current_exception());
        }
      }
    });
  std::size_t index = 0;
  try {
    queues[0]->push({index++, std::move(first)});
    for (detail::CsvChunk chunk; !error.before(index) && stream.next(chunk); ++index) {
      queues[index % threads]->push({index, std::move(chunk)});
      if (o.csv.progress) o.csv.progress(stream.bytes_read(), stream.size());
    }
  } catch (...) {
    error.note(index, std::current_exception());
  }
  for (auto& q : queues) q->close();
  for (auto& th : pool) th.join();
  error.rethrow();
  if (o.csv.progress) o.csv.progress(stream.bytes_read(), stream.bytes_read());

  DatasetProfile all = std::move(parts.front());
  for (std::size_t t = 1; t < parts.size(); ++t) all.merge(parts[t]);
  if (!o.reference)
    for (auto& [name, f] : all.features)
      if (f.kind == FeatureKind::kNumeric) f.numeric.derive_bins();
  return all;
}

}  // namespace vigil
