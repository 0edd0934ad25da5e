// Which permission each request on the HTTP listener needs (docs/design/auth.md):
//
//   /healthz                               open (load balancers and the harness probe it)
//   GET  /v1/streams                       admin:ListStreams
//   GET  /v1/streams/NAME                  admin:DescribeStream        on stream NAME
//   POST /v1/streams/NAME/records          kinesis:PutRecords          on stream NAME
//   GET  /v1/jobs | POST /v1/jobs          admin:ListJobs | admin:CreateJob
//   GET  /v1/jobs/NAME | DELETE            admin:DescribeJob | admin:DeleteJob
//   POST /v1/jobs/NAME/stop | restart      admin:StopJob | admin:RestartJob
//   POST /v1/queries                       admin:StartQuery
//   GET  /v1/queries/ID/rows               admin:GetQueryResults
//   DELETE /v1/queries/ID                  admin:StopQuery
//   anything else                          admin:Read (GET, HEAD) or admin:Write
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace fluxgate::auth {

struct HttpAction {
  bool open = false;   // no signature needed
  std::string action;  // "admin:StopJob"
  std::string stream;  // the stream the request touches, if any
};

// `path` is the request target without its query.
HttpAction ClassifyHttpRequest(std::string_view method, std::string_view path);

}  // namespace fluxgate::auth
