// Beats of whole recordings for EC57 (record 100 of data/mitdb, shipped), their labels and id columns.
#include "ecgad/recordings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace ecgad {
namespace {

const std::string kRecord100 = ECGAD_SOURCE_DIR "/data/mitdb/100.hea";

TEST(Recordings, IdsAnnotationFilesAndLabelClasses) {
  EXPECT_EQ(record_id("data/mitdb/100.hea"), "100");
  EXPECT_EQ(record_id("rec.edf"), "rec");
  EXPECT_EQ(record_id("plain"), "plain");
  EXPECT_EQ(record_id("-"), "stdin");
  Recording r;
  r.name = "x/100.hea";
  r.annotation_base = "x/100";
  EXPECT_EQ(annotation_file_for("atr", r), "x/100.atr");
  EXPECT_EQ(annotation_file_for("other/ref.atr", r), "other/ref.atr");
  r.annotation_base.clear();
  EXPECT_NE(test::error_of([&] { annotation_file_for("atr", r); }).find("has no record name"), std::string::npos);
  EXPECT_EQ(parse_label_classes("aami"), LabelClasses::aami);
  EXPECT_EQ(parse_label_classes("binary"), LabelClasses::binary);
  EXPECT_NE(test::error_of([] { parse_label_classes("AAMI"); }).find("binary or aami"), std::string::npos);
  EXPECT_EQ(class_label(AamiClass::N, LabelClasses::binary), 1.0);
  EXPECT_EQ(class_label(AamiClass::V, LabelClasses::binary), 0.0);
  EXPECT_EQ(class_label(AamiClass::V, LabelClasses::aami), 3.0);
  std::string row;
  const double v[] = {0.25, -1.0 / 3};
  append_beat_row(row, "100", 370, v, 2, 3.0);
  append_beat_row(row, "100", 663, v, 2, std::nullopt);
  EXPECT_EQ(row, "100,370,0.25,-0.3333333,3\n100,663,0.25,-0.3333333\n");
}

// Record 100, MLII: 2273 R peaks found, all matching the 2273 reference beats (2239 N, 33 S, 1 V); 2271 rows (the
// first and last peak have no RR window).
TEST(Recordings, Record100WithItsReference) {
  RecordBeatsOptions options;
  options.annotations = "atr";
  RecordBeats r = record_beats(kRecord100, options);
  EXPECT_EQ(r.record, "100");
  EXPECT_EQ(r.channel, "MLII");
  EXPECT_EQ(r.fs, 360);
  EXPECT_EQ(r.peaks.size(), 2273u);
  EXPECT_EQ(r.beats.rows(), 2271u);
  ASSERT_TRUE(r.annotated);
  ASSERT_EQ(r.reference.size(), 2273u);
  std::size_t per_class[kAamiClasses] = {};
  for (AamiClass c : r.reference.classes) ++per_class[static_cast<std::size_t>(c)];
  EXPECT_EQ(per_class[0], 2239u);
  EXPECT_EQ(per_class[1], 33u);
  EXPECT_EQ(per_class[2], 1u);
  for (std::size_t i = 0; i < r.peaks.size(); ++i) EXPECT_EQ(r.reference_of[i], static_cast<long long>(i));
  EXPECT_EQ(r.row_sample(0), 370);
  EXPECT_EQ(r.row_class(0), AamiClass::N);
  // The ventricular beat at 25:18.9 (sample 546792).
  std::size_t v_rows = 0;
  for (std::size_t row = 0; row < r.beats.rows(); ++row) {
    if (r.row_class(row) == AamiClass::V) {
      ++v_rows;
      EXPECT_NEAR(static_cast<double>(r.row_sample(row)), 546792, 54);
    }
  }
  EXPECT_EQ(v_rows, 1u);

  // Several records as one data set: id columns record and sample, N normal.
  std::vector<std::pair<std::size_t, std::size_t>> from;
  Dataset data =
      beats_dataset({r, r}, true, "two", &from, [](std::size_t k, std::size_t row) { return k == 1 || row < 10; });
  EXPECT_EQ(data.rows(), 10u + 2271u);
  EXPECT_EQ(data.id_names, (std::vector<std::string>{"record", "sample"}));
  EXPECT_EQ(data.ids[0], "100");
  EXPECT_EQ(data.ids[1], "370");
  EXPECT_EQ(from[10], (std::pair<std::size_t, std::size_t>{1, 0}));
  std::size_t abnormal = 0, abnormal_first_10 = 0;
  for (std::uint8_t n : data.normal) abnormal += n ? 0 : 1;
  for (std::size_t row = 0; row < 10; ++row) abnormal_first_10 += r.row_class(row) == AamiClass::N ? 0 : 1;
  EXPECT_EQ(abnormal_first_10, 1u);              // the A beat at 7 s
  EXPECT_EQ(abnormal, 34u + abnormal_first_10);  // 33 S + 1 V in the second copy, as `beats` counts them
}

// The rows `beats REC... --classes aami` writes (record, sample, values, class 1..5) read back by the existing
// multi-class label support: id columns 1 and 2, normal label 1, every other value abnormal.
TEST(Recordings, AamiRowsReadBackAsMultiClassLabels) {
  std::string text;
  const double v[] = {0.5, 1.5, -0.25};
  const AamiClass classes[] = {AamiClass::N, AamiClass::V, AamiClass::S, AamiClass::Q, AamiClass::N};
  long long sample = 100;
  for (AamiClass c : classes) append_beat_row(text, "208", sample += 300, v, 3, class_label(c, LabelClasses::aami));
  const std::string path = test::temp_path("aami_rows.csv");
  test::write_file(path, text);
  LoadOptions load;
  load.labels = aami_label_spec();
  set_id_columns(load.columns, {1, 2});
  Dataset data = load_dataset(path, load);
  EXPECT_EQ(data.width, 3u);
  EXPECT_EQ(data.normal, (std::vector<std::uint8_t>{1, 0, 0, 0, 1}));
  EXPECT_EQ(data.ids[0], "208");
  EXPECT_EQ(data.ids[3], "700");
  EXPECT_EQ(data.values[3], 0.5);
}

TEST(Recordings, NormalizesAndRefusesWhatItCannotUse) {
  RecordBeatsOptions options;
  options.normalize = BeatNormalization::zscore;
  options.beats.width = 50;
  RecordBeats r = record_beats(kRecord100, options);
  EXPECT_FALSE(r.annotated);
  EXPECT_FALSE(r.row_class(0));
  double mean = 0;
  for (std::size_t k = 0; k < 50; ++k) mean += r.beats.values[k];
  EXPECT_NEAR(mean / 50, 0.0, 1e-12);
  EXPECT_NE(test::error_of([&] { beats_dataset({r}, true, "x"); }).find("need annotations"), std::string::npos);
  RecordBeatsOptions from_annotations;
  from_annotations.peaks_from_annotations = true;
  EXPECT_NE(test::error_of([&] { record_beats(kRecord100, from_annotations); }).find("need the annotations"),
            std::string::npos);
  from_annotations.annotations = "atr";
  EXPECT_EQ(record_beats(kRecord100, from_annotations).peaks.size(), 2273u);
  RecordBeatsOptions missing;
  missing.annotations = "nosuch";
  EXPECT_NE(test::error_of([&] { record_beats(kRecord100, missing); }).find("100.nosuch"), std::string::npos);
}

}  // namespace
}  // namespace ecgad
