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
  file_prefix_ = format_ == ScoreFormat::csv ? csv_field(file) + "," : "\"file\":" + nlohmann::json(file).dump() + ",";
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
      out += nlohmann::json(id_names_[i]).dump() + ":" + nlohmann::json(ids[i]).dump() + ",";
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

ScoreSummary score_stream(const TrainedModel& model, BeatReader& reader, const ScoreOptions& options,
                          const std::function<void(std::string_view)>& sink) {
  if (options.batch_rows == 0) throw Error("the batch size of scoring must be at least 1");
  ScoreWriter writer(options.format, model.model->score_name(), options.file);
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  ScoreSummary summary;
  Dataset block;
  Mat<float> scaled;
  std::string text;
  while (reader.next(block, options.batch_rows)) {
    if (summary.rows == 0) {  // the id columns' names are known from the first row on
      writer = ScoreWriter(options.format, model.model->score_name(), options.file,
                           options.id_names.empty() ? block.id_names : options.id_names);
      if (options.header) text = writer.header();
    }
    Eigen::VectorXd scores = anomaly_scores(model, block, *workspace, &scaled);
    for (std::size_t i = 0; i < block.rows(); ++i) {
      double score = scores(static_cast<Eigen::Index>(i));
      bool anomaly = score >= model.threshold.value;
      ++summary.rows;
      summary.anomalies += anomaly;
      if (options.only_anomalies && !anomaly) continue;
      writer.append(text, options.first_row + summary.rows - 1, score, anomaly, block.labelled() ? block.normal[i] : -1,
                    block.ids.data() + i * writer.id_count());
    }
    sink(text);
    text.clear();
    if (options.on_rows) options.on_rows(summary.rows);
  }
  return summary;
}

// The single-threaded stream reads a batch of batch_rows rows, scores it, then writes it. To write the same
// bytes and fail the same way, the blocks' rows go through the same batches here: text leaves at batch ends,
// and a beat that cannot be scored fails at its batch's end, unless a read error comes first in that batch.
ScoreSummary score_blocks(const TrainedModel& model, BlockReader& reader, const ScoreOptions& options,
                          const std::function<void(std::string_view)>& sink) {
  if (options.batch_rows == 0) throw Error("the batch size of scoring must be at least 1");
  ScoreWriter writer(options.format, model.model->score_name(), options.file);
  std::vector<std::unique_ptr<Workspace>> workspaces;
  std::vector<Mat<float>> scratch(reader.threads());
  for (std::size_t i = 0; i < reader.threads(); ++i) workspaces.push_back(model.model->new_workspace());
  ScoreSummary summary;
  std::string text;
  std::optional<Error> unscored;  // the first beat of the current batch that cannot be scored
  auto batch_end = [&] {
    if (unscored) throw *unscored;
    sink(text);
    text.clear();
    if (options.on_rows) options.on_rows(summary.rows);
  };
  reader.run(
      [&](Dataset& beats, std::vector<double>& scores, std::size_t worker) {
        Eigen::VectorXd e = raw_scores(model, beats, *workspaces[worker], &scratch[worker]);
        scores.assign(e.data(), e.data() + e.size());
      },
      [&](Dataset& beats, std::vector<double>& scores) {
        if (summary.rows == 0) {  // the first block's reader has read the header: the id columns' names
          writer = ScoreWriter(options.format, model.model->score_name(), options.file,
                               options.id_names.empty() ? beats.id_names : options.id_names);
          if (options.header) text = writer.header();
        }
        for (std::size_t i = 0; i < beats.rows(); ++i) {
          ++summary.rows;
          if (!unscored) {
            double score = scores[i];
            if (!std::isfinite(score)) {
              unscored = unscorable(model, beats, i);
            } else {
              bool anomaly = score >= model.threshold.value;
              summary.anomalies += anomaly;
              if (!options.only_anomalies || anomaly) {
                writer.append(text, options.first_row + summary.rows - 1, score, anomaly,
                              beats.labelled() ? beats.normal[i] : -1, beats.ids.data() + i * writer.id_count());
              }
            }
          }
          if (summary.rows % options.batch_rows == 0) batch_end();
        }
      });
  if (summary.rows % options.batch_rows != 0) batch_end();
  return summary;
}

}  // namespace ecgad
