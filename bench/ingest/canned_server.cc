#include "canned_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fluxgate::bench {
namespace {

constexpr std::string_view kRecordEntry =
    "{\"SequenceNumber\":\"49590338271490256608559692538361571095921575989136588898\","
    "\"ShardId\":\"shardId-000000000000\"}";

std::string Reply(std::string_view body) {
  std::string reply =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ";
  reply.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return reply;
}

struct Client {
  std::string in;
  std::string out;
  size_t out_sent = 0;
};

class CannedServer {
 public:
  // The canned PutRecords replies, by record count, built on first use.
  const std::string& PutRecordsReply(size_t records) {
    auto& reply = put_replies_[records];
    if (reply.empty()) {
      std::string body = "{\"FailedRecordCount\":0,\"Records\":[";
      for (size_t i = 0; i < records; ++i) {
        if (i > 0) body.push_back(',');
        body.append(kRecordEntry);
      }
      body.append("]}");
      reply = Reply(body);
    }
    return reply;
  }

  // Consumes complete requests from c.in and queues their replies in c.out.
  // Returns false on a request it cannot frame (no Content-Length).
  bool Serve(Client& c) {
    while (true) {
      const size_t head_end = c.in.find("\r\n\r\n");
      if (head_end == std::string::npos) return true;
      const std::string_view head(c.in.data(), head_end);
      size_t length = 0;
      bool have_length = false;
      std::string_view target;
      size_t pos = 0;
      while (pos < head.size()) {
        size_t eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = head.size();
        const std::string_view line = head.substr(pos, eol - pos);
        pos = eol + 2;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(line.substr(0, colon));
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (name == "content-length") {
          length = std::strtoul(std::string(value).c_str(), nullptr, 10);
          have_length = true;
        } else if (name == "x-amz-target") {
          target = value;
        }
      }
      if (!have_length) return false;
      const size_t total = head_end + 4 + length;
      if (c.in.size() < total) return true;
      const std::string_view body(c.in.data() + head_end + 4, length);
      if (target.ends_with(".PutRecords")) {
        size_t records = 0;
        for (size_t at = body.find("\"PartitionKey\""); at != std::string_view::npos;
             at = body.find("\"PartitionKey\"", at + 14)) {
          ++records;
        }
        c.out.append(PutRecordsReply(records));
      } else if (target.ends_with(".DescribeStreamSummary")) {
        c.out.append(
            Reply("{\"StreamDescriptionSummary\":{\"StreamName\":\"canned\",\"StreamStatus\":"
                  "\"ACTIVE\",\"RetentionPeriodHours\":24}}"));
      } else {
        c.out.append(Reply("{}"));
      }
      c.in.erase(0, total);
    }
  }

 private:
  std::unordered_map<size_t, std::string> put_replies_;
};

}  // namespace

int RunCannedServer(uint16_t port) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 128) != 0) {
    std::fprintf(stderr, "canned server: cannot listen on 127.0.0.1:%u: %s\n", port,
                 std::strerror(errno));
    return 1;
  }
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &ev);
  std::printf("canned-server pid=%d port=%u\n", getpid(), port);
  std::fflush(stdout);

  CannedServer server;
  std::unordered_map<int, std::unique_ptr<Client>> clients;
  std::string chunk(256 * 1024, '\0');
  const auto drop = [&](int fd) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    clients.erase(fd);
  };
  epoll_event events[64];
  while (true) {
    const int n = epoll_wait(epoll_fd, events, 64, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        const int client = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event cev{};
        cev.events = EPOLLIN;
        cev.data.fd = client;
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &cev);
        clients[client] = std::make_unique<Client>();
        continue;
      }
      Client& c = *clients[fd];
      const ssize_t got = read(fd, chunk.data(), chunk.size());
      if (got <= 0) {
        drop(fd);
        continue;
      }
      c.in.append(chunk.data(), static_cast<size_t>(got));
      if (!server.Serve(c)) {
        drop(fd);
        continue;
      }
      // Replies are small next to the socket buffer; a blocking-style write loop is fine
      // for a calibration tool (the client reads replies before sending more).
      bool broken = false;
      while (c.out_sent < c.out.size()) {
        const ssize_t w = write(fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          broken = true;
          break;
        }
        c.out_sent += static_cast<size_t>(w);
      }
      if (broken) {
        drop(fd);
        continue;
      }
      c.out.clear();
      c.out_sent = 0;
    }
  }
}

}  // namespace fluxgate::bench
