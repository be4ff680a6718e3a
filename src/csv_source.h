// The byte source under CsvReader: io::LineReader (fast-cpp-csv-parser, src/line_reader.h) cuts lines out of
// the blocks this source reads from a file, standard input or a string in memory.
#pragma once

#include <memory>
#include <string>

#include "ecgad/sha256.h"
#include "input_bytes.h"
#include "line_reader.h"

namespace ecgad {

// Where the first NUL byte of interest is; line 0 means none seen yet.
struct NulSpot {
  std::size_t line = 0;
  std::size_t column = 0;  // 1-based byte column, counted after a UTF-8 BOM on line 1 like LineReader
};

// Feeds LineReader and records the first NUL byte at or after `first_line`. LineReader hands out
// NUL-terminated lines, so an embedded NUL would silently cut a line short; the reader compares its line
// number with the spot to report it instead. Owning the input ourselves also keeps LineReader from closing
// standard input, and lets gzip inputs be inflated on the way (input_bytes.h).
class NulSpottingSource : public io::ByteSourceBase {
 public:
  // Reads `input`. `hash` (may be null) gets every byte read (inflated, for a gzip input).
  NulSpottingSource(std::unique_ptr<InputBytes> input, std::string name, std::size_t first_line, NulSpot* spot,
                    Sha256* hash = nullptr);
  // Reads the bytes of `text`.
  NulSpottingSource(std::string text, std::string name, std::size_t first_line, NulSpot* spot, Sha256* hash = nullptr);
  NulSpottingSource(const NulSpottingSource&) = delete;
  NulSpottingSource& operator=(const NulSpottingSource&) = delete;

  // LineReader takes a short read for the end of the input, so this fills `buffer` unless at the end.
  int read(char* buffer, int size) override;

 private:
  std::size_t fill(char* buffer, std::size_t size);
  void scan(const char* p, const char* end);

  std::unique_ptr<InputBytes> input_;  // null for a string
  std::string text_;
  std::size_t text_at_ = 0;  // bytes of text_ handed out
  std::string name_;
  std::size_t first_line_;
  NulSpot* spot_;
  Sha256* hash_ = nullptr;  // null unless CsvOptions::hash
  bool first_read_ = true;
  bool bom_ = false;
  std::size_t newlines_ = 0;       // '\n' bytes before the current read position
  std::size_t since_newline_ = 0;  // bytes since the last '\n'
};

}  // namespace ecgad
