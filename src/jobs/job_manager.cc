#include "jobs/job_manager.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "common/logging.h"
#include "runtime/clock.h"
#include "sql/binder.h"
#include "sql/catalog.h"

namespace fluxgate::jobs {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr char kScriptFile[] = "pipeline.sql";
constexpr char kStateFile[] = "job.state";

std::shared_ptr<spdlog::logger> Logger() { return GetLogger("jobs"); }

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Job names name directories: no separators, no "." or "..", nothing a shell would mangle.
Status ValidateJobName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength || name[0] == '.')
    return Status::InvalidArgument("job name '" + name +
                                   "' must be 1-128 characters of [A-Za-z0-9._-], not "
                                   "starting with '.'");
  for (char c : name) {
    if (!IsNameChar(c))
      return Status::InvalidArgument("job name '" + name +
                                     "' has a character outside [A-Za-z0-9._-]; set "
                                     "'pipeline.name' to another name");
  }
  return Status::Ok();
}

std::string SanitizeDefaultName(const std::string& name) {
  std::string out;
  for (char c : name) out.push_back(IsNameChar(c) ? c : '-');
  while (!out.empty() && out[0] == '.') out.erase(0, 1);
  if (out.size() > kMaxNameLength - 8) out.resize(kMaxNameLength - 8);  // room for "-N"
  return out.empty() ? "pipeline" : out;
}

// Pipelines without 'pipeline.name' get the default name, numbered from the second one on,
// skipping names the script gives explicitly.
void AssignDefaultNames(std::vector<sql::Pipeline>& pipelines, const std::string& default_name) {
  std::set<std::string> used;
  for (const auto& p : pipelines)
    if (!p.name.empty()) used.insert(p.name);
  int n = 1;
  for (auto& p : pipelines) {
    if (!p.name.empty()) continue;
    std::string candidate;
    do {
      candidate = n == 1 ? default_name : default_name + "-" + std::to_string(n);
      ++n;
    } while (used.count(candidate));
    used.insert(candidate);
    p.name = candidate;
  }
}

struct Bound {
  sql::BoundScript script;
  std::shared_ptr<const sql::Catalog> catalog;
};

Result<Bound> BindJobScript(const std::string& script, const std::string& default_name) {
  auto catalog = std::make_shared<sql::Catalog>();
  FG_ASSIGN_OR_RETURN(sql::BoundScript bound, sql::BindSql(script, catalog.get()));
  AssignDefaultNames(bound.pipelines, default_name);
  return Bound{std::move(bound), std::move(catalog)};
}

Status WriteFileAtomic(const std::string& dir, const std::string& file,
                       const std::string& content) {
  const std::string path = dir + "/" + file;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::FromErrno("write " + tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno("fsync " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno("rename " + tmp, errno);
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno("fsync " + dir, err);
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  return ss.str();
}

std::string RandomSuffix() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  uint32_t v = rd();
  std::string s;
  for (int i = 0; i < 6; ++i) s.push_back(kHex[(v >> (4 * i)) & 0xf]);
  return s;
}

bool IsActive(JobState s) {
  return s == JobState::kCreated || s == JobState::kRunning || s == JobState::kStopping;
}

}  // namespace

// A submitted job. Fields are written under mu_ (and ops_mu_), read under either.
struct JobManager::Entry {
  std::string name;
  std::string script;                     // the whole script (pipeline.sql)
  std::string default_name;               // what unnamed pipelines of `script` are called after
  std::optional<sql::Pipeline> pipeline;  // nullopt: the script did not bind (see error)
  // shared: the entries of one script hold the same catalog; StartQuery reads it.
  std::shared_ptr<const sql::Catalog> catalog;
  uint64_t seq = 0;  // submission order, newest catalog first for StartQuery
  bool want_running = false;
  // shared: List and Get read a job's status while Stop (final checkpoint) runs without mu_.
  std::shared_ptr<Job> job;
  bool started = false;  // job->Start() succeeded: it needs a Stop()
  std::string error;     // set when binding, creating or starting failed; cleared on success
};

