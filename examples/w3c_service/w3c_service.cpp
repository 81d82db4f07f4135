// hotspan example — w3c_service: the test service of the official W3C Trace
// Context test suite (https://github.com/w3c/trace-context, test/), propagating
// through hotspan's public API only. scripts/w3c_suite.sh builds it, starts it
// and runs the suite against it.
//
//   w3c_service [PORT]        (default 5000; 0 binds a free port)
//
// Once it listens it prints "w3c_service: listening on http://127.0.0.1:PORT/test"
// on stdout. The suite's protocol (test/README.md): the harness POSTs a JSON
// array of {"url": ..., "arguments": [...]} objects; for each of them the
// service POSTs `arguments` (as JSON) to `url`, with the trace context it
// received passed on. Here:
//  * every traceparent and every tracestate header line of the request
//    (names compared case-insensitively, values without their surrounding
//    whitespace) is joined with ',' as RFC 9110 §5.3 combines repeated fields,
//    and both go to hotspan::extract_context();
//  * one server span per request, started under the extracted context, and one
//    client span per callback, a child of the server span: each callback
//    carries its own parent id in `traceparent` (to_traceparent), and the
//    extracted tracestate when it is not empty.
// The HTTP side is minimal: HTTP/1.1 on 127.0.0.1, one connection at a time, a
// Content-Length body, every answer with Connection: close. Each request is
// logged on stderr: the headers received, what extract_context() made of them,
// and the headers sent with each callback. SIGTERM or SIGINT stops it.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <hotspan/hotspan.hpp>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // set from a signal handler

void request_stop(int) {
  g_stop.store(true, std::memory_order_relaxed);
}

constexpr size_t kMaxHeaderBytes = 1 << 20;
constexpr size_t kMaxBodyBytes = 16 << 20;

struct Request {
  std::string method;
  std::string target;
  std::vector<std::string> traceparent;  // every line, in order
  std::vector<std::string> tracestate;
  std::string body;
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A field value without its leading and trailing whitespace (RFC 9110 §5.5).
std::string_view trim_ows(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string join(const std::vector<std::string>& lines) {
  std::string joined;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) joined += ',';
    joined += lines[i];
  }
  return joined;
}

// Reads one request from `fd`. An error message when it is not one this
// service takes (the answer is then 400 or 411 with that message).
std::optional<std::string> read_request(int fd, Request& request, int& status) {
  std::string data;
  size_t header_end = std::string::npos;
  char buffer[16384];
  while (header_end == std::string::npos) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "connection closed before the end of the headers";
    data.append(buffer, static_cast<size_t>(n));
    header_end = data.find("\r\n\r\n");
    if (header_end == std::string::npos && data.size() > kMaxHeaderBytes) {
      return "headers too large";
    }
  }
  const std::string_view head(data.data(), header_end);
  size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const size_t space1 = request_line.find(' ');
  const size_t space2 = request_line.find(' ', space1 == std::string_view::npos ? 0 : space1 + 1);
  if (space1 == std::string_view::npos || space2 == std::string_view::npos) {
    return "malformed request line";
  }
  request.method = request_line.substr(0, space1);
  request.target = request_line.substr(space1 + 1, space2 - space1 - 1);

  std::optional<size_t> content_length;
  bool chunked = false;
  while (line_end != std::string_view::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return "malformed header line";
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "traceparent")) {
      request.traceparent.emplace_back(value);
    } else if (iequals(name, "tracestate")) {
      request.tracestate.emplace_back(value);
    } else if (iequals(name, "content-length")) {
      size_t length = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (error != std::errc() || end != value.data() + value.size() || value.empty() ||
          (content_length && *content_length != length)) {
        return "invalid Content-Length";
      }
      content_length = length;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = true;
    }
  }
  if (chunked || (!content_length && request.method == "POST")) {
    status = 411;
    return "a Content-Length body is required";
  }
  const size_t length = content_length.value_or(0);
  if (length > kMaxBodyBytes) return "body too large";
  request.body = data.substr(header_end + 4);
  while (request.body.size() < length) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "connection closed before the end of the body";
    request.body.append(buffer, static_cast<size_t>(n));
  }
  request.body.resize(length);
  return std::nullopt;
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the peer went away: nothing more to tell it
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void respond(int fd, int status, std::string_view reason, std::string_view content_type,
             std::string_view body) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                         "\r\nContent-Type: " + std::string(content_type) +
                         "\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n";
  response += body;
  send_all(fd, response);
}

size_t discard_body(char*, size_t size, size_t count, void*) {
  return size * count;
}

// POSTs `body` to `url` with the given extra header lines. The HTTP status, or
// an error message.
std::string post_callback(CURL* curl, const std::string& url, const std::string& body,
                          const std::vector<std::string>& headers) {
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  for (const std::string& header : headers)
    list = curl_slist_append(list, header.c_str());
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  if (code != CURLE_OK) return std::string("error: ") + curl_easy_strerror(code);
  return std::to_string(status);
}

// Quoted for the log: the suite sends tabs and spaces that matter.
std::string printable(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + '"';
}

