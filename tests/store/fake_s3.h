// FakeS3: an in-memory S3 behind the S3Transport interface, answering the requests
// S3ObjectStore makes (objects, ListObjectsV2 with continuation, multipart uploads with
// S3's 5 MiB floor for non-last parts) so the store's logic is tested without a socket.
// It records every request and can be told to fail the next ones (HTTP errors or
// connection errors) to exercise retries. Single-threaded, like the tests that use it.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/sigv4.h"
#include "store/s3_protocol.h"
#include "store/s3_transport.h"

namespace fluxgate::store::testing {

class FakeS3 final : public S3Transport {
 public:
  struct Recorded {
    std::string method, host, target;  // host: the server connected to
    std::vector<http::Header> headers;
    std::string body;
    std::string Header(std::string_view name) const {
      for (const auto& h : headers)
        if (h.name == name) return h.value;
      return {};
    }
  };
  struct Injected {  // returned instead of handling the next request
    int status = 0;  // 0: a connection error (IOError)
    std::string code;
  };
  struct Object {
    std::string data;
    std::vector<http::Header> headers;  // as sent on PutObject / CreateMultipartUpload
  };
  struct Upload {
    std::string bucket, key;
    std::map<uint32_t, std::pair<std::string, std::string>> parts;  // number -> (etag, bytes)
    std::vector<http::Header> headers;
  };

  explicit FakeS3(bool path_style) : path_style_(path_style) {}

  Result<http::Response> Send(const S3HttpRequest& req) override {
    Recorded rec{req.method, req.server.host, req.target, req.headers,
                 req.body ? *req.body : std::string()};
    requests.push_back(rec);
    if (!inject.empty()) {
      Injected in = inject.front();
      inject.pop_front();
      if (in.status == 0) return Status::IOError("connection reset by peer");
      return Error(in.status, in.code);
    }
    return Handle(rec);
  }

  std::deque<Injected> inject;
  std::vector<Recorded> requests;
  std::map<std::string, Object> objects;  // "bucket/key"
  std::map<std::string, Upload> uploads;  // upload id
  size_t max_keys = 1000;
  size_t max_uploads = 1000;
  bool error_in_complete_200 = false;  // answer the next Complete with 200 + InternalError

