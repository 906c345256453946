// A bounded multi-producer ring of reusable LogRecords (Dmitry Vyukov's
// bounded MPMC queue, consumed by one thread). Producers claim a slot with
// one CAS and fill the record in place, reusing the strings' and vectors'
// capacity, so a warm enqueue allocates nothing; a full ring refuses at once.
#pragma once

#include <atomic>
#include <bit>
#include <memory>

#include "vigil/log.h"

namespace vigil::detail {

class RecordRing {
 public:
  explicit RecordRing(std::size_t capacity)
      : mask_(std::bit_ceil(std::max<std::size_t>(capacity, 2)) - 1), slots_(new Slot[mask_ + 1]) {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
  }

  // Returns the record to fill and its ticket, or nullptr when full.
  LogRecord* claim(std::size_t& ticket) {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    while (true) {
      Slot& s = slots_[pos & mask_];
      std::size_t seq = s.seq.load(std::memory_order_acquire);
      auto diff = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
      if (diff == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          ticket = pos;
          return &s.record;
        }
      } else if (diff < 0) {
        return nullptr;  // full
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }
  void publish(std::size_t ticket) { slots_[ticket & mask_].seq.store(ticket + 1, std::memory_order_release); }

  // Consumer side (one thread): the next published record, or nullptr.
  LogRecord* front() {
    Slot& s = slots_[tail_ & mask_];
    return s.seq.load(std::memory_order_acquire) == tail_ + 1 ? &s.record : nullptr;
  }
  void pop() {
    slots_[tail_ & mask_].seq.store(tail_ + mask_ + 1, std::memory_order_release);
    tail_consumed_.store(++tail_, std::memory_order_release);
  }

  std::size_t claimed() const { return head_.load(std::memory_order_acquire); }
  std::size_t consumed() const { return tail_consumed_.load(std::memory_order_acquire); }
  std::size_t depth() const { return claimed() - consumed(); }

 private:
  struct alignas(64) Slot {
    std::atomic<std::size_t> seq;
    LogRecord record;
  };
  const std::size_t mask_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::size_t tail_ = 0;
  std::atomic<std::size_t> tail_consumed_{0};
};

}  // namespace vigil::detail
