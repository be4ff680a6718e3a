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

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <limits>
#include <system_error>

#include "ecgad/error.h"
#include "line_reader.h"

namespace ecgad {
namespace {

// The longest line io::LineReader takes (its block size 2^24, less one), counting a CR but not the '\n'.
constexpr std::size_t kMaxLineBytes = (std::size_t{1} << 24) - 1;

// Where the first NUL byte of interest is; line 0 means none seen yet.
struct NulSpot {
  std::size_t line = 0;
  std::size_t column = 0;  // 1-based byte column, counted after a UTF-8 BOM on line 1 like LineReader
};

// Feeds LineReader from a FILE* and records the first NUL byte at or after `first_line`.
// LineReader hands out NUL-terminated lines, so an embedded NUL would silently cut a line short; the
// reader compares its line number with the spot to report it instead. Owning the FILE* ourselves also
// keeps LineReader from closing standard input.
class NulSpottingSource : public io::ByteSourceBase {
 public:
  NulSpottingSource(std::FILE* file, bool owned, std::string name, std::size_t first_line, NulSpot* spot)
      : file_(file), owned_(owned), name_(std::move(name)), first_line_(first_line), spot_(spot) {}
  ~NulSpottingSource() override {
    if (owned_) std::fclose(file_);
  }
  NulSpottingSource(const NulSpottingSource&) = delete;
  NulSpottingSource& operator=(const NulSpottingSource&) = delete;

  // LineReader takes a short read for the end of the input, so this must fill `buffer` unless at the
  // end: fread does (it loops over short reads from pipes and terminals).
  int read(char* buffer, int size) override {
    std::size_t n = std::fread(buffer, 1, static_cast<std::size_t>(size), file_);
    if (n < static_cast<std::size_t>(size) && std::ferror(file_)) {
      throw Error("cannot read '" + name_ + "': " + std::strerror(errno));
    }
    if (first_read_) {
      first_read_ = false;
      bom_ = n >= 3 && std::memcmp(buffer, "\xEF\xBB\xBF", 3) == 0;
    }
    if (spot_->line == 0) scan(buffer, buffer + n);
    return static_cast<int>(n);
  }

 private:
  // Counts lines up to the first NUL of interest in [p, end), carrying the count across reads.
  void scan(const char* p, const char* end) {
    while (p != end) {
      const char* nul = static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(end - p)));
      const char* stop = nul ? nul : end;
      auto newlines = static_cast<std::size_t>(std::count(p, stop, '\n'));
      newlines_ += newlines;
      if (newlines == 0) {
        since_newline_ += static_cast<std::size_t>(stop - p);
      } else {
        auto after_last = std::find(std::make_reverse_iterator(stop), std::make_reverse_iterator(p), '\n');
        since_newline_ = static_cast<std::size_t>(after_last - std::make_reverse_iterator(stop));
      }
      if (!nul) return;
      std::size_t line = newlines_ + 1;
      if (line >= first_line_) {
        spot_->line = line;
        spot_->column = since_newline_ + 1 - (line == 1 && bom_ ? 3 : 0);
        return;
      }
      // A NUL in a skipped header: look on from the byte after it.
      ++since_newline_;
      p = nul + 1;
    }
  }

  std::FILE* file_;
  bool owned_;
  std::string name_;
  std::size_t first_line_;
  NulSpot* spot_;
  bool first_read_ = true;
  bool bom_ = false;
  std::size_t newlines_ = 0;       // '\n' bytes before the current read position
  std::size_t since_newline_ = 0;  // bytes since the last '\n'
};

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Printable ASCII, space, tab and CR are text; LF never reaches a field.
bool is_binary(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\r') || u >= 0x7F;
}

bool is_blank(const char* p, const char* end) {
  while (p != end && is_space(*p)) ++p;
  return p == end;
}

// One leading '+' is allowed ("+1"); std::from_chars takes none. "+-1" stays invalid.
const char* skip_plus(const char* p, const char* end) {
  return p != end && *p == '+' && (p + 1 == end || p[1] != '-') ? p + 1 : p;
}

std::string columns_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " column" : " columns"); }

std::string format_g(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

// from_chars says result_out_of_range both for overflow and underflow. The decimal exponent of the
// text's leading digit tells them apart: text of the form [+-]digits[.digits][e[+-]digits].
bool overflows(const char* p, const char* end) {
  auto digit = [&](const char* q) { return q != end && *q >= '0' && *q <= '9'; };
  if (p != end && (*p == '+' || *p == '-')) ++p;
  long magnitude = 0;  // the value, before the exponent, lies in [10^(magnitude-1), 10^magnitude)
  bool nonzero = false;
  for (; digit(p); ++p) {
    if (nonzero) {
      ++magnitude;
    } else if (*p != '0') {
      nonzero = true;
      magnitude = 1;
    }
  }
  if (p != end && *p == '.') {
    for (++p; digit(p) && !nonzero; ++p) {
      if (*p == '0') {
        --magnitude;
      } else {
        nonzero = true;
      }
    }
    while (digit(p)) ++p;
  }
  long exponent = 0;
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool negative = p != end && *p == '-';
    if (p != end && (*p == '+' || *p == '-')) ++p;
    for (; digit(p); ++p) exponent = std::min(exponent * 10 + (*p - '0'), 1000000000L);
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent > 0;
}

}  // namespace

struct CsvReader::Impl {
  std::string name;
  CsvOptions options;
  NulSpot nul;                              // written by the byte source, so declared before `lines`
  std::unique_ptr<io::LineReader> lines;
  const char* text = "";                    // the current row, NUL-terminated by LineReader
  std::size_t length = 0;
  std::size_t line = 0;                     // line of the current row
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::string header;                       // the skipped first line, with CsvOptions::header

