// Helpers for job tests: a log in a temp directory, appending JSON records, binding a
// script into pipelines, and collecting print-sink rows.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/job.h"
#include "log/log_manager.h"
#include "runtime/clock.h"
#include "sql/binder.h"

namespace fluxgate::jobs::testing {

class JobFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fgjob-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    OpenLog();
  }
  void TearDown() override {
    if (log_) (void)log_->Close();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenLog() {
    log::LogOptions o;
    o.data_dir = dir_ + "/log";
    o.durability = log::Durability::kNone;
    auto log = log::LogManager::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  void Append(const std::string& stream, const std::vector<std::string>& records,
              const std::string& key = "k") {
    std::vector<log::AppendRecord> recs;
    for (const auto& r : records) recs.push_back({key, r, std::nullopt});
    std::promise<void> done;
    Status s = log_->Append(stream, recs, [&](std::vector<log::AppendResult> results) {
      for (const auto& r : results) EXPECT_TRUE(r.ok) << r.error_code;
      done.set_value();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    done.get_future().wait();
  }

  JobContext Context() {
    JobContext c;
    c.log = log_.get();
    c.data_dir = dir_;
    c.worker_threads = 2;
    c.clock = &clock_;
    c.print = [this](const std::string&, const std::string& row) {
      std::lock_guard<std::mutex> lock(mu_);
      rows_.push_back(row);
    };
    return c;
  }

  std::unique_ptr<Job> MakeJob(const std::string& sql, const std::string& name = "test-job") {
    sql::Catalog catalog;
    auto bound = sql::BindSql(sql, &catalog);
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    if (!bound.ok() || bound->pipelines.empty()) return nullptr;
    sql::Pipeline p = bound->pipelines[0];
    if (p.name.empty()) p.name = name;
    auto job = Job::Create(p, Context());
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? std::move(job).value() : nullptr;
  }

  std::vector<std::string> Rows() {
    std::lock_guard<std::mutex> lock(mu_);
    return rows_;
  }

  // Waits (bounded) until at least n rows were printed, moving job time forward 100 ms
  // per real 10 ms so quiet shards become idle.
  std::vector<std::string> WaitRows(size_t n, int max_ms = 20000) {
    for (int waited = 0; waited < max_ms; waited += 10) {
      if (Rows().size() >= n) break;
      clock_.Advance(100);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Rows();
  }

  // Waits (bounded) until the job has read at least n records.
  void WaitRead(Job& job, uint64_t n, int max_ms = 20000) {
    for (int waited = 0; waited < max_ms; waited += 10) {
      if (job.status().records_in >= n) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Job time starts at 2026-11-25 10:00:00 UTC, where the tests' data is, and moves only
  // when a test advances it (idleness, wall-clock watermarks, checkpoint intervals).
  static constexpr int64_t kT0 = 1795600800000;
  runtime::ManualClock clock_{kT0};
  std::string dir_;
  std::unique_ptr<log::LogManager> log_;
  std::mutex mu_;
  std::vector<std::string> rows_;
};

}  // namespace fluxgate::jobs::testing