// The rows of one ad-hoc query, shared by the query's sink (called on the job's worker
// threads) and the manager. Separate from QueryState so the sink holds no reference to
// the Job that holds the sink.
struct RowBuffer {
  std::mutex mu;
  std::deque<std::string> rows;  // GUARDED_BY(mu); rows[i] has sequence first_seq + i
  uint64_t first_seq = 0;        // GUARDED_BY(mu)
  uint64_t next_seq = 0;         // GUARDED_BY(mu); first_seq + rows.size()
  uint64_t dropped_total = 0;    // GUARDED_BY(mu)
  int64_t last_poll_ms = 0;      // GUARDED_BY(mu)
};

struct JobManager::Waiter {
  uint64_t after = 0;
  int64_t deadline_ms = 0;
  PollCallback done;
};

struct JobManager::QueryState {
  std::string id;
  std::shared_ptr<Job> job;  // shared with nothing but copies taken to stop it outside mu_
  std::shared_ptr<RowBuffer> buffer;
  std::vector<Waiter> waiters;  // GUARDED_BY(buffer->mu)
  bool stopped = false;         // GUARDED_BY(buffer->mu): no waiter may be added
  size_t max_rows_per_poll = 0;
};

namespace {

// Rows from `after` on (releasing the ones before it). Caller holds buffer.mu and has
// checked after <= next_seq.
QueryRows TakeRows(RowBuffer& b, uint64_t after, size_t max_rows) {
  while (!b.rows.empty() && b.first_seq < after) {
    b.rows.pop_front();
    ++b.first_seq;
  }
  QueryRows out;
  out.dropped = b.first_seq > after ? b.first_seq - after : 0;
  size_t n = std::min(b.rows.size(), max_rows);
  out.rows.assign(b.rows.begin(), b.rows.begin() + static_cast<std::ptrdiff_t>(n));
  out.next = std::max(after, b.first_seq) + n;
  out.dropped_total = b.dropped_total;
  return out;
}

}  // namespace

JobManager::JobManager(JobContext base, JobManagerOptions options)
    : base_(std::move(base)), options_(std::move(options)) {
  if (options_.timer_thread) timer_ = std::thread([this] { TimerLoop(); });
}

JobManager::~JobManager() { (void)StopAll(); }

int64_t JobManager::NowMs() const {
  if (options_.clock) return options_.clock->NowMillis();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string JobManager::JobDir(const std::string& name) const {
  return base_.data_dir + "/jobs/" + name;
}

Status JobManager::Persist(const Entry& e) const {
  if (base_.data_dir.empty()) return Status::Ok();  // an in-memory manager (tests)
  const std::string jobs_dir = base_.data_dir + "/jobs";
  const std::string dir = JobDir(e.name);
  std::error_code ec;
  bool created = !std::filesystem::exists(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  FG_RETURN_IF_ERROR(WriteFileAtomic(dir, kScriptFile, e.script));
  std::string state = "# fluxgate job state (docs/operations.md)\nstate=";
  state += e.want_running ? "running" : "stopped";
  state += "\ndefault_name=" + e.default_name + "\n";
  FG_RETURN_IF_ERROR(WriteFileAtomic(dir, kStateFile, state));
  FG_RETURN_IF_ERROR(SyncDir(dir));
  if (created) FG_RETURN_IF_ERROR(SyncDir(jobs_dir));
  return Status::Ok();
}

// Creates the entry's Job from its pipeline and starts it; records any failure in
// entry.error. Caller holds ops_mu_ and has stopped any previous job of the entry.
Status JobManager::StartEntry(Entry& e, bool persist_running) {
  if (!e.pipeline) return Status::InvalidArgument(e.error);
  auto created = options_.factory(*e.pipeline, base_);
  if (!created.ok()) {
    std::lock_guard lock(mu_);
    e.error = created.status().message();
    e.job.reset();
    return created.status();
  }
  std::shared_ptr<Job> job = std::move(created).value();
  {
    std::lock_guard lock(mu_);
    e.job = job;
    e.started = false;
    e.error.clear();
    if (persist_running) e.want_running = true;
  }
  if (persist_running) FG_RETURN_IF_ERROR(Persist(e));
  Status st = job->Start();
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    e.error = st.message();
    Logger()->error("job {}: cannot start: {}", e.name, st.message());
    return st;
  }
  {
    std::lock_guard lock(mu_);
    e.started = true;
  }
  Logger()->info("job {}: started", e.name);
  return Status::Ok();
}

// Stops the entry's job (final checkpoint); caller holds ops_mu_.
Status JobManager::StopEntry(Entry& e) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    if (!e.started) return Status::Ok();  // never ran (or already stopped): nothing to stop
    job = e.job;
  }
  Status st = job->Stop();
  {
    std::lock_guard lock(mu_);
    e.started = false;
  }
  if (st.ok())
    Logger()->info("job {}: stopped", e.name);
  else
    Logger()->error("job {}: stop: {}", e.name, st.message());
  return st;
}

