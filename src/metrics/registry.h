// Registry: every metric the server exposes at GET /metrics and the alarms evaluate.
//
// Two ways in:
//   - owned instruments (Counter/Gauge/Histogram): a component asks once at start-up for
//     its series and keeps the reference; updates are lock-free atomics;
//   - collectors: a function called at every scrape that reads numbers a subsystem already
//     keeps (LogManager, JobManager, AlertHub, /proc) and adds them to a FamilySink. This is
//     the preferred way: nothing changes on the hot path.
//
//   Registry registry;
//   Counter& puts = registry.GetCounter("fluxgate_x_total", "Things done.", {{"stream", s}});
//   puts.Add(3);
//   registry.AddCollector([&](FamilySink& out) { out.Gauge("fluxgate_y", "Y now.", {}, y()); });
//   std::string text = RenderText(registry.Collect());   // exposition.h
//
// Thread-safety: every method may be called from any thread. Instruments live as long as
// the registry (stable addresses). Collectors run on the scraping thread with the
// registry's collector list locked, so a collector must not call back into the registry.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/family.h"
#include "metrics/histogram.h"

namespace fluxgate::metrics {

class Counter {
 public:
  void Add(double v = 1) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Where collectors put what they read. Samples of one name are grouped into one family
// (the first help text and type given for a name win).
class FamilySink {
 public:
  void Counter(const std::string& name, const std::string& help, Labels labels, double value);
  void Gauge(const std::string& name, const std::string& help, Labels labels, double value);
  void Histogram(const std::string& name, const std::string& help, Labels labels,
                 HistogramData data);
  // The families, sorted by name, each family's samples in the order added.
  std::vector<MetricFamily> Take();

 private:
  Sample& Add(const std::string& name, const std::string& help, MetricType type, Labels labels);
  std::map<std::string, MetricFamily> families_;
};

using Collector = std::function<void(FamilySink&)>;

class Registry {
 public:
  metrics::Counter& GetCounter(const std::string& name, const std::string& help,
                               const Labels& labels = {});
  metrics::Gauge& GetGauge(const std::string& name, const std::string& help,
                           const Labels& labels = {});
  // `bounds` is used the first time a series is created.
  AtomicHistogram& GetHistogram(const std::string& name, const std::string& help,
                                const Labels& labels, std::vector<double> bounds);

  void AddCollector(Collector collector);

  // Instruments and collectors' samples, families sorted by name.
  std::vector<MetricFamily> Collect() const;

 private:
  struct Key {
    std::string name;
    Labels labels;
    bool operator<(const Key& o) const {
      return name != o.name ? name < o.name : labels < o.labels;
    }
  };
  struct Entry {
    std::string help;
    MetricType type;
    std::unique_ptr<metrics::Counter> counter;
    std::unique_ptr<metrics::Gauge> gauge;
    std::unique_ptr<AtomicHistogram> histogram;
  };
  Entry& Find(const std::string& name, const std::string& help, MetricType type,
              const Labels& labels);

  mutable std::mutex mu_;
  std::map<Key, Entry> instruments_;   // GUARDED_BY(mu_)
  std::vector<Collector> collectors_;  // GUARDED_BY(mu_)
};

}  // namespace fluxgate::metrics
