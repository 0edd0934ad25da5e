#include "cli/serve_flags.h"

#include <CLI/CLI.hpp>

namespace fluxgate::cli {

void AddServeFlags(CLI::App& cmd, ServeFlags& f) {
  cmd.add_option("--config", f.config_file,
                 "TOML config file; every flag below has a key of the same name with '_' "
                 "(see docs/configuration.md). Flags override the file.")
      ->check(CLI::ExistingFile);
  cmd.add_option("--data-dir", f.data_dir,
                 "Directory for streams, segments and metadata (default ./fluxgate-data; "
                 "key data_dir)");
  cmd.add_option("--kinesis-listen", f.kinesis_listen,
                 "HOST:PORT of the Kinesis Data Streams API (default 127.0.0.1:4567; key "
                 "kinesis_listen)");
  cmd.add_option("--http-listen", f.http_listen,
                 "HOST:PORT of the HTTP listener: /healthz, /v1 admin API (default "
                 "127.0.0.1:8080; key http_listen)");
  cmd.add_option("--bearer-token", f.bearer_token,
                 "Token the HTTP listener requires (Authorization: Bearer) on every route but "
                 "/healthz; prefer the config file, since a flag is visible to other local "
                 "users (key http.bearer_token)");
  cmd.add_option("--durability", f.durability,
                 "fsync: acknowledge a put only after it is on disk (default). none: skip "
                 "fsync, for benchmarks only; acknowledged data may be lost on power failure "
                 "(key durability)")
      ->check(CLI::IsMember({"fsync", "none"}));
  cmd.add_option("--log-level", f.log_level,
                 "trace, debug, info (default), warn, error, critical or off (key log_level)");
  cmd.add_option("--pipeline", f.pipelines,
                 "SQL pipeline file to run, instead of the shipped pipelines/iot-analytics.sql; "
                 "repeatable (key pipelines, a list). A job of the same name takes the new SQL "
                 "and resumes from its checkpoints")
      ->check(CLI::ExistingFile)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd.add_flag("--no-default-pipeline", f.no_default_pipeline,
               "Run no pipeline unless --pipeline names one (key: pipelines = []); jobs "
               "submitted earlier still resume");
}

Status ResolveServeConfig(const ServeFlags& f, ServeConfig& c) {
  if (!f.config_file.empty()) FG_RETURN_IF_ERROR(LoadConfigFile(f.config_file, c));
  if (!f.data_dir.empty()) c.data_dir = f.data_dir;
  if (!f.kinesis_listen.empty()) c.kinesis_listen = f.kinesis_listen;
  if (!f.http_listen.empty()) c.http_listen = f.http_listen;
  if (!f.durability.empty()) c.durability = f.durability;
  if (!f.bearer_token.empty()) c.http.bearer_token = f.bearer_token;
  if (!f.log_level.empty()) c.log_level = f.log_level;
  if (!f.pipelines.empty())
    c.pipelines = f.pipelines;
  else if (f.no_default_pipeline)
    c.pipelines.emplace();
  return ValidateConfig(c);
}

}  // namespace fluxgate::cli
