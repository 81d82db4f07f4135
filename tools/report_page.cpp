// hotspan tool — the report page assembled from its embedded sources (see
// report_page.hpp).
#include "report_page.hpp"

#include <array>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "report_page_assets.hpp"  // generated from tools/report/

namespace hotspan::tool {
namespace {

// The places in report.html that the tool fills in.
constexpr std::string_view kStyleLink = R"(<link rel="stylesheet" href="report.css">)";
constexpr std::string_view kScriptLink =
    R"(<script nonce="HOTSPAN_NONCE" src="report.js"></script>)";
constexpr std::string_view kDataElement =
    R"(<script id="hotspan-data" type="application/json">null</script>)";
constexpr std::string_view kNoncePlaceholder = "HOTSPAN_NONCE";

void replace_once(std::string& page, std::string_view from, std::string_view to) {
  const size_t at = page.find(from);
  // The template is part of the binary: a missing marker is a bug of the build.
  if (at == std::string::npos) {
    throw std::logic_error("report.html lacks '" + std::string(from) + "'");
  }
  page.replace(at, from.size(), to);
}

// 128 random bits in hex: a CSP nonce no trace data can know in advance.
std::string random_nonce() {
  std::random_device device;
  std::string nonce;
  for (int i = 0; i < 4; ++i) {
    std::array<char, 9> hex{};
    std::snprintf(hex.data(), hex.size(), "%08x", static_cast<unsigned>(device()));
    nonce += hex.data();
  }
  return nonce;
}

}  // namespace

std::string script_safe_json(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_report_page(std::string_view data_json) {
  std::string page(kReportHtml);
  replace_once(page, kStyleLink, "<style>" + std::string(kReportCss) + "</style>");
  replace_once(page, kScriptLink,
               R"(<script nonce="HOTSPAN_NONCE">)" + std::string(kReportJs) + "</script>");
  const std::string nonce = random_nonce();
  for (size_t at = page.find(kNoncePlaceholder); at != std::string::npos;
       at = page.find(kNoncePlaceholder, at + nonce.size())) {
    page.replace(at, kNoncePlaceholder.size(), nonce);
  }
  // Last, so that nothing in the data is taken for a placeholder.
  replace_once(page, kDataElement,
               R"(<script id="hotspan-data" type="application/json">)" +
                   script_safe_json(data_json) + "</script>");
  return page;
}

}  // namespace hotspan::tool
