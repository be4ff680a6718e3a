#include "ecgad/dataset.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "ecgad/error.h"

namespace ecgad {
namespace {

// Reserves room for the rows a regular file probably holds, judging by its size and its first line, so
// that the arrays are not copied as they grow. Each value takes at least 2 bytes ("0,"), which bounds
// the guess however short the first line is.
void reserve_rows(Dataset& data, const std::string& path, const CsvReader& reader, bool labelled) {
  std::error_code error;
  std::uintmax_t bytes = path == "-" ? 0 : std::filesystem::file_size(path, error);
  if (error || bytes == 0) return;
  std::uintmax_t rows = bytes / (reader.line_text().size() + 1) / 8 * 9 + 1;  // 1/8 extra for longer lines
  rows = std::min<std::uintmax_t>(rows, bytes / (2 * reader.columns()) + 1);
  data.values.reserve(static_cast<std::size_t>(rows) * data.width);
  data.lines.reserve(static_cast<std::size_t>(rows));
  if (labelled) data.normal.reserve(static_cast<std::size_t>(rows));
}

}  // namespace

BeatReader::BeatReader(const std::string& path, const CsvOptions& csv, const RowLayout& layout, std::string purpose)
    : reader_(path, csv), layout_(layout), purpose_(std::move(purpose)), path_(path) {}

BeatReader::BeatReader(CsvReader reader, const RowLayout& layout, std::string purpose)
    : reader_(std::move(reader)),
      layout_(layout),
      purpose_(std::move(purpose)),
      path_("-") {}  // "-": no size guess from a file

void BeatReader::first_row(const std::vector<double>& row) {
  using Labels = RowLayout::Labels;
  const std::size_t columns = row.size();
  if (layout_.width == 0) {
    labelled_ = layout_.labels != Labels::none;
    if (labelled_ && columns < 2) {
      reader_.fail(reader_.column_of_field(1), "a labelled row needs at least one sample and a label");
    }
    width_ = labelled_ ? columns - 1 : columns;
    return;
  }
  width_ = layout_.width;
  const std::string w = std::to_string(width_);
  if (columns == width_ + 1 && layout_.labels != Labels::none) {
    labelled_ = true;
  } else if (columns == width_ && layout_.labels != Labels::required) {
    labelled_ = false;
  } else if (columns == width_) {
    reader_.fail(1, purpose_ + " needs labelled rows: this row has the model's " + w + " samples but no label column");
  } else {
    reader_.fail(1,
                 "row has " + std::to_string(columns) + " columns, but the model takes " + w + " samples" +
                     (layout_.labels == Labels::none ? "" : " (or " + std::to_string(width_ + 1) + " with a label)"));
  }
}

bool BeatReader::label_of_row() const {
  try {
    return parse_label(reader_, row_.back(), layout_.values);
  } catch (const Error& e) {
    // On the first row of a file whose width comes from its data, a value that is no label most likely means
    // the file has no label column at all: say how to read it so.
    if (rows_ == 0 && layout_.width == 0) {
      throw Error(std::string(e.what()) + " (if the rows have no label column, pass --no-labels)");
    }
    throw;
  }
}

bool BeatReader::next(Dataset& block, std::size_t max_rows) {
  block.name = reader_.name();
  block.values.clear();
  block.normal.clear();
  block.lines.clear();
  std::size_t count = 0;
  while (count < max_rows && reader_.next(row_)) {
    if (rows_ == 0) first_row(row_);  // every later row has the first row's column count (CsvReader checks)
    block.width = width_;
    block.values.insert(block.values.end(), row_.begin(), row_.begin() + static_cast<std::ptrdiff_t>(width_));
    if (labelled_) block.normal.push_back(label_of_row() ? 1 : 0);
    block.lines.push_back(reader_.line());
    ++rows_;
    ++count;
  }
  return count > 0;
}

Dataset BeatReader::read_all() {
  Dataset data;
  data.name = reader_.name();
  data.width = width_;
  Dataset block;
  // The first row sets the width, then room for the whole file is reserved at once.
  if (!next(block, 1)) return data;
  data = std::move(block);
  reserve_rows(data, path_, reader_, labelled_);
  while (reader_.next(row_)) {
    data.values.insert(data.values.end(), row_.begin(), row_.begin() + static_cast<std::ptrdiff_t>(width_));
    if (labelled_) data.normal.push_back(label_of_row() ? 1 : 0);
    data.lines.push_back(reader_.line());
    ++rows_;
  }
  data.sha256 = reader_.sha256_hex();
  return data;
}

Dataset load_dataset(const std::string& path, const LoadOptions& options) {
  RowLayout layout{0, options.labelled ? RowLayout::Labels::required : RowLayout::Labels::none, options.labels};
  return BeatReader(path, options.csv, layout, "training").read_all();
}

Dataset load_beats(const std::string& path, const CsvOptions& csv, std::size_t width, const LabelSpec& labels,
                   bool require_labels, const std::string& purpose) {
  RowLayout layout{width, require_labels ? RowLayout::Labels::required : RowLayout::Labels::optional, labels};
  return BeatReader(path, csv, layout, purpose).read_all();
}

bool last_column_looks_like_labels(const Dataset& data, const LabelSpec& labels) {
  if (data.width < 2 || data.rows() < 2) return false;
  bool seen_normal = false, seen_abnormal = false;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    double v = data.values[(r + 1) * data.width - 1];
    if (v == labels.normal) {
      seen_normal = true;
    } else if (v == labels.abnormal) {
      seen_abnormal = true;
    } else {
      return false;
    }
  }
  return seen_normal && seen_abnormal;
}

}  // namespace ecgad
