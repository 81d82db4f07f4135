// hotspan tool — the self-contained HTML page of `hotspan report`.
//
// The page's sources are tools/report/report.{html,css,js}, embedded into the
// binary at build time (tools/report/embed_page.cmake). The page loads nothing
// from the network: the style sheet and the script are inlined, and a Content
// Security Policy with a fresh random nonce per page runs only the page's own
// two scripts — so even markup that slipped into the page could not execute.
// The span data goes into a <script type="application/json"> element; JSON
// text cannot end that element once "<", ">" and "&" are written as \u003c,
// \u003e and \u0026 (valid inside JSON strings, the only place they can occur),
// and U+2028/U+2029 are escaped as well for readers that treat them as line
// ends.
#pragma once

#include <string>
#include <string_view>

namespace hotspan::tool {

// `json` (valid UTF-8 JSON) with "<", ">", "&", U+2028 and U+2029 escaped.
std::string script_safe_json(std::string_view json);

// The page with `data_json` (report_data.hpp) embedded.
std::string render_report_page(std::string_view data_json);

}  // namespace hotspan::tool
