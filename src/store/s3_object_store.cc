#include "store/s3_object_store.h"

#include <algorithm>
#include <ctime>
#include <random>
#include <thread>
#include <utility>

#include "common/logging.h"
#include "store/s3_protocol.h"

namespace fluxgate::store {

using s3::PartRecord;
using s3::StagedState;

struct S3ObjectStore::Call {
  Call(std::string_view op_name, std::string verb, std::string bucket_name, std::string key_name)
      : op(op_name),
        method(std::move(verb)),
        bucket(std::move(bucket_name)),
        key(std::move(key_name)) {}

  std::string_view op;  // "PutObject": for messages
  std::string method;
  std::string bucket;
  std::string key;  // empty: a bucket-level request
  // Query parameters, not yet encoded ("uploads" with an empty value goes as "?uploads").
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<http::Header> headers;  // beyond host and x-amz-*: content-type, sse
  const std::string* body = nullptr;
  // CompleteMultipartUpload may answer 200 with an <Error> body.
  bool error_in_200 = false;
};

namespace {

constexpr uint64_t kMaxPartSize = 5ull << 30;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = GetLogger("store");
  return log;
}

bool RetryableCode(std::string_view code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestTimeTooSkewed";
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag.remove_prefix(1);
    etag.remove_suffix(1);
  }
  return std::string(etag);
}

std::string_view HeaderValue(const http::Response& r, std::string_view lower_name) {
  for (const auto& h : r.headers)
    if (h.name == lower_name) return h.value;
  return {};
}

