// CSV rules (the README's "CSV rules" documents the same):
// - Fields are separated by commas; no quoting. ASCII spaces and tabs around a field are ignored.
// - A field is a number as std::from_chars reads it ("1", "-1.5", "5.0205548e-01", ".5"), optionally with
//   one leading '+'. It must be finite and fit a 32-bit float (|v| <= FLT_MAX). A value too small for a
//   double (e.g. 1e-400) reads as 0; subnormal doubles (e.g. 1e-310) are kept as they are.
// - CRLF or LF line endings, a UTF-8 byte order mark (columns count after it), no final newline, and
//   blank (empty or space/tab-only) lines at the end are accepted. A blank line before more data is not.
// - Every row has the first row's column count. With CsvOptions::header the first line is skipped unread.
// - Errors read "NAME:LINE:COL: message", LINE 1-based, COL the 1-based byte column where the offending
//   field starts (one past the end of the line for a missing field). "no data rows" is always at 1:1.
#include "ecgad/csv.h"

#include <fmt/core.h>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "csv_source.h"
#include "ecgad/csv_number.h"
#include "ecgad/error.h"
#include "ecgad/text.h"

namespace ecgad {
namespace {

// The longest line io::LineReader takes (its block size 2^24, less one), counting a CR but not the '\n'.
constexpr std::size_t kMaxLineBytes = (std::size_t{1} << 24) - 1;

// Printable ASCII, space, tab and CR are text; LF never reaches a field.
bool is_binary(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\r') || u >= 0x7F;
}

bool is_blank(const char* p, const char* end) {
  while (p != end && is_field_space(*p)) ++p;
  return p == end;
}

std::string columns_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " column" : " columns"); }

// True for a line of at least 10 fields that reads 0,1,...,K-1 or 1,2,...,K, perhaps after one first field
// that is empty or not a number (the name of pandas' index column): pandas' default column names.
bool numbered_header(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t begin = 0;
  for (;;) {
    std::size_t comma = line.find(',', begin);
    std::string_view field =
        line.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin);
    while (!field.empty() && is_field_space(field.front())) field.remove_prefix(1);
    while (!field.empty() && (is_field_space(field.back()) || field.back() == '\r')) field.remove_suffix(1);
    fields.push_back(field);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  auto number = [](std::string_view field, std::size_t& value) {
    auto parsed = std::from_chars(field.data(), field.data() + field.size(), value);
    return !field.empty() && parsed.ec == std::errc() && parsed.ptr == field.data() + field.size();
  };
  std::size_t first = 0, value = 0;
  if (!fields.empty() && !number(fields[0], value)) first = 1;  // an index column's name, or nothing
  // At least 10 numbers: short rows such as 1,2,3 are data often enough (a beat has 100 samples or more).
  if (fields.size() - first < 10 || !number(fields[first], value) || value > 1) return false;
  const std::size_t base = value;
  for (std::size_t i = first; i < fields.size(); ++i) {
    if (!number(fields[i], value) || value != base + (i - first)) return false;
  }
  return true;
}

}  // namespace

struct CsvReader::Impl {
  std::string name;
  CsvOptions options;
  NulSpot nul;                   // written by the byte source, so declared before `lines`
  std::unique_ptr<Sha256> hash;  // likewise; with CsvOptions::hash only
  std::unique_ptr<io::LineReader> lines;
  const char* text = "";  // the current row, NUL-terminated by LineReader
  std::size_t length = 0;
  std::size_t line = 0;  // line of the current row
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::string header;            // the skipped first line, with CsvOptions::header
  std::size_t line_offset = 0;   // input line = LineReader's line + line_offset (pieces)
  bool starts_input = true;      // false for a piece after the input's first line
  std::size_t blank_before = 0;  // CsvPiece::blank_before, until the first call to next()
  bool piece = false;            // a piece of a larger input: no "no data rows"

  [[noreturn]] void fail_at(std::size_t at_line, std::size_t column, const std::string& message) const {
    throw Error(located(name, at_line, column, message));
  }

