// A bounded multi-producer, single-consumer ring of movable values (here:
// owned span records). A producer claims a ticket (common/ring_tickets.h)
// and publishes the slot with a release store; a full ring refuses at once,
// so callers never wait. The consumer pops in ticket order without any lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <optional>

#include "common/ring_tickets.h"

namespace vigil::detail {

template <typename T>
class MpscRing {
 public:
  // Holds at most `capacity` values (the slot array is the next power of two).
  explicit MpscRing(std::size_t capacity)
      : tickets_(std::max<std::size_t>(capacity, 1)),
        slot_count_(std::bit_ceil(std::max<std::size_t>(tickets_.limit(), 2))),
        mask_(slot_count_ - 1),
        slots_(new Slot[slot_count_]) {
    // A slot's ticket names the producer that last published it; the first
    // lap's tickets are 0..slot_count-1, so start one lap behind.
    for (std::size_t i = 0; i < slot_count_; ++i)
      slots_[i].published.store(i - slot_count_ + 1, std::memory_order_relaxed);
  }

  // Moves `value` in; false (and `value` untouched) when the ring is full.
  bool push(T& value) {
    std::size_t pos;
    if (!tickets_.claim(pos)) return false;
    Slot& s = slots_[pos & mask_];
    s.value = std::move(value);
    s.published.store(pos + 1, std::memory_order_release);
    return true;
  }

  // Consumer side (one thread): the next value, or nullopt when the next
  // ticket is not published yet.
  std::optional<T> pop() {
    std::size_t pos = tickets_.next();
    Slot& s = slots_[pos & mask_];
    if (s.published.load(std::memory_order_acquire) != pos + 1) return std::nullopt;
    std::optional<T> v(std::move(s.value));
    s.value = T();
    tickets_.release();
    return v;
  }

  std::size_t capacity() const { return tickets_.limit(); }
  std::size_t depth() const { return tickets_.depth(); }

 private:
  struct alignas(64) Slot {
    std::atomic<std::size_t> published;
    T value{};
  };
  RingTickets tickets_;
  const std::size_t slot_count_, mask_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace vigil::detail