// "2024-05-01T12:34:56.789Z" -> Unix milliseconds; 0 when not that shape.
int64_t ParseIsoMillis(std::string_view s) {
  std::tm tm{};
  int ms = 0;
  if (s.size() < 20) return 0;
  std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return 0;
  }
  if (text.size() > 20 && text[19] == '.') {
    int digits = 0;
    for (size_t i = 20; i < text.size() && digits < 3 && std::isdigit(text[i]); ++i, ++digits)
      ms = ms * 10 + (text[i] - '0');
    while (digits++ < 3) ms *= 10;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

// A key or prefix S3 would hand back that ObjectStore::List hides: a '.'-segment.
bool HiddenKey(std::string_view key) {
  size_t pos = 0;
  while (pos <= key.size()) {
    if (pos < key.size() && key[pos] == '.') return true;
    size_t slash = key.find('/', pos);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return false;
}

std::string Where(std::string_view bucket, std::string_view key) {
  std::string s = "s3://";
  s.append(bucket);
  if (!key.empty()) s.append("/").append(key);
  return s;
}

uint64_t Sum(const StagedState& st) {
  uint64_t n = st.tail.size();
  for (const PartRecord& p : st.parts) n += p.size;
  return n;
}

}  // namespace

// --- The staged writer -----------------------------------------------------------------

class S3StagedWriter final : public StagedWriter {
 public:
  S3StagedWriter(S3ObjectStore* store, std::string bucket, std::string key, StagedState state)
      : store_(store), bucket_(std::move(bucket)), key_(std::move(key)), st_(std::move(state)) {
    for (const PartRecord& p : st_.parts) uploaded_ += p.size;
  }

  Status Append(std::string_view bytes) override {
    if (closed_) return Status::ResourceBusy("staged object closed: " + key_);
    st_.tail.append(bytes);
    if (st_.tail.size() >= store_->options_.part_size) return UploadTail();
    return Status::Ok();
  }
  uint64_t size() const override { return uploaded_ + st_.tail.size(); }

  Result<StagedObject> Persist() override {
    if (closed_) return Status::ResourceBusy("staged object closed: " + key_);
    // A tail S3 would accept as a part goes up now, so the handle carries < 5 MiB.
    if (st_.tail.size() >= S3ObjectStore::kMinPartSize) FG_RETURN_IF_ERROR(UploadTail());
    return StagedObject{bucket_, key_, size(), s3::EncodeStagedState(st_)};
  }

  Result<StagedObject> CloseForPublish() override {
    if (closed_) return Status::ResourceBusy("staged object closed: " + key_);
    // The last part may be any size; a 0-byte object is put whole at publish.
    if (!st_.tail.empty()) FG_RETURN_IF_ERROR(UploadTail());
    closed_ = true;
    return StagedObject{bucket_, key_, size(), s3::EncodeStagedState(st_)};
  }

 private:
  // Uploads the whole tail as the next part; on failure nothing changes.
  Status UploadTail() {
    const uint32_t number = st_.parts.empty() ? 1 : st_.parts.back().number + 1;
    if (number > S3ObjectStore::kMaxParts)
      return Status::LimitExceeded("staged object " + Where(bucket_, key_) + " needs more than " +
                                   std::to_string(S3ObjectStore::kMaxParts) +
                                   " parts; raise the part size");
    FG_ASSIGN_OR_RETURN(std::string etag,
                        store_->UploadPart(bucket_, key_, st_.upload_id, number, st_.tail));
    st_.parts.push_back(PartRecord{number, st_.tail.size(), std::move(etag)});
    uploaded_ += st_.tail.size();
    st_.tail.clear();
    return Status::Ok();
  }

  S3ObjectStore* store_;  // not owned; outlives the writer
  const std::string bucket_, key_;
  StagedState st_;         // tail = appended bytes not yet in a part
  uint64_t uploaded_ = 0;  // sum of st_.parts sizes
  bool closed_ = false;
};

// --- The store -------------------------------------------------------------------------

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Create(
    S3Options options, std::unique_ptr<S3Transport> transport) {
  if (options.endpoint.empty()) {
    if (options.region.empty()) return Status::InvalidArgument("S3: no endpoint and no region");
    options.endpoint = "https://s3." + options.region + ".amazonaws.com";
  }
  auto url = http::ParseUrl(options.endpoint);
  if (!url.ok())
    return Status::InvalidArgument("S3 endpoint: " + std::string(url.status().message()));
  if (url->path != "/")
    return Status::InvalidArgument("S3 endpoint must not have a path: '" + options.endpoint + "'");
  if (options.region.empty()) return Status::InvalidArgument("S3: no region");
  if (!options.sse.empty() && options.sse != "AES256")
    return Status::InvalidArgument("S3 sse must be \"\" or \"AES256\", not '" + options.sse + "'");
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize)
    return Status::InvalidArgument("S3 part size must be between 5 MiB and 5 GiB");
  if (options.credentials.access_key.empty() || options.credentials.secret_key.empty())
    return Status::InvalidArgument("S3: no credentials (access key id and secret access key)");
  if (options.max_attempts < 1) options.max_attempts = 1;
  if (!options.clock) options.clock = [] { return std::chrono::system_clock::now(); };
  if (!options.sleep)
    options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!transport) {
    http::ClientOptions co;
    co.timeout_ms = options.timeout_ms;
    co.ca_file = options.ca_file;
    transport = MakeHttpS3Transport(co);
  }
  http::Url endpoint = *url;
  return std::unique_ptr<S3ObjectStore>(
      new S3ObjectStore(std::move(options), std::move(endpoint), std::move(transport)));
}

S3ObjectStore::S3ObjectStore(S3Options options, http::Url endpoint,
                             std::unique_ptr<S3Transport> transport)
    : options_(std::move(options)),
      endpoint_(std::move(endpoint)),
      transport_(std::move(transport)) {}

S3ObjectStore::~S3ObjectStore() = default;

