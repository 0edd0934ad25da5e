// Part file names: part-<uuid>-<task>-<counter><suffix> (Flink's streaming file sink
// naming). The uuid names one writer identity (a job's sink; it is kept across restores),
// task is the parallel task index, counter numbers that writer's files from 0 upwards.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fluxgate::store {

struct PartFileId {
  std::string uuid;
  uint32_t task = 0;
  uint64_t counter = 0;
};

std::string PartFileName(std::string_view uuid, uint32_t task, uint64_t counter,
                         std::string_view suffix);

// Parses a part file name with the given suffix; nullopt for any other name. The uuid may
// itself contain '-': task and counter are the last two '-'-separated fields.
std::optional<PartFileId> ParsePartFileName(std::string_view name, std::string_view suffix);

// A random RFC 4122 version-4 UUID, lowercase: 8-4-4-4-12 hex digits.
std::string RandomUuid();
// 128 bits as a UUID's text (8-4-4-4-12 lowercase hex digits), e.g. for a uuid derived
// from a name so that it is stable across restarts.
std::string FormatUuid(uint64_t hi, uint64_t lo);

// A uuid or suffix must be usable inside a file name: [A-Za-z0-9._-], uuid non-empty.
Status ValidateNamePart(std::string_view what, std::string_view value, bool allow_empty);

}  // namespace fluxgate::store
