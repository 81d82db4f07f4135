// Test support: a loopback TCP port that refuses connections (bound, never
// listening: the kernel answers a SYN with a reset), for exporters pointed
// at a collector that is down. Holding the port keeps anyone else from
// listening on it during the test.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

namespace hotspan_test {

class RefusingPort {
 public:
  RefusingPort() {
    _fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(_fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof(a);
    REQUIRE(::bind(_fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    REQUIRE(::getsockname(_fd, reinterpret_cast<sockaddr*>(&a), &n) == 0);
    _port = ntohs(a.sin_port);
  }
  ~RefusingPort() { ::close(_fd); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(_port); }

 private:
  int _fd = -1;
  int _port = 0;
};

}  // namespace hotspan_test
