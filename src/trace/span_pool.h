// Per-thread recycling of span records. Deleting a SpanData (its class
// operator delete, a C++20 destroying delete) clears it and keeps it, with
// its attribute vector's capacity, in a small pool of the deleting thread;
// the next span started on that thread takes it back. In steady state a
// sampled span then makes no call to malloc or free: those were two of the
// span's largest costs (a record and an attribute buffer; figures in
// docs/benchmarks.md). Spans exported on another thread are handed back to the
// threads that end spans (batch_processor.cc), so records circulate where
// they are used. A pool holds at most 64 records; records that grew large
// are freed instead, so the memory kept per thread stays small.
#pragma once

#include "vigil/trace.h"

namespace vigil::detail {

// A cleared record from this thread's pool, or a new one.
SpanData* take_span_data();

}  // namespace vigil::detail
