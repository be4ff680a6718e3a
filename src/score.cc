#include "ecgad/score.h"

#include "ecgad/detector.h"
#include "ecgad/error.h"
#include "ecgad/text.h"

namespace ecgad {

ScoreFormat parse_score_format(const std::string& name) {
  if (name == "csv") return ScoreFormat::csv;
  if (name == "jsonl") return ScoreFormat::jsonl;
  throw Error("unknown score format '" + name + "' (expected csv or jsonl)");
}

ScoreWriter::ScoreWriter(ScoreFormat format, std::string score_name)
    : format_(format), score_name_(std::move(score_name)) {}

std::string ScoreWriter::header() const {
  return format_ == ScoreFormat::csv ? "row," + score_name_ + ",verdict,label\n" : std::string();
}

void ScoreWriter::append(std::string& out, std::size_t row, double score, bool anomaly, int label) const {
  const char* verdict = anomaly ? "anomaly" : "normal";
  const char* label_text = label < 0 ? "" : label ? "normal" : "anomaly";  // the verdict's words: scripts compare them
  if (format_ == ScoreFormat::jsonl) {
    append_format(out, "{{\"row\":{},\"{}\":{:.9g},\"verdict\":\"{}\"", row, score_name_, score, verdict);
    out += label < 0 ? "}\n" : std::string(",\"label\":\"") + label_text + "\"}\n";
  } else {
    append_format(out, "{},{:.9g},{},{}\n", row, score, verdict, label_text);
  }
}

ScoreSummary score_stream(const TrainedModel& model, BeatReader& reader, const ScoreOptions& options,
                          const std::function<void(std::string_view)>& sink) {
  if (options.batch_rows == 0) throw Error("the batch size of scoring must be at least 1");
  ScoreWriter writer(options.format, model.model->score_name());
  std::unique_ptr<Workspace> workspace = model.model->new_workspace();
  ScoreSummary summary;
  Dataset block;
  Mat<float> scaled;
  std::string text = writer.header();
  while (reader.next(block, options.batch_rows)) {
    Eigen::VectorXd scores = anomaly_scores(model, block, *workspace, &scaled);
    for (std::size_t i = 0; i < block.rows(); ++i) {
      double score = scores(static_cast<Eigen::Index>(i));
      bool anomaly = score >= model.threshold.value;
      ++summary.rows;
      summary.anomalies += anomaly;
      if (options.only_anomalies && !anomaly) continue;
      writer.append(text, summary.rows, score, anomaly, block.labelled() ? block.normal[i] : -1);
    }
    sink(text);
    text.clear();
  }
  return summary;
}

}  // namespace ecgad
