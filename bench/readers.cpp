// hotspan bench — reading traces back: the binary reader, the JSON Lines
// parse floor, and the hotspan tool on files of 1 M spans.
//
//   readers [benchmark flags] BINARY_FILE JSONL_FILE HOTSPAN_TOOL
//
// The files are written by make_trace_files (the same spans in both formats).
//   reader/binary_trace_reader   hotspan::BinaryTraceReader over the whole file
//   reader/simdjson_jsonl_floor  simdjson On-Demand over the JSON Lines file
//                                (already in memory), reading the fields the
//                                tool's stats need: the floor any JSON Lines
//                                reader pays, not the tool's reader
//   cli/hotspan_<command>_<format>  the built tool run as a child process on
//                                the file (stdout and stderr to /dev/null),
//                                wall time per run: `hotspan stats` and, when
//                                the tool has it, `hotspan cat`
//
// How to read: one iteration = the whole file; items_per_second = spans/s;
// bytes_per_second = file bytes/s. A tool command that exits non-zero (e.g. a
// format it cannot read yet) is reported as an error, not timed. Run the
// program under `taskset` to pin it: the child processes inherit the mask.
// `others_busy_cores`: machine_load.hpp (the tool, a waited-for child, counts
// as this process).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hotspan/reader.hpp"
#include "machine_load.hpp"
#include "spread_statistics.hpp"

#ifdef HOTSPAN_BENCH_HAVE_SIMDJSON
#include <simdjson.h>
#endif

extern char** environ;

namespace {

struct Inputs {
  std::string binary, jsonl, tool;
  uint64_t spans = 0;  // counted by the binary reader before the benchmarks
};
Inputs g_inputs;

int64_t file_bytes(const std::string& path) {
  return static_cast<int64_t>(std::filesystem::file_size(path));
}

// Reads every span; returns how many, or -1 with `error` set.
int64_t read_binary(const std::string& path, std::string& error) {
  std::unique_ptr<hotspan::BinaryTraceReader> reader;
  try {
    reader = hotspan::BinaryTraceReader::open(path);
  } catch (const std::exception& e) {
    error = e.what();
    return -1;
  }
  if (!reader->read_header()) {
    error = reader->message();
    return -1;
  }
  int64_t spans = 0;
  uint64_t checksum = 0;
  while (const hotspan::SpanRecord* r = reader->next()) {
    checksum += r->end_unix_ns - r->start_unix_ns + r->name.size() + r->attributes.size();
    ++spans;
  }
  benchmark::DoNotOptimize(checksum);
  if (reader->status() != hotspan::BinaryTraceReader::Status::complete) {
    error = "reader stopped: " + reader->message();
    return -1;
  }
  return spans;
}

void binary_trace_reader(benchmark::State& state) {
  const hotspan_bench::OtherLoad load;
  int64_t spans = 0;
  for (auto _ : state) {
    std::string error;
    spans = read_binary(g_inputs.binary, error);
    if (spans < 0) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * spans);
  state.SetBytesProcessed(state.iterations() * file_bytes(g_inputs.binary));
  state.counters["others_busy_cores"] = benchmark::Counter(load.others_busy_cores());
}

#ifdef HOTSPAN_BENCH_HAVE_SIMDJSON
void simdjson_jsonl_floor(benchmark::State& state) {
  simdjson::padded_string json;
  if (simdjson::padded_string::load(g_inputs.jsonl).get(json) != simdjson::SUCCESS) {
    state.SkipWithError("cannot load the JSON Lines file");
    return;
  }
  simdjson::ondemand::parser parser;
  const hotspan_bench::OtherLoad load;
  int64_t spans = 0;
  for (auto _ : state) {
    simdjson::ondemand::document_stream docs;
    if (parser.iterate_many(json).get(docs) != simdjson::SUCCESS) {
      state.SkipWithError("iterate_many failed");
      return;
    }
    spans = 0;
    uint64_t checksum = 0;
    for (auto doc : docs) {
      std::string_view trace_id, name;
      uint64_t start = 0, end = 0;
      if (doc["trace_id"].get_string().get(trace_id) != simdjson::SUCCESS ||
          doc["name"].get_string().get(name) != simdjson::SUCCESS ||
          doc["start_unix_ns"].get_uint64().get(start) != simdjson::SUCCESS ||
          doc["end_unix_ns"].get_uint64().get(end) != simdjson::SUCCESS) {
        state.SkipWithError("malformed span in the JSON Lines file");
        return;
      }
      checksum += end - start + trace_id.size() + name.size();
      ++spans;
    }
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(state.iterations() * spans);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  state.counters["others_busy_cores"] = benchmark::Counter(load.others_busy_cores());
}
#endif

// Runs the tool once with stdout and stderr to /dev/null; its exit status.
int run_tool(const std::vector<std::string>& args) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(g_inputs.tool.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  const int spawned =
      posix_spawn(&pid, g_inputs.tool.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void tool_command(benchmark::State& state, std::string command, bool binary) {
  const std::string& file = binary ? g_inputs.binary : g_inputs.jsonl;
  const hotspan_bench::OtherLoad load;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const int status = run_tool({command, file});
    const auto stop = std::chrono::steady_clock::now();
    if (status != 0) {
      const std::string error = "hotspan " + command + " " + (binary ? "(binary)" : "(jsonl)") +
                                " exited with status " + std::to_string(status);
      state.SkipWithError(error.c_str());
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(g_inputs.spans));
  state.SetBytesProcessed(state.iterations() * file_bytes(file));
  state.counters["others_busy_cores"] = benchmark::Counter(load.others_busy_cores());
}

void register_all() {
  using hotspan_bench::with_spread;
  with_spread(benchmark::RegisterBenchmark("reader/binary_trace_reader", binary_trace_reader))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#ifdef HOTSPAN_BENCH_HAVE_SIMDJSON
  with_spread(benchmark::RegisterBenchmark("reader/simdjson_jsonl_floor", simdjson_jsonl_floor))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
#endif
  for (const char* command : {"stats", "cat"}) {
    for (const bool binary : {false, true}) {
      const std::string name =
          std::string("cli/hotspan_") + command + (binary ? "_binary" : "_jsonl");
      with_spread(benchmark::RegisterBenchmark(
                      name.c_str(),
                      [command, binary](benchmark::State& s) { tool_command(s, command, binary); }))
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 4) {
    std::fprintf(stderr,
                 "usage: readers [benchmark flags] BINARY_FILE JSONL_FILE HOTSPAN_TOOL\n"
                 "(scripts/bench.sh makes the files with make_trace_files)\n");
    return 2;
  }
  g_inputs.binary = argv[1];
  g_inputs.jsonl = argv[2];
  g_inputs.tool = argv[3];
  std::string error;
  const int64_t spans = read_binary(g_inputs.binary, error);
  if (spans < 0) {
    std::fprintf(stderr, "readers: %s: %s\n", g_inputs.binary.c_str(), error.c_str());
    return 1;
  }
  g_inputs.spans = static_cast<uint64_t>(spans);
  benchmark::AddCustomContext("spans_per_file", std::to_string(spans));
  benchmark::AddCustomContext("binary_file_bytes", std::to_string(file_bytes(g_inputs.binary)));
  benchmark::AddCustomContext("jsonl_file_bytes", std::to_string(file_bytes(g_inputs.jsonl)));
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