  char* next_line() {
    try {
      return lines->next_line();
    } catch (const io::error::line_length_limit_exceeded& e) {
      auto at = static_cast<std::size_t>(e.file_line);
      // A long run of NUL bytes (say /dev/zero) is binary data rather than a long line.
      if (nul.line == at) fail_at(at + line_offset, nul.column, "binary data (byte 0x00) is not valid CSV");
      fail_at(at + line_offset, 1, "line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
    }
  }

  void parse_row(std::vector<double>& row);
  double field_value_slow(const char* field, const char* field_end, std::size_t index, bool cut) const;
};

CsvReader::CsvReader(const std::string& path, CsvOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.name = path == "-" ? "<stdin>" : path;
  d.options = options;
  auto input = std::make_unique<InputBytes>(path);
  if (options.hash) d.hash = std::make_unique<Sha256>();
  auto source =
      std::make_unique<NulSpottingSource>(std::move(input), d.name, options.header ? 2 : 1, &d.nul, d.hash.get());
  d.lines = std::make_unique<io::LineReader>(d.name, std::move(source));
}

CsvReader::CsvReader() : impl_(std::make_unique<Impl>()) {}

CsvReader CsvReader::from_string(std::string text, const std::string& name, CsvOptions options) {
  CsvReader reader;
  Impl& d = *reader.impl_;
  d.name = name;
  d.options = options;
  if (options.hash) d.hash = std::make_unique<Sha256>();
  auto source =
      std::make_unique<NulSpottingSource>(std::move(text), d.name, options.header ? 2 : 1, &d.nul, d.hash.get());
  d.lines = std::make_unique<io::LineReader>(d.name, std::move(source));
  return reader;
}

CsvReader CsvReader::from_string(std::string text, const std::string& name, CsvOptions options, const CsvPiece& piece) {
  if (piece.first_line <= 1) {
    CsvReader reader = from_string(std::move(text), name, options);
    reader.impl_->piece = true;
    reader.impl_->columns = piece.columns;
    reader.impl_->blank_before = piece.blank_before;
    return reader;
  }
  CsvReader reader;
  Impl& d = *reader.impl_;
  d.name = name;
  d.options = CsvOptions{};
  d.piece = true;
  d.columns = piece.columns;
  d.blank_before = piece.blank_before;
  d.starts_input = false;
  d.line_offset = piece.first_line - 1;
  d.header = piece.header;
  // LineReader drops a UTF-8 BOM at the start of its input; inside a file those bytes are binary data, so a
  // piece starting with them gets an empty first line, skipped as a header, to keep them.
  std::size_t first_line = 1;
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) {
    text.insert(text.begin(), '\n');
    d.options.header = true;
    d.line_offset -= 1;
    first_line = 2;
  }
  auto source = std::make_unique<NulSpottingSource>(std::move(text), d.name, first_line, &d.nul);
  d.lines = std::make_unique<io::LineReader>(d.name, std::move(source));
  return reader;
}

CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

bool CsvReader::next(std::vector<double>& row) {
  Impl& d = *impl_;
  std::size_t blank_line = d.blank_before;  // first blank line since the last row
  d.blank_before = 0;
  for (;;) {
    char* text = d.next_line();
    if (!text) {
      if (d.rows == 0 && !d.piece) d.fail_at(1, 1, "no data rows");
      d.text = "";  // LineReader may have moved its buffer: the last row's text is gone
      d.length = 0;
      return false;
    }
    std::size_t source_line = d.lines->get_file_line();
    if (source_line == 1 && d.options.header) {
      d.header = text;
      continue;
    }
    std::size_t line = source_line + d.line_offset;
    std::size_t length = std::strlen(text);
    if (d.nul.line != source_line && is_blank(text, text + length)) {
      if (blank_line == 0) blank_line = line;
      continue;
    }
    if (blank_line != 0) d.fail_at(blank_line, 1, "empty line");
    d.text = text;
    d.length = length;
    d.line = line;
    if (line == 1 && !d.options.first_line_is_data && numbered_header({text, length})) {
      d.fail_at(1, 1,
                "looks like a header of column numbers (pandas' default); pass --header to skip it, or --no-header "
                "(score: --no-input-header) to read it as a row");
    }
    d.parse_row(row);
    ++d.rows;
    return true;
  }
}

// The hot loop: one from_chars per field and no copies. Anything unusual goes to field_value_slow,
// which finds the exact error (or the one legal oddity, an underflow to 0).
void CsvReader::Impl::parse_row(std::vector<double>& row) {
  const char* p = text;
  const char* const end = text + length;
  const bool cut = nul.line + line_offset == line;  // the last field was cut short by a NUL byte
  const std::size_t limit = columns ? columns : std::numeric_limits<std::size_t>::max();
  row.clear();
  if (columns) row.reserve(columns);
  for (;;) {
    const char* field = p;
    while (p != end && is_field_space(*p)) ++p;
    p = skip_plus(p, end);
    double value = 0;
    auto parsed = std::from_chars(p, end, value);
    p = parsed.ptr;
    while (p != end && is_field_space(*p)) ++p;
    // std::fabs(NaN) <= FLT_MAX is false, so this also catches NaN and infinity.
    bool good = parsed.ec == std::errc() && (p == end || *p == ',') && std::fabs(value) <= FLT_MAX &&
                row.size() < limit && !(cut && p == end);
    if (!good) {
      const char* comma = static_cast<const char*>(std::memchr(field, ',', static_cast<std::size_t>(end - field)));
      p = comma ? comma : end;
      value = field_value_slow(field, p, row.size(), cut && p == end);
    }
    row.push_back(value);
    if (p == end) break;
    ++p;  // the comma
  }
  if (columns == 0) {
    columns = row.size();
  } else if (row.size() != columns) {
    fail_at(line, length + 1,
            "row has " + columns_text(row.size()) + ", but the first row has " + std::to_string(columns));
  }
}

