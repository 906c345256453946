// A bounded multi-producer, single-consumer ring of packed records. A
// producer claims a ticket (common/ring_tickets.h) and packs the record into
// the slot's inline bytes (or, when larger, the slot's reusable overflow
// string), so a warm enqueue allocates nothing and touches a few contiguous
// cache lines; a full ring refuses at once.
#pragma once

#include <atomic>
#include <bit>
#include <memory>
#include <string>

#include "common/prefetch.h"
#include "common/ring_tickets.h"
#include "log/record_codec.h"

namespace vigil::detail {

class RecordRing {
 public:
  explicit RecordRing(std::size_t capacity)
      : capacity_(std::bit_ceil(std::max<std::size_t>(capacity, 2))),
        mask_(capacity_ - 1),
        slots_(new Slot[capacity_]),
        tickets_(capacity_) {
    // A slot's ticket names the producer that last published it; the first
    // lap's tickets are 0..capacity-1, so start one lap behind.
    for (std::size_t i = 0; i < capacity_; ++i) slots_[i].published.store(i - capacity_ + 1, std::memory_order_relaxed);
  }

  // Packs `r` into a free slot; false when the ring is full.
  bool push(const LogRecord& r) {
    std::size_t pos;
    if (!tickets_.claim(pos)) return false;
    Slot& s = slots_[pos & mask_];
    // Ask for the next slot's lines now: taking them from the consumer's
    // core is the slowest part of an enqueue, and this overlaps it with the
    // caller's work until its next record.
    const char* next = reinterpret_cast<const char*>(&slots_[(pos + 1) & mask_]);
    for (std::size_t off = 0; off < sizeof(Slot); off += 64) prefetch_for_write(next + off);
    std::size_t n = pack(r, s.bytes, sizeof s.bytes);
    if (n == 0) {  // too big for the slot's own bytes
      n = packed_size(r);
      s.overflow.resize(n);
      pack(r, s.overflow.data(), n);
    }
    s.size = n;
    s.published.store(pos + 1, std::memory_order_release);
    return true;
  }

  // Consumer side (one thread): unpacks the next record into `r` (views of
  // the slot, valid until pop()); false when none is ready.
  bool front(LogRecord& r, std::vector<Field>& fields) {
    std::size_t pos = tickets_.next();
    Slot& s = slots_[pos & mask_];
    if (s.published.load(std::memory_order_acquire) != pos + 1) return false;
    unpack(s.size > sizeof s.bytes ? s.overflow.data() : s.bytes, r, fields);
    return true;
  }
  void pop() {
    Slot& s = slots_[tickets_.next() & mask_];
    if (s.overflow.capacity() > kMaxKeptOverflow) std::string().swap(s.overflow);  // don't hoard a huge one
    tickets_.release();
  }

  std::size_t claimed() const { return tickets_.claimed(); }
  std::size_t consumed() const { return tickets_.consumed(); }
  std::size_t depth() const { return tickets_.depth(); }

 private:
  static constexpr std::size_t kMaxKeptOverflow = 64 * 1024;
  struct alignas(64) Slot {
    std::atomic<std::size_t> published;  // ticket + 1 once the record is written
    std::size_t size = 0;
    std::string overflow;
    char bytes[256 - 48];  // a record with a handful of short fields fits
  };
  const std::size_t capacity_;
  const std::size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  RingTickets tickets_;
};

}  // namespace vigil::detail
