#include "parquet/format.h"

#include <fmt/format.h>

#include "parquet/thrift_compact.h"

namespace fluxgate::parquet {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

namespace {

// ---------------------------------------------------------------- serialization

void WriteLogicalType(CompactWriter& w, const LogicalType& lt) {
  w.BeginStructField(10);
  switch (lt.kind) {
    case LogicalType::Kind::kString:
      w.BeginStructField(1);
      w.EndStruct();
      break;
    case LogicalType::Kind::kDecimal:
      w.BeginStructField(5);
      w.FieldI32(1, lt.scale);
      w.FieldI32(2, lt.precision);
      w.EndStruct();
      break;
    case LogicalType::Kind::kDate:
      w.BeginStructField(6);
      w.EndStruct();
      break;
    case LogicalType::Kind::kTimestamp:
      w.BeginStructField(8);
      w.FieldBool(1, lt.utc);
      w.BeginStructField(2);
      w.BeginStructField(static_cast<int16_t>(lt.unit));
      w.EndStruct();
      w.EndStruct();
      w.EndStruct();
      break;
    case LogicalType::Kind::kInteger:
      w.BeginStructField(10);
      w.FieldI8(1, lt.bit_width);
      w.FieldBool(2, lt.is_signed);
      w.EndStruct();
      break;
    default:
      w.BeginStructField(11);  // UNKNOWN
      w.EndStruct();
      break;
  }
  w.EndStruct();
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.BeginListStruct();
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical.kind != LogicalType::Kind::kNone) WriteLogicalType(w, e.logical);
  w.EndStruct();
}

void WriteStatistics(CompactWriter& w, int16_t id, const Statistics& s) {
  w.BeginStructField(id);
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  w.EndStruct();
}

void WriteKeyValues(CompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.BeginListField(id, CType::kStruct, kvs.size());
  for (const KeyValue& kv : kvs) {
    w.BeginListStruct();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.EndStruct();
  }
}

void WriteColumnMetaData(CompactWriter& w, const ColumnMetaData& m) {
  w.BeginStructField(3);
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.BeginListField(2, CType::kI32, m.encodings.size());
  for (Encoding e : m.encodings) w.ListI32(static_cast<int32_t>(e));
  w.BeginListField(3, CType::kBinary, m.path_in_schema.size());
  for (const std::string& p : m.path_in_schema) w.ListBinary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 8, m.key_value_metadata);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (!m.statistics.empty()) WriteStatistics(w, 12, m.statistics);
  if (!m.encoding_stats.empty()) {
    w.BeginListField(13, CType::kStruct, m.encoding_stats.size());
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginListStruct();
      w.FieldI32(1, static_cast<int32_t>(s.page_type));
      w.FieldI32(2, static_cast<int32_t>(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  w.EndStruct();
}

}  // namespace

void SerializePageHeader(const PageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.data_page) {
    const DataPageHeader& d = *h.data_page;
    w.BeginStructField(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    w.EndStruct();
  }
  if (h.dictionary_page) {
    const DictionaryPageHeader& d = *h.dictionary_page;
    w.BeginStructField(7);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.FieldBool(3, true);
    w.EndStruct();
  }
  if (h.data_page_v2) {
    const DataPageHeaderV2& d = *h.data_page_v2;
    w.BeginStructField(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    w.FieldBool(7, d.is_compressed);
    w.EndStruct();
  }
  w.EndStruct();
}

void SerializeFileMetaData(const FileMetaData& m, std::string* out) {
  CompactWriter w(out);
  w.FieldI32(1, m.version);
  w.BeginListField(2, CType::kStruct, m.schema.size());
  for (const SchemaElement& e : m.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, m.num_rows);
  w.BeginListField(4, CType::kStruct, m.row_groups.size());
  for (const RowGroup& rg : m.row_groups) {
    w.BeginListStruct();
    w.BeginListField(1, CType::kStruct, rg.columns.size());
    for (const ColumnChunk& cc : rg.columns) {
      w.BeginListStruct();
      if (cc.file_path) w.FieldBinary(1, *cc.file_path);
      w.FieldI64(2, cc.file_offset);
      WriteColumnMetaData(w, cc.meta_data);
      w.EndStruct();
    }
    w.FieldI64(2, rg.total_byte_size);
    w.FieldI64(3, rg.num_rows);
    if (rg.file_offset) w.FieldI64(5, *rg.file_offset);
    if (rg.total_compressed_size) w.FieldI64(6, *rg.total_compressed_size);
    if (rg.ordinal) w.FieldI16(7, *rg.ordinal);
    w.EndStruct();
  }
  if (!m.key_value_metadata.empty()) WriteKeyValues(w, 5, m.key_value_metadata);
  if (m.created_by) w.FieldBinary(6, *m.created_by);
  if (m.column_orders > 0) {
    w.BeginListField(7, CType::kStruct, m.column_orders);
    for (size_t i = 0; i < m.column_orders; ++i) {
      w.BeginListStruct();
      w.BeginStructField(1);  // TYPE_ORDER
      w.EndStruct();
      w.EndStruct();
    }
  }
  w.EndStruct();
}

// ---------------------------------------------------------------- parsing

namespace {

// Iterates the fields of one struct: fn(type, id) handles a field or returns false to skip.
template <class Fn>
Status ReadStruct(CompactReader& r, Fn&& fn) {
  r.EnterStruct();
  for (;;) {
    CType t;
    int16_t id;
    FG_RETURN_IF_ERROR(r.ReadFieldHeader(&t, &id));
    if (t == CType::kStop) break;
    bool handled = false;
    FG_RETURN_IF_ERROR(fn(t, id, &handled));
    if (!handled) FG_RETURN_IF_ERROR(r.Skip(t));
  }
  r.LeaveStruct();
  return Status::Ok();
}

// Reads a list of structs, calling fn(index) positioned at each element.
template <class Fn>
Status ReadStructList(CompactReader& r, CType t, const char* what, Fn&& fn) {
  FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kList, what));
  CType elem;
  uint32_t n;
  FG_RETURN_IF_ERROR(r.ReadListHeader(&elem, &n));
  if (elem != CType::kStruct) {
    return Status::Corruption(fmt::format("thrift: {} is not a list of structs", what));
  }
  for (uint32_t i = 0; i < n; ++i) FG_RETURN_IF_ERROR(fn(i));
  return Status::Ok();
}

Status GetI32(CompactReader& r, CType t, const char* what, int32_t* v) {
  FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kI32, what));
  return r.ReadI32(v);
}