Result<SubmitResult> JobManager::Submit(const std::string& script, const SubmitOptions& options) {
  std::lock_guard ops(ops_mu_);
  return SubmitLocked(script, options, /*startup=*/false);
}

Result<SubmitResult> JobManager::SubmitLocked(const std::string& script,
                                              const SubmitOptions& options, bool startup) {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return Status::Unavailable("the server is shutting down");
  }
  const std::string default_name = SanitizeDefaultName(options.default_name);
  FG_ASSIGN_OR_RETURN(Bound bound, BindJobScript(script, default_name));

  SubmitResult result;
  result.explains = bound.script.explains;
  for (const auto& n : bound.script.notices) result.notices.push_back(n.ToString());
  for (const auto& q : bound.script.queries)
    result.notices.push_back("line " + std::to_string(q.pos.line) + ", column " +
                             std::to_string(q.pos.column) +
                             ": a SELECT is not run as a job; run it with `fluxgate sql "
                             "--print` to see its rows");
  if (bound.script.pipelines.empty()) {
    if (bound.script.explains.empty())
      return Status::InvalidArgument(
          "the script defines no pipeline: a job is an INSERT INTO ... SELECT or an "
          "EXECUTE STATEMENT SET");
    return result;
  }

  // Decide per pipeline before touching anything, so a refusal leaves everything as it was.
  struct Plan {
    sql::Pipeline* pipeline;
    std::shared_ptr<Entry> existing;
    std::string action;
    std::unique_ptr<Job> job;  // created up front: a pipeline that cannot compile stops all
  };
  std::vector<Plan> plans;
  for (auto& p : bound.script.pipelines) {
    FG_RETURN_IF_ERROR(ValidateJobName(p.name));
    Plan plan{&p, nullptr, "started", nullptr};
    std::shared_ptr<Job> job;
    {
      std::lock_guard lock(mu_);
      if (auto it = jobs_.find(p.name); it != jobs_.end()) {
        plan.existing = it->second;
        job = it->second->job;
      }
    }
    if (plan.existing) {
      const Entry& e = *plan.existing;
      // A job whose start failed holds a Job that never ran: not running.
      const bool active = job && e.error.empty() && IsActive(job->status().state);
      const bool same = e.script == script;
      if (same && active) {
        plan.action = "unchanged";
      } else if (same && startup && options.keep_stopped && !e.want_running) {
        plan.action = "kept stopped";
      } else if (active && !options.replace) {
        return Status::ResourceBusy("job '" + p.name +
                                    "' is already running with different SQL; stop it first "
                                    "(`fluxgate jobs stop " +
                                    p.name + "`) or give the pipeline another 'pipeline.name'");
      } else {
        plan.action = same ? "resumed" : "replaced";
      }
    }
    plans.push_back(std::move(plan));
  }
  for (Plan& plan : plans) {
    if (plan.action != "started" && plan.action != "resumed" && plan.action != "replaced") continue;
    auto created = options_.factory(*plan.pipeline, base_);
    if (!created.ok())
      return Status::InvalidArgument("pipeline '" + plan.pipeline->name + "' (line " +
                                     std::to_string(plan.pipeline->pos.line) +
                                     "): " + created.status().message());
    plan.job = std::move(created).value();
  }

  const uint64_t seq = ++next_seq_;
  for (Plan& plan : plans) {
    SubmittedJob out{plan.pipeline->name, plan.action, ""};
    if (!plan.job) {
      result.jobs.push_back(std::move(out));
      continue;
    }
    std::shared_ptr<Entry> e = plan.existing;
    if (e) {
      if (Status st = StopEntry(*e); !st.ok())
        Logger()->warn("job {}: replacing it although its stop failed: {}", e->name, st.message());
    } else {
      e = std::make_shared<Entry>();
      e->name = plan.pipeline->name;
    }
    std::shared_ptr<Job> job(std::move(plan.job));
    {
      std::lock_guard lock(mu_);
      e->script = script;
      e->default_name = default_name;
      e->pipeline = *plan.pipeline;
      e->catalog = bound.catalog;
      e->seq = seq;
      e->want_running = true;
      e->job = job;
      e->started = false;
      e->error.clear();
      jobs_[e->name] = e;
    }
    if (Status st = Persist(*e); !st.ok()) {
      std::lock_guard lock(mu_);
      e->error = "cannot persist the job: " + st.message();
      e->job.reset();
      return Status::IOError("job '" + e->name + "': " + e->error);
    }
    if (Status st = job->Start(); !st.ok()) {
      Logger()->error("job {}: cannot start: {}", e->name, st.message());
      std::lock_guard lock(mu_);
      e->error = st.message();
      out.action = "failed";
      out.error = st.message();
    } else {
      {
        std::lock_guard lock(mu_);
        e->started = true;
      }
      Logger()->info("job {}: {}", e->name, plan.action);
    }
    result.jobs.push_back(std::move(out));
  }
  return result;
}