// Checks one field [field, field_end) in order: binary bytes, emptiness, an extra column, the number.
double CsvReader::Impl::field_value_slow(const char* field, const char* field_end, std::size_t index, bool cut) const {
  const std::size_t column = static_cast<std::size_t>(field - text) + 1;
  const char* bad = std::find_if(field, field_end, is_binary);
  if (bad != field_end || cut) {
    unsigned byte = bad != field_end ? static_cast<unsigned char>(*bad) : 0u;
    fail_at(line, column, fmt::format("binary data (byte 0x{:02X}) is not valid CSV", byte));
  }
  // LineReader drops a line's final CR: a CR still here is inside a line.
  const char* cr = std::find(field, field_end, '\r');
  if (cr != field_end) fail_at(line, static_cast<std::size_t>(cr - text) + 1, kLoneCarriageReturn);
  const char* s = field;
  const char* e = field_end;
  while (s != e && is_field_space(*s)) ++s;
  while (e != s && is_field_space(e[-1])) --e;
  if (s == e) fail_at(line, column, "empty field");
  if (columns != 0 && index >= columns) {
    auto total = static_cast<std::size_t>(std::count(text, text + length, ',')) + 1;
    fail_at(line, column, "row has " + columns_text(total) + ", but the first row has " + std::to_string(columns));
  }
  const std::string shown = quoted(std::string(s, e));
  FieldNumber number = parse_field_number(std::string_view(s, static_cast<std::size_t>(e - s)));
  switch (number.status) {
    case FieldNumber::ok: return number.value;
    case FieldNumber::not_a_number: {
      std::string message = "field " + shown + " is not a number";
      bool letters = std::any_of(s, e, [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
      if (line == 1 && !options.header && letters) message += " (if the first line is a header, pass --header)";
      fail_at(line, column, message);
    }
    case FieldNumber::not_finite: fail_at(line, column, shown + " is not a finite number");
    case FieldNumber::out_of_range: break;
  }
  fail_at(line, column, "value " + shown + " is out of range for a 32-bit float");
}

bool is_gzip_file(const std::string& path) { return starts_with_gzip_magic(path); }

const std::string& CsvReader::name() const { return impl_->name; }
std::size_t CsvReader::line() const { return impl_->line; }
bool CsvReader::starts_input() const { return impl_->starts_input; }
const std::string& CsvReader::header_line() const { return impl_->header; }

std::string CsvReader::sha256_hex() const {
  if (!impl_->hash) return "";
  Sha256 copy = *impl_->hash;  // hex_digest finishes a hash: finish a copy, so reading may go on
  return copy.hex_digest();
}

std::string_view CsvReader::line_text() const { return {impl_->text, impl_->length}; }
std::size_t CsvReader::columns() const { return impl_->columns; }

// Fields past the end of the row start one past the end of the line, where a missing field would go.
std::size_t CsvReader::column_of_field(std::size_t field) const {
  const char* p = impl_->text;
  const char* end = p + impl_->length;
  for (std::size_t i = 0; i < field; ++i) {
    const char* comma = static_cast<const char*>(std::memchr(p, ',', static_cast<std::size_t>(end - p)));
    if (!comma) return impl_->length + 1;
    p = comma + 1;
  }
  return static_cast<std::size_t>(p - impl_->text) + 1;
}

void CsvReader::fail(std::size_t column, const std::string& message) const {
  impl_->fail_at(impl_->line, column, message);
}

bool parse_label(const CsvReader& reader, double value, const LabelSpec& spec, std::size_t field) {
  if (value == spec.normal) return true;
  if (spec.others_abnormal || value == spec.abnormal) return false;
  if (field == kLastField) field = reader.columns() == 0 ? 0 : reader.columns() - 1;
  reader.fail(reader.column_of_field(field),
              fmt::format("label '{:g}' is neither the normal label {:g} nor the abnormal label {:g}", value,
                          spec.normal, spec.abnormal));
}

}  // namespace ecgad