Status GetI64(CompactReader& r, CType t, const char* what, int64_t* v) {
  FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kI64, what));
  return r.ReadI64(v);
}

Status GetString(CompactReader& r, CType t, const char* what, std::string* v) {
  FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kBinary, what));
  std::string_view s;
  FG_RETURN_IF_ERROR(r.ReadBinary(&s));
  v->assign(s);
  return Status::Ok();
}

template <class E>
Status GetEnum(CompactReader& r, CType t, const char* what, E* v) {
  int32_t i;
  FG_RETURN_IF_ERROR(GetI32(r, t, what, &i));
  *v = static_cast<E>(i);
  return Status::Ok();
}

Status ParseLogicalType(CompactReader& r, LogicalType* lt) {
  return ReadStruct(r, [&](CType t, int16_t id, bool* handled) -> Status {
    FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "LogicalType member"));
    *handled = true;
    switch (id) {
      case 1:
        lt->kind = LogicalType::Kind::kString;
        return r.Skip(t);
      case 6:
        lt->kind = LogicalType::Kind::kDate;
        return r.Skip(t);
      case 5:
        lt->kind = LogicalType::Kind::kDecimal;
        return ReadStruct(r, [&](CType ft, int16_t fid, bool* h) -> Status {
          if (fid == 1) {
            *h = true;
            return GetI32(r, ft, "DecimalType.scale", &lt->scale);
          }
          if (fid == 2) {
            *h = true;
            return GetI32(r, ft, "DecimalType.precision", &lt->precision);
          }
          return Status::Ok();
        });
      case 8:
        lt->kind = LogicalType::Kind::kTimestamp;
        return ReadStruct(r, [&](CType ft, int16_t fid, bool* h) -> Status {
          if (fid == 1) {
            FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kBoolTrue, "isAdjustedToUTC"));
            lt->utc = ft == CType::kBoolTrue;
            *h = true;
            return Status::Ok();
          }
          if (fid == 2) {
            FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kStruct, "TimeUnit"));
            *h = true;
            return ReadStruct(r, [&](CType ut, int16_t uid, bool*) -> Status {
              if (uid >= 1 && uid <= 3 && ut == CType::kStruct) {
                lt->unit = static_cast<TimeUnit>(uid);
              }
              return Status::Ok();
            });
          }
          return Status::Ok();
        });
      case 10:
        lt->kind = LogicalType::Kind::kInteger;
        return ReadStruct(r, [&](CType ft, int16_t fid, bool* h) -> Status {
          if (fid == 1) {
            FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kI8, "IntType.bitWidth"));
            *h = true;
            return r.ReadI8(&lt->bit_width);
          }
          if (fid == 2) {
            FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kBoolTrue, "IntType.isSigned"));
            lt->is_signed = ft == CType::kBoolTrue;
            *h = true;
          }
          return Status::Ok();
        });
      default:
        lt->kind = LogicalType::Kind::kOther;
        return r.Skip(t);
    }
  });
}

