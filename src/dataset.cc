#include "ecgad/dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "ecgad/blocks.h"
#include "ecgad/csv_number.h"
#include "ecgad/error.h"

namespace ecgad {
namespace {}  // namespace

ColumnLayout::Label parse_label_column(const std::string& text, std::size_t& number) {
  using Label = ColumnLayout::Label;
  number = 0;
  if (text == "last") return Label::last;
  if (text == "first") return Label::first;
  if (text == "none") return Label::none;
  std::size_t value = 0;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size() || value == 0) {
    throw Error("label column '" + text + "' is neither first, last, none nor a column number from 1");
  }
  number = value;
  return Label::number;
}

std::string label_column_text(const ColumnLayout& layout) {
  switch (layout.label) {
    case ColumnLayout::Label::last: return "last";
    case ColumnLayout::Label::first: return "first";
    case ColumnLayout::Label::none: return "none";
    case ColumnLayout::Label::number: break;
  }
  return std::to_string(layout.label_number);
}

void set_id_columns(ColumnLayout& layout, std::vector<std::size_t> ids) {
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == 0) throw Error("id columns are numbered from 1");
    if (i > 0 && ids[i] == ids[i - 1]) throw Error("id column " + std::to_string(ids[i]) + " is given twice");
    if (layout.label == ColumnLayout::Label::number && ids[i] == layout.label_number) {
      throw Error("column " + std::to_string(ids[i]) + " cannot be both the label and an id column");
    }
  }
  layout.ids = std::move(ids);
}

std::vector<std::string> default_id_names(const ColumnLayout& layout) {
  if (layout.ids.size() == 1) return {"id"};
  std::vector<std::string> names;
  for (std::size_t id : layout.ids) names.push_back("id" + std::to_string(id));
  return names;
}

namespace {

// Field `field` (0-based) of `line` as written, without the spaces and tabs around it.
std::string field_text(std::string_view line, std::size_t field) {
  std::size_t begin = 0;
  for (std::size_t i = 0; i < field && begin != std::string_view::npos; ++i) {
    begin = line.find(',', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos) return std::string();
  std::size_t end = std::min(line.find(',', begin), line.size());
  while (begin < end && is_field_space(line[begin])) ++begin;
  while (end > begin && is_field_space(line[end - 1])) --end;
  return std::string(line.substr(begin, end - begin));
}

std::string columns_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " column" : " columns"); }

RowLayout checked(RowLayout layout, const std::string& purpose) {
  if (layout.columns.label == ColumnLayout::Label::none) {
    if (layout.labels == RowLayout::Labels::required) {
      throw Error(purpose + " needs labelled rows, but the label column is set to 'none' (pass --label-column)");
    }
    layout.labels = RowLayout::Labels::none;
  }
  return layout;
}

}  // namespace

std::size_t label_field(const CsvReader& reader, const ColumnLayout& layout) {
  const std::size_t columns = reader.columns();
  const std::string have = " the row has " + columns_text(columns);
  if (!layout.ids.empty() && layout.ids.back() > columns) {
    reader.fail(reader.column_of_field(columns),
                "id column " + std::to_string(layout.ids.back()) + " is past the end:" + have);
  }
  std::vector<bool> is_id(columns, false);
  for (std::size_t id : layout.ids) is_id[id - 1] = true;
  using Label = ColumnLayout::Label;
  if (layout.label == Label::number) {
    if (layout.label_number > columns) {
      reader.fail(reader.column_of_field(columns),
                  "label column " + std::to_string(layout.label_number) + " is past the end:" + have);
    }
    return layout.label_number - 1;
  }
  std::size_t field = layout.label == Label::first
                          ? static_cast<std::size_t>(std::find(is_id.begin(), is_id.end(), false) - is_id.begin())
                          : static_cast<std::size_t>(std::find(is_id.rbegin(), is_id.rend(), false) - is_id.rbegin());
  if (field == columns) reader.fail(1, "every column is an id column: no label");
  return layout.label == Label::first ? field : columns - 1 - field;
}

bool parse_label_with_hint(const CsvReader& reader, double value, const LabelSpec& labels, std::size_t field,
                           bool first_row) {
  if (first_row && value != labels.normal && value != labels.abnormal && !labels.others_abnormal) {
    try {
      parse_label(reader, value, labels, field);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) +
                  " (if the rows have no label column, pass --no-labels; if it is elsewhere, --label-column)");
    }
  }
  return parse_label(reader, value, labels, field);
}

BeatReader::BeatReader(CsvReader reader, const RowLayout& layout, std::string purpose)
    : reader_(std::move(reader)),
      layout_(checked(layout, purpose)),
      purpose_(std::move(purpose)),
      holds_first_row_(reader_.columns() == 0) {}

