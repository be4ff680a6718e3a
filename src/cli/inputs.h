// The options every subcommand that reads beats shares: how rows are laid out (--header, --label-column,
// --id-column, label values) and how the input is read (--threads), and what the library makes of them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/blocks.h"
#include "ecgad/csv.h"
#include "flags.h"

namespace ecgad {

// How rows are laid out. Unset: the model's layout (score, evaluate, threshold, report), else the defaults
// (label last, no id columns, labels 1 and 0).
struct CsvArgs {
  bool header = false;
  bool no_header = false;  // the first line is data, even when it looks like a header of column numbers
  std::optional<double> normal_label;
  std::optional<std::string> abnormal_label;  // a number, or "any": every value but the normal label
  std::optional<std::string> label_column;    // first, last, N (1-based) or none
  std::vector<std::size_t> id_columns;        // 1-based
};

// How an input is read: --threads (0: the CPUs this process may use; 1: one thread, no pipeline) and the
// hidden --block-bytes (small blocks let the tests cut small files into many).
struct ReadArgs {
  std::size_t threads = 0;
  std::size_t block_bytes = std::size_t{1} << 20;
};

// Declares the layout options. `label_values`: the subcommand says which values are labels (split, train); the
// others take the model's. `output_header`: the subcommand's --no-header is about its output (score), so the
// input's is --no-input-header.
void add_csv_options(Command& cmd, CsvArgs& csv, bool label_values, bool output_header = false);
// Declares --threads and the hidden --block-bytes.
void add_read_options(Command& cmd, ReadArgs& read);

CsvOptions csv_options(const CsvArgs& csv);
// --normal-label alone: every other value is abnormal (multi-class files such as UCR ECG5000, class 1 normal).
LabelSpec label_spec(const CsvArgs& csv);
// The label and id columns: those given, else `base` (a model's layout, or the defaults).
ColumnLayout column_layout(const CsvArgs& csv, const ColumnLayout& base = {});
// --no-labels and --label-column none say the same; --no-labels with another label column contradicts itself.
bool has_labels(const CsvArgs& csv, bool no_labels);
// --threshold: a strategy, checked by the library's own parser; completion offers the usual ones.
ValueSpec threshold_strategy_spec();
// The thread count to read with.
std::size_t thread_count(const ReadArgs& read);
BlockOptions block_options(const ReadArgs& read);

}  // namespace ecgad
