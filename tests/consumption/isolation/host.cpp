// Loads plugin_a and plugin_b (both link hotspan statically) and records spans
// through both on the same thread, interleaved and nested, then checks that
// each file holds exactly its plugin's spans with the right parents.
#include <cstdio>
#include <fstream>
#include <string>

extern "C" {
void plugin_a_open(const char* path, const char* service);
void plugin_a_begin(const char* name);
void plugin_a_end();
unsigned long long plugin_a_close();
void plugin_b_open(const char* path, const char* service);
void plugin_b_begin(const char* name);
void plugin_b_end();
unsigned long long plugin_b_close();
}

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "isolation: FAILED: %s\n", what.c_str());
    ++failures;
  }
}

// Lines of a JSON Lines file; how many are roots and how many name `name`.
struct FileSummary {
  int lines = 0, roots = 0, named = 0;
};

FileSummary summarize(const std::string& path, const std::string& name) {
  FileSummary s;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    ++s.lines;
    if (line.find("\"parent_span_id\"") == std::string::npos) ++s.roots;
    if (line.find("\"name\":\"" + name + "\"") != std::string::npos) ++s.named;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const std::string a_path = dir + "/a.jsonl", b_path = dir + "/b.jsonl";
  constexpr int kRounds = 2000;
  plugin_a_open(a_path.c_str(), "plugin-a");
  plugin_b_open(b_path.c_str(), "plugin-b");
  for (int i = 0; i < kRounds; ++i) {
    plugin_a_begin("a-outer");  // a's current context is now a-outer
    plugin_b_begin("b-root");   // must be a root: b's current context is its own
    plugin_a_begin("a-inner");  // child of a-outer
    plugin_b_end();
    plugin_a_end();
    plugin_a_end();
  }
  const unsigned long long a_exported = plugin_a_close();
  const unsigned long long b_exported = plugin_b_close();
  check(a_exported == 2 * kRounds, "plugin a exported " + std::to_string(a_exported));
  check(b_exported == kRounds, "plugin b exported " + std::to_string(b_exported));
  const FileSummary a = summarize(a_path, "a-inner");
  const FileSummary b = summarize(b_path, "b-root");
  check(a.lines == 2 * kRounds, "a.jsonl has " + std::to_string(a.lines) + " lines");
  check(a.roots == kRounds, "a.jsonl has " + std::to_string(a.roots) + " roots");
  check(a.named == kRounds, "a.jsonl has " + std::to_string(a.named) + " a-inner spans");
  check(b.lines == kRounds, "b.jsonl has " + std::to_string(b.lines) + " lines");
  check(b.roots == kRounds, "b.jsonl has " + std::to_string(b.roots) + " roots");
  check(b.named == kRounds, "b.jsonl has only b-root spans");
  if (failures == 0) std::printf("isolation: both plugins kept their own state\n");
  return failures == 0 ? 0 : 1;
}
