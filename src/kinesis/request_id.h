// Request ids for the x-amzn-RequestId header: random (version 4) UUID text.
// Uses a per-thread generator seeded from OpenSSL, so it is cheap and lock-free; the ids
// only need to be unique, not unpredictable.
#pragma once

#include <string>

namespace fluxgate::kinesis {

std::string NewRequestId();

}  // namespace fluxgate::kinesis
