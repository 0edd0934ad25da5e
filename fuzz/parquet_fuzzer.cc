// Fuzzes the Parquet reader (parquet/reader.h) the way `fluxgate query` and compaction use
// it: open a whole file's bytes, then decode every row group into runtime columns. The
// bytes come from object stores we do not control, so any input must give a clean error.
//
// Invariants: no crash, hang or sanitizer report; a row group that decodes has the number
// of rows and columns its footer declares.
#include <string>

#include "fuzz_util.h"
#include "parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fluxgate;
  auto reader = parquet::FileReader::Open(fuzz::AsView(data, size));
  if (!reader.ok()) return 0;
  const parquet::FileReader& r = **reader;
  for (size_t i = 0; i < r.num_row_groups(); ++i) {
    auto batch = r.ReadRowGroup(i);
    if (!batch.ok()) continue;
    FUZZ_CHECK(static_cast<int64_t>(batch->num_rows()) == r.row_group(i).num_rows);
    FUZZ_CHECK(batch->num_columns() == r.columns().size());
  }
  return 0;
}
