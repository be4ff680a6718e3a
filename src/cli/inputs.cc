#include "inputs.h"

#include <fmt/core.h>

#include <cstdint>
#include <limits>

#include "ecgad/blocks.h"
#include "ecgad/csv_number.h"
#include "ecgad/error.h"
#include "ecgad/threshold.h"

namespace ecgad {

void add_csv_options(Command& cmd, CsvArgs& csv, bool label_values, bool output_header) {
  cmd.flag("--header", csv.header, "Skip the first line of each input file (a header)");
  cmd.flag(output_header ? "--no-input-header" : "--no-header", csv.no_header,
           "Read the first line as data even if it looks like a header of column numbers (0,1,2,...)");
  cmd.value("--label-column", csv.label_column, checked_text(nullptr, {"first", "last", "none"}, "TEXT"),
            std::string("Where the label is: first, last (the default), N (1-based column number) or none") +
                (label_values ? "" : "; default: as the model was trained"));
  cmd.value("--id-column", csv.id_columns, list_of(whole(1, 1000000)),
            "Columns (1-based, repeatable or a comma list) that are no samples: ids carried to score's output");
  if (label_values) {
    cmd.value("--normal-label", csv.normal_label, any_number(), "Label value of a normal beat (default 1)");
    cmd.value("--abnormal-label", csv.abnormal_label, checked_text(nullptr, {"any"}, "TEXT"),
              "Label value of an abnormal beat (default 0), or 'any': every value but the normal label "
              "(the default when only --normal-label is given)");
  }
}

void add_read_options(Command& cmd, ReadArgs& read) {
  const ValueSpec size = count(1, std::numeric_limits<std::uint64_t>::max());
  cmd.value("--threads", read.threads, named(whole(1, kMaxThreads), "N"),
            "Threads reading and scoring, 1 .. 1024 (default: the CPUs this process may use; 1: no pipeline)");
  cmd.hidden_value("--block-bytes", read.block_bytes, size, "Bytes per block read (testing)");
}

ValueSpec threshold_strategy_spec() {
  auto check = [](const std::string& text) -> std::string {
    try {
      parse_threshold_strategy(text);
    } catch (const Error& e) {
      return e.what();
    }
    return {};
  };
  return checked_text(check, {"mean-std:1", "percentile:95", "fixed:", "best-f1", "best-accuracy"}, "STRATEGY");
}

CsvOptions csv_options(const CsvArgs& csv) {
  CsvOptions options;
  options.header = csv.header;
  options.first_line_is_data = csv.no_header;
  return options;
}

LabelSpec label_spec(const CsvArgs& csv) {
  LabelSpec labels;
  labels.normal = csv.normal_label.value_or(1.0);
  if (!csv.abnormal_label) {
    labels.others_abnormal = csv.normal_label.has_value();
  } else if (*csv.abnormal_label == "any") {
    labels.others_abnormal = true;
  } else {
    FieldNumber number = parse_number(*csv.abnormal_label);
    if (number.status != FieldNumber::ok) {
      throw Error("--abnormal-label '" + *csv.abnormal_label + "' is neither a number nor 'any'");
    }
    labels.abnormal = number.value;
  }
  if (!labels.others_abnormal && labels.normal == labels.abnormal) {
    throw Error(fmt::format("--normal-label and --abnormal-label are both {:g}", labels.normal));
  }
  if (labels.others_abnormal && labels.abnormal == labels.normal) labels.abnormal = labels.normal == 0 ? 1 : 0;
  return labels;
}

ColumnLayout column_layout(const CsvArgs& csv, const ColumnLayout& base) {
  ColumnLayout layout = base;
  if (csv.label_column) layout.label = parse_label_column(*csv.label_column, layout.label_number);
  set_id_columns(layout, csv.id_columns.empty() ? base.ids : csv.id_columns);
  return layout;
}

bool has_labels(const CsvArgs& csv, bool no_labels) {
  if (no_labels && csv.label_column && *csv.label_column != "none") {
    throw Error("--no-labels and --label-column " + *csv.label_column + " contradict each other");
  }
  return !no_labels && column_layout(csv).label != ColumnLayout::Label::none;
}

std::size_t thread_count(const ReadArgs& read) { return read.threads == 0 ? usable_cpus() : read.threads; }

BlockOptions block_options(const ReadArgs& read) { return BlockOptions{thread_count(read), read.block_bytes}; }

}  // namespace ecgad