Status ParseSchemaElement(CompactReader& r, SchemaElement* e) {
  bool has_name = false;
  FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    int32_t v;
    switch (id) {
      case 1:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.type", &v));
        e->type = static_cast<Type>(v);
        return Status::Ok();
      case 2:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.type_length", &v));
        e->type_length = v;
        return Status::Ok();
      case 3:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.repetition_type", &v));
        e->repetition = static_cast<Repetition>(v);
        return Status::Ok();
      case 4:
        has_name = true;
        return GetString(r, t, "SchemaElement.name", &e->name);
      case 5:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.num_children", &v));
        e->num_children = v;
        return Status::Ok();
      case 6:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.converted_type", &v));
        e->converted_type = static_cast<ConvertedType>(v);
        return Status::Ok();
      case 7:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.scale", &v));
        e->scale = v;
        return Status::Ok();
      case 8:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.precision", &v));
        e->precision = v;
        return Status::Ok();
      case 9:
        FG_RETURN_IF_ERROR(GetI32(r, t, "SchemaElement.field_id", &v));
        e->field_id = v;
        return Status::Ok();
      case 10:
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "SchemaElement.logicalType"));
        return ParseLogicalType(r, &e->logical);
      default:
        *handled = false;
        return Status::Ok();
    }
  }));
  if (!has_name) return Status::Corruption("parquet footer: SchemaElement without a name");
  return Status::Ok();
}

Status ParseStatistics(CompactReader& r, Statistics* s) {
  return ReadStruct(r, [&](CType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    int64_t v;
    std::string str;
    switch (id) {
      case 1:
        FG_RETURN_IF_ERROR(GetString(r, t, "Statistics.max", &str));
        s->max = std::move(str);
        return Status::Ok();
      case 2:
        FG_RETURN_IF_ERROR(GetString(r, t, "Statistics.min", &str));
        s->min = std::move(str);
        return Status::Ok();
      case 3:
        FG_RETURN_IF_ERROR(GetI64(r, t, "Statistics.null_count", &v));
        s->null_count = v;
        return Status::Ok();
      case 4:
        FG_RETURN_IF_ERROR(GetI64(r, t, "Statistics.distinct_count", &v));
        s->distinct_count = v;
        return Status::Ok();
      case 5:
        FG_RETURN_IF_ERROR(GetString(r, t, "Statistics.max_value", &str));
        s->max_value = std::move(str);
        return Status::Ok();
      case 6:
        FG_RETURN_IF_ERROR(GetString(r, t, "Statistics.min_value", &str));
        s->min_value = std::move(str);
        return Status::Ok();
      default:
        *handled = false;
        return Status::Ok();
    }
  });
}