JobInfo JobManager::InfoOf(const Entry& e, const std::shared_ptr<Job>& job) const {
  JobInfo info;
  if (job) info.status = job->status();
  info.status.name = e.name;
  if (info.status.sql.empty() && e.pipeline) info.status.sql = e.pipeline->sql;
  if (!e.error.empty() && !(job && info.status.state == JobState::kRunning)) {
    info.status.state = JobState::kFailed;
    info.status.error = e.error;
  } else if (!job) {
    info.status.state = JobState::kStopped;
  }
  info.want_running = e.want_running;
  info.script = e.script;
  return info;
}

std::vector<JobInfo> JobManager::List() const {
  std::vector<std::pair<Entry, std::shared_ptr<Job>>> snapshot;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : jobs_) snapshot.emplace_back(*e, e->job);
  }
  std::vector<JobInfo> out;
  for (const auto& [e, job] : snapshot) out.push_back(InfoOf(e, job));
  return out;
}

Result<JobInfo> JobManager::Get(const std::string& name) const {
  std::optional<Entry> e;
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return Status::NotFound("no job named '" + name + "'");
    e = *it->second;
    job = it->second->job;
  }
  return InfoOf(*e, job);
}

Status JobManager::Stop(const std::string& name) {
  std::lock_guard ops(ops_mu_);
  std::shared_ptr<Entry> e;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return Status::NotFound("no job named '" + name + "'");
    e = it->second;
  }
  Status st = StopEntry(*e);
  {
    std::lock_guard lock(mu_);
    e->want_running = false;
  }
  FG_RETURN_IF_ERROR(Persist(*e));
  return st;
}

