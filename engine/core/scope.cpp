// hotspan — the calling thread's current context (what Scope sets).
//
// A plain, trivially destructible thread_local: Scope (inline, span.hpp) saves
// the previous value and restores it, which makes nesting correct without a
// stack allocation.
#include "hotspan/detail/hot_path.hpp"

namespace hotspan::detail {

constinit thread_local SpanContext t_current_context [[gnu::tls_model("initial-exec")]];

}  // namespace hotspan::detail
