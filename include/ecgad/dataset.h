// Beats read from CSV: the one place where a row's columns become samples and an optional label.
//
// The rule: with a known beat width W (a trained model's), a row of W columns is an unlabelled beat and a row
// of W + 1 columns a labelled one (the first row decides for the file). Without a known width (training,
// splitting), the caller says whether the last column is a label and the first row gives the width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecgad/csv.h"
#include "ecgad/labels.h"

namespace ecgad {

// Beats in memory: rows x width samples, row-major, and optionally one label per row.
struct Dataset {
  std::string name;
  std::size_t width = 0;
  std::vector<double> values;        // rows() * width
  std::vector<std::uint8_t> normal;  // one per row, 1 = normal, 0 = abnormal; empty when unlabelled
  std::vector<std::size_t> lines;    // source line of each row, for messages
  std::string sha256;                // of the input's bytes, read with CsvOptions::hash; else empty
  // The id columns' fields as written (ColumnLayout::ids), rows() * id_names.size(), row-major.
  std::vector<std::string> ids;
  std::vector<std::string> id_names;  // the header's name of each id column, or "id" / "idN" without a header

  std::size_t rows() const { return width == 0 ? 0 : values.size() / width; }
  bool labelled() const { return !normal.empty(); }
};

struct RowLayout {
  enum class Labels {
    required,  // every row ends with a label
    optional,  // with a known width only: W + 1 columns carry a label, W do not
    none,      // no label column
  };
  std::size_t width = 0;  // samples per beat; 0 = from the first row
  Labels labels = Labels::required;
  LabelSpec values;  // which label values mean normal and abnormal
  ColumnLayout columns;
};

// The rows of a CSV reader as beats, with the rule above. Files are read through BlockReader (blocks.h), which
// runs one of these over each block of lines: the one read path, for one thread or several.
class BeatReader {
 public:
  // Beats from an open reader, e.g. over one piece of a larger input (CsvReader::from_string with a CsvPiece):
  // the piece's first row is held to the same rule as the input's first row, which gives the same answer.
  // `purpose` names the command in messages ("evaluate needs labelled rows: ...").
  BeatReader(CsvReader reader, const RowLayout& layout, std::string purpose);

  // Replaces `block`'s rows with up to `max_rows` next beats; returns false (block empty) at the end.
  bool next(Dataset& block, std::size_t max_rows);
  // The rest of the input as one Dataset.
  Dataset read_all();

  const CsvReader& reader() const { return reader_; }
  std::size_t width() const { return width_; }  // known after the first row
  bool labelled() const { return labelled_; }   // known after the first row
  std::size_t rows_read() const { return rows_; }

 private:
  void first_row(const std::vector<double>& row);
  bool label_of_row() const;  // the current row's label, true for normal; throws a located error
  void refuse_ids_in_place_of_the_label(const std::vector<double>& row) const;  // see ColumnLayout::trained
  void take_row(Dataset& data);  // appends the current row's samples, label and ids to `data`
  CsvReader reader_;
  RowLayout layout_;
  std::string purpose_;
  std::size_t width_ = 0, rows_ = 0;
  bool labelled_ = false;
  // Its first row is the input's (not that of a piece after it, CsvPiece::columns): the row a hint is for.
  bool holds_first_row_ = false;
  std::size_t label_field_ = 0;  // 0-based column of the label, when labelled_
  std::vector<bool> is_sample_;  // per column, with a layout that is not plain()
  std::vector<std::string> id_names_;
  std::vector<double> row_;
};

// The 0-based column of the label in the reader's current row, as `layout` places it; a located error when
// the layout's label or id columns lie past the row's end.
std::size_t label_field(const CsvReader& reader, const ColumnLayout& layout);

// parse_label for a file whose label column the user may have wrongly assumed: on its first row, a value
// that is no label adds how to read the file otherwise (--no-labels, --label-column).
bool parse_label_with_hint(const CsvReader& reader, double value, const LabelSpec& labels, std::size_t field,
                           bool first_row);

struct LoadOptions {
  CsvOptions csv;
  bool labelled = true;  // a column is a label (columns.label says which)
  LabelSpec labels;
  ColumnLayout columns;
};

// A whole file whose width comes from its first row, read on one thread (read_all_blocks in blocks.h for more).
Dataset load_dataset(const std::string& path, const LoadOptions& options = {});

// For data read without labels: true when the last column holds only the two label values, which suggests the
// file has a label column after all (the caller warns).
bool last_column_looks_like_labels(const Dataset& data, const LabelSpec& labels);

// A whole file of beats for a model of `width` samples: rows of `width` columns, or `width` + 1 with a label.
// With `require_labels`, rows without a label are refused, naming `purpose`. Read on one thread.
Dataset load_beats(const std::string& path, const CsvOptions& csv, std::size_t width, const LabelSpec& labels,
                   bool require_labels, const std::string& purpose, const ColumnLayout& columns = {});

}  // namespace ecgad
