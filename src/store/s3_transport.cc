#include "store/s3_transport.h"

#include <map>
#include <mutex>

namespace fluxgate::store {
namespace {

class HttpS3Transport final : public S3Transport {
 public:
  HttpS3Transport(http::ClientOptions options, size_t max_idle)
      : options_(std::move(options)), max_idle_(max_idle) {}

  Result<http::Response> Send(const S3HttpRequest& req) override {
    const std::string pool_key = req.server.scheme + "://" + HostHeaderFor(req.server);
    std::unique_ptr<http::Client> client;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& idle = idle_[pool_key];
      if (!idle.empty()) {
        client = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!client) client = std::make_unique<http::Client>(req.server, options_);
    static const std::string kEmpty;
    auto result = client->Do(req.method, req.target, req.headers, req.body ? *req.body : kEmpty);
    if (result.ok()) {  // a failed client may hold a broken connection: drop it
      std::lock_guard<std::mutex> lock(mu_);
      auto& idle = idle_[pool_key];
      if (idle.size() < max_idle_) idle.push_back(std::move(client));
    }
    return result;
  }

 private:
  const http::ClientOptions options_;
  const size_t max_idle_;
  std::mutex mu_;
  // scheme://host:port -> idle clients
  std::map<std::string, std::vector<std::unique_ptr<http::Client>>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace

std::string HostHeaderFor(const http::Url& url) {
  return (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

std::unique_ptr<S3Transport> MakeHttpS3Transport(http::ClientOptions options,
                                                 size_t max_idle_per_host) {
  return std::make_unique<HttpS3Transport>(std::move(options), max_idle_per_host);
}

}  // namespace fluxgate::store
