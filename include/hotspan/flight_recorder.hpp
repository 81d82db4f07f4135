// hotspan — the flight recorder's options (TracerOptions::flight_recorder).
//
// The flight recorder keeps the most recent sampled spans, binary-encoded, in
// a bounded ring on the exporter thread, whatever the exporter does with them,
// and writes them to a trace file on demand: Tracer::dump_recent() (a path,
// waits for the file) or Tracer::request_dump() (async-signal-safe: the
// exporter thread writes the next file named after dump_path). See
// docs/GUIDE.md, "Flight recorder", and docs/RELIABILITY.md for what a dump
// holds.
//
// Trade-off: recording costs the exporter thread one more binary encoding of
// every span (the application's threads pay nothing), and max_bytes of memory.
#pragma once

#include <cstddef>
#include <string>

namespace hotspan {

struct FlightRecorderOptions {
  // Bytes of encoded spans (and of the string definitions they refer to) the
  // ring holds at most; the oldest spans go first. 0: no recorder. Otherwise
  // at least kMinBytes and 16 × TracerOptions::slot_bytes (a sixteenth of the
  // ring must hold a span of a full slot), at most kMaxBytes.
  size_t max_bytes = 0;
  // request_dump() writes to "<dump_path>.<UTC time>.<pid>.<n>", e.g.
  // "/var/tmp/relay.hsp.20261207T052000Z.4242.1" (n counts the tracer's
  // dumps from 1), so successive dumps and restarts never overwrite one
  // another. A relative path is resolved against the working directory at the
  // time of the dump. Must not be empty when the recorder is on.
  std::string dump_path = "hotspan-recorder.hsp";

  static constexpr size_t kMinBytes = size_t{64} << 10;
  static constexpr size_t kMaxBytes = size_t{1} << 40;
};

}  // namespace hotspan