Status JobManager::Restart(const std::string& name) {
  std::lock_guard ops(ops_mu_);
  std::shared_ptr<Entry> e;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return Status::Unavailable("the server is shutting down");
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return Status::NotFound("no job named '" + name + "'");
    e = it->second;
  }
  if (!e->pipeline)
    return Status::InvalidArgument("job '" + name + "' cannot run: " + e->error +
                                   "; submit a corrected script under the same name");
  if (Status st = StopEntry(*e); !st.ok())
    Logger()->warn("job {}: restarting although its stop failed: {}", name, st.message());
  return StartEntry(*e, /*persist_running=*/true);
}

Status JobManager::Remove(const std::string& name) {
  std::lock_guard ops(ops_mu_);
  std::shared_ptr<Entry> e;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return Status::NotFound("no job named '" + name + "'");
    e = it->second;
  }
  if (Status st = StopEntry(*e); !st.ok())
    Logger()->warn("job {}: removing it although its stop failed: {}", name, st.message());
  {
    std::lock_guard lock(mu_);
    jobs_.erase(name);
  }
  if (!base_.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(JobDir(name), ec);
    if (ec) return Status::IOError("remove " + JobDir(name) + ": " + ec.message());
    FG_RETURN_IF_ERROR(SyncDir(base_.data_dir + "/jobs"));
  }
  Logger()->info("job {}: removed with its checkpoints", name);
  return Status::Ok();
}

Status JobManager::RestoreFromDisk(const std::vector<StartupScript>& startup) {
  std::lock_guard ops(ops_mu_);
  auto logger = Logger();
  std::vector<std::shared_ptr<Entry>> loaded;
  const std::string jobs_dir = base_.data_dir + "/jobs";
  std::error_code ec;
  if (!base_.data_dir.empty() && std::filesystem::is_directory(jobs_dir, ec)) {
    std::vector<std::string> names;
    for (const auto& d : std::filesystem::directory_iterator(jobs_dir, ec)) {
      if (d.is_directory()) names.push_back(d.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string dir = jobs_dir + "/" + name;
      auto script = ReadFile(dir + "/" + kScriptFile);
      if (!script.ok()) {
        logger->warn("{}: no {}; not a job, ignored", dir, kScriptFile);
        continue;
      }
      auto e = std::make_shared<Entry>();
      e->name = name;
      e->script = *script;
      e->seq = ++next_seq_;
      e->default_name = name;
      auto state = ReadFile(dir + "/" + kStateFile);
      if (!state.ok()) {
        logger->warn("job {}: no {}; treated as stopped", name, kStateFile);
      } else {
        std::istringstream lines(*state);
        std::string line;
        while (std::getline(lines, line)) {
          if (line.rfind("state=", 0) == 0) e->want_running = line.substr(6) == "running";
          if (line.rfind("default_name=", 0) == 0) e->default_name = line.substr(13);
        }
      }
      auto bound = BindJobScript(e->script, e->default_name);
      if (!bound.ok()) {
        e->error = "its SQL (" + dir + "/" + kScriptFile +
                   ") no longer binds: " + bound.status().message();
      } else {
        for (auto& p : bound->script.pipelines)
          if (p.name == name) e->pipeline = std::move(p);
        e->catalog = bound->catalog;
        if (!e->pipeline)
          e->error =
              "its SQL (" + dir + "/" + kScriptFile + ") has no pipeline named '" + name + "'";
      }
      if (!e->error.empty()) logger->error("job {}: {}", name, e->error);
      std::lock_guard lock(mu_);
      jobs_[name] = e;
      loaded.push_back(e);
    }
  }

  // Two startup files defining one job would silently replace each other: refuse first.
  std::map<std::string, std::string> origin_of;  // job name -> startup file
  for (const StartupScript& s : startup) {
    auto bound = BindJobScript(s.sql, SanitizeDefaultName(s.options.default_name));
    if (!bound.ok()) return Status::InvalidArgument(s.origin + ": " + bound.status().message());
    for (const auto& p : bound->script.pipelines) {
      auto [it, fresh] = origin_of.emplace(p.name, s.origin);
      if (!fresh)
        return Status::InvalidArgument(it->second + " and " + s.origin + " both define job '" +
                                       p.name + "'; give one a different 'pipeline.name'");
    }
  }
  for (const StartupScript& s : startup) {
    SubmitOptions o = s.options;
    o.replace = true;
    auto r = SubmitLocked(s.sql, o, /*startup=*/true);
    if (!r.ok())
      return Status(r.status().code() == Status::Code::kInvalidArgument
                        ? Status::InvalidArgument(s.origin + ": " + r.status().message())
                        : Status::IOError(s.origin + ": " + r.status().message()));
    for (const auto& n : r->notices) logger->info("{}: {}", s.origin, n);
    for (const auto& j : r->jobs) {
      if (j.action == "failed")
        logger->error("{}: job {} failed to start: {}", s.origin, j.name, j.error);
      else
        logger->info("{}: job {} {}", s.origin, j.name, j.action);
    }
  }

  for (const auto& e : loaded) {
    std::shared_ptr<Job> job;
    {
      std::lock_guard lock(mu_);
      job = e->job;
      if (jobs_[e->name] != e) continue;
    }
    if (job || !e->want_running || !e->pipeline) continue;  // handled, stopped or broken
    if (StartEntry(*e, /*persist_running=*/false).ok())
      logger->info("job {}: resumed from {}", e->name, JobDir(e->name));
  }
  return Status::Ok();
}

Status JobManager::StopAll() {
  std::lock_guard ops(ops_mu_);
  if (stopped_all_) return Status::Ok();
  stopped_all_ = true;
  std::map<std::string, std::shared_ptr<QueryState>> queries;
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    queries.swap(queries_);
    for (const auto& [name, e] : jobs_) entries.push_back(e);
  }
  timer_cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  for (auto& [id, q] : queries) {
    (void)q->job->Stop();
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(q->buffer->mu);
      q->stopped = true;
      waiters.swap(q->waiters);
    }
    for (auto& w : waiters) Complete(*q, std::move(w), JobStateName(JobState::kStopped), "");
  }
  Status first;
  for (const auto& e : entries) {
    Status st = StopEntry(*e);
    if (!st.ok() && first.ok()) first = Status::IOError("job '" + e->name + "': " + st.message());
  }
  return first;
}

