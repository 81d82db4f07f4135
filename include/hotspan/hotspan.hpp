// hotspan — lock-free span tracing for latency-sensitive relays.
// Include this header for the whole public API.
#pragma once

#include "hotspan/attribute.hpp"
#include "hotspan/exporter.hpp"
#include "hotspan/ids.hpp"
#include "hotspan/json.hpp"
#include "hotspan/otlp_http_exporter.hpp"  // declared when built with libcurl
#include "hotspan/propagation.hpp"
#include "hotspan/redaction.hpp"
#include "hotspan/sampler.hpp"
#include "hotspan/span.hpp"
#include "hotspan/span_context.hpp"
#include "hotspan/span_kind.hpp"
#include "hotspan/span_record.hpp"
#include "hotspan/stats.hpp"
#include "hotspan/tail_sampling.hpp"
#include "hotspan/trace_state.hpp"
#include "hotspan/tracer.hpp"
#include "hotspan/version.hpp"
