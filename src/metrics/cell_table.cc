#include "vigil/detail/cell_table.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace vigil::detail {

thread_local constinit CellArena* tls_cell_arena = nullptr;

namespace {

template <typename T>
struct Allocator {
  std::uint32_t next_id = 0;
  std::map<std::uint32_t, std::vector<std::uint32_t>> free_ranges;  // size -> first ids
};

struct CellTable {
  std::mutex mu;
  std::vector<CellArena*> live;  // arenas of running threads
  CellArena retired;             // totals folded in by exited threads
  Allocator<std::uint64_t> int_ids;
  Allocator<double> real_ids;
  template <typename T>
  Allocator<T>& ids() {
    if constexpr (std::is_same_v<T, double>) return real_ids;
    else return int_ids;
  }
};

// Leaked on purpose: threads may exit (and fold their cells) after static
// destructors have run.
CellTable& table() {
  static CellTable* t = new CellTable;
  return *t;
}

template <typename T>
std::atomic<T>* chunk_locked(CellSpace<T>& space, std::uint32_t chunk) {
  std::atomic<T>* c = space.chunks[chunk].load(std::memory_order_relaxed);
  if (c == nullptr) {
    c = new std::atomic<T>[kCellChunkSize]();
    space.chunks[chunk].store(c, std::memory_order_release);
  }
  return c;
}

template <typename T>
void fold_space(CellSpace<T>& from, CellSpace<T>& into) {
  for (std::uint32_t ci = 0; ci < kMaxCellChunks; ++ci) {
    std::atomic<T>* src = from.chunks[ci].load(std::memory_order_relaxed);
    if (src == nullptr) continue;
    std::atomic<T>* dst = chunk_locked(into, ci);
    for (std::uint32_t i = 0; i < kCellChunkSize; ++i) {
      T v = src[i].load(std::memory_order_relaxed);
      if (v != 0) dst[i].store(dst[i].load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
    }
    delete[] src;
  }
}

// Folds an exiting thread's cells into `retired` so no count is lost.
void retire(CellArena* arena) {
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  fold_space(arena->ints, t.retired.ints);
  fold_space(arena->reals, t.retired.reals);
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

template <typename T>
std::atomic<T>* allocate_cell_chunk(CellArena* arena, std::uint32_t chunk) {
  // Under the table lock so a concurrent retire/release sees a consistent set.
  std::lock_guard lock(table().mu);
  return chunk_locked(arena->space<T>(), chunk);
}

template <typename T>
std::uint32_t allocate_cells(std::uint32_t count) {
  if (count == 0 || count > kCellChunkSize) throw std::invalid_argument("vigil: bad cell range size");
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  Allocator<T>& a = t.ids<T>();
  if (auto it = a.free_ranges.find(count); it != a.free_ranges.end() && !it->second.empty()) {
    std::uint32_t first = it->second.back();
    it->second.pop_back();
    return first;
  }
  // A range never straddles two chunks, so the hot path indexes one chunk.
  std::uint32_t offset = a.next_id & (kCellChunkSize - 1);
  if (offset + count > kCellChunkSize) a.next_id += kCellChunkSize - offset;
  if ((a.next_id + count - 1) >> kCellChunkBits >= kMaxCellChunks)
    throw std::length_error("vigil: metric cell space exhausted (too many series)");
  std::uint32_t first = a.next_id;
  a.next_id += count;
  return first;
}

template <typename T>
void release_cells(std::uint32_t first, std::uint32_t count) {
  CellTable& t = table();
  std::lock_guard lock(t.mu);
  // Zero every thread's copy so the range starts from 0 when reused.
  for_each_arena_locked(t, [&](CellArena& a) {
    std::atomic<T>* c = a.space<T>().chunks[first >> kCellChunkBits].load(std::memory_order_acquire);
    if (c == nullptr) return;
    for (std::uint32_t i = 0; i < count; ++i) c[(first + i) & (kCellChunkSize - 1)].store(0, std::memory_order_relaxed);
  });
  t.ids<T>().free_ranges[count].push_back(first);
}

template <typename T>
void add_cells_locked(CellArena& a, std::uint32_t first, std::uint32_t count, T* out) {
  std::atomic<T>* c = a.space<T>().chunks[first >> kCellChunkBits].load(std::memory_order_acquire);
  if (c == nullptr) return;
  for (std::uint32_t i = 0; i < count; ++i) out[i] += c[(first + i) & (kCellChunkSize - 1)].load(std::memory_order_relaxed);
}

thread_local bool tls_in_read_batch = false;

CellReadBatch::CellReadBatch() {
  table().mu.lock();
  tls_in_read_batch = true;
}
CellReadBatch::~CellReadBatch() {
  tls_in_read_batch = false;
  table().mu.unlock();
}

// The table's lock, unless this thread's CellReadBatch already holds it.
static std::unique_lock<std::mutex> read_lock(CellTable& t) {
  return tls_in_read_batch ? std::unique_lock<std::mutex>(t.mu, std::defer_lock) : std::unique_lock<std::mutex>(t.mu);
}

template <typename T>
void sum_cells(std::uint32_t first, std::uint32_t count, T* out) {
  for (std::uint32_t i = 0; i < count; ++i) out[i] = 0;
  CellTable& t = table();
  auto lock = read_lock(t);
  for_each_arena_locked(t, [&](CellArena& a) { add_cells_locked(a, first, count, out); });
}

void sum_mixed_cells(std::uint32_t int_first, std::uint32_t int_count, std::uint64_t* ints, std::uint32_t real_id,
                     double* real) {
  for (std::uint32_t i = 0; i < int_count; ++i) ints[i] = 0;
  *real = 0;
  CellTable& t = table();
  auto lock = read_lock(t);
  for_each_arena_locked(t, [&](CellArena& a) {
    add_cells_locked(a, int_first, int_count, ints);
    add_cells_locked(a, real_id, 1, real);
  });
}

#define VIGIL_INSTANTIATE_CELLS(T)                                                  \
  template std::atomic<T>* allocate_cell_chunk<T>(CellArena*, std::uint32_t);      \
  template std::uint32_t allocate_cells<T>(std::uint32_t);                          \
  template void release_cells<T>(std::uint32_t, std::uint32_t);                     \
  template void sum_cells<T>(std::uint32_t, std::uint32_t, T*);
VIGIL_INSTANTIATE_CELLS(std::uint64_t)
VIGIL_INSTANTIATE_CELLS(double)
#undef VIGIL_INSTANTIATE_CELLS

}  // namespace vigil::detail