Status ParseKeyValues(CompactReader& r, CType t, std::vector<KeyValue>* out) {
  return ReadStructList(r, t, "key_value_metadata", [&](uint32_t) -> Status {
    KeyValue kv;
    FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t id, bool* h) -> Status {
      if (id == 1) {
        *h = true;
        return GetString(r, ft, "KeyValue.key", &kv.key);
      }
      if (id == 2) {
        *h = true;
        std::string v;
        FG_RETURN_IF_ERROR(GetString(r, ft, "KeyValue.value", &v));
        kv.value = std::move(v);
      }
      return Status::Ok();
    }));
    out->push_back(std::move(kv));
    return Status::Ok();
  });
}

Status ParseColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  uint32_t seen = 0;  // bit per required field id
  FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    if (id >= 1 && id <= 15) seen |= 1u << id;
    int64_t v;
    switch (id) {
      case 1:
        return GetEnum(r, t, "ColumnMetaData.type", &m->type);
      case 2: {
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kList, "ColumnMetaData.encodings"));
        CType elem;
        uint32_t n;
        FG_RETURN_IF_ERROR(r.ReadListHeader(&elem, &n));
        if (elem != CType::kI32) return Status::Corruption("encodings: not a list of i32");
        for (uint32_t i = 0; i < n; ++i) {
          int32_t e;
          FG_RETURN_IF_ERROR(r.ReadI32(&e));
          m->encodings.push_back(static_cast<Encoding>(e));
        }
        return Status::Ok();
      }
      case 3: {
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kList, "path_in_schema"));
        CType elem;
        uint32_t n;
        FG_RETURN_IF_ERROR(r.ReadListHeader(&elem, &n));
        if (elem != CType::kBinary) return Status::Corruption("path_in_schema: not strings");
        for (uint32_t i = 0; i < n; ++i) {
          std::string_view s;
          FG_RETURN_IF_ERROR(r.ReadBinary(&s));
          m->path_in_schema.emplace_back(s);
        }
        return Status::Ok();
      }
      case 4:
        return GetEnum(r, t, "ColumnMetaData.codec", &m->codec);
      case 5:
        return GetI64(r, t, "ColumnMetaData.num_values", &m->num_values);
      case 6:
        return GetI64(r, t, "total_uncompressed_size", &m->total_uncompressed_size);
      case 7:
        return GetI64(r, t, "total_compressed_size", &m->total_compressed_size);
      case 8:
        return ParseKeyValues(r, t, &m->key_value_metadata);
      case 9:
        return GetI64(r, t, "data_page_offset", &m->data_page_offset);
      case 10:
        FG_RETURN_IF_ERROR(GetI64(r, t, "index_page_offset", &v));
        m->index_page_offset = v;
        return Status::Ok();
      case 11:
        FG_RETURN_IF_ERROR(GetI64(r, t, "dictionary_page_offset", &v));
        m->dictionary_page_offset = v;
        return Status::Ok();
      case 12:
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "statistics"));
        return ParseStatistics(r, &m->statistics);
      case 13:
        return ReadStructList(r, t, "encoding_stats", [&](uint32_t) -> Status {
          PageEncodingStats s;
          FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t fid, bool* h) -> Status {
            *h = true;
            if (fid == 1) return GetEnum(r, ft, "PageEncodingStats.page_type", &s.page_type);
            if (fid == 2) return GetEnum(r, ft, "PageEncodingStats.encoding", &s.encoding);
            if (fid == 3) return GetI32(r, ft, "PageEncodingStats.count", &s.count);
            *h = false;
            return Status::Ok();
          }));
          m->encoding_stats.push_back(s);
          return Status::Ok();
        });
      default:
        *handled = false;
        return Status::Ok();
    }
  }));
  for (int id : {1, 2, 3, 4, 5, 6, 7, 9}) {
    if ((seen & (1u << id)) == 0) {
      return Status::Corruption(
          fmt::format("parquet footer: ColumnMetaData is missing required field {}", id));
    }
  }
  return Status::Ok();
}

