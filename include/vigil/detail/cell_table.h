// Per-thread counter cells: the storage behind Counter and Histogram.
//
// Every series owns a small range of cell ids. Each thread that writes gets
// its own arena of cells, so an increment is a plain load+add+store on memory
// no other thread writes: no lock prefix, no cache-line ping-pong, no
// allocation once the thread has touched the chunk. A scrape sums the cell
// across all live arenas plus the values folded in by exited threads.
//
// Two cell spaces: integer cells for counts (an integer add keeps the
// load-add-store chain short) and double cells for sums and fractional
// counter increments.
//
// Internal: included by vigil/metrics.h only so the hot path can inline.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace vigil::detail {

inline constexpr std::uint32_t kCellChunkBits = 12;
inline constexpr std::uint32_t kCellChunkSize = 1u << kCellChunkBits;  // cells per chunk
inline constexpr std::uint32_t kMaxCellChunks = 4096;                  // 16M cells per space

template <typename T>
struct CellSpace {
  std::atomic<std::atomic<T>*> chunks[kMaxCellChunks] = {};
};

struct CellArena {
  CellSpace<std::uint64_t> ints;
  CellSpace<double> reals;
  template <typename T>
  CellSpace<T>& space() {
    if constexpr (std::is_same_v<T, double>) return reals;
    else return ints;
  }
};

// The calling thread's arena; null until the thread first writes.
extern thread_local constinit CellArena* tls_cell_arena;

// Slow paths, out of line: create the thread's arena / a missing chunk.
CellArena* register_cell_thread();
template <typename T>
std::atomic<T>* allocate_cell_chunk(CellArena* arena, std::uint32_t chunk);

template <typename T>
inline std::atomic<T>& local_cell(std::uint32_t id) {
  CellArena* arena = tls_cell_arena;
  if (arena == nullptr) [[unlikely]] arena = register_cell_thread();
  std::atomic<T>* chunk = arena->space<T>().chunks[id >> kCellChunkBits].load(std::memory_order_acquire);
  if (chunk == nullptr) [[unlikely]] chunk = allocate_cell_chunk<T>(arena, id >> kCellChunkBits);
  return chunk[id & (kCellChunkSize - 1)];
}

// Only the owning thread writes its cell, so load+store is race free; the
// atomics make concurrent scrapes well defined.
template <typename T>
inline void cell_add(std::uint32_t id, T v) {
  std::atomic<T>& c = local_cell<T>(id);
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
  if constexpr (std::is_same_v<T, double>) {
    // GCC moves a relaxed atomic<double> through a general register on the
    // way in and out (two extra register transfers on the chain from one
    // add to the next on the same cell). An aligned 8-byte SSE load or
    // store is single-copy atomic on x86-64 (it is how GCC implements
    // 64-bit atomics on 32-bit x86), so do the same access directly.
    static_assert(sizeof(std::atomic<double>) == sizeof(double) && alignof(std::atomic<double>) == 8);
    double x;
    asm volatile("movsd %1, %0" : "=x"(x) : "m"(c));
    x += v;
    asm volatile("movsd %1, %0" : "=m"(c) : "x"(x));
    return;
  }
#endif
  c.store(c.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

// Process-wide id allocation and reads (cell_table.cc), per space.
template <typename T>
std::uint32_t allocate_cells(std::uint32_t count);
template <typename T>
void release_cells(std::uint32_t first, std::uint32_t count);
// Sums `count` consecutive cells over all threads into out[0..count).
template <typename T>
void sum_cells(std::uint32_t first, std::uint32_t count, T* out);
// Integer cells [int_first, int_first + int_count) and one double cell, read
// under one lock: a counter's value, or a histogram's buckets with its sum.
void sum_mixed_cells(std::uint32_t int_first, std::uint32_t int_count, std::uint64_t* ints, std::uint32_t real_id,
                     double* real);
// Holds the table's lock across many reads on this thread (a scrape of a
// family), so each read does not lock again: 100k series were 100k
// lock/unlock pairs. Reads inside it must not allocate or release cells.
class CellReadBatch {
 public:
  CellReadBatch();
  ~CellReadBatch();
  CellReadBatch(const CellReadBatch&) = delete;
  CellReadBatch& operator=(const CellReadBatch&) = delete;
};
template <typename T>
T sum_cell(std::uint32_t id) {
  T v{};
  sum_cells<T>(id, 1, &v);
  return v;
}

}  // namespace vigil::detail
