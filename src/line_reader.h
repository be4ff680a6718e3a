// fast-cpp-csv-parser's io::LineReader, included the one way ecgad uses it. The library's class layout
// depends on CSV_IO_NO_THREAD, so every file that includes it (src/csv.cc, bench/csv_bench.cc) does so
// through here, and io::LineReader cannot get two layouts.
#pragma once

#include <limits>  // the library uses std::numeric_limits without including <limits>

// Synchronous reads: no reader thread, and ecgad's byte source is only touched from its own calls.
#define CSV_IO_NO_THREAD
#pragma GCC diagnostic push
#if !defined(__clang__)                                 // a GCC warning clang does not know
#pragma GCC diagnostic ignored "-Wstringop-truncation"  // its file-name copy, truncated on purpose
#endif
#include <libfccp/csv.h>
#pragma GCC diagnostic pop
