#include "quality/service.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <shared_mutex>

#include "common/json_writer.h"
#include "common/logging.h"
#include "quality/record_check.h"

namespace fluxgate::quality {

namespace {

// LogManager -> Service. A handful of entries at most (one per in-process node).
std::atomic<int> g_registered{0};
std::shared_mutex g_registry_mu;
std::vector<std::pair<const log::LogManager*, Service*>>& Registry() {
  static auto* registry = new std::vector<std::pair<const log::LogManager*, Service*>>();
  return *registry;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kSweepIntervalMs = 1000;

}  // namespace

Service::Service(Options options) : options_(std::move(options)) {}

Service::~Service() { Stop(); }

Result<std::unique_ptr<Service>> Service::Start(const QualityConfig& config, Options options) {
  if (options.log == nullptr) return Status::InvalidArgument("quality: no log");
  std::unique_ptr<Service> svc(new Service(std::move(options)));
  svc->poll_interval_ms_ = config.poll_interval_ms;
  if (!config.enabled) return svc;
  auto logger = GetLogger("quality");
  log::LogManager* log = svc->options_.log;
  for (size_t i = 0; i < config.streams.size(); ++i) {
    FG_ASSIGN_OR_RETURN(auto rules, StreamRules::Make(config.streams[i], i));
    if (rules->on_invalid() == OnInvalid::kDeadLetter) {
      const std::string& dl = rules->dead_letter_stream();
      if (log->DescribeStream(dl).status().IsNotFound()) {
        Status st = log->CreateStream(dl, config.streams[i].dead_letter_shards,
                                      log::StreamMode::kProvisioned, {});
        if (!st.ok() && !(st.code() == Status::Code::kAlreadyExists))
          return Status::InvalidArgument("quality.streams[" + std::to_string(i) +
                                         "]: creating dead-letter stream '" + dl +
                                         "': " + st.message());
      }
    }
    logger->info("quality: stream {}: {} schema fields, {} sensor ranges, on_invalid = {}{}",
                 rules->stream(), rules->declared_columns(), rules->ranges().size(),
                 OnInvalidName(rules->on_invalid()),
                 rules->on_invalid() == OnInvalid::kDeadLetter
                     ? " -> " + rules->dead_letter_stream()
                     : std::string());
    Monitor::Options mo;
    mo.now_ms = svc->options_.now_ms;
    mo.publish = svc->options_.publish;
    svc->streams_.push_back(std::make_unique<StreamQuality>(std::move(rules), log, mo));
  }
  if (svc->streams_.empty()) return svc;
  if (svc->options_.register_for_ingest) {
    std::unique_lock<std::shared_mutex> lock(g_registry_mu);
    Registry().emplace_back(log, svc.get());
    g_registered.fetch_add(1, std::memory_order_relaxed);
    svc->registered_ = true;
  }
  if (svc->options_.start_thread) svc->thread_ = std::thread([s = svc.get()] { s->Run(); });
  return svc;
}

void Service::Stop() {
  if (registered_) {
    std::unique_lock<std::shared_mutex> lock(g_registry_mu);
    auto& r = Registry();
    r.erase(std::remove_if(r.begin(), r.end(), [this](const auto& e) { return e.second == this; }),
            r.end());
    g_registered.fetch_sub(1, std::memory_order_relaxed);
    registered_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Service* Service::For(const log::LogManager* log) {
  if (g_registered.load(std::memory_order_relaxed) == 0) return nullptr;
  std::shared_lock<std::shared_mutex> lock(g_registry_mu);
  for (const auto& [l, s] : Registry())
    if (l == log) return s;
  return nullptr;
}

StreamQuality* Service::Find(std::string_view stream) const {
  for (const auto& s : streams_)
    if (s->rules().stream() == stream) return s.get();
  return nullptr;
}

uint64_t Service::PollOnce() {
  uint64_t n = 0;
  for (auto& s : streams_) {
    auto r = s->monitor().Poll();
    if (r.ok()) n += *r;
    s->monitor().Sweep();
  }
  return n;
}

void Service::Run() {
  auto logger = GetLogger("quality");
  int64_t last_sweep = 0;
  while (true) {
    uint64_t n = 0;
    for (auto& s : streams_) {
      auto r = s->monitor().Poll();
      if (!r.ok()) {
        logger->warn("quality: reading stream {}: {}", s->rules().stream(), r.status().message());
      } else {
        n += *r;
      }
    }
    const int64_t now = options_.now_ms ? options_.now_ms() : WallMs();
    if (now - last_sweep >= kSweepIntervalMs || now < last_sweep) {
      for (auto& s : streams_) s->monitor().Sweep();
      last_sweep = now;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (n == 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(poll_interval_ms_), [this] { return stop_; });
      if (stop_) return;
    }
  }
}

std::string DeadLetterJson(std::string_view reason, std::string_view field, std::string_view stream,
                           std::string_view partition_key, int64_t received_ms,
                           std::string_view data) {
  std::string out;
  out.reserve(data.size() + reason.size() + 160);
  JsonWriter w(out);
  w.BeginObject().Key("reason").String(reason);
  if (!field.empty()) w.Key("field").String(field);
  w.Key("stream").String(stream).Key("partition_key").String(partition_key);
  w.Key("received_at").String(alerts::FormatTimeUtc(received_ms));
  if (simdjson::validate_utf8(data.data(), data.size())) {
    w.Key("data").String(data);
  } else {
    w.Key("data_base64").Base64(data);
  }
  w.EndObject();
  return out;
}

Status CheckedAppend(log::LogManager* log, const std::string& stream,
                     std::span<const log::AppendRecord> records, log::AppendCallback done) {
  Service* svc = Service::For(log);
  StreamQuality* sq = svc ? svc->Find(stream) : nullptr;
  if (sq == nullptr || !sq->rules().checks_on_ingest())
    return log->Append(stream, records, std::move(done));
  const StreamRules& rules = sq->rules();
  thread_local RecordChecker checker;
  thread_local RecordView view;
  const size_t n = records.size();
  size_t first_bad = n;
  for (size_t i = 0; i < n; ++i) {
    if (!checker.Check(rules, records[i].data, &view)) {
      first_bad = i;
      break;
    }
  }
  if (first_bad == n) return log->Append(stream, records, std::move(done));

  // Some record is invalid: split the batch. Rare by assumption, so allocation is fine.
  struct Merge {
    std::vector<log::AppendResult> results;
    std::atomic<int> pending{0};
    log::AppendCallback done;
  };
  auto m = std::make_shared<Merge>();
  m->results.resize(n);
  m->done = std::move(done);
  const bool dead_letter = rules.on_invalid() == OnInvalid::kDeadLetter;
  std::vector<log::AppendRecord> kept;
  std::vector<size_t> kept_idx, dl_idx;
  std::vector<std::string> dl_docs;
  kept.reserve(n);
  const int64_t now = WallMs();
  for (size_t i = 0; i < n; ++i) {
    const bool ok = i < first_bad    ? true
                    : i == first_bad ? false
                                     : checker.Check(rules, records[i].data, &view);
    if (ok) {
      kept.push_back(records[i]);
      kept_idx.push_back(i);
      continue;
    }
    sq->monitor().OnIngestInvalid(view, dead_letter);
    const std::string reason = view.Reason(rules);
    if (dead_letter) {
      dl_docs.push_back(DeadLetterJson(reason, view.ProblemField(rules), stream,
                                       records[i].partition_key, now, records[i].data));
      dl_idx.push_back(i);
    } else {
      log::AppendResult& r = m->results[i];
      r.ok = false;
      r.error_code = kRejectedErrorCode;
      r.error_message =
          "Record rejected by the data-quality schema of stream " + stream + ": " + reason;
    }
  }
  m->pending = (kept.empty() ? 0 : 1) + (dl_docs.empty() ? 0 : 1);
  if (m->pending == 0) {
    m->done(std::move(m->results));
    return Status::Ok();
  }
  auto finish = [](const std::shared_ptr<Merge>& mm) {
    if (mm->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) mm->done(std::move(mm->results));
  };
  if (!kept.empty()) {
    Status st = log->Append(stream, kept, [m, kept_idx, finish](std::vector<log::AppendResult> r) {
      for (size_t j = 0; j < kept_idx.size(); ++j) {
        if (j < r.size()) {
          m->results[kept_idx[j]] = std::move(r[j]);
        } else {
          m->results[kept_idx[j]].error_code = "InternalFailure";
        }
      }
      finish(m);
    });
    if (!st.ok()) return st;  // nothing appended, `done` never runs
  }
  if (!dl_docs.empty()) {
    std::vector<log::AppendRecord> dl;
    dl.reserve(dl_docs.size());
    for (size_t j = 0; j < dl_docs.size(); ++j) {
      const log::AppendRecord& orig = records[dl_idx[j]];
      dl.push_back(log::AppendRecord{orig.partition_key, dl_docs[j], orig.explicit_hash_key});
    }
    auto dl_done = [m, dl_idx, finish](std::vector<log::AppendResult> r) {
      for (size_t j = 0; j < dl_idx.size(); ++j) {
        if (j < r.size()) {
          m->results[dl_idx[j]] = std::move(r[j]);
        } else {
          m->results[dl_idx[j]].error_code = "InternalFailure";
        }
      }
      finish(m);
    };
    const std::string& dl_stream = rules.dead_letter_stream();
    Status st = log->Append(dl_stream, dl, dl_done);
    if (st.IsNotFound()) {  // deleted since startup: create it again
      Status cs = log->CreateStream(dl_stream, rules.config().dead_letter_shards,
                                    log::StreamMode::kProvisioned, {});
      if (cs.ok() || cs.code() == Status::Code::kAlreadyExists)
        st = log->Append(dl_stream, dl, dl_done);
    }
    if (!st.ok()) {
      for (size_t i : dl_idx) {
        m->results[i].ok = false;
        m->results[i].error_code = "InternalFailure";
        m->results[i].error_message = "dead-letter stream " + dl_stream + ": " + st.message();
      }
      finish(m);
    }
  }
  return Status::Ok();
}

}  // namespace fluxgate::quality
