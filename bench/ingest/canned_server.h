// CannedServer: a stand-in Kinesis endpoint that does no work, used to measure the load
// generator's own ceiling on a machine (`fluxgate-bench-ingest --canned-server PORT`).
//
// It reads each HTTP/1.1 request in full and answers from canned replies: PutRecords gets
// a 200 acknowledging every record of the request (one SequenceNumber per `PartitionKey`
// in the body), DescribeStreamSummary an ACTIVE stream, anything else `{}`. It stores
// nothing. Single-threaded (one epoll loop); runs until killed.
#pragma once

#include <cstdint>

namespace fluxgate::bench {

// Listens on 127.0.0.1:port and serves forever; returns non-zero only if it cannot listen.
int RunCannedServer(uint16_t port);

}  // namespace fluxgate::bench
