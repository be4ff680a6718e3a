#include "ecgad/score.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "ecgad/blocks.h"
#include "ecgad/error.h"
#include "ecgad/model.h"

namespace ecgad {
namespace {

TEST(ScoreWriter, CsvLinesAndHeader) {
  ScoreWriter writer(ScoreFormat::csv, "error");
  EXPECT_EQ(writer.header(), "row,error,verdict,label\n");
  std::string out;
  writer.append(out, 1, 0.0123456789012, true, 0);
  writer.append(out, 2, 2.5, false, 1);
  writer.append(out, 3, 1e-12, false, -1);
  EXPECT_EQ(out, "1,0.0123456789,anomaly,anomaly\n2,2.5,normal,normal\n3,1e-12,normal,\n");
  EXPECT_EQ(ScoreWriter(ScoreFormat::csv, "probability").header(), "row,probability,verdict,label\n");
}

TEST(ScoreWriter, JsonLines) {
  ScoreWriter writer(ScoreFormat::jsonl, "probability");
  EXPECT_EQ(writer.header(), "");
  std::string out;
  writer.append(out, 7, 0.75, true, 1);
  writer.append(out, 8, 0.25, false, -1);
  EXPECT_EQ(out,
            "{\"row\":7,\"probability\":0.75,\"verdict\":\"anomaly\",\"label\":\"normal\"}\n"
            "{\"row\":8,\"probability\":0.25,\"verdict\":\"normal\"}\n");
  EXPECT_EQ(parse_score_format("jsonl"), ScoreFormat::jsonl);
  EXPECT_THROW(parse_score_format("xml"), Error);
}

// A 3-sample model whose threshold flags about half of the rows below.
TrainedModel tiny_model() {
  TrainedModel model{make_model("autoencoder", {{"input_width", 3}, {"encoder", {2}}}), {}, {}, {}, {}, {}};
  Rng rng(1);
  model.model->init(rng);
  model.scaler.min = {0};
  model.scaler.max = {10};
  return model;
}

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The text score_blocks writes, checking that it comes one batch at a time and is the same on 1 and 3 threads.
std::string score_text(const TrainedModel& model, const std::string& path, ScoreOptions options,
                       ScoreSummary* summary = nullptr) {
  RowLayout layout{3, RowLayout::Labels::optional, model.labels, {}};
  std::string first;
  for (BlockOptions read : {BlockOptions{1, 1 << 20}, BlockOptions{3, 16}}) {
    BlockReader reader(path, CsvOptions{}, layout, "score", read);
    std::string out;
    std::size_t blocks = 0;
    ScoreSummary s = score_blocks(model, reader, options, [&](std::string_view text) {
      out += text;
      ++blocks;
    });
    EXPECT_EQ(blocks, (s.rows + options.batch_rows - 1) / options.batch_rows);
    if (summary) *summary = s;
    if (read.threads == 1) first = out;
    EXPECT_EQ(out, first) << read.threads << " threads";
  }
  return first;
}

TEST(ScoreBlocks, SameOutputForEveryBlockSizeAndLabelsCarriedThrough) {
  TrainedModel model = tiny_model();
  std::string rows;
  for (int r = 0; r < 23; ++r)
    rows += std::to_string(r % 10) + "," + std::to_string((r * 3) % 10) + ",5," + (r % 3 ? "1" : "0") + "\n";
  std::string path = write_temp("score_stream.csv", rows);
  ScoreOptions options;
  options.batch_rows = 1000;
  std::string whole = score_text(model, path, options);
  // Put the threshold at the median score, so that both verdicts occur.
  std::vector<double> scores;
  for (std::size_t at = whole.find('\n') + 1; at < whole.size(); at = whole.find('\n', at) + 1) {
    std::size_t comma = whole.find(',', at);
    scores.push_back(std::stod(whole.substr(comma + 1)));
  }
  ASSERT_EQ(scores.size(), 23u);
  std::sort(scores.begin(), scores.end());
  model.threshold.value = scores[11];
  whole = score_text(model, path, options);
  EXPECT_EQ(whole.rfind("row,error,verdict,label\n1,", 0), 0u);
  EXPECT_NE(whole.find(",anomaly,anomaly\n"), std::string::npos);
  EXPECT_NE(whole.find(",normal,normal\n"), std::string::npos);
  for (std::size_t batch : {1, 2, 7, 22, 23}) {
    options.batch_rows = batch;
    EXPECT_EQ(score_text(model, path, options), whole) << "batch " << batch;
  }
  ScoreSummary summary;
  options.only_anomalies = true;
  std::string anomalies = score_text(model, path, options, &summary);
  EXPECT_EQ(summary.rows, 23u);
  std::size_t flagged = 0;
  for (std::size_t at = whole.find(",anomaly,"); at != std::string::npos; at = whole.find(",anomaly,", at + 1))
    ++flagged;
  EXPECT_GT(flagged, 0u);
  EXPECT_LT(flagged, 23u);
  EXPECT_EQ(summary.anomalies, flagged);
  EXPECT_EQ(static_cast<std::size_t>(std::count(anomalies.begin(), anomalies.end(), '\n')), flagged + 1);  // + header
  EXPECT_EQ(anomalies.find(",normal,"), std::string::npos);
}

TEST(ScoreBlocks, ABadRowIsLocatedAndAFirstRowRefusalWritesNothing) {
  TrainedModel model = tiny_model();
  ScoreOptions options;
  options.batch_rows = 2;
  std::string out;
  RowLayout layout{3, RowLayout::Labels::optional, model.labels, {}};
  {
    BlockReader reader(write_temp("bad_first.csv", "1,2\n"), CsvOptions{}, layout, "score", BlockOptions{});
    EXPECT_THROW(score_blocks(model, reader, options, [&](std::string_view t) { out += t; }), Error);
    EXPECT_EQ(out, "");
  }
  BlockReader reader(write_temp("bad_late.csv", "1,2,3\n1,2,3\n1,2,3\n1,x,3\n"), CsvOptions{}, layout, "score",
                     BlockOptions{});
  try {
    score_blocks(model, reader, options, [&](std::string_view t) { out += t; });
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad_late.csv:4:3:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ecgad
