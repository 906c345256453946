// See span_pool.h.
#include "trace/span_pool.h"

#include <new>

namespace vigil {
namespace {

constexpr unsigned kPoolCapacity = 64;
// Beyond these a record is freed rather than kept: a pool must not pin the
// memory of one unusual span per slot.
constexpr std::size_t kMaxKeptAttributes = 32;
constexpr std::size_t kMaxKeptString = 256;

struct Pool {
  SpanData* items[kPoolCapacity];
  unsigned size = 0;
};

void free_record(SpanData* p) {
  p->~SpanData();
  ::operator delete(p);
}

// The pointer and flag are constinit (no guard on access); the owner, with
// the destructor that frees the pool at thread exit, is built on first use.
// Records deleted after that (thread-exit and static destructors) are freed.
constinit thread_local Pool* tls_pool = nullptr;
constinit thread_local bool tls_pool_closed = false;

struct PoolOwner {
  Pool pool;
  ~PoolOwner() {
    tls_pool = nullptr;
    tls_pool_closed = true;
    while (pool.size > 0) free_record(pool.items[--pool.size]);
  }
};

[[gnu::noinline]] Pool* open_pool() {
  if (tls_pool_closed) return nullptr;
  thread_local PoolOwner owner;
  tls_pool = &owner.pool;
  return tls_pool;
}

bool worth_keeping(const SpanData& d) {
  return d.attributes.capacity() <= kMaxKeptAttributes && d.name.capacity() <= kMaxKeptString &&
         d.status_message.capacity() <= kMaxKeptString && d.context.trace_state.capacity() <= kMaxKeptString;
}

// Back to the state of a default-constructed record, capacity kept. The
// fields every span start overwrites (ids, flags, kind, times) are left, and
// so are the resource and scope: the next span on this thread most likely
// has the same ones, and then it takes them without touching their
// reference counts (a pooled record may keep one provider's resource and
// scope, a few hundred bytes, alive until the record is reused or its
// thread exits).
void clear(SpanData& d) {
  d.context.trace_state.clear();
  d.name.clear();
  d.attributes.clear();
  if (d.events.capacity() > 0) std::vector<SpanEvent>().swap(d.events);  // rare: not worth keeping
  if (d.links.capacity() > 0) std::vector<SpanLink>().swap(d.links);
  d.status = StatusCode::kUnset;
  d.status_message.clear();
  d.dropped_attributes = d.dropped_events = d.dropped_links = 0;
}

}  // namespace

// Only forwards, but pairs the class's operator delete with a class operator
// new: GCC warns (-Wmismatched-new-delete) on a class delete of a pointer
// from the global new.
void* SpanData::operator new(std::size_t size) { return ::operator new(size); }

// Used only when a constructor throws inside a new-expression.
void SpanData::operator delete(void* p) { ::operator delete(p); }

void SpanData::operator delete(SpanData* p, std::destroying_delete_t) {
  Pool* pool = tls_pool ? tls_pool : open_pool();
  if (pool && pool->size < kPoolCapacity && worth_keeping(*p)) {
    clear(*p);
    pool->items[pool->size++] = p;
    return;
  }
  free_record(p);
}

namespace detail {

SpanData* take_span_data() {
  if (Pool* pool = tls_pool; pool && pool->size > 0) return pool->items[--pool->size];
  return new SpanData;
}

}  // namespace detail
}  // namespace vigil
