// Helpers shared by the alert tests: a local webhook receiver, fast retry settings,
// subscriptions and alerts to publish, and a hang guard for waiting on background delivery.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_hub.h"
#include "http/http_test_util.h"
#include "http/server.h"

namespace fluxgate::alerts::testing {

using Subscription = ServeConfig::Alerts::Subscription;

// Polls `pred` until it holds or a generous bound passes (a hang guard, not a timing check).
inline bool WaitUntil(const std::function<bool()>& pred) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A local webhook receiver: records every request and answers with the status `policy`
// returns for the n-th request (0-based); a negative status holds the request unanswered
// until Release(). With TLS files in `options` it speaks only HTTPS.
class Receiver {
 public:
  explicit Receiver(
      std::function<int(size_t)> policy = [](size_t) { return 200; },
      http::ServerOptions options = {})
      : policy_(std::move(policy)), scheme_(options.tls_cert_file.empty() ? "http" : "https") {
    server_ =
        http::testing::MustStart(options, [this](http::Request&& req, http::Responder respond) {
          std::lock_guard<std::mutex> lock(mu_);
          const int status = policy_(requests_.size());
          requests_.push_back(std::move(req));
          if (status < 0) {
            held_.push_back(std::move(respond));
            return;
          }
          http::Response r;
          r.status = status;
          r.body = "status " + std::to_string(status);
          respond(std::move(r));
        });
  }
  ~Receiver() { Stop(); }

  void Stop() {
    if (server_) server_->Stop();
  }
  uint16_t port() const { return server_->port(); }
  std::string url(const std::string& path = "/hook") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port()) + path;
  }
  // Connections accepted, TLS handshakes that failed included.
  uint64_t connections() const { return server_->stats().connections_accepted; }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  std::vector<http::Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Answers held requests 200 and answers later ones with `policy`.
  void Release(std::function<int(size_t)> policy) {
    std::vector<http::Responder> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      policy_ = std::move(policy);
      held.swap(held_);
    }
    for (auto& r : held) r(http::Response{});
  }

 private:
  std::mutex mu_;
  std::function<int(size_t)> policy_;
  const std::string scheme_;
  std::vector<http::Request> requests_;
  std::vector<http::Responder> held_;
  std::unique_ptr<http::Server> server_;
};

inline ServeConfig::Alerts FastConfig() {
  ServeConfig::Alerts c;
  c.max_attempts = 4;
  c.initial_backoff_ms = 1;
  c.max_backoff_ms = 5;
  c.webhook_timeout_ms = 10'000;
  c.drain_timeout_ms = 10'000;
  return c;
}

inline Subscription Webhook(const std::string& topic, const std::string& url) {
  Subscription s;
  s.topic = topic;
  s.kind = "webhook";
  s.url = url;
  return s;
}

inline Subscription File(const std::string& topic, const std::string& path) {
  Subscription s;
  s.topic = topic;
  s.kind = "file";
  s.path = path;
  return s;
}

inline Alert SensorAlert(const std::string& device, double value) {
  Alert a;
  a.topic = "iot-alerts";
  a.rule = "anomalies";
  a.subject = "IoT Sensor Anomaly Alert";
  a.message = "ALERT: Anomaly detected in temperature sensor " + device +
              ". Value: " + std::to_string(value) + " °C";
  a.event_time_ms = 1764097500123;
  a.attributes = "{\"device_id\":\"" + device +
                 "\",\"sensor_type\":\"temperature\",\"value\":" + std::to_string(value) + "}";
  return a;
}

inline std::unique_ptr<AlertHub> MustStart(const ServeConfig::Alerts& config,
                                           const std::string& data_dir = "") {
  auto hub = AlertHub::Start(config, data_dir);
  EXPECT_TRUE(hub.ok()) << hub.status().ToString();
  if (!hub.ok()) return nullptr;
  return std::move(hub).value();
}

inline SubscriptionStats StatsOf(const AlertHub& hub, size_t i) {
  return hub.Stats().subscriptions.at(i);
}

inline void ExpectBalanced(const SubscriptionStats& s) {
  EXPECT_EQ(s.published, s.delivered + s.failed + s.dropped + s.queued)
      << "published " << s.published << " delivered " << s.delivered << " failed " << s.failed
      << " dropped " << s.dropped << " queued " << s.queued;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/fluxgate_alerts_" + std::to_string(getpid()) + "_" + name;
}

}  // namespace fluxgate::alerts::testing
