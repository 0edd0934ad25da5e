#include "metrics/registry.h"

namespace fluxgate::metrics {

const char* MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

Sample& FamilySink::Add(const std::string& name, const std::string& help, MetricType type,
                        Labels labels) {
  auto [it, inserted] = families_.try_emplace(name);
  MetricFamily& f = it->second;
  if (inserted) {
    f.name = name;
    f.help = help;
    f.type = type;
  }
  f.samples.push_back(Sample{std::move(labels), 0, {}});
  return f.samples.back();
}

void FamilySink::Counter(const std::string& name, const std::string& help, Labels labels,
                         double value) {
  Add(name, help, MetricType::kCounter, std::move(labels)).value = value;
}

void FamilySink::Gauge(const std::string& name, const std::string& help, Labels labels,
                       double value) {
  Add(name, help, MetricType::kGauge, std::move(labels)).value = value;
}

void FamilySink::Histogram(const std::string& name, const std::string& help, Labels labels,
                           HistogramData data) {
  Add(name, help, MetricType::kHistogram, std::move(labels)).histogram = std::move(data);
}

std::vector<MetricFamily> FamilySink::Take() {
  std::vector<MetricFamily> out;
  out.reserve(families_.size());
  for (auto& [name, f] : families_) out.push_back(std::move(f));
  families_.clear();
  return out;
}

Registry::Entry& Registry::Find(const std::string& name, const std::string& help, MetricType type,
                                const Labels& labels) {
  auto [it, inserted] = instruments_.try_emplace(Key{name, labels});
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  }
  return it->second;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kCounter, labels);
  if (!e.counter) e.counter = std::make_unique<metrics::Counter>();
  return *e.counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kGauge, labels);
  if (!e.gauge) e.gauge = std::make_unique<metrics::Gauge>();
  return *e.gauge;
}

AtomicHistogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                        const Labels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kHistogram, labels);
  if (!e.histogram) e.histogram = std::make_unique<AtomicHistogram>(std::move(bounds));
  return *e.histogram;
}

void Registry::AddCollector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::vector<MetricFamily> Registry::Collect() const {
  FamilySink sink;
  std::lock_guard lock(mu_);
  for (const auto& [key, e] : instruments_) {
    if (e.counter) sink.Counter(key.name, e.help, key.labels, e.counter->value());
    if (e.gauge) sink.Gauge(key.name, e.help, key.labels, e.gauge->value());
    if (e.histogram) sink.Histogram(key.name, e.help, key.labels, e.histogram->Snapshot());
  }
  for (const Collector& c : collectors_) c(sink);
  return sink.Take();
}

}  // namespace fluxgate::metrics
