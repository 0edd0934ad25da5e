// HTTP request/response values shared by the server, the client and the handlers that
// sit on top of them (Kinesis API, health, later the dashboard and admin API).
// Plain values: no I/O, no Beast types, so handler code stays free of the HTTP library.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxgate::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

struct Request {
  std::string method;           // "GET", "POST", ...
  std::string target;           // path plus query, as received ("/v1/x?y=1")
  std::vector<Header> headers;  // names lower-cased, in arrival order
  std::string body;
  std::string remote;  // peer address "ip:port", for logs

  // First header with this (lower-case) name, or empty.
  std::string_view Get(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return {};
  }
  bool Has(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return true;
    return false;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<Header> headers;  // extra headers (Content-Type/Length are set from fields)
  std::string body;
};

}  // namespace fluxgate::http
