// Per-thread counter cells: the storage behind Counter and Histogram.
//
// Every series owns a small range of cell ids. Each thread that writes gets
// its own arena of cells, so an increment is a plain load+store on memory no
// other thread writes: no lock prefix, no cache-line ping-pong, no allocation
// once the thread has touched the chunk. A scrape sums the cell across all
// live arenas plus the values folded in by threads that have exited.
//
// Internal: included by vigil/metrics.h only so the hot path can inline.
#pragma once

#include <atomic>
#include <cstdint>

namespace vigil::detail {

inline constexpr std::uint32_t kCellChunkBits = 12;
inline constexpr std::uint32_t kCellChunkSize = 1u << kCellChunkBits;  // cells per chunk
inline constexpr std::uint32_t kMaxCellChunks = 4096;                  // 16M cells

// Doubles throughout: counters are doubles, and bucket counts stay exact up
// to 2^53, far past any process lifetime.
using Cell = std::atomic<double>;

struct CellArena {
  std::atomic<Cell*> chunks[kMaxCellChunks] = {};
};

// The calling thread's arena; null until the thread first writes.
extern thread_local constinit CellArena* tls_cell_arena;

// Slow paths, out of line: create the thread's arena / a missing chunk.
CellArena* register_cell_thread();
Cell* allocate_cell_chunk(CellArena* arena, std::uint32_t chunk);

inline Cell& local_cell(std::uint32_t id) {
  CellArena* arena = tls_cell_arena;
  if (arena == nullptr) [[unlikely]] arena = register_cell_thread();
  Cell* chunk = arena->chunks[id >> kCellChunkBits].load(std::memory_order_acquire);
  if (chunk == nullptr) [[unlikely]] chunk = allocate_cell_chunk(arena, id >> kCellChunkBits);
  return chunk[id & (kCellChunkSize - 1)];
}

// Only the owning thread writes its cell, so load+store is race free; the
// atomics make concurrent scrapes well defined.
inline void cell_add(std::uint32_t id, double v) {
  Cell& c = local_cell(id);
  c.store(c.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

// Process-wide id allocation and reads (cell_table.cc).
std::uint32_t allocate_cells(std::uint32_t count);
void release_cells(std::uint32_t first, std::uint32_t count);
double sum_cell(std::uint32_t id);
// Sums `count` consecutive cells into out[0..count) under one lock.
void sum_cells(std::uint32_t first, std::uint32_t count, double* out);

}  // namespace vigil::detail
