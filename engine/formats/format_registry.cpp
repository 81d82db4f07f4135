// hotspan — the table of record formats (see format_registry.hpp) and the
// public lookups over it.
#include "formats/format_registry.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

#include "formats/binary/binary_encoder.hpp"
#include "formats/json/chrome_json_encoder.hpp"
#include "formats/json/jsonl_encoder.hpp"
#include "formats/otlp/otlp_json_encoder.hpp"

namespace hotspan {
namespace detail {
namespace {

// Descriptions fit a help line: at most 64 bytes.
constexpr FormatEntry kRegistry[] = {
    {{Format::binary, "binary", "compact and crash-tolerant binary format (docs/FORMAT.md)", false},
     make_binary_encoder,
     binary_span_refusal,
     binary_resource_refusal},
    {{Format::jsonl, "jsonl", "JSON Lines, one span per line", true}, make_jsonl_encoder},
    {{Format::otlp_json, "otlp_json",
      "OTLP/JSON TracesData, one object per line (OTel file exporter)", true},
     make_otlp_json_encoder},
    {{Format::chrome_json, "chrome_json",
      "Chrome Trace Event format, for Perfetto UI and chrome://tracing", false},
     make_chrome_json_encoder},
};

constexpr bool in_enum_order() {
  for (size_t i = 0; i < std::size(kRegistry); ++i) {
    if (static_cast<size_t>(kRegistry[i].info.format) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(), "the registry lists every Format once, in the enum's order");

constexpr auto kInfos = [] {
  std::array<FormatInfo, std::size(kRegistry)> infos{};
  for (size_t i = 0; i < infos.size(); ++i)
    infos[i] = kRegistry[i].info;
  return infos;
}();

// `name` spelled as `canonical`, each '_' of which may be given as '-'.
constexpr bool names(std::string_view canonical, std::string_view name) noexcept {
  if (name.size() != canonical.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != canonical[i] && !(canonical[i] == '_' && name[i] == '-')) return false;
  }
  return true;
}

}  // namespace

std::span<const FormatEntry> format_registry() noexcept {
  return kRegistry;
}

const FormatEntry* find_format(Format format) noexcept {
  const auto index = static_cast<size_t>(format);
  return index < std::size(kRegistry) ? &kRegistry[index] : nullptr;
}

std::string format_name_list(bool only_appendable) {
  std::string list;
  std::string_view pending;  // the last name so far, written with " or " or ", "
  for (const FormatEntry& entry : kRegistry) {
    if (only_appendable && !entry.info.appendable) continue;
    if (!pending.empty()) list.append(list.empty() ? "" : ", ").append(pending);
    pending = entry.info.name;
  }
  return list.empty() ? std::string(pending) : list + " or " + std::string(pending);
}

std::unique_ptr<RecordEncoder> make_encoder(Format format, std::string_view exporter_name) {
  if (const FormatEntry* entry = find_format(format)) return entry->make_encoder();
  throw std::invalid_argument("hotspan: " + std::string(exporter_name) + " got Format(" +
                              std::to_string(static_cast<unsigned>(format)) +
                              "), which is no format (expected " + format_name_list() + ")");
}

}  // namespace detail

std::span<const FormatInfo> formats() noexcept {
  return detail::kInfos;
}

std::string_view format_name(Format format) noexcept {
  const detail::FormatEntry* entry = detail::find_format(format);
  return entry != nullptr ? entry->info.name : std::string_view();
}

std::string format_refusal(Format format, const SpanRecord& record) {
  const detail::FormatEntry* entry = detail::find_format(format);
  return entry != nullptr && entry->span_refusal != nullptr ? entry->span_refusal(record)
                                                            : std::string();
}

std::string format_refusal(Format format, const Resource& resource) {
  const detail::FormatEntry* entry = detail::find_format(format);
  return entry != nullptr && entry->resource_refusal != nullptr ? entry->resource_refusal(resource)
                                                                : std::string();
}

std::optional<Format> format_from_name(std::string_view name) noexcept {
  for (const detail::FormatEntry& entry : detail::kRegistry) {
    if (detail::names(entry.info.name, name)) return entry.info.format;
  }
  return std::nullopt;
}

}  // namespace hotspan
