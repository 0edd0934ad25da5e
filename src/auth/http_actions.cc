#include "auth/http_actions.h"

namespace fluxgate::auth {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

HttpAction Action(std::string action, std::string_view stream = {}) {
  return HttpAction{false, std::move(action), std::string(stream)};
}

}  // namespace

HttpAction ClassifyHttpRequest(std::string_view method, std::string_view path) {
  const bool read = method == "GET" || method == "HEAD";
  if (path == "/healthz") return HttpAction{true, "", ""};

  if (path == "/v1/streams") return Action(read ? "admin:ListStreams" : "admin:Write");
  if (StartsWith(path, "/v1/streams/")) {
    std::string_view rest = path.substr(12);
    const size_t slash = rest.find('/');
    const std::string_view stream = rest.substr(0, slash);
    if (slash == std::string_view::npos)
      return Action(read ? "admin:DescribeStream" : "admin:Write", stream);
    if (rest.substr(slash) == "/records" && method == "POST")
      return Action("kinesis:PutRecords", stream);
    return Action(read ? "admin:Read" : "admin:Write", stream);
  }

  if (path == "/v1/jobs") return Action(read ? "admin:ListJobs" : "admin:CreateJob");
  if (StartsWith(path, "/v1/jobs/")) {
    std::string_view rest = path.substr(9);
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      if (read) return Action("admin:DescribeJob");
      if (method == "DELETE") return Action("admin:DeleteJob");
    } else if (method == "POST" && rest.substr(slash) == "/stop") {
      return Action("admin:StopJob");
    } else if (method == "POST" && rest.substr(slash) == "/restart") {
      return Action("admin:RestartJob");
    }
    return Action(read ? "admin:Read" : "admin:Write");
  }

  if (path == "/v1/queries") return Action(read ? "admin:Read" : "admin:StartQuery");
  if (StartsWith(path, "/v1/queries/")) {
    std::string_view rest = path.substr(12);
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos && rest.substr(slash) == "/rows" && read)
      return Action("admin:GetQueryResults");
    if (slash == std::string_view::npos && method == "DELETE") return Action("admin:StopQuery");
    return Action(read ? "admin:Read" : "admin:Write");
  }
  return Action(read ? "admin:Read" : "admin:Write");
}

}  // namespace fluxgate::auth
