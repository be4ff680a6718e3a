#include "ecgad/score.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/text.h"

namespace ecgad {

ScoreFormat parse_score_format(const std::string& name) {
  if (name == "csv") return ScoreFormat::csv;
  if (name == "jsonl") return ScoreFormat::jsonl;
  throw Error("unknown score format '" + name + "' (expected csv or jsonl)");
}

namespace {

// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

ScoreWriter::ScoreWriter(ScoreFormat format, std::string score_name, const std::string& file,
                         std::vector<std::string> id_names)
    : format_(format), score_name_(std::move(score_name)), id_names_(std::move(id_names)) {
  if (file.empty()) return;
  file_prefix_ = format_ == ScoreFormat::csv ? csv_field(file) + "," : "\"file\":" + json_dump(file) + ",";
}

std::string ScoreWriter::header() const {
  if (format_ != ScoreFormat::csv) return std::string();
  std::string ids;
  for (const std::string& name : id_names_) ids += csv_field(name) + ",";
  return (file_prefix_.empty() ? "" : "file,") + std::string("row,") + ids + score_name_ + ",verdict,label\n";
}

void ScoreWriter::append(std::string& out, std::size_t row, double score, bool anomaly, int label,
                         const std::string* ids) const {
  const char* verdict = anomaly ? "anomaly" : "normal";
  const char* label_text = label < 0 ? "" : label ? "normal" : "anomaly";  // the verdict's words: scripts compare them
  if (format_ == ScoreFormat::jsonl) {
    out += '{';
    out += file_prefix_;
    append_format(out, "\"row\":{},", row);
    for (std::size_t i = 0; i < id_names_.size(); ++i) {
      out += json_dump(id_names_[i]) + ":" + json_dump(ids[i]) + ",";
    }
    append_format(out, "\"{}\":{:.9g},\"verdict\":\"{}\"", score_name_, score, verdict);
    out += label < 0 ? "}\n" : std::string(",\"label\":\"") + label_text + "\"}\n";
  } else {
    out += file_prefix_;
    append_format(out, "{},", row);
    for (std::size_t i = 0; i < id_names_.size(); ++i) out += csv_field(ids[i]) + ",";
    append_format(out, "{:.9g},{},{}\n", score, verdict, label_text);
  }
}

namespace {

// The one place score lines are written, for one reader or several threads. Rows come in input order with their
// raw scores and leave in batches of batch_rows: text goes to `sink` at batch ends (the header with the first),
// and a beat that cannot be scored fails at its batch's end, unless a read error comes first in that batch (the
// caller throws it before calling finish()). So one thread and many write the same bytes and fail the same way.
class ScoreLines {
 public:
  ScoreLines(const TrainedModel& model, const ScoreOptions& options, const std::function<void(std::string_view)>& sink)
      : model_(model), options_(options), sink_(sink) {
    if (options.batch_rows == 0) throw Error("the batch size of scoring must be at least 1");
  }

  // Rows of `beats` and their scores (one per row, maybe not finite).
  void add(const Dataset& beats, const double* scores) {
    if (!writer_) {  // the first block's reader has read the header: the id columns' names are known
      writer_.emplace(options_.format, model_.model->score_name(), options_.file,
                      options_.id_names.empty() ? beats.id_names : options_.id_names);
      if (options_.header) text_ = writer_->header();
    }
    for (std::size_t i = 0; i < beats.rows(); ++i) {
      ++summary_.rows;
      if (!unscored_) {
        double score = scores[i];
        if (!std::isfinite(score)) {
          unscored_ = unscorable(model_, beats, i);
        } else {
          bool anomaly = score >= model_.threshold.value;
          summary_.anomalies += anomaly;
          if (!options_.only_anomalies || anomaly) {
            writer_->append(text_, options_.first_row + summary_.rows - 1, score, anomaly,
                            beats.labelled() ? beats.normal[i] : -1, beats.ids.data() + i * writer_->id_count());
          }
        }
      }
      if (summary_.rows % options_.batch_rows == 0) batch_end();
    }
  }

  // After the last row: the last, partial batch.
  ScoreSummary finish() {
    if (summary_.rows % options_.batch_rows != 0) batch_end();
    return summary_;
  }

 private:
  void batch_end() {
    if (unscored_) throw *unscored_;
    sink_(text_);
    text_.clear();
    if (options_.on_rows) options_.on_rows(summary_.rows);
  }

  const TrainedModel& model_;
  const ScoreOptions& options_;
  const std::function<void(std::string_view)>& sink_;
  std::optional<ScoreWriter> writer_;  // made with the first rows, which carry the id columns' names
  std::string text_;
  ScoreSummary summary_;
  std::optional<Error> unscored_;  // the first beat of the current batch that cannot be scored
};

}  // namespace

ScoreSummary score_blocks(const TrainedModel& model, BlockReader& reader, const ScoreOptions& options,
                          const std::function<void(std::string_view)>& sink) {
  ScoreLines lines(model, options, sink);
  // One workspace per worker, made by the worker when it first has beats (a small input uses one).
  std::vector<std::unique_ptr<Workspace>> workspaces(reader.threads());
  std::vector<Mat<float>> scratch(reader.threads());
  std::vector<InputCheck> checks(reader.threads());  // one per thread, summed at the end
  reader.run(
      [&](Dataset& beats, std::vector<double>& scores, std::size_t worker) {
        if (!workspaces[worker]) workspaces[worker] = model.model->new_workspace();
        Eigen::VectorXd e = block_scores(model, beats, *workspaces[worker], &scratch[worker],
                                         options.check ? &checks[worker] : nullptr);
        scores.assign(e.data(), e.data() + e.size());
      },
      [&](Dataset& beats, std::vector<double>& scores) { lines.add(beats, scores.data()); });
  ScoreSummary summary = lines.finish();
  if (options.check) {
    for (const InputCheck& c : checks) *options.check += c;
  }
  return summary;
}

}  // namespace ecgad