Result<http::Response> S3ObjectStore::Execute(const Call& call, std::string* error_code) {
  S3HttpRequest req;
  req.method = call.method;
  req.server = endpoint_;
  std::string path = "/";
  if (options_.path_style) {
    path.append(call.bucket);
    if (!call.key.empty()) path.append("/").append(sigv4::UriEncode(call.key, true));
  } else {
    req.server.host = call.bucket + "." + endpoint_.host;
    path.append(sigv4::UriEncode(call.key, true));
  }
  req.target = path;
  for (size_t i = 0; i < call.query.size(); ++i) {
    req.target.push_back(i == 0 ? '?' : '&');
    req.target.append(sigv4::UriEncode(call.query[i].first, false));
    // "?uploads" is a bare sub-resource; other parameters keep "=" even when empty.
    if (!call.query[i].second.empty() || call.query[i].first != "uploads")
      req.target.append("=").append(sigv4::UriEncode(call.query[i].second, false));
  }
  req.body = call.body;
  static const std::string kEmpty;
  const std::string payload_hash = sigv4::Sha256Hex(call.body ? *call.body : kEmpty);
  const std::string where = Where(call.bucket, call.key);

  Status last;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    req.headers = call.headers;
    req.headers.push_back({"host", HostHeaderFor(req.server)});
    req.headers.push_back({"x-amz-content-sha256", payload_hash});
    FG_RETURN_IF_ERROR(sigv4::SignRequestWithPayloadHash(options_.credentials, options_.region,
                                                         "s3", options_.clock(), req.method,
                                                         req.target, &req.headers, payload_hash));
    auto resp = transport_->Send(req);
    bool retry = false;
    if (!resp.ok()) {
      last = Status::IOError("S3 " + std::string(call.op) + " " + where + ": " +
                             std::string(resp.status().message()));
      retry = true;
    } else {
      s3::ErrorInfo err;
      if (resp->status >= 300 || call.error_in_200) err = s3::ParseError(resp->body);
      if (resp->status < 300 && err.code.empty()) return resp;
      if (error_code != nullptr) *error_code = err.code;
      const int st = resp->status;
      std::string text = "S3 " + std::string(call.op) + " " + where + ": HTTP " +
                         std::to_string(st) + (err.code.empty() ? "" : " " + err.code) +
                         (err.message.empty() ? "" : ": " + err.message);
      if (st == 404) {
        last = Status::NotFound(text);
      } else if (st == 429 || err.code == "SlowDown") {
        last = Status::Throttled(text);
      } else if ((st >= 500 && st != 501) || RetryableCode(err.code)) {
        last = Status::Unavailable(text);
      } else {
        last = Status::InvalidArgument(text);  // 403, other 4xx, 501 NotImplemented
      }
      retry = (st >= 500 && st != 501) || st == 429 || RetryableCode(err.code);
    }
    if (!retry || attempt + 1 == options_.max_attempts) break;
    // Full jitter: a random wait in [0, min(max, base * 2^attempt)].
    auto cap = std::min<int64_t>(options_.backoff_max.count(), options_.backoff_base.count()
                                                                   << std::min(attempt, 20));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::chrono::milliseconds wait{std::uniform_int_distribution<int64_t>(0, cap)(rng)};
    Log()->warn("{} (attempt {} of {}); retrying in {} ms", last.message(), attempt + 1,
                options_.max_attempts, wait.count());
    options_.sleep(wait);
  }
  return last;
}

Status S3ObjectStore::Put(std::string_view bucket, std::string_view key, std::string_view data) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  const std::string body(data);
  Call c{"PutObject", "PUT", std::string(bucket), std::string(key)};
  c.headers.push_back({"content-type", "application/octet-stream"});
  if (!options_.sse.empty()) c.headers.push_back({"x-amz-server-side-encryption", options_.sse});
  c.body = &body;
  return Execute(c).status();
}

Result<std::string> S3ObjectStore::Get(std::string_view bucket, std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  FG_ASSIGN_OR_RETURN(http::Response r,
                      Execute(Call{"GetObject", "GET", std::string(bucket), std::string(key)}));
  return std::move(r.body);
}

Result<uint64_t> S3ObjectStore::Head(std::string_view bucket, std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  FG_ASSIGN_OR_RETURN(http::Response r,
                      Execute(Call{"HeadObject", "HEAD", std::string(bucket), std::string(key)}));
  std::string len(HeaderValue(r, "content-length"));
  char* end = nullptr;
  uint64_t n = std::strtoull(len.c_str(), &end, 10);
  if (len.empty() || *end != '\0')
    return Status::Corruption("S3 HeadObject " + Where(bucket, key) + ": no Content-Length");
  return n;
}