// ---- ad-hoc queries ----

Result<QueryStarted> JobManager::StartQuery(const std::string& script) {
  if (!options_.query_factory) return Status::Unavailable("ad-hoc queries are not enabled");
  std::vector<std::shared_ptr<const sql::Catalog>> catalogs;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return Status::Unavailable("the server is shutting down");
    if (queries_.size() >= options_.max_queries)
      return Status::LimitExceeded("too many ad-hoc queries running (limit " +
                                   std::to_string(options_.max_queries) +
                                   "); stop one or wait until an idle one expires");
    std::vector<std::pair<uint64_t, std::shared_ptr<const sql::Catalog>>> by_seq;
    for (const auto& [name, e] : jobs_)
      if (e->catalog) by_seq.emplace_back(e->seq, e->catalog);
    std::sort(by_seq.begin(), by_seq.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [s, c] : by_seq)
      if (catalogs.empty() || catalogs.back() != c) catalogs.push_back(c);
  }
  // The script's own DDL first; then, newest first, the tables of the submitted jobs.
  // When every attempt fails, the most telling error is one from a catalog that knew the
  // tables (a misspelt column), else the script's own ("unknown table").
  std::optional<sql::BoundScript> bound;
  Status own_error, job_error;
  for (size_t i = 0; i <= catalogs.size() && !bound; ++i) {
    sql::Catalog catalog = i == 0 ? sql::Catalog() : *catalogs[i - 1];
    auto r = sql::BindSql(script, &catalog);
    if (r.ok()) {
      bound = std::move(r).value();
    } else if (i == 0) {
      own_error = r.status();
    } else if (job_error.ok() && r.status().message().find("unknown table") == std::string::npos) {
      job_error = r.status();
    }
  }
  if (!bound) return job_error.ok() ? own_error : job_error;
  if (!bound->pipelines.empty())
    return Status::InvalidArgument(
        "a query to print must not contain INSERT INTO or statement sets; submit jobs with "
        "`fluxgate sql FILE`");
  if (bound->queries.size() != 1)
    return Status::InvalidArgument("expected exactly one SELECT to print, got " +
                                   std::to_string(bound->queries.size()));
  const sql::AdHocQuery& query = bound->queries[0];

  auto q = std::make_shared<QueryState>();
  q->buffer = std::make_shared<RowBuffer>();
  q->max_rows_per_poll = options_.max_rows_per_poll;
  {
    std::lock_guard lock(mu_);
    q->id = "q" + std::to_string(next_query_++) + "-" + RandomSuffix();
  }
  q->buffer->last_poll_ms = NowMs();
  std::weak_ptr<QueryState> weak = q;
  std::shared_ptr<RowBuffer> buffer = q->buffer;
  const size_t max_rows = options_.max_query_rows;
  // Runs on the query job's worker threads. Captures the buffer (not the QueryState, which
  // holds the Job) and reaches the waiters through a weak reference.
  RowTextSink sink = [buffer, weak, max_rows](const std::string&, const std::string& row) {
    std::shared_ptr<QueryState> state = weak.lock();
    std::vector<std::pair<PollCallback, QueryRows>> ready;
    {
      std::lock_guard lock(buffer->mu);
      buffer->rows.push_back(row);
      ++buffer->next_seq;
      while (buffer->rows.size() > max_rows) {
        buffer->rows.pop_front();
        ++buffer->first_seq;
        ++buffer->dropped_total;
      }
      if (state) {
        for (auto& w : state->waiters) {
          QueryRows rows = TakeRows(*buffer, w.after, state->max_rows_per_poll);
          rows.state = JobStateName(JobState::kRunning);
          ready.emplace_back(std::move(w.done), std::move(rows));
        }
        state->waiters.clear();
      }
    }
    for (auto& [done, rows] : ready) done(std::move(rows));
  };
  JobContext context = base_;
  context.print = nullptr;
  FG_ASSIGN_OR_RETURN(auto job, options_.query_factory(query.plan, "query-" + q->id, query.sql,
                                                       context, std::move(sink)));
  q->job = std::move(job);
  FG_RETURN_IF_ERROR(q->job->Start());
  QueryStarted started;
  started.id = q->id;
  for (const auto& c : query.plan->schema)
    started.columns.push_back(c.name + " " + c.type.ToString());
  started.explains = bound->explains;
  for (const auto& n : bound->notices) started.notices.push_back(n.ToString());
  {
    std::lock_guard lock(mu_);
    if (!shut_down_ && queries_.size() < options_.max_queries) {
      queries_[q->id] = q;
      q = nullptr;
    }
  }
  if (q) {  // lost a race with StopAll or another StartQuery
    (void)q->job->Stop();
    return Status::LimitExceeded("too many ad-hoc queries running, or shutting down");
  }
  Logger()->info("query {}: started: {}", started.id, query.sql);
  return started;
}

