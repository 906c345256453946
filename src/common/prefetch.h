// Asks for a cache line in the state a store needs (PREFETCHW). Without
// -mprfchw GCC compiles __builtin_prefetch(p, 1) to a read prefetch, which
// brings the line in shared: the store that follows then still waits for
// the other cores' copies to be invalidated, the very wait the prefetch was
// meant to hide. PREFETCHW is part of x86-64 since AMD K8 and Intel
// Broadwell, and older Intel cores execute its encoding as a NOP.
#pragma once

namespace vigil::detail {

#if defined(__x86_64__)
// Inline assembly rather than a prfchw target attribute: a function with
// another target cannot be inlined into its callers.
inline void prefetch_for_write(const void* p) { asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p))); }
#else
inline void prefetch_for_write(const void* p) { __builtin_prefetch(p, 1, 3); }
#endif

}  // namespace vigil::detail