Status ParseRowGroup(CompactReader& r, RowGroup* rg) {
  bool has_columns = false, has_size = false, has_rows = false;
  FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType t, int16_t id, bool* handled) -> Status {
    *handled = true;
    int64_t v;
    switch (id) {
      case 1:
        has_columns = true;
        return ReadStructList(r, t, "RowGroup.columns", [&](uint32_t) -> Status {
          ColumnChunk cc;
          bool has_meta = false;
          FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t fid, bool* h) -> Status {
            *h = true;
            if (fid == 1) {
              std::string p;
              FG_RETURN_IF_ERROR(GetString(r, ft, "ColumnChunk.file_path", &p));
              cc.file_path = std::move(p);
              return Status::Ok();
            }
            if (fid == 2) return GetI64(r, ft, "ColumnChunk.file_offset", &cc.file_offset);
            if (fid == 3) {
              has_meta = true;
              FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kStruct, "meta_data"));
              return ParseColumnMetaData(r, &cc.meta_data);
            }
            *h = false;
            return Status::Ok();
          }));
          if (!has_meta) return Status::Corruption("parquet footer: ColumnChunk without meta_data");
          rg->columns.push_back(std::move(cc));
          return Status::Ok();
        });
      case 2:
        has_size = true;
        return GetI64(r, t, "RowGroup.total_byte_size", &rg->total_byte_size);
      case 3:
        has_rows = true;
        return GetI64(r, t, "RowGroup.num_rows", &rg->num_rows);
      case 5:
        FG_RETURN_IF_ERROR(GetI64(r, t, "RowGroup.file_offset", &v));
        rg->file_offset = v;
        return Status::Ok();
      case 6:
        FG_RETURN_IF_ERROR(GetI64(r, t, "RowGroup.total_compressed_size", &v));
        rg->total_compressed_size = v;
        return Status::Ok();
      case 7: {
        int32_t o;
        FG_RETURN_IF_ERROR(GetI32(r, t, "RowGroup.ordinal", &o));
        rg->ordinal = static_cast<int16_t>(o);
        return Status::Ok();
      }
      default:
        *handled = false;
        return Status::Ok();
    }
  }));
  if (!has_columns || !has_size || !has_rows) {
    return Status::Corruption("parquet footer: RowGroup is missing a required field");
  }
  return Status::Ok();
}

}  // namespace

Status ParsePageHeader(std::string_view data, PageHeader* h, size_t* consumed) {
  CompactReader r(data);
  bool has_type = false, has_u = false, has_c = false;
  // The page header is the top-level struct: its fields are read without EnterStruct().
  for (;;) {
    CType t;
    int16_t id;
    FG_RETURN_IF_ERROR(r.ReadFieldHeader(&t, &id));
    if (t == CType::kStop) break;
    switch (id) {
      case 1:
        has_type = true;
        FG_RETURN_IF_ERROR(GetEnum(r, t, "PageHeader.type", &h->type));
        break;
      case 2:
        has_u = true;
        FG_RETURN_IF_ERROR(GetI32(r, t, "uncompressed_page_size", &h->uncompressed_page_size));
        break;
      case 3:
        has_c = true;
        FG_RETURN_IF_ERROR(GetI32(r, t, "compressed_page_size", &h->compressed_page_size));
        break;
      case 5: {
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "data_page_header"));
        DataPageHeader d;
        FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t fid, bool* hd) -> Status {
          *hd = true;
          if (fid == 1) return GetI32(r, ft, "DataPageHeader.num_values", &d.num_values);
          if (fid == 2) return GetEnum(r, ft, "DataPageHeader.encoding", &d.encoding);
          if (fid == 3)
            return GetEnum(r, ft, "definition_level_encoding", &d.definition_level_encoding);
          if (fid == 4)
            return GetEnum(r, ft, "repetition_level_encoding", &d.repetition_level_encoding);
          *hd = false;
          return Status::Ok();
        }));
        h->data_page = d;
        break;
      }
      case 7: {
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "dictionary_page_header"));
        DictionaryPageHeader d;
        FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t fid, bool* hd) -> Status {
          *hd = true;
          if (fid == 1) return GetI32(r, ft, "DictionaryPageHeader.num_values", &d.num_values);
          if (fid == 2) return GetEnum(r, ft, "DictionaryPageHeader.encoding", &d.encoding);
          *hd = false;
          return Status::Ok();
        }));
        h->dictionary_page = d;
        break;
      }
      case 8: {
        FG_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "data_page_header_v2"));
        DataPageHeaderV2 d;
        FG_RETURN_IF_ERROR(ReadStruct(r, [&](CType ft, int16_t fid, bool* hd) -> Status {
          *hd = true;
          switch (fid) {
            case 1:
              return GetI32(r, ft, "v2.num_values", &d.num_values);
            case 2:
              return GetI32(r, ft, "v2.num_nulls", &d.num_nulls);
            case 3:
              return GetI32(r, ft, "v2.num_rows", &d.num_rows);
            case 4:
              return GetEnum(r, ft, "v2.encoding", &d.encoding);
            case 5:
              return GetI32(r, ft, "v2.definition_levels_byte_length",
                            &d.definition_levels_byte_length);
            case 6:
              return GetI32(r, ft, "v2.repetition_levels_byte_length",
                            &d.repetition_levels_byte_length);
            case 7:
              FG_RETURN_IF_ERROR(CompactReader::Expect(ft, CType::kBoolTrue, "v2.is_compressed"));
              d.is_compressed = ft == CType::kBoolTrue;
              return Status::Ok();
            default:
              *hd = false;
              return Status::Ok();
          }
        }));
        h->data_page_v2 = d;
        break;
      }
      default:
        FG_RETURN_IF_ERROR(r.Skip(t));
    }
  }
  if (!has_type || !has_u || !has_c) {
    return Status::Corruption("parquet page header is missing a required field");
  }
  if (h->uncompressed_page_size < 0 || h->compressed_page_size < 0) {
    return Status::Corruption("parquet page header has a negative page size");
  }
  *consumed = r.position();
  return Status::Ok();
}