Status S3ObjectStore::Delete(std::string_view bucket, std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  Status st =
      Execute(Call{"DeleteObject", "DELETE", std::string(bucket), std::string(key)}).status();
  return st.IsNotFound() ? Status::Ok() : st;  // S3 answers 204 anyway; some clones 404
}

Result<std::vector<ObjectInfo>> S3ObjectStore::List(std::string_view bucket,
                                                    std::string_view prefix) {
  FG_RETURN_IF_ERROR(ValidateKey(prefix, true));
  std::vector<ObjectInfo> out;
  std::string token;
  while (true) {
    Call c{"ListObjectsV2", "GET", std::string(bucket), ""};
    c.query = {{"list-type", "2"}, {"prefix", std::string(prefix)}};
    if (!token.empty()) c.query.push_back({"continuation-token", token});
    FG_ASSIGN_OR_RETURN(http::Response r, Execute(c));
    for (const std::string& item : s3::XmlElements(r.body, "Contents")) {
      ObjectInfo info;
      info.key = s3::XmlFirst(item, "Key");
      if (info.key.empty() || HiddenKey(info.key) || !info.key.starts_with(prefix)) continue;
      info.size = std::strtoull(s3::XmlFirst(item, "Size").c_str(), nullptr, 10);
      info.last_modified_ms = ParseIsoMillis(s3::XmlFirst(item, "LastModified"));
      out.push_back(std::move(info));
    }
    if (s3::XmlFirst(r.body, "IsTruncated") != "true") break;
    std::string next = s3::XmlFirst(r.body, "NextContinuationToken");
    if (next.empty() || next == token)
      return Status::Corruption("S3 ListObjectsV2 " + Where(bucket, prefix) +
                                ": truncated listing without a new continuation token");
    token = std::move(next);
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

// --- Multipart uploads ---------------------------------------------------------------------

Result<std::string> S3ObjectStore::CreateUpload(std::string_view bucket, std::string_view key) {
  Call c{"CreateMultipartUpload", "POST", std::string(bucket), std::string(key)};
  c.query = {{"uploads", ""}};
  c.headers.push_back({"content-type", "application/octet-stream"});
  if (!options_.sse.empty()) c.headers.push_back({"x-amz-server-side-encryption", options_.sse});
  FG_ASSIGN_OR_RETURN(http::Response r, Execute(c));
  std::string id = s3::XmlFirst(r.body, "UploadId");
  if (id.empty())
    return Status::Corruption("S3 CreateMultipartUpload " + Where(bucket, key) +
                              ": no UploadId in the response");
  return id;
}

Result<std::string> S3ObjectStore::UploadPart(std::string_view bucket, std::string_view key,
                                              const std::string& upload_id, uint32_t number,
                                              const std::string& bytes) {
  Call c{"UploadPart", "PUT", std::string(bucket), std::string(key)};
  c.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  c.body = &bytes;
  FG_ASSIGN_OR_RETURN(http::Response r, Execute(c));
  std::string etag(HeaderValue(r, "etag"));
  if (etag.empty())
    return Status::Corruption("S3 UploadPart " + Where(bucket, key) + ": no ETag in the response");
  return etag;
}

Status S3ObjectStore::AbortUpload(std::string_view bucket, std::string_view key,
                                  const std::string& upload_id) {
  Call c{"AbortMultipartUpload", "DELETE", std::string(bucket), std::string(key)};
  c.query = {{"uploadId", upload_id}};
  Status st = Execute(c).status();
  return st.IsNotFound() ? Status::Ok() : st;
}

Result<std::vector<StagedObject>> S3ObjectStore::ListStaged(std::string_view bucket,
                                                            std::string_view prefix) {
  FG_RETURN_IF_ERROR(ValidateKey(prefix, true));
  std::vector<StagedObject> out;
  std::string key_marker, id_marker;
  while (true) {
    Call c{"ListMultipartUploads", "GET", std::string(bucket), ""};
    c.query = {{"uploads", ""}, {"prefix", std::string(prefix)}};
    if (!key_marker.empty()) c.query.push_back({"key-marker", key_marker});
    if (!id_marker.empty()) c.query.push_back({"upload-id-marker", id_marker});
    std::string code;
    auto listed = Execute(c, &code);
    if (!listed.ok() && code == "NotImplemented") {
      Log()->warn(
          "{}; unfinished multipart uploads under it are not cleaned up here "
          "(a bucket lifecycle rule AbortIncompleteMultipartUpload can)",
          listed.status().message());
      return std::vector<StagedObject>{};
    }
    FG_ASSIGN_OR_RETURN(http::Response r, std::move(listed));
    for (const std::string& item : s3::XmlElements(r.body, "Upload")) {
      StagedState st;
      std::string key = s3::XmlFirst(item, "Key");
      st.upload_id = s3::XmlFirst(item, "UploadId");
      if (key.empty() || st.upload_id.empty() || !key.starts_with(prefix)) continue;
      out.push_back(StagedObject{std::string(bucket), std::move(key), 0, EncodeStagedState(st)});
    }
    if (s3::XmlFirst(r.body, "IsTruncated") != "true") break;
    std::string nk = s3::XmlFirst(r.body, "NextKeyMarker");
    std::string ni = s3::XmlFirst(r.body, "NextUploadIdMarker");
    if (nk.empty() || (nk == key_marker && ni == id_marker))
      return Status::Corruption("S3 ListMultipartUploads " + Where(bucket, prefix) +
                                ": truncated listing without new markers");
    key_marker = std::move(nk);
    id_marker = std::move(ni);
  }
  return out;
}

Result<std::unique_ptr<StagedWriter>> S3ObjectStore::BeginStaged(std::string_view bucket,
                                                                 std::string_view key) {
  FG_RETURN_IF_ERROR(ValidateKey(key, false));
  // "Replacing an earlier staged one": uploads of this exact key left by an earlier run.
  FG_ASSIGN_OR_RETURN(auto earlier, ListStaged(bucket, key));
  for (const StagedObject& h : earlier) {
    if (h.key == key) FG_RETURN_IF_ERROR(AbortStaged(h));
  }
  StagedState st;
  FG_ASSIGN_OR_RETURN(st.upload_id, CreateUpload(bucket, key));
  return std::unique_ptr<StagedWriter>(
      new S3StagedWriter(this, std::string(bucket), std::string(key), std::move(st)));
}

Result<std::unique_ptr<StagedWriter>> S3ObjectStore::ResumeStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  FG_ASSIGN_OR_RETURN(StagedState st, s3::DecodeStagedState(h.backend));
  if (Sum(st) != h.length)
    return Status::Corruption("S3 staged-object handle for " + Where(h.bucket, h.key) + " says " +
                              std::to_string(h.length) + " bytes but holds " +
                              std::to_string(Sum(st)));
  // The upload must still exist and hold the handle's parts as they were uploaded.
  std::vector<PartRecord> listed;
  std::string marker;
  while (true) {
    Call c{"ListParts", "GET", h.bucket, h.key};
    c.query = {{"uploadId", st.upload_id}};
    if (!marker.empty()) c.query.push_back({"part-number-marker", marker});
    std::string code;
    auto r = Execute(c, &code);
    if (!r.ok()) {
      if (r.status().IsNotFound())
        return Status::NotFound("staged object to resume is gone (published or aborted since?): " +
                                std::string(r.status().message()));
      // Some S3-compatible stores (s3rver) have no ListParts. The checkpoint's handle
      // records every part's ETag, and CompleteMultipartUpload checks them, so resume
      // from the handle alone; a part that is really gone fails at publish instead.
      if (code == "NotImplemented" || code == "MethodNotAllowed") {
        Log()->warn("{}; resuming from the parts the checkpoint recorded",
                    r.status().message());
        return std::unique_ptr<StagedWriter>(
            new S3StagedWriter(this, h.bucket, h.key, std::move(st)));
      }
      return r.status();
    }
    for (const std::string& item : s3::XmlElements(r->body, "Part")) {
      PartRecord p;
      p.number = static_cast<uint32_t>(
          std::strtoul(s3::XmlFirst(item, "PartNumber").c_str(), nullptr, 10));
      p.etag = s3::XmlFirst(item, "ETag");
      p.size = std::strtoull(s3::XmlFirst(item, "Size").c_str(), nullptr, 10);
      listed.push_back(std::move(p));
    }
    if (s3::XmlFirst(r->body, "IsTruncated") != "true") break;
    std::string next = s3::XmlFirst(r->body, "NextPartNumberMarker");
    if (next.empty() || next == marker) break;
    marker = std::move(next);
  }
  for (const PartRecord& want : st.parts) {
    auto it = std::find_if(listed.begin(), listed.end(),
                           [&](const PartRecord& p) { return p.number == want.number; });
    if (it == listed.end() || Unquote(it->etag) != Unquote(want.etag))
      return Status::Corruption("S3 upload for " + Where(h.bucket, h.key) + " lacks part " +
                                std::to_string(want.number) + " as the checkpoint recorded it");
  }
  return std::unique_ptr<StagedWriter>(new S3StagedWriter(this, h.bucket, h.key, std::move(st)));
}

Status S3ObjectStore::PublishStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  FG_ASSIGN_OR_RETURN(StagedState st, s3::DecodeStagedState(h.backend));
  if (Sum(st) != h.length)
    return Status::Corruption("S3 staged-object handle for " + Where(h.bucket, h.key) + " says " +
                              std::to_string(h.length) + " bytes but holds " +
                              std::to_string(Sum(st)));
  if (h.length == 0) {  // CompleteMultipartUpload needs a part; an empty object is put whole
    FG_RETURN_IF_ERROR(Put(h.bucket, h.key, ""));
    return AbortUpload(h.bucket, h.key, st.upload_id);
  }
  Status st_done;
  if (!st.tail.empty()) {  // a Persist handle: its tail becomes the last part
    const uint32_t number = st.parts.empty() ? 1 : st.parts.back().number + 1;
    auto etag = UploadPart(h.bucket, h.key, st.upload_id, number, st.tail);
    if (etag.ok()) {
      st.parts.push_back(PartRecord{number, st.tail.size(), std::move(*etag)});
    } else {
      st_done = etag.status();
    }
  }
  if (st_done.ok()) {
    std::string xml = "<CompleteMultipartUpload>";
    for (const PartRecord& p : st.parts) {
      xml += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>" +
             s3::XmlEscape(p.etag) + "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    Call c{"CompleteMultipartUpload", "POST", h.bucket, h.key};
    c.query = {{"uploadId", st.upload_id}};
    c.headers.push_back({"content-type", "application/xml"});
    c.body = &xml;
    c.error_in_200 = true;
    st_done = Execute(c).status();
    if (st_done.ok()) return Status::Ok();
  }
  if (!st_done.IsNotFound()) return st_done;
  // The upload is gone: published by an earlier attempt, or lost.
  auto size = Head(h.bucket, h.key);
  if (!size.ok()) {
    if (size.status().IsNotFound())
      return Status::NotFound("staged object lost: neither the upload nor " +
                              Where(h.bucket, h.key) + " exists");
    return size.status();
  }
  if (*size != h.length)
    return Status::Corruption(Where(h.bucket, h.key) + " holds " + std::to_string(*size) +
                              " bytes, the checkpoint published " + std::to_string(h.length));
  return Status::Ok();
}

Status S3ObjectStore::AbortStaged(const StagedObject& h) {
  FG_RETURN_IF_ERROR(ValidateKey(h.key, false));
  FG_ASSIGN_OR_RETURN(StagedState st, s3::DecodeStagedState(h.backend));
  return AbortUpload(h.bucket, h.key, st.upload_id);
}

}  // namespace fluxgate::store
