// Scoring a stream of beats with a trained model: read a block, score it, write one line per beat, repeat.
// Memory stays bounded by the block size whatever the input's length.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ecgad/blocks.h"
#include "ecgad/input_check.h"
#include "ecgad/model_file.h"

namespace ecgad {

enum class ScoreFormat { csv, jsonl };
ScoreFormat parse_score_format(const std::string& name);  // "csv" or "jsonl"; throws ecgad::Error

// Formats score lines. CSV: a header "row,<score>,verdict,label", then "12,0.0345,anomaly,anomaly" (label empty
// when the input has none). JSONL: {"row":12,"<score>":0.0345,"verdict":"anomaly","label":"anomaly"} (no label
// key when the input has none). <score> is the model's score name ("error", "probability"); numbers have 9
// significant digits.
// With a file name, every line starts with it: CSV "file,row,...", JSONL {"file":"a.csv","row":...}.
// With id columns (ColumnLayout::ids), their text follows the row: CSV "row,<id>,...", JSONL "<id>":"text".
class ScoreWriter {
 public:
  ScoreWriter(ScoreFormat format, std::string score_name, const std::string& file = {},
              std::vector<std::string> id_names = {});
  // The CSV header line (with its newline); empty for JSONL.
  std::string header() const;
  // Appends one beat's line to `out`. label: -1 none, 0 abnormal, 1 normal. `ids`: id_names.size() texts.
  void append(std::string& out, std::size_t row, double score, bool anomaly, int label,
              const std::string* ids = nullptr) const;
  std::size_t id_count() const { return id_names_.size(); }

 private:
  ScoreFormat format_;
  std::string score_name_;
  std::string file_prefix_;  // the file column as it starts each line, with its separator
  std::vector<std::string> id_names_;
};

struct ScoreOptions {
  ScoreFormat format = ScoreFormat::csv;
  bool only_anomalies = false;  // write only the beats judged anomalies
  std::size_t batch_rows = 4096;
  std::size_t first_row = 1;  // the number the first row gets (a chunk of a larger input starts later)
  bool header = true;         // write the CSV header line
  std::string file;           // a file column with this name (several inputs in one output); empty: none
  // Names of the id columns (ColumnLayout::ids) in the output, when the header was written before the input's
  // was read (several inputs in one output); empty: the names the input gives (Dataset::id_names).
  std::vector<std::string> id_names;
  // Called after each block with the rows scored so far (progress).
  std::function<void(std::size_t rows)> on_rows;
  // Tallies what input_mismatch_warning judges (the rows as read, their verdicts); null: no check.
  InputCheck* check = nullptr;
};

struct ScoreSummary {
  std::size_t rows = 0, anomalies = 0;
};

// Scores every beat `reader` gives (rows of the model's width, or width + 1 with a label) and passes the
// output text to `sink` batch by batch (ScoreOptions::batch_rows), the header with the first: an input refused
// at its first row writes nothing. The same text for every thread count, and the same error: "NAME:LINE:COL: ..."
// for bad input, after the batches before it. Each row gets the model's per-beat normalisation before its score.
ScoreSummary score_blocks(const TrainedModel& model, BlockReader& reader, const ScoreOptions& options,
                          const std::function<void(std::string_view)>& sink);

}  // namespace ecgad
