// `fluxgate alerts ...`: alert topics, subscriptions and dead letters of a running server,
// through its admin API (/v1/alerts, docs/design/alerts.md "Admin API").
//
//   fluxgate alerts topics
//   fluxgate alerts subscriptions
//   fluxgate alerts subscribe TOPIC --webhook URL | --email ADDRESS |
//                                   --mqtt mqtt://HOST:PORT/TOPIC | --file PATH
//                                   [--filter JSON] [--secret KEY]
//   fluxgate alerts unsubscribe ID
//   fluxgate alerts test TOPIC [--message TEXT]
//   fluxgate alerts dead-letters [--limit N]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/server_client.h"
#include "common/json_writer.h"

namespace fluxgate::cli {
namespace {

struct AlertsFlags {
  std::string server = kDefaultServer;
  std::string ca_file;
  std::string topic;
  std::string webhook, email, mqtt, file;
  std::string filter;
  std::string secret;
  std::string id;
  std::string message;
  int limit = 20;
};

int Fail(const Status& st) {
  std::fprintf(stderr, "fluxgate alerts: %s\n", st.message().c_str());
  return 1;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size());
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string U(simdjson::dom::element obj, const char* key) {
  return std::to_string(JsonInt(obj, key));
}

Result<std::unique_ptr<ServerClient>> Client(const AlertsFlags& f) {
  return ServerClient::Create(f.server, f.ca_file);
}

int Topics(const AlertsFlags& f) {
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("GET", "/v1/alerts/topics");
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array topics;
  if ((*doc)["topics"].get_array().get(topics) != simdjson::SUCCESS || topics.size() == 0) {
    std::printf("no topic has a subscription\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"TOPIC", "SUBSCRIPTIONS"}};
  for (simdjson::dom::element t : topics)
    rows.push_back({JsonString(t, "topic"), U(t, "subscriptions")});
  PrintTable(rows);
  return 0;
}

int Subscriptions(const AlertsFlags& f) {
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("GET", "/v1/alerts/subscriptions");
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array subs;
  if ((*doc)["subscriptions"].get_array().get(subs) != simdjson::SUCCESS || subs.size() == 0) {
    std::printf("no subscriptions\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "TOPIC", "KIND", "TARGET", "FROM",
                                                 "DELIVERED", "FAILED", "RETRIED", "QUEUED",
                                                 "FILTERED", "FILTER"}};
  for (simdjson::dom::element s : subs) {
    std::string filter = "-";
    simdjson::dom::object policy;
    if (s["filter"].get_object().get(policy) == simdjson::SUCCESS)
      filter = simdjson::minify(policy);
    rows.push_back({JsonString(s, "id"), JsonString(s, "topic"), JsonString(s, "kind"),
                    JsonString(s, "target"), JsonString(s, "origin"), U(s, "delivered"),
                    U(s, "failed"), U(s, "retried"), U(s, "queued"), U(s, "filtered"), filter});
  }
  PrintTable(rows);
  return 0;
}

int Subscribe(const AlertsFlags& f) {
  std::string kind, key, target;
  int targets = 0;
  if (!f.webhook.empty()) ++targets, kind = "webhook", key = "url", target = f.webhook;
  if (!f.email.empty()) ++targets, kind = "email", key = "address", target = f.email;
  if (!f.mqtt.empty()) ++targets, kind = "mqtt", key = "url", target = f.mqtt;
  if (!f.file.empty()) ++targets, kind = "file", key = "path", target = f.file;
  if (targets != 1)
    return Fail(Status::InvalidArgument(
        "give exactly one of --webhook URL, --email ADDRESS, --mqtt mqtt://HOST:PORT/TOPIC, "
        "--file PATH"));
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("topic").String(f.topic).Key("kind").String(kind);
  w.Key(key).String(target);
  if (!f.secret.empty()) w.Key("secret").String(f.secret);
  if (!f.filter.empty()) w.Key("filter").String(f.filter);  // the server parses and checks it
  w.EndObject();
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("POST", "/v1/alerts/subscriptions", body);
  if (!doc.ok()) return Fail(doc.status());
  std::printf("subscribed %s: topic '%s' → %s %s\n", JsonString(*doc, "id").c_str(),
              f.topic.c_str(), kind.c_str(), JsonString(*doc, "target").c_str());
  return 0;
}

int Unsubscribe(const AlertsFlags& f) {
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("DELETE", "/v1/alerts/subscriptions/" + UrlEncode(f.id));
  if (!doc.ok()) return Fail(doc.status());
  std::printf("unsubscribed %s\n", f.id.c_str());
  return 0;
}

int Test(const AlertsFlags& f) {
  std::string body;
  JsonWriter w(body);
  w.BeginObject().Key("topic").String(f.topic);
  if (!f.message.empty()) w.Key("message").String(f.message);
  w.EndObject();
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("POST", "/v1/alerts/test", body);
  if (!doc.ok()) return Fail(doc.status());
  const int64_t subs = JsonInt(*doc, "subscriptions");
  std::printf("test alert %s published to topic '%s' (%lld subscription%s)\n",
              JsonString(*doc, "id").c_str(), f.topic.c_str(), static_cast<long long>(subs),
              subs == 1 ? "" : "s");
  if (subs == 0) std::printf("note: no subscription of this topic will receive it\n");
  return 0;
}

int DeadLetters(const AlertsFlags& f) {
  auto client = Client(f);
  if (!client.ok()) return Fail(client.status());
  auto doc = (*client)->Call("GET", "/v1/alerts/dead-letters?limit=" + std::to_string(f.limit));
  if (!doc.ok()) return Fail(doc.status());
  simdjson::dom::array list;
  if ((*doc)["dead_letters"].get_array().get(list) != simdjson::SUCCESS || list.size() == 0) {
    std::printf("no dead letters\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"TIME", "SUBSCRIPTION", "TOPIC", "TARGET", "ALERT", "ATTEMPTS", "LAST ERROR"}};
  for (simdjson::dom::element d : list) {
    simdjson::dom::element alert;
    std::string id = "-";
    if (d["alert"].get(alert) == simdjson::SUCCESS) id = JsonString(alert, "id");
    rows.push_back({JsonString(d, "time"), JsonString(d, "subscription"), JsonString(d, "topic"),
                    JsonString(d, "kind") + " " + JsonString(d, "target"), id, U(d, "attempts"),
                    JsonString(d, "error")});
  }
  PrintTable(rows);
  return 0;
}

}  // namespace

void RegisterAlertsCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<AlertsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "alerts", "Alert topics, subscriptions and dead letters of a running server");
  cmd->require_subcommand(1);
  auto server = [f](CLI::App* sub) {
    sub->add_option("--server", f->server, "HTTP listener of the server (http:// or https://)")
        ->capture_default_str();
    sub->add_option("--ca-file", f->ca_file,
                    "PEM file of CA certificates to trust for an https:// server (default: "
                    "$FLUXGATE_CA_FILE, else the system store)")
        ->check(CLI::ExistingFile);
  };
  auto* topics = cmd->add_subcommand("topics", "List the topics that have subscriptions");
  server(topics);
  topics->callback([f, exit_code] { *exit_code = Topics(*f); });

  auto* subs = cmd->add_subcommand("subscriptions",
                                   "List every subscription with its delivery counters and filter");
  server(subs);
  subs->callback([f, exit_code] { *exit_code = Subscriptions(*f); });

  auto* sub = cmd->add_subcommand(
      "subscribe", "Add a subscription at run time (kept across restarts of the server)");
  sub->add_option("topic", f->topic, "Alert topic (the 'topic' of an 'alert' sink)")->required();
  auto* g = sub->add_option_group("target", "Where the alerts go (exactly one)");
  g->add_option("--webhook", f->webhook, "POST each alert's JSON to this http(s):// URL");
  g->add_option("--email", f->email, "E-mail each alert to this address (via [alerts.smtp])");
  g->add_option("--mqtt", f->mqtt, "Publish each alert (QoS 1) to mqtt://HOST:PORT/TOPIC");
  g->add_option("--file", f->file, "Append each alert as a JSON line to this file");
  g->require_option(1);
  sub->add_option("--filter", f->filter,
                  "SNS-style filter policy on the alert's attributes, as JSON, e.g. "
                  "'{\"severity\":[\"critical\"]}'");
  sub->add_option("--secret", f->secret,
                  "Webhook only: HMAC-SHA256 key for the X-Fluxgate-Signature header");
  server(sub);
  sub->callback([f, exit_code] { *exit_code = Subscribe(*f); });

  auto* unsub = cmd->add_subcommand("unsubscribe", "Remove a subscription added at run time");
  unsub->add_option("id", f->id, "Subscription id (see `fluxgate alerts subscriptions`)")
      ->required();
  server(unsub);
  unsub->callback([f, exit_code] { *exit_code = Unsubscribe(*f); });

  auto* test = cmd->add_subcommand("test", "Publish a test alert to every subscription of TOPIC");
  test->add_option("topic", f->topic, "Alert topic")->required();
  test->add_option("--message", f->message, "Message of the test alert");
  server(test);
  test->callback([f, exit_code] { *exit_code = Test(*f); });

  auto* dead = cmd->add_subcommand("dead-letters",
                                   "List alerts that could not be delivered, with the last error");
  dead->add_option("--limit", f->limit, "Newest entries to show")->capture_default_str();
  server(dead);
  dead->callback([f, exit_code] { *exit_code = DeadLetters(*f); });
}

}  // namespace fluxgate::cli