void log_lines(const char* name, const std::vector<std::string>& lines) {
  for (const std::string& line : lines)
    std::fprintf(stderr, "  < %s: %s\n", name, printable(line).c_str());
}

void handle(int fd, hotspan::Tracer& tracer, CURL* curl, simdjson::dom::parser& parser) {
  Request request;
  int status = 400;
  if (const std::optional<std::string> error = read_request(fd, request, status)) {
    std::fprintf(stderr, "w3c_service: %s\n", error->c_str());
    respond(fd, status, status == 411 ? "Length Required" : "Bad Request", "text/plain",
            *error + "\n");
    return;
  }
  if (request.method != "POST") {
    respond(fd, 405, "Method Not Allowed", "text/plain", "POST only\n");
    return;
  }
  std::fprintf(stderr, "w3c_service: POST %s\n", request.target.c_str());
  log_lines("traceparent", request.traceparent);
  log_lines("tracestate", request.tracestate);

  const std::string traceparent = join(request.traceparent);
  const std::string tracestate = join(request.tracestate);
  const hotspan::ExtractedContext in = hotspan::extract_context(traceparent, tracestate);
  std::string extracted =
      in.context.valid() ? hotspan::to_traceparent(in.context) : std::string("(new trace)");
  if (!in.trace_state.empty()) extracted += " tracestate " + printable(in.trace_state.header());
  if (!in.traceparent_error.empty()) extracted += " | " + std::string(in.traceparent_error);
  if (!in.tracestate_error.empty()) extracted += " | " + std::string(in.tracestate_error);
  std::fprintf(stderr, "  extracted: %s\n", extracted.c_str());

  simdjson::dom::element document;
  simdjson::dom::array actions;
  const simdjson::padded_string padded(request.body);
  if (parser.parse(padded).get(document) != simdjson::SUCCESS ||
      document.get_array().get(actions) != simdjson::SUCCESS) {
    std::fprintf(stderr, "w3c_service: the body is not a JSON array\n");
    respond(fd, 400, "Bad Request", "text/plain", "expected a JSON array\n");
    return;
  }

  hotspan::Span server =
      tracer.start_span("POST " + request.target, hotspan::SpanKind::server, in.context);
  const hotspan::SpanContext server_context = server.context();
  for (const simdjson::dom::element action : actions) {
    std::string_view url;
    if (action["url"].get_string().get(url) != simdjson::SUCCESS) {
      std::fprintf(stderr, "w3c_service: an action without a \"url\" string\n");
      continue;
    }
    simdjson::dom::element arguments;
    const std::string body = action["arguments"].get(arguments) == simdjson::SUCCESS
                                 ? simdjson::minify(arguments)
                                 : std::string("[]");
    hotspan::Span client =
        tracer.start_span("POST callback", hotspan::SpanKind::client, server_context);
    std::vector<std::string> headers{"traceparent: " + hotspan::to_traceparent(client.context())};
    if (!in.trace_state.empty()) {
      headers.push_back("tracestate: " + std::string(in.trace_state.header()));
    }
    const std::string url_text(url);
    const std::string result = post_callback(curl, url_text, body, headers);
    std::fprintf(stderr, "  > POST %s -> %s\n", url_text.c_str(), result.c_str());
    for (const std::string& header : headers)
      std::fprintf(stderr, "    > %s\n", header.c_str());
    if (result.starts_with("error")) client.record_error(result);
    client.end();
  }
  server.end();
  respond(fd, 200, "OK", "application/json", "{}");
}

}  // namespace

int main(int argc, char** argv) {
  long port = 5000;
  if (argc > 2 ||
      (argc == 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0))) {
    std::fputs("usage: w3c_service [PORT]   (default 5000; 0 binds a free port)\n",
               argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  if (argc == 2) {
    char* end = nullptr;
    port = std::strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || port < 0 || port > 65535) {
      std::fprintf(stderr, "w3c_service: invalid port %s\n", argv[1]);
      return 2;
    }
  }

  struct sigaction action {};
  action.sa_handler = request_stop;  // no SA_RESTART: accept() returns EINTR at once
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t address_size = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 16) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &address_size) != 0) {
    std::fprintf(stderr, "w3c_service: cannot listen on 127.0.0.1:%ld: %s\n", port,
                 std::strerror(errno));
    return 1;
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    std::fputs("w3c_service: curl_easy_init failed\n", stderr);
    return 1;
  }
  simdjson::dom::parser parser;
  hotspan::TracerOptions options;
  options.service_name = "w3c_service";  // no exporter: the spans only propagate
  hotspan::Tracer tracer(std::move(options));

  std::printf("w3c_service: listening on http://127.0.0.1:%u/test\n", ntohs(address.sin_port));
  std::fflush(stdout);
  while (!g_stop.load(std::memory_order_relaxed)) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      std::fprintf(stderr, "w3c_service: accept: %s\n", std::strerror(errno));
      break;
    }
    const timeval timeout{10, 0};  // a stalled client does not hold the service
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    handle(fd, tracer, curl, parser);
    close(fd);
  }
  close(listener);
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  return g_stop.load(std::memory_order_relaxed) ? 0 : 1;
}
