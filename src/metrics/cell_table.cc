#include "vigil/detail/cell_table.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace vigil::detail {

thread_local constinit CellArena* tls_cell_arena = nullptr;

namespace {

struct CellTable {
  std::mutex mu;
  std::vector<CellArena*> live;  // arenas of running threads
  CellArena retired;             // totals folded in by exited threads
  std::uint32_t next_id = 0;
  std::map<std::uint32_t, std::vector<std::uint32_t>> free_ranges;  // size -> first ids
};

// Leaked on purpose: threads may exit (and fold their cells) after static
// destructors have run.
CellTable& table() {
  static CellTable* t = new CellTable;
  return *t;
}

Cell* new_chunk() { return new Cell[kCellChunkSize](); }

Cell* chunk_locked(CellArena& arena, std::uint32_t chunk) {
  Cell* c = arena.chunks[chunk].load(std::memory_order_relaxed);
  if (c == nullptr) {
    c = new_chunk();
    arena.chunks[chunk].store(c, std::memory_order_release);
  }
  return c;
}

// Folds an exiting thread's cells into `retired` so no count is lost.
void retire(CellArena* arena) {
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  for (std::uint32_t ci = 0; ci < kMaxCellChunks; ++ci) {
    Cell* src = arena->chunks[ci].load(std::memory_order_relaxed);
    if (src == nullptr) continue;
    Cell* dst = chunk_locked(t.retired, ci);
    for (std::uint32_t i = 0; i < kCellChunkSize; ++i) {
      double v = src[i].load(std::memory_order_relaxed);
      if (v != 0) dst[i].store(dst[i].load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
    }
    delete[] src;
  }
  std::erase(t.live, arena);
  delete arena;
}

struct ArenaOwner {
  ~ArenaOwner() {
    if (tls_cell_arena != nullptr) retire(tls_cell_arena);
    tls_cell_arena = nullptr;
  }
};

template <typename Fn>
void for_each_arena_locked(CellTable& t, Fn&& fn) {
  fn(t.retired);
  for (CellArena* a : t.live) fn(*a);
}

}  // namespace

CellArena* register_cell_thread() {
  static thread_local ArenaOwner owner;  // its destructor retires the arena
  (void)owner;
  auto* arena = new CellArena;
  CellTable& t = table();
  {
    std::lock_guard lock(t.mu);
    t.live.push_back(arena);
  }
  tls_cell_arena = arena;
  return arena;
}

Cell* allocate_cell_chunk(CellArena* arena, std::uint32_t chunk) {
  // Under the table lock so a concurrent retire/release sees a consistent set.
  std::lock_guard lock(table().mu);
  return chunk_locked(*arena, chunk);
}

std::uint32_t allocate_cells(std::uint32_t count) {
  if (count == 0 || count > kCellChunkSize) throw std::invalid_argument("vigil: bad cell range size");
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  if (auto it = t.free_ranges.find(count); it != t.free_ranges.end() && !it->second.empty()) {
    std::uint32_t first = it->second.back();
    it->second.pop_back();
    return first;
  }
  // A range never straddles two chunks, so the hot path indexes one chunk.
  std::uint32_t offset = t.next_id & (kCellChunkSize - 1);
  if (offset + count > kCellChunkSize) t.next_id += kCellChunkSize - offset;
  if ((t.next_id + count - 1) >> kCellChunkBits >= kMaxCellChunks)
    throw std::length_error("vigil: metric cell space exhausted (too many series)");
  std::uint32_t first = t.next_id;
  t.next_id += count;
  return first;
}

void release_cells(std::uint32_t first, std::uint32_t count) {
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  // Zero every thread's copy so the range starts from 0 when reused.
  for_each_arena_locked(t, [&](CellArena& a) {
    Cell* c = a.chunks[first >> kCellChunkBits].load(std::memory_order_acquire);
    if (c == nullptr) return;
    for (std::uint32_t i = 0; i < count; ++i)
      c[(first + i) & (kCellChunkSize - 1)].store(0, std::memory_order_relaxed);
  });
  t.free_ranges[count].push_back(first);
}

void sum_cells(std::uint32_t first, std::uint32_t count, double* out) {
  for (std::uint32_t i = 0; i < count; ++i) out[i] = 0;
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  for_each_arena_locked(t, [&](CellArena& a) {
    Cell* c = a.chunks[first >> kCellChunkBits].load(std::memory_order_acquire);
    if (c == nullptr) return;
    for (std::uint32_t i = 0; i < count; ++i)
      out[i] += c[(first + i) & (kCellChunkSize - 1)].load(std::memory_order_relaxed);
  });
}

double sum_cell(std::uint32_t id) {
  double v = 0;
  sum_cells(id, 1, &v);
  return v;
}

}  // namespace vigil::detail
