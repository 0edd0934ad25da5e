#include "load_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

namespace fluxgate::bench {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr auto kReconnectBackoff = std::chrono::milliseconds(100);

int64_t CountOccurrences(std::string_view haystack, std::string_view needle) {
  int64_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// Adds one to error_codes[code] for every `"ErrorCode":"<code>"` in a PutRecords reply.
void CountRecordErrors(std::string_view body, std::map<std::string, int64_t>* error_codes) {
  size_t from = 0;
  while (true) {
    const size_t at = body.find("\"ErrorCode\"", from);
    if (at == std::string_view::npos) return;
    std::string code;
    if (FindJsonString(body.substr(at), "ErrorCode", &code)) ++(*error_codes)[code];
    from = at + 11;
  }
}

// One thread's share of the connections, driven by its own epoll instance.
// Touched only by the thread running Run() (Open() runs before that thread starts).
class Worker {
 public:
  Worker(const LoadPlan& plan, const LoadTimes& times, std::atomic<int64_t>* tickets,
         std::vector<int> conn_ids)
      : plan_(plan), times_(times), tickets_(tickets) {
    for (int id : conn_ids) {
      auto conn = std::make_unique<Conn>();
      conn->index = static_cast<uint32_t>(conns_.size());
      // Spread the connections over the distinct bodies so that concurrent calls carry
      // different partition keys.
      conn->next_body = static_cast<size_t>(id) * 7 % plan.requests->size();
      conns_.push_back(std::move(conn));
    }
    stats_.latencies_us.reserve(1 << 16);
  }

  ~Worker() {
    for (auto& c : conns_) {
      if (c->fd >= 0) close(c->fd);
    }
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  BenchStatus Open() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return BenchStatus::Error(std::string("epoll: ") + strerror(errno));
    for (auto& c : conns_) {
      std::string error;
      if (!Connect(*c, &error)) return BenchStatus::Error(error);
    }
    return BenchStatus::Ok();
  }

  void Run() {
    const auto start_now = Clock::now();
    for (auto& c : conns_) StartCall(*c, start_now);
    epoll_event events[64];
    Clock::time_point stop_time{};
    while (true) {
      const auto now = Clock::now();
      if (!stopping_ && (plan_.max_calls == 0 ? now >= times_.end : tickets_exhausted_)) {
        stopping_ = true;
      }
      if (stopping_) {
        if (stop_time == Clock::time_point{}) stop_time = now;
        const int busy = BusyCount();
        if (busy == 0) break;
        if (now >= stop_time + plan_.drain) {
          stats_.unfinished_calls += busy;
          break;
        }
      }
      const int n = epoll_wait(epoll_fd_, events, 64, 5);
      if (n < 0 && errno != EINTR) {
        NoteError(std::string("epoll_wait: ") + strerror(errno));
        break;
      }
      for (int i = 0; i < n; ++i) {
        const uint32_t index = static_cast<uint32_t>(events[i].data.u64 & 0xffffffffu);
        const uint32_t generation = static_cast<uint32_t>(events[i].data.u64 >> 32);
        Conn& c = *conns_[index];
        if (c.fd < 0 || c.generation != generation) continue;  // stale event
        if (events[i].events & EPOLLOUT) TrySend(c);
        if (c.fd >= 0 && c.generation == generation &&
            (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
          OnReadable(c);
        }
      }
      // Bring back connections whose reconnect failed earlier.
      const auto after = Clock::now();
      for (auto& c : conns_) {
        if (c->fd < 0 && !stopping_ && after >= c->retry_at) {
          std::string error;
          if (Connect(*c, &error)) {
            StartCall(*c, after);
          } else {
            c->retry_at = after + kReconnectBackoff;
            NoteError(error);
          }
        }
      }
    }
  }

  LoadStats& stats() { return stats_; }

 private:
  struct Conn {
    uint32_t index = 0;
    uint32_t generation = 0;  // bumped on every reconnect, to drop stale epoll events
    int fd = -1;
    size_t next_body = 0;
    const std::string* request = nullptr;
    size_t sent = 0;
    bool busy = false;
    bool ticketed = false;  // count mode: this call is one of the measured ones
    Clock::time_point started{};
    Clock::time_point retry_at{};
    ResponseParser parser;
  };

  bool Connect(Conn& c, std::string* error) {
    c.fd = ConnectTcp(plan_.endpoint, /*nonblocking=*/true, error);
    if (c.fd < 0) return false;
    ++c.generation;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = (static_cast<uint64_t>(c.generation) << 32) | c.index;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      *error = std::string("epoll_ctl: ") + strerror(errno);
      close(c.fd);
      c.fd = -1;
      return false;
    }
    c.parser.Reset();
    return true;
  }

  int BusyCount() const {
    int busy = 0;
    for (const auto& c : conns_) busy += c->busy ? 1 : 0;
    return busy;
  }

  bool Measured(const Conn& c, Clock::time_point now) const {
    if (plan_.max_calls > 0) return c.ticketed;
    return now >= times_.warm_end && now <= times_.end;
  }

  void NoteError(const std::string& error) {
    if (stats_.first_error.empty()) stats_.first_error = error;
  }

  void StartCall(Conn& c, Clock::time_point now) {
    c.busy = false;
    if (stopping_ || c.fd < 0) return;
    if (plan_.max_calls == 0) {
      if (now >= times_.end) return;
    } else {
      c.ticketed = false;
      if (now >= times_.warm_end) {
        if (tickets_->fetch_add(1, std::memory_order_relaxed) >= plan_.max_calls) {
          tickets_exhausted_ = true;
          return;
        }
        c.ticketed = true;
      }
    }
    c.request = &(*plan_.requests)[c.next_body];
    c.next_body = (c.next_body + 1) % plan_.requests->size();
    c.sent = 0;
    c.busy = true;
    c.started = now;
    c.parser.Reset();
    TrySend(c);
  }

  void TrySend(Conn& c) {
    while (c.busy && c.sent < c.request->size()) {
      const ssize_t n =
          send(c.fd, c.request->data() + c.sent, c.request->size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      OnBroken(c, std::string("send: ") + strerror(errno));
      return;
    }
  }

  void OnReadable(Conn& c) {
    const uint32_t generation = c.generation;
    while (c.fd >= 0 && c.generation == generation) {
      char* tail = c.parser.WritableTail(kReadChunk);
      const ssize_t n = recv(c.fd, tail, c.parser.TailCapacity(), 0);
      if (n > 0) {
        c.parser.Commit(static_cast<size_t>(n));
        if (!c.busy) {
          OnBroken(c, "server sent bytes while no call was in flight");
          return;
        }
        std::string error;
        if (!c.parser.Parse(&error)) {
          OnBroken(c, "unparseable response: " + error);
          return;
        }
        if (c.parser.Complete()) OnResponse(c, Clock::now());
        continue;
      }
      if (n == 0) {
        OnBroken(c, "connection closed by server");
        return;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      OnBroken(c, std::string("recv: ") + strerror(errno));
      return;
    }
  }

  void OnResponse(Conn& c, Clock::time_point now) {
    const bool measured = Measured(c, now);
    const int status = c.parser.status();
    const std::string_view body = c.parser.Body();
    int64_t failed = plan_.batch;
    if (status == 200) {
      int64_t reported = -1;
      if (!FindJsonInt(body, "FailedRecordCount", &reported) || reported < 0 ||
          reported > plan_.batch) {
        if (measured) ++stats_.malformed_calls;
        NoteError("200 response without a valid FailedRecordCount: " +
                  std::string(body.substr(0, 200)));
      } else if (plan_.verify &&
                 CountOccurrences(body, "\"SequenceNumber\"") != plan_.batch - reported) {
        if (measured) ++stats_.malformed_calls;
        NoteError("200 response whose Records do not match FailedRecordCount=" +
                  std::to_string(reported) + ": " + std::string(body.substr(0, 200)));
      } else {
        failed = reported;
        if (failed > 0 && measured) {
          ++stats_.partial_calls;
          CountRecordErrors(body, &stats_.error_codes);
        }
      }
    } else {
      std::string type;
      if (!FindJsonString(body, "__type", &type)) type = "HTTP " + std::to_string(status);
      if (measured) {
        ++stats_.non200_calls;
        ++stats_.error_codes[type];
      }
      std::string message;
      FindJsonString(body, "message", &message) || FindJsonString(body, "Message", &message);
      NoteError("HTTP " + std::to_string(status) + " " + type + ": " + message.substr(0, 200));
    }
    if (measured) {
      ++stats_.calls;
      ++stats_.status_counts[status];
      stats_.acked_records += plan_.batch - failed;
      stats_.failed_records += failed;
      stats_.bytes_sent += static_cast<int64_t>(c.request->size());
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - c.started);
      stats_.latencies_us.push_back(
          static_cast<uint32_t>(std::min<int64_t>(us.count(), UINT32_MAX)));
      stats_.last_completion = std::max(stats_.last_completion, now);
    }
    c.busy = false;
    if (!c.parser.keep_alive() || c.sent < c.request->size()) {
      // The server closes after this response, or answered before reading the whole
      // request: either way this connection cannot carry the next call.
      close(c.fd);
      c.fd = -1;
      std::string error;
      if (!Connect(c, &error)) {
        c.retry_at = now + kReconnectBackoff;
        NoteError(error);
        return;
      }
    }
    StartCall(c, now);
  }

  void OnBroken(Conn& c, const std::string& why) {
    const auto now = Clock::now();
    if (c.busy && Measured(c, now)) {
      ++stats_.calls;
      ++stats_.transport_errors;
      stats_.failed_records += plan_.batch;
    }
    if (c.busy || !stopping_) NoteError(why);
    c.busy = false;
    close(c.fd);
    c.fd = -1;
    if (stopping_) return;
    std::string error;
    if (!Connect(c, &error)) {
      c.retry_at = now + kReconnectBackoff;
      NoteError(error);
      return;
    }
    StartCall(c, now);
  }

  const LoadPlan& plan_;
  const LoadTimes& times_;
  std::atomic<int64_t>* tickets_;
  int epoll_fd_ = -1;
  bool stopping_ = false;
  bool tickets_exhausted_ = false;
  std::vector<std::unique_ptr<Conn>> conns_;
  LoadStats stats_;
};

}  // namespace

void LoadStats::Merge(LoadStats&& other) {
  calls += other.calls;
  acked_records += other.acked_records;
  failed_records += other.failed_records;
  partial_calls += other.partial_calls;
  non200_calls += other.non200_calls;
  transport_errors += other.transport_errors;
  malformed_calls += other.malformed_calls;
  bytes_sent += other.bytes_sent;
  unfinished_calls += other.unfinished_calls;
  for (const auto& [status, count] : other.status_counts) status_counts[status] += count;
  for (const auto& [code, count] : other.error_codes) error_codes[code] += count;
  if (first_error.empty()) first_error = std::move(other.first_error);
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
  last_completion = std::max(last_completion, other.last_completion);
}

BenchStatus RunLoad(const LoadPlan& plan, LoadStats* stats, LoadTimes* times,
                    const std::function<void()>& on_warm_end, const std::function<void()>& on_end) {
  if (plan.requests == nullptr || plan.requests->empty()) {
    return BenchStatus::Error("no requests to send");
  }
  const int threads = std::max(1, std::min(plan.threads, plan.connections));
  std::atomic<int64_t> tickets{0};
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    std::vector<int> ids;
    for (int id = t; id < plan.connections; id += threads) ids.push_back(id);
    workers.push_back(std::make_unique<Worker>(plan, *times, &tickets, std::move(ids)));
    if (BenchStatus s = workers.back()->Open(); !s.ok()) return s;
  }

  times->start = Clock::now();
  times->warm_end = times->start + plan.warmup;
  times->end = plan.max_calls > 0 ? Clock::time_point::max() : times->warm_end + plan.duration;

  std::vector<std::thread> running;
  for (auto& w : workers) running.emplace_back([worker = w.get()] { worker->Run(); });

  std::this_thread::sleep_until(times->warm_end);
  on_warm_end();
  if (plan.max_calls == 0) {
    std::this_thread::sleep_until(times->end);
    on_end();
  }
  for (auto& t : running) t.join();
  for (auto& w : workers) stats->Merge(std::move(w->stats()));
  if (plan.max_calls > 0) {
    on_end();
    times->end = stats->last_completion;
  }
  return BenchStatus::Ok();
}

}  // namespace fluxgate::bench
