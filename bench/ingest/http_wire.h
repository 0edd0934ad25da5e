// The small part of HTTP/1.1 the ingest benchmark needs: parsing an http:// endpoint,
// connecting a TCP socket, an incremental response parser that works on a reusable
// buffer, and a blocking keep-alive client for the few control-plane calls
// (CreateStream, DescribeStreamSummary).
//
// Not thread-safe: each connection (and its parser) belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench_status.h"

namespace fluxgate::bench {

struct Endpoint {
  std::string host;  // numeric IPv4 address or a resolvable name
  uint16_t port = 0;
  std::string host_header;  // "host:port", as a client signs it
};

BenchStatus ParseEndpoint(std::string_view url, Endpoint* out);

// Opens a TCP connection with TCP_NODELAY set; blocking unless `nonblocking` (the connect
// itself always completes first). Returns the fd, or -1 with *error set.
int ConnectTcp(const Endpoint& endpoint, bool nonblocking, std::string* error);

// Incremental HTTP/1.1 response parser. Feed it bytes with Append() (or write into
// WritableTail() and Commit()) until Complete(); then Status()/Body() are valid until
// Reset(). Handles Content-Length and chunked bodies. Responses to HEAD or 1xx are not
// expected here and not supported.
class ResponseParser {
 public:
  ResponseParser();

  // Space for at least `min_free` more bytes at the end of the buffer.
  char* WritableTail(size_t min_free);
  size_t TailCapacity() const { return buffer_.size() - size_; }
  void Commit(size_t n) { size_ += n; }
  void Append(const char* data, size_t n);

  // Parses what has arrived. Returns false and sets *error on a malformed response.
  bool Parse(std::string* error);
  bool Complete() const { return complete_; }

  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  std::string_view Body() const;

  // Forgets the current response but keeps the buffer's memory (and any bytes that
  // arrived after the response, which a non-pipelining client should never see).
  void Reset();

 private:
  bool ParseHeaders(std::string* error);
  bool ParseChunked(std::string* error);

  std::vector<char> buffer_;
  size_t size_ = 0;        // bytes of buffer_ in use
  size_t scanned_ = 0;     // bytes already searched for the end of the headers
  size_t header_len_ = 0;  // 0 until the headers are complete
  size_t body_len_ = 0;    // valid once complete_ (or Content-Length known)
  bool chunked_ = false;
  bool have_length_ = false;
  bool complete_ = false;
  bool keep_alive_ = true;
  int status_ = 0;
  std::string dechunked_;  // body of a chunked response, reassembled
  size_t chunk_pos_ = 0;   // where the next chunk-size line starts (chunked only)
};

// Blocking keep-alive client for control-plane calls; reconnects when the server closes.
class BlockingClient {
 public:
  explicit BlockingClient(Endpoint endpoint);
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Sends one fully formed request and waits up to `timeout_ms` for the response.
  BenchStatus Call(const std::string& request, int timeout_ms, int* status, std::string* body);

 private:
  Endpoint endpoint_;
  int fd_ = -1;
  ResponseParser parser_;
};

// Finds the value of a top-level-looking JSON member in `json` without a full parse:
// the first `"key"` followed by ':' and a string or number. Enough for the few fields the
// benchmark reads (FailedRecordCount, StreamStatus, __type, message, OpenShardCount).
bool FindJsonString(std::string_view json, std::string_view key, std::string* value);
bool FindJsonInt(std::string_view json, std::string_view key, int64_t* value);

}  // namespace fluxgate::bench
