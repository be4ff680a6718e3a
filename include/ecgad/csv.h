// Strict, fast reader for CSV files of numbers: one heartbeat per row, optionally a label in the last column.
// Lines come from fast-cpp-csv-parser's io::LineReader, numbers from std::from_chars (no locale).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecgad/labels.h"

namespace ecgad {

struct CsvOptions {
  bool header = false;  // skip the first line (a header) instead of refusing it
  // Read the first line as data even when it reads 0,1,2,...,K-1 or 1,2,...,K, K >= 10 (pandas' default column names,
  // refused by default as a header; an empty or non-numeric first field, pandas' index column, is allowed too).
  bool first_line_is_data = false;
  bool hash = false;  // keep a running SHA-256 of every byte read (see CsvReader::sha256_hex)
};

// A piece of a larger input (one block of lines, read on its own thread), so that a reader over the piece
// says and checks exactly what a reader over the whole input would. A piece at first_line 1 handles the
// header and the UTF-8 BOM; no piece reports "no data rows" (the caller knows the total).
struct CsvPiece {
  std::size_t first_line = 1;    // the input line of the piece's first line
  std::size_t columns = 0;       // the input's first-row column count, when known (0: from the piece)
  std::size_t blank_before = 0;  // the first of the blank lines just before the piece (0: none): an error
                                 // "empty line" there if the piece holds a row
  std::string header{};          // a piece after line 1: the input's header line as header_line() gives it
};

// Streams the rows of a numeric CSV file; the path "-" reads standard input. A gzip-compressed input (a `.gz`
// file, or gzip on standard input: told by its first bytes, not its name) is inflated as it is read. The byte source is
// src/csv_source.h, the number grammar include/ecgad/csv_number.h.
// Every malformed input throws ecgad::Error "NAME:LINE:COL: what is wrong" (see README, "CSV rules").
class CsvReader {
 public:
  explicit CsvReader(const std::string& path, CsvOptions options = {});
  // Reads `text` as if it were a file called `name` (messages say "NAME:LINE:COL: ...").
  static CsvReader from_string(std::string text, const std::string& name, CsvOptions options = {});
  // Reads `text`, a piece of the input called `name`, whole lines only (see CsvPiece).
  static CsvReader from_string(std::string text, const std::string& name, CsvOptions options, const CsvPiece& piece);
  ~CsvReader();
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next data row into `row` (resized to the column count); false at the end of the input.
  // At the end, throws if the input held no data row at all.
  bool next(std::vector<double>& row);

  const std::string& name() const;                       // the path as given; "<stdin>" for "-"
  std::size_t line() const;                              // 1-based line number of the row last returned
  std::size_t column_of_field(std::size_t field) const;  // 1-based byte column where that field starts
  std::string_view line_text() const;                    // the row last returned, without its line ending
  std::size_t columns() const;                           // column count of the first row (0 before it)
  // True unless this reader reads a piece of an input that starts after the input's first line.
  bool starts_input() const;
  const std::string& header_line() const;  // the skipped header line (with CsvOptions::header), else empty
  // With CsvOptions::hash: the SHA-256 (hex) of the bytes read so far, which once next() has returned false
  // is the whole input, header, BOM and line endings included: `sha256sum FILE`. A pipe or standard input
  // cannot be read twice, so this is the only way to fingerprint them. Empty without the option.
  std::string sha256_hex() const;

  // Throws ecgad::Error located at the current line and the given column.
  [[noreturn]] void fail(std::size_t column, const std::string& message) const;

 private:
  CsvReader();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when the file at `path` is gzip-compressed (its first two bytes are 1f 8b); false for "-".
bool is_gzip_file(const std::string& path);

// Checks a label value of the reader's current row (in its 0-based `field`, by default the last); returns true
// for normal. Throws "NAME:LINE:COL: label '2' is neither the normal label 1 nor the abnormal label 0".
constexpr std::size_t kLastField = static_cast<std::size_t>(-1);
bool parse_label(const CsvReader& reader, double value, const LabelSpec& spec, std::size_t field = kLastField);

}  // namespace ecgad
