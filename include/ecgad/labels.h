// Which values in a label column mean "normal" and "abnormal".
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace ecgad {

struct LabelSpec {
  double normal = 1.0;
  double abnormal = 0.0;
  // Every value but `normal` is abnormal (multi-class labels: UCR ECG5000's classes 2-5 are all abnormal);
  // `abnormal` is then unused.
  bool others_abnormal = false;
};

// (Implemented in src/dataset.cc, which reads rows with it.)
// Where a row's label and id columns are; every other column is a sample. Column numbers are 1-based, as a
// user counts them in the file.
struct ColumnLayout {
  enum class Label {
    last,    // the last column that is not an id column (the default)
    first,   // the first column that is not an id column (UCR archive files)
    number,  // column `label_number`
    none,    // no label column
  };
  Label label = Label::last;
  std::size_t label_number = 0;  // with Label::number
  std::vector<std::size_t> ids;  // id columns, sorted, no duplicates: carried to score's output, not samples
  // The model's own layout, when this one's ids differ from it (score --id-column; not saved in model files).
  // With optional labels, an input whose first row the ids read as an unlabelled beat, but that has the columns of
  // the model's labelled rows and a label value where the model's label would be, reads two ways (the ids took a
  // sample's place, the label a sample's): it is refused, unless the label column is declared absent.
  std::shared_ptr<const ColumnLayout> trained;

  bool plain() const { return label == Label::last && ids.empty(); }  // today's rows: samples, then a label
};

// "first", "last", "none" or a column number N >= 1; throws ecgad::Error otherwise.
ColumnLayout::Label parse_label_column(const std::string& text, std::size_t& number);
std::string label_column_text(const ColumnLayout& layout);  // back to "first", "last", "none" or "N"
// Sorts and checks 1-based id column numbers (not 0, not repeated, not the label column).
void set_id_columns(ColumnLayout& layout, std::vector<std::size_t> ids);
// Names of the id columns without a header: "id" for one, "id3", "id7" (their numbers) for several.
std::vector<std::string> default_id_names(const ColumnLayout& layout);

}  // namespace ecgad
