// A bounded multi-producer, single-consumer ring of movable values (here:
// owned span records). A producer claims a ticket with one CAS and publishes
// the slot with a release store; a full ring refuses at once, so callers
// never wait. The consumer pops in ticket order without any lock. This is
// the shape of Vyukov's bounded queue with a single consumer.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <optional>

namespace vigil::detail {

template <typename T>
class MpscRing {
 public:
  // Holds at most `capacity` values (the slot array is the next power of two).
  explicit MpscRing(std::size_t capacity)
      : limit_(std::max<std::size_t>(capacity, 1)),
        slot_count_(std::bit_ceil(std::max<std::size_t>(limit_, 2))),
        mask_(slot_count_ - 1),
        slots_(new Slot[slot_count_]) {
    // A slot's ticket names the producer that last published it; the first
    // lap's tickets are 0..slot_count-1, so start one lap behind.
    for (std::size_t i = 0; i < slot_count_; ++i)
      slots_[i].published.store(i - slot_count_ + 1, std::memory_order_relaxed);
  }

  // Moves `value` in; false (and `value` untouched) when the ring is full.
  bool push(T& value) {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    do {
      // Producers read a cached copy of the consumer's position, refreshed
      // only when the ring looks full, so they don't keep pulling a cache
      // line the consumer writes all the time.
      if (pos - tail_cache_.load(std::memory_order_acquire) >= limit_) {
        std::size_t t = tail_.load(std::memory_order_acquire);
        tail_cache_.store(t, std::memory_order_release);
        if (pos - t >= limit_) return false;
      }
    } while (!head_.compare_exchange_weak(pos, pos + 1, std::memory_order_acquire, std::memory_order_relaxed));
    Slot& s = slots_[pos & mask_];
    s.value = std::move(value);
    s.published.store(pos + 1, std::memory_order_release);
    return true;
  }

  // Consumer side (one thread): the next value, or nullopt when the next
  // ticket is not published yet.
  std::optional<T> pop() {
    Slot& s = slots_[tail_local_ & mask_];
    if (s.published.load(std::memory_order_acquire) != tail_local_ + 1) return std::nullopt;
    std::optional<T> v(std::move(s.value));
    s.value = T();
    tail_.store(++tail_local_, std::memory_order_release);
    return v;
  }

  std::size_t capacity() const { return limit_; }
  // Claimed minus consumed: includes slots being written right now.
  std::size_t depth() const {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
  }

 private:
  struct alignas(64) Slot {
    std::atomic<std::size_t> published;
    T value{};
  };
  const std::size_t limit_, slot_count_, mask_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};        // next ticket to claim
  // tail_cache_ is stored with release after an acquire load of tail_, and
  // loaded with acquire: a producer that trusts the cached value is then
  // ordered after the consumer's last use of the slot it reuses, like one
  // that read tail_ itself (free on x86: plain loads and stores).
  alignas(64) std::atomic<std::size_t> tail_cache_{0};  // producers' view of tail_
  alignas(64) std::atomic<std::size_t> tail_{0};        // next ticket to consume
  std::size_t tail_local_ = 0;                          // consumer-only copy of tail_
};

}  // namespace vigil::detail
