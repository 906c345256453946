// The ticket bookkeeping of a bounded multi-producer, single-consumer ring,
// shared by the log record ring and the span ring. Producers claim
// consecutive tickets with one CAS on the head and are refused at once when
// `limit` tickets are claimed but not yet released; the one consumer
// releases them in order. Each ring keeps its own slots and marks a slot
// published (ticket + 1, with release) when its producer has written it.
#pragma once

#include <atomic>
#include <cstddef>

namespace vigil::detail {

class RingTickets {
 public:
  explicit RingTickets(std::size_t limit) : limit_(limit) {}

  // Producers: claims the next ticket into `pos`; false when the ring is full.
  bool claim(std::size_t& pos) {
    pos = head_.load(std::memory_order_relaxed);
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
    return true;
  }

  // Consumer: the next ticket to consume, and its release once the
  // consumer is done with that ticket's slot.
  std::size_t next() const { return tail_local_; }
  void release() { tail_.store(++tail_local_, std::memory_order_release); }

  std::size_t limit() const { return limit_; }
  std::size_t claimed() const { return head_.load(std::memory_order_acquire); }
  std::size_t consumed() const { return tail_.load(std::memory_order_acquire); }
  // Claimed minus consumed: includes slots being written right now.
  std::size_t depth() const { return claimed() - consumed(); }

 private:
  const std::size_t limit_;
  alignas(64) std::atomic<std::size_t> head_{0};  // next ticket to claim
  // tail_cache_ is stored with release after an acquire load of tail_, and
  // loaded with acquire: a producer that trusts the cached value is then
  // ordered after the consumer's last use of the slot it reuses, like one
  // that read tail_ itself (free on x86: plain loads and stores).
  alignas(64) std::atomic<std::size_t> tail_cache_{0};  // producers' view of tail_
  alignas(64) std::atomic<std::size_t> tail_{0};        // next ticket to consume
  std::size_t tail_local_ = 0;                          // consumer-only copy of tail_
};

}  // namespace vigil::detail