 private:
  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }
  static std::string Decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && Hex(s[i + 1]) >= 0 && Hex(s[i + 2]) >= 0) {
        out.push_back(static_cast<char>(Hex(s[i + 1]) * 16 + Hex(s[i + 2])));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  }
  static http::Response Error(int status, const std::string& code) {
    http::Response r;
    r.status = status;
    r.content_type = "application/xml";
    r.body = "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>fake " + code +
             "</Message></Error>";
    return r;
  }
  static http::Response Xml(std::string body) {
    http::Response r;
    r.content_type = "application/xml";
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body;
    return r;
  }

  Result<http::Response> Handle(const Recorded& rec) {
    std::string path = rec.target.substr(0, rec.target.find('?'));
    std::map<std::string, std::string> q;
    if (auto pos = rec.target.find('?'); pos != std::string::npos) {
      std::string_view qs = std::string_view(rec.target).substr(pos + 1);
      while (!qs.empty()) {
        auto amp = qs.find('&');
        std::string_view part = qs.substr(0, amp);
        auto eq = part.find('=');
        q[Decode(part.substr(0, eq))] =
            eq == std::string_view::npos ? "" : Decode(part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        qs.remove_prefix(amp + 1);
      }
    }
    std::string bucket, key;
    std::string p = Decode(path.substr(1));
    if (path_style_) {
      auto slash = p.find('/');
      bucket = p.substr(0, slash);
      key = slash == std::string::npos ? "" : p.substr(slash + 1);
    } else {
      bucket = rec.host.substr(0, rec.host.find('.'));
      key = p;
    }
    const std::string id = bucket + "/" + key;
    const std::string& m = rec.method;
    if (key.empty() && m == "GET" && q.count("uploads")) return ListUploads(bucket, q);
    if (key.empty() && m == "GET") return ListObjects(bucket, q);
    if (m == "POST" && q.count("uploads")) {
      std::string uid = "upload-" + std::to_string(++next_upload_);
      uploads[uid] = Upload{bucket, key, {}, rec.headers};
      return Xml("<InitiateMultipartUploadResult><Bucket>" + bucket + "</Bucket><Key>" +
                 s3::XmlEscape(key) + "</Key><UploadId>" + uid +
                 "</UploadId></InitiateMultipartUploadResult>");
    }
    if (q.count("uploadId")) {
      auto it = uploads.find(q["uploadId"]);
      if (it == uploads.end()) return Error(404, "NoSuchUpload");
      Upload& up = it->second;
      if (m == "PUT") {
        uint32_t n = static_cast<uint32_t>(std::stoul(q["partNumber"]));
        std::string etag = "\"" + sigv4::Sha256Hex(rec.body).substr(0, 32) + "\"";
        up.parts[n] = {etag, rec.body};
        http::Response r;
        r.headers.push_back({"etag", etag});
        return r;
      }
      if (m == "GET") {
        std::string body = "<ListPartsResult><IsTruncated>false</IsTruncated>";
        for (const auto& [n, part] : up.parts)
          body += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" +
                  s3::XmlEscape(part.first) + "</ETag><Size>" + std::to_string(part.second.size()) +
                  "</Size></Part>";
        return Xml(body + "</ListPartsResult>");
      }
      if (m == "DELETE") {
        uploads.erase(it);
        http::Response r;
        r.status = 204;
        return r;
      }
      if (m == "POST") {
        if (error_in_complete_200) {
          error_in_complete_200 = false;
          auto r = Error(200, "InternalError");
          return r;
        }
        auto numbers = s3::XmlElements(rec.body, "PartNumber");
        auto etags = s3::XmlElements(rec.body, "ETag");
        if (numbers.empty() || numbers.size() != etags.size()) return Error(400, "MalformedXML");
        std::string data;
        for (size_t i = 0; i < numbers.size(); ++i) {
          auto pit = up.parts.find(static_cast<uint32_t>(std::stoul(numbers[i])));
          if (pit == up.parts.end() || pit->second.first != etags[i])
            return Error(400, "InvalidPart");
          if (i + 1 < numbers.size() && pit->second.second.size() < (5u << 20))
            return Error(400, "EntityTooSmall");
          data += pit->second.second;
        }
        objects[id] = Object{std::move(data), up.headers};
        uploads.erase(it);
        return Xml("<CompleteMultipartUploadResult><Key>" + s3::XmlEscape(key) +
                   "</Key></CompleteMultipartUploadResult>");
      }
    }
    if (m == "PUT") {
      objects[id] = Object{rec.body, rec.headers};
      http::Response r;
      r.headers.push_back({"etag", "\"x\""});
      return r;
    }
    if (m == "GET" || m == "HEAD") {
      auto it = objects.find(id);
      if (it == objects.end()) {
        if (m == "HEAD") {
          http::Response r;
          r.status = 404;
          return r;
        }
        return Error(404, "NoSuchKey");
      }
      http::Response r;
      if (m == "GET") r.body = it->second.data;
      r.headers.push_back({"content-length", std::to_string(it->second.data.size())});
      return r;
    }
    if (m == "DELETE") {
      objects.erase(id);
      http::Response r;
      r.status = 204;
      return r;
    }
    return Error(400, "NotImplemented");
  }

  http::Response ListObjects(const std::string& bucket, std::map<std::string, std::string>& q) {
    const std::string prefix = q["prefix"];
    std::string after = q["continuation-token"];
    std::string body = "<ListBucketResult>";
    size_t n = 0;
    std::string last;
    bool truncated = false;
    for (const auto& [id, obj] : objects) {
      if (!id.starts_with(bucket + "/")) continue;
      std::string key = id.substr(bucket.size() + 1);
      if (!key.starts_with(prefix) || (!after.empty() && key <= after)) continue;
      if (n == max_keys) {
        truncated = true;
        break;
      }
      body += "<Contents><Key>" + s3::XmlEscape(key) +
              "</Key><LastModified>2024-05-01T12:34:56.789Z</LastModified><Size>" +
              std::to_string(obj.data.size()) + "</Size></Contents>";
      last = key;
      ++n;
    }
    body += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
    if (truncated)
      body += "<NextContinuationToken>" + s3::XmlEscape(last) + "</NextContinuationToken>";
    return Xml(body + "</ListBucketResult>");
  }

  http::Response ListUploads(const std::string& bucket, std::map<std::string, std::string>& q) {
    const std::string prefix = q["prefix"];
    const std::string after = q["upload-id-marker"];
    std::string body = "<ListMultipartUploadsResult>";
    size_t n = 0;
    std::string last_key, last_id;
    bool truncated = false;
    for (const auto& [uid, up] : uploads) {  // ordered by id, good enough for a fake
      if (up.bucket != bucket || !up.key.starts_with(prefix) || (!after.empty() && uid <= after))
        continue;
      if (n == max_uploads) {
        truncated = true;
        break;
      }
      body += "<Upload><Key>" + s3::XmlEscape(up.key) + "</Key><UploadId>" + uid +
              "</UploadId></Upload>";
      last_key = up.key;
      last_id = uid;
      ++n;
    }
    body += std::string("<IsTruncated>") + (truncated ? "true" : "false") + "</IsTruncated>";
    if (truncated)
      body += "<NextKeyMarker>" + s3::XmlEscape(last_key) + "</NextKeyMarker><NextUploadIdMarker>" +
              last_id + "</NextUploadIdMarker>";
    return Xml(body + "</ListMultipartUploadsResult>");
  }

  const bool path_style_;
  int next_upload_ = 0;
};

}  // namespace fluxgate::store::testing