  [[noreturn]] void fail_at(std::size_t at_line, std::size_t column, const std::string& message) const {
    throw Error(located(name, at_line, column, message));
  }

  char* next_line() {
    try {
      return lines->next_line();
    } catch (const io::error::line_length_limit_exceeded& e) {
      auto at = static_cast<std::size_t>(e.file_line);
      // A long run of NUL bytes (say /dev/zero) is binary data rather than a long line.
      if (nul.line == at) fail_at(at, nul.column, "binary data (byte 0x00) is not valid CSV");
      fail_at(at, 1, "line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
    }
  }

  void parse_row(std::vector<double>& row);
  double field_value_slow(const char* field, const char* field_end, std::size_t index, bool cut) const;
};

CsvReader::CsvReader(const std::string& path, CsvOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.name = path == "-" ? "<stdin>" : path;
  d.options = options;
  std::FILE* file = stdin;
  if (path != "-") {
    file = std::fopen(path.c_str(), "rb");
    if (!file) throw Error("cannot open '" + path + "': " + std::strerror(errno));
    std::setvbuf(file, nullptr, _IONBF, 0);  // LineReader reads in large blocks: no need for a second buffer
  }
  // The source takes the FILE* at once, so it is closed whatever happens next.
  auto source = std::make_unique<NulSpottingSource>(file, path != "-", d.name, options.header ? 2 : 1, &d.nul);
  d.lines = std::make_unique<io::LineReader>(d.name, std::move(source));
}

CsvReader::~CsvReader() = default;

bool CsvReader::next(std::vector<double>& row) {
  Impl& d = *impl_;
  std::size_t blank_line = 0;  // first blank line since the last row
  for (;;) {
    char* text = d.next_line();
    if (!text) {
      if (d.rows == 0) d.fail_at(1, 1, "no data rows");
      d.text = "";  // LineReader may have moved its buffer: the last row's text is gone
      d.length = 0;
      return false;
    }
    std::size_t line = d.lines->get_file_line();
    if (line == 1 && d.options.header) {
      d.header = text;
      continue;
    }
    std::size_t length = std::strlen(text);
    if (d.nul.line != line && is_blank(text, text + length)) {
      if (blank_line == 0) blank_line = line;
      continue;
    }
    if (blank_line != 0) d.fail_at(blank_line, 1, "empty line");
    d.text = text;
    d.length = length;
    d.line = line;
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
  const bool cut = nul.line == line;  // the last field was cut short by a NUL byte
  const std::size_t limit = columns ? columns : std::numeric_limits<std::size_t>::max();
  row.clear();
  if (columns) row.reserve(columns);
  for (;;) {
    const char* field = p;
    while (p != end && is_space(*p)) ++p;
    p = skip_plus(p, end);
    double value = 0;
    auto parsed = std::from_chars(p, end, value);
    p = parsed.ptr;
    while (p != end && is_space(*p)) ++p;
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
    fail_at(line, length + 1, "row has " + columns_text(row.size()) + ", but the first row has " + std::to_string(columns));
  }
}

// Checks one field [field, field_end) in order: binary bytes, emptiness, an extra column, the number.
double CsvReader::Impl::field_value_slow(const char* field, const char* field_end, std::size_t index,
                                         bool cut) const {
  const std::size_t column = static_cast<std::size_t>(field - text) + 1;
  const char* bad = std::find_if(field, field_end, is_binary);
  if (bad != field_end || cut) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", bad != field_end ? static_cast<unsigned char>(*bad) : 0u);
    fail_at(line, column, std::string("binary data (byte ") + byte + ") is not valid CSV");
  }
  const char* s = field;
  const char* e = field_end;
  while (s != e && is_space(*s)) ++s;
  while (e != s && is_space(e[-1])) --e;
  if (s == e) fail_at(line, column, "empty field");
  if (columns != 0 && index >= columns) {
    auto total = static_cast<std::size_t>(std::count(text, text + length, ',')) + 1;
    fail_at(line, column, "row has " + columns_text(total) + ", but the first row has " + std::to_string(columns));
  }
  const std::string shown = quoted(std::string(s, e));
  double value = 0;
  auto parsed = std::from_chars(skip_plus(s, e), e, value);
  if (parsed.ptr != e || (parsed.ec != std::errc() && parsed.ec != std::errc::result_out_of_range)) {
    std::string message = "field " + shown + " is not a number";
    bool letters = std::any_of(s, e, [](char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
    if (line == 1 && !options.header && letters) message += " (if the first line is a header, pass --header)";
    fail_at(line, column, message);
  }
  if (parsed.ec == std::errc::result_out_of_range) {
    if (!overflows(s, e)) return 0.0;  // too small for a double: reads as 0
    fail_at(line, column, "value " + shown + " is out of range for a 32-bit float");
  }
  if (!std::isfinite(value)) fail_at(line, column, shown + " is not a finite number");
  if (std::fabs(value) > FLT_MAX) fail_at(line, column, "value " + shown + " is out of range for a 32-bit float");
  return value;
}

const std::string& CsvReader::name() const { return impl_->name; }
std::size_t CsvReader::line() const { return impl_->line; }
const std::string& CsvReader::header_line() const { return impl_->header; }

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

bool parse_label(const CsvReader& reader, double value, const LabelSpec& spec) {
  if (value == spec.normal) return true;
  if (value == spec.abnormal) return false;
  std::size_t last = reader.columns() == 0 ? 0 : reader.columns() - 1;
  reader.fail(reader.column_of_field(last), "label '" + format_g(value) + "' is neither the normal label " +
                                                format_g(spec.normal) + " nor the abnormal label " +
                                                format_g(spec.abnormal));
}

}  // namespace ecgad