void JobManager::Complete(QueryState& q, Waiter waiter, const std::string& state,
                          const std::string& error) {
  QueryRows rows;
  {
    std::lock_guard lock(q.buffer->mu);
    rows = TakeRows(*q.buffer, waiter.after, q.max_rows_per_poll);
  }
  rows.state = state;
  rows.error = error;
  waiter.done(std::move(rows));
}

void JobManager::PollQuery(const std::string& id, uint64_t after, int64_t wait_ms,
                           PollCallback done) {
  std::shared_ptr<QueryState> q;
  {
    std::lock_guard lock(mu_);
    if (auto it = queries_.find(id); it != queries_.end()) q = it->second;
  }
  if (!q)
    return done(Status::NotFound("no query '" + id +
                                 "' (it was stopped, or expired after not being polled for " +
                                 std::to_string(options_.query_idle_timeout_ms / 1000) + " s)"));
  JobStatus status = q->job->status();
  const int64_t now = NowMs();
  QueryRows rows;
  {
    std::lock_guard lock(q->buffer->mu);
    if (q->stopped) status.state = JobState::kStopped;
    const bool running = IsActive(status.state);
    RowBuffer& b = *q->buffer;
    b.last_poll_ms = now;
    if (after > b.next_seq)
      return done(Status::InvalidArgument("after=" + std::to_string(after) +
                                          " is beyond the rows produced so far (" +
                                          std::to_string(b.next_seq) + ")"));
    if (after == b.next_seq && running && wait_ms > 0) {
      // Release what the client has, then wait for a row, the deadline or the end.
      (void)TakeRows(b, after, 0);
      q->waiters.push_back(
          Waiter{after, now + std::min(wait_ms, options_.max_poll_wait_ms), std::move(done)});
      return;
    }
    rows = TakeRows(b, after, q->max_rows_per_poll);
  }
  rows.state = JobStateName(status.state);
  rows.error = status.error;
  done(std::move(rows));
}

