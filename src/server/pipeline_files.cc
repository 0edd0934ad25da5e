#include "server/pipeline_files.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/logging.h"

namespace fluxgate::server {
namespace {

namespace fs = std::filesystem;

bool HoldsShipped(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / kShippedPipelineFile, ec);
}

// The source tree this file was compiled from: CMake compiles with absolute paths, so
// __FILE__ is <root>/src/server/pipeline_files.cc. A fallback for running from a build
// directory that is not beside the tree; no CMake definition needed.
fs::path SourceTreeRoot() {
  fs::path file(__FILE__);
  if (!file.is_absolute()) return {};
  return file.parent_path().parent_path().parent_path();
}

}  // namespace

std::string FindShippedPipelinesDir() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FLUXGATE_PIPELINES_DIR"); env && *env)
    candidates.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "pipelines");
    candidates.push_back(exe.parent_path().parent_path() / "pipelines");
  }
  if (fs::path root = SourceTreeRoot(); !root.empty()) candidates.push_back(root / "pipelines");
  for (const auto& dir : candidates)
    if (HoldsShipped(dir)) return dir.lexically_normal().string();
  return {};
}

Result<std::vector<jobs::StartupScript>> LoadStartupScripts(const ServeConfig& config,
                                                            const std::string& shipped_dir) {
  std::vector<jobs::StartupScript> out;
  std::vector<std::string> files;
  bool shipped = false;
  if (config.pipelines) {
    files = *config.pipelines;
  } else if (!shipped_dir.empty()) {
    files.push_back((fs::path(shipped_dir) / kShippedPipelineFile).string());
    shipped = true;
  } else {
    GetLogger("server")->warn(
        "the shipped pipeline {} was not found (set FLUXGATE_PIPELINES_DIR, or pass "
        "--pipeline FILE); running no pipeline",
        kShippedPipelineFile);
  }
  std::set<std::string> seen;
  for (const std::string& file : files) {
    std::error_code ec;
    if (!seen.insert(fs::weakly_canonical(file, ec).string()).second) continue;  // given twice
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::InvalidArgument("pipeline file " + file + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    jobs::StartupScript s;
    s.origin = file;
    s.sql = ss.str();
    s.options.default_name = fs::path(file).stem().string();
    s.options.replace = true;
    s.options.keep_stopped = shipped;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fluxgate::server