void BeatReader::first_row(const std::vector<double>& row) {
  using Labels = RowLayout::Labels;
  const ColumnLayout& layout = layout_.columns;
  const std::size_t columns = row.size();
  const std::string have = " the row has " + columns_text(columns);
  if (!layout.ids.empty() && layout.ids.back() > columns) {
    reader_.fail(reader_.column_of_field(columns),
                 "id column " + std::to_string(layout.ids.back()) + " is past the end:" + have);
  }
  const std::size_t data_columns = columns - layout.ids.size();
  if (layout_.width == 0) {
    labelled_ = layout_.labels != Labels::none;
    if (labelled_ && data_columns < 2) {
      reader_.fail(reader_.column_of_field(1), "a labelled row needs at least one sample and a label");
    }
    if (data_columns == 0) reader_.fail(1, "every column is an id column: no samples");
    width_ = labelled_ ? data_columns - 1 : data_columns;
  } else {
    width_ = layout_.width;
    const std::string w = std::to_string(width_);
    const std::string ids = layout.ids.empty() ? "" : " besides " + std::to_string(layout.ids.size()) + " id";
    if (data_columns == width_ + 1 && layout_.labels != Labels::none) {
      labelled_ = true;
    } else if (data_columns == width_ && layout_.labels != Labels::required) {
      if (layout_.labels == Labels::optional && layout.trained && reader_.starts_input()) {
        refuse_ids_in_place_of_the_label(row);
      }
      labelled_ = false;
    } else if (data_columns == width_) {
      reader_.fail(1,
                   purpose_ + " needs labelled rows: this row has the model's " + w + " samples but no label column");
    } else {
      reader_.fail(
          1, "row has " + std::to_string(data_columns) + " columns" + ids +
                 (ids.empty() ? "" : (layout.ids.size() == 1 ? " column" : " columns")) + ", but the model takes " + w +
                 " samples" +
                 (layout_.labels == Labels::none ? "" : " (or " + std::to_string(width_ + 1) + " with a label)"));
    }
  }
  if (labelled_) label_field_ = label_field(reader_, layout);
  if (!layout.plain()) {
    is_sample_.assign(columns, true);
    for (std::size_t id : layout.ids) is_sample_[id - 1] = false;
    if (labelled_) is_sample_[label_field_] = false;
  }
  if (!layout.ids.empty()) {
    id_names_ = default_id_names(layout);
    const std::string& header = reader_.header_line();
    for (std::size_t i = 0; i < layout.ids.size() && !header.empty(); ++i) {
      std::string name = field_text(header, layout.ids[i] - 1);
      if (!name.empty()) id_names_[i] = name;
    }
  }
}

// The input's first row, read with id columns other than the model's as an unlabelled beat: when it also has the
// columns of the model's labelled rows and a label value where the model's label was, the ids have most likely
// taken a sample's place and the label a sample's (score --id-column 1 on a file without ids): refused.
void BeatReader::refuse_ids_in_place_of_the_label(const std::vector<double>& row) const {
  const ColumnLayout& trained = *layout_.columns.trained;
  const std::size_t columns = row.size();
  if (trained.label == ColumnLayout::Label::none || columns != width_ + 1 + trained.ids.size()) return;
  if ((!trained.ids.empty() && trained.ids.back() > columns) ||
      (trained.label == ColumnLayout::Label::number && trained.label_number > columns)) {
    return;
  }
  const std::size_t field = label_field(reader_, trained);
  const std::vector<std::size_t>& ids = layout_.columns.ids;
  if (std::find(ids.begin(), ids.end(), field + 1) != ids.end()) return;  // the label went to an id: not scored
  const double value = row[field];
  const LabelSpec& labels = layout_.values;
  if (value != labels.normal && value != labels.abnormal && !(labels.others_abnormal && value == std::floor(value))) {
    return;
  }
  const std::size_t k = layout_.columns.ids.size();
  reader_.fail(reader_.column_of_field(field),
               "with --id-column this row is " + std::to_string(k) + (k == 1 ? " id and " : " ids and ") +
                   std::to_string(width_) + " samples without a label, but it has the " + std::to_string(columns) +
                   " columns of the model's labelled rows, and a label value (" +
                   field_text(reader_.line_text(), field) +
                   ") where the model's label was: pass --label-column none if the rows carry no label, or drop "
                   "--id-column if the file has no such id column");
}

bool BeatReader::label_of_row() const {
  return parse_label_with_hint(reader_, row_[label_field_], layout_.values, label_field_,
                               rows_ == 0 && holds_first_row_ && layout_.width == 0);
}

void BeatReader::take_row(Dataset& data) {
  if (is_sample_.empty()) {
    data.values.insert(data.values.end(), row_.begin(), row_.begin() + static_cast<std::ptrdiff_t>(width_));
  } else {
    for (std::size_t i = 0; i < row_.size(); ++i) {
      if (is_sample_[i]) data.values.push_back(row_[i]);
    }
  }
  if (labelled_) data.normal.push_back(label_of_row() ? 1 : 0);
  for (std::size_t id : layout_.columns.ids) data.ids.push_back(field_text(reader_.line_text(), id - 1));
  data.lines.push_back(reader_.line());
  ++rows_;
}

bool BeatReader::next(Dataset& block, std::size_t max_rows) {
  block.name = reader_.name();
  block.values.clear();
  block.normal.clear();
  block.lines.clear();
  block.ids.clear();
  std::size_t count = 0;
  while (count < max_rows && reader_.next(row_)) {
    if (rows_ == 0) first_row(row_);  // every later row has the first row's column count (CsvReader checks)
    block.width = width_;
    block.id_names = id_names_;
    take_row(block);
    ++count;
  }
  return count > 0;
}

Dataset BeatReader::read_all() {
  Dataset data;
  data.name = reader_.name();
  data.width = width_;
  Dataset block;
  if (!next(block, 1)) return data;  // the first row sets the width
  data = std::move(block);
  while (reader_.next(row_)) take_row(data);
  data.sha256 = reader_.sha256_hex();
  return data;
}

Dataset load_dataset(const std::string& path, const LoadOptions& options) {
  RowLayout layout{0, options.labelled ? RowLayout::Labels::required : RowLayout::Labels::none, options.labels,
                   options.columns};
  return read_all_blocks(path, options.csv, layout, "training", BlockOptions{});
}

Dataset load_beats(const std::string& path, const CsvOptions& csv, std::size_t width, const LabelSpec& labels,
                   bool require_labels, const std::string& purpose, const ColumnLayout& columns) {
  RowLayout layout{width, require_labels ? RowLayout::Labels::required : RowLayout::Labels::optional, labels, columns};
  return read_all_blocks(path, csv, layout, purpose, BlockOptions{});
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