Status ParseFileMetaData(std::string_view data, FileMetaData* m) {
  CompactReader r(data);
  bool has_version = false, has_schema = false, has_rows = false, has_rgs = false;
  for (;;) {
    CType t;
    int16_t id;
    FG_RETURN_IF_ERROR(r.ReadFieldHeader(&t, &id));
    if (t == CType::kStop) break;
    switch (id) {
      case 1:
        has_version = true;
        FG_RETURN_IF_ERROR(GetI32(r, t, "FileMetaData.version", &m->version));
        break;
      case 2:
        has_schema = true;
        FG_RETURN_IF_ERROR(ReadStructList(r, t, "FileMetaData.schema", [&](uint32_t) -> Status {
          SchemaElement e;
          FG_RETURN_IF_ERROR(ParseSchemaElement(r, &e));
          m->schema.push_back(std::move(e));
          return Status::Ok();
        }));
        break;
      case 3:
        has_rows = true;
        FG_RETURN_IF_ERROR(GetI64(r, t, "FileMetaData.num_rows", &m->num_rows));
        break;
      case 4:
        has_rgs = true;
        FG_RETURN_IF_ERROR(ReadStructList(r, t, "FileMetaData.row_groups", [&](uint32_t) -> Status {
          RowGroup rg;
          FG_RETURN_IF_ERROR(ParseRowGroup(r, &rg));
          m->row_groups.push_back(std::move(rg));
          return Status::Ok();
        }));
        break;
      case 5:
        FG_RETURN_IF_ERROR(ParseKeyValues(r, t, &m->key_value_metadata));
        break;
      case 6: {
        std::string s;
        FG_RETURN_IF_ERROR(GetString(r, t, "FileMetaData.created_by", &s));
        m->created_by = std::move(s);
        break;
      }
      case 7:
        FG_RETURN_IF_ERROR(ReadStructList(r, t, "FileMetaData.column_orders", [&](uint32_t) {
          ++m->column_orders;
          return r.Skip(CType::kStruct);
        }));
        break;
      default:
        FG_RETURN_IF_ERROR(r.Skip(t));
    }
  }
  if (!has_version || !has_schema || !has_rows || !has_rgs) {
    return Status::Corruption("parquet footer: FileMetaData is missing a required field");
  }
  return Status::Ok();
}

}  // namespace fluxgate::parquet
