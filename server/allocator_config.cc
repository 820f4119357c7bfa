// The server's allocator is jemalloc (linked by server/CMakeLists.txt): after
// a flood of connections or calls, glibc's malloc kept the freed memory (RSS
// stayed at its peak, over 250 MiB) while jemalloc gives it back to the
// kernel within a few seconds (docs/performance.md, "Allocator").
//
// jemalloc reads this string at its start: a background thread returns
// unused pages 1 s after they were freed (dirty_decay_ms) and at once from
// the lazily-freed state (muzzy_decay_ms), even when the server is idle;
// without the thread pages are returned only when something allocates.
// MALLOC_CONF in the environment still overrides it.
extern "C" {
// NOLINTNEXTLINE: jemalloc looks this global up by name.
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