Status JobManager::StopQuery(const std::string& id) {
  std::shared_ptr<QueryState> q;
  {
    std::lock_guard lock(mu_);
    auto it = queries_.find(id);
    if (it == queries_.end()) return Status::NotFound("no query '" + id + "'");
    q = it->second;
    queries_.erase(it);
  }
  Status st = q->job->Stop();
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(q->buffer->mu);
    q->stopped = true;
    waiters.swap(q->waiters);
  }
  for (auto& w : waiters) Complete(*q, std::move(w), JobStateName(JobState::kStopped), "");
  Logger()->info("query {}: stopped", id);
  return st;
}

size_t JobManager::query_count() const {
  std::lock_guard lock(mu_);
  return queries_.size();
}

void JobManager::Tick() {
  const int64_t now = NowMs();
  std::vector<std::shared_ptr<QueryState>> queries;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, q] : queries_) queries.push_back(q);
  }
  for (const auto& q : queries) {
    const JobStatus status = q->job->status();
    const bool running = IsActive(status.state);
    std::vector<Waiter> due;
    bool idle = false;
    {
      std::lock_guard lock(q->buffer->mu);
      for (size_t i = 0; i < q->waiters.size();) {
        if (!running || q->waiters[i].deadline_ms <= now) {
          due.push_back(std::move(q->waiters[i]));
          q->waiters.erase(q->waiters.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      if (!due.empty()) q->buffer->last_poll_ms = now;
      idle = q->waiters.empty() && now - q->buffer->last_poll_ms > options_.query_idle_timeout_ms;
    }
    for (auto& w : due) Complete(*q, std::move(w), JobStateName(status.state), status.error);
    if (idle) {
      {
        std::lock_guard lock(mu_);
        auto it = queries_.find(q->id);
        if (it == queries_.end() || it->second != q) continue;  // stopped meanwhile
        queries_.erase(it);
      }
      std::vector<Waiter> late;  // a poll that arrived since the idleness check
      {
        std::lock_guard lock(q->buffer->mu);
        q->stopped = true;
        late.swap(q->waiters);
      }
      (void)q->job->Stop();
      for (auto& w : late) Complete(*q, std::move(w), JobStateName(JobState::kStopped), "");
      Logger()->info("query {}: stopped: not polled for {} ms", q->id,
                     options_.query_idle_timeout_ms);
    }
  }
}

void JobManager::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!shut_down_) {
    timer_cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return shut_down_; });
    if (shut_down_) break;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

}  // namespace fluxgate::jobs
