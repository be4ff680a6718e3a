// EC57: the AAMI classes, bxb's matching (hand-worked sequences, each table computed by hand in the comments), the
// statistics under both label conventions, gross and average, and a brute-force cross-check on random sequences.
#include "ecgad/ec57.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/ec57_report.h"
#include "test_util.h"

namespace ecgad {
namespace {

using L = TestLabel;
using C = AamiClass;

Ec57Reference make_reference(const std::vector<std::pair<long long, char>>& beats) {
  Ec57Reference ref;
  for (const auto& [sample, letter] : beats) {
    ref.samples.push_back(sample);
    ref.classes.push_back(*aami_from_letter(letter));
  }
  return ref;
}

struct Detections {
  std::vector<long long> samples;
  std::vector<TestLabel> labels;
};
Detections make_detections(const std::vector<std::pair<long long, TestLabel>>& beats) {
  Detections d;
  for (const auto& [sample, label] : beats) {
    d.samples.push_back(sample);
    d.labels.push_back(label);
  }
  return d;
}

std::vector<Annotation> annotations(const std::vector<std::pair<long long, int>>& list) {
  std::vector<Annotation> out;
  for (const auto& [sample, code] : list) {
    Annotation a;
    a.sample = sample;
    a.code = code;
    out.push_back(a);
  }
  return out;
}

Ec57Options options(long long window, long long start) {
  Ec57Options o;
  o.window = window;
  o.start = start;
  return o;
}

TEST(AamiClasses, Ec57MappingOfMitCodes) {
  // N: N L R e j (B as bxb); S: A a J S (n as bxb); V: V E (r as bxb); F: F; Q: / f Q (? as bxb).
  const std::map<std::string, char> expected = {{"N", 'N'}, {"L", 'N'}, {"R", 'N'}, {"e", 'N'}, {"j", 'N'},
                                                {"B", 'N'}, {"A", 'S'}, {"a", 'S'}, {"J", 'S'}, {"S", 'S'},
                                                {"n", 'S'}, {"V", 'V'}, {"E", 'V'}, {"r", 'V'}, {"F", 'F'},
                                                {"/", 'Q'}, {"f", 'Q'}, {"Q", 'Q'}, {"?", 'Q'}};
  std::size_t beats = 0;
  for (int code = 0; code < 64; ++code) {
    const std::optional<AamiClass> c = aami_class(code);
    EXPECT_EQ(c.has_value(), is_beat_code(code)) << code;  // every beat code has a class, nothing else
    if (!c) continue;
    ++beats;
    auto it = expected.find(annotation_symbol(code));
    ASSERT_NE(it, expected.end()) << annotation_symbol(code);
    EXPECT_EQ(aami_letter(*c), it->second) << annotation_symbol(code);
    EXPECT_EQ(is_aami_normal_code(code), *c == AamiClass::N) << annotation_symbol(code);
  }
  EXPECT_EQ(beats, expected.size());
  for (int code : {14, 28, 22, 37, 32, 33}) EXPECT_FALSE(aami_class(code)) << code;  // ~ + " x [ ]
}

TEST(AamiClasses, LabelValuesAreOneToFiveWithOneNormal) {
  const LabelSpec spec = aami_label_spec();
  EXPECT_EQ(spec.normal, 1.0);
  EXPECT_TRUE(spec.others_abnormal);
  for (char letter : std::string("NSVFQ")) {
    const AamiClass c = *aami_from_letter(letter);
    EXPECT_EQ(aami_from_label_value(aami_label_value(c)), c);
    EXPECT_EQ(aami_from_letter(static_cast<char>(std::tolower(letter))), c);
  }
  EXPECT_EQ(aami_label_value(C::V), 3.0);
  EXPECT_FALSE(aami_from_label_value(0));
  EXPECT_FALSE(aami_from_label_value(2.5));
  EXPECT_FALSE(aami_from_letter('X'));
}

TEST(Ec57Reference, BeatsWithClassesAndVfEpisodesLeftOut) {
  // N at 10, '+' rhythm at 15, V at 20, '[' at 30, N at 40 (inside the episode), ']' at 50, A at 60, '~' at 65.
  Ec57Reference ref =
      ec57_reference(annotations({{10, 1}, {15, 28}, {20, 5}, {30, 32}, {40, 1}, {50, 33}, {60, 8}, {65, 14}}));
  EXPECT_EQ(ref.samples, (std::vector<long long>{10, 20, 60}));
  EXPECT_EQ(ref.classes, (std::vector<AamiClass>{C::N, C::V, C::S}));
  ASSERT_EQ(ref.vf_episodes.size(), 1u);
  EXPECT_EQ(ref.vf_episodes[0], (std::pair<long long, long long>{30, 50}));
}

// At 100 Hz with a 15-sample (150 ms) window, no learning period. Walking bxb's loop by hand:
//   ref 100 N  / det 103 n        3 <= 15, closer than the next ref (200)      -> N n
//   ref 200 N  / det 195 flagged  5                                            -> N flagged
//   ref 300 V  / det 310 flagged  10                                           -> V flagged
//   ref 400 N  / det 405 n        5                                            -> N n
//                det 450 flagged  50 from ref 500: no match                    -> O flagged (extra)
//   ref 500 S  / det 520 n        20 > 15: the S beat is missed                -> S o
//                det 520 n        80 from ref 600                              -> O n
//   ref 600 N  / det 598 flagged  2                                            -> N flagged
//   ref 700 F  / det 702 flagged  2                                            -> F flagged
//   ref 800 V                     next detection at 900: missed                -> V o
//                det 900 flagged  no reference left                            -> O flagged
// Matrix: N: n 2, flagged 2 | S: o 1 | V: flagged 1, o 1 | F: flagged 1 | O: n 1, flagged 2.
// QRS:  TP 6 (4 N + V + F), FN 2 (S, V missed), FP 3 (extras)      Se 6/8, +P 6/9
// VEB:  TP 1 (V flagged), FN 1 (V missed), FP 2 N flagged + 2 extra flagged = 4: Se 1/2, +P 1/5;
//       TN = rows N S F Q O x columns n s f q unscored = N n 2 + O n 1 = 3 (F flagged is neither): FPR 4/7
// SVEB: TP 0, FN 1 (S missed), FP 4 (as VEB's): Se 0, +P 0
// abnormal vs N: TP 2 (V, F flagged), FN 2 (S, V missed), FP 4: Se 1/2, +P 2/6
TEST(CompareBeats, HandWorkedVerdicts) {
  Ec57Reference ref =
      make_reference({{100, 'N'}, {200, 'N'}, {300, 'V'}, {400, 'N'}, {500, 'S'}, {600, 'N'}, {700, 'F'}, {800, 'V'}});
  Detections d = make_detections({{103, L::n},
                                  {195, L::flagged},
                                  {310, L::flagged},
                                  {405, L::n},
                                  {450, L::flagged},
                                  {520, L::n},
                                  {598, L::flagged},
                                  {702, L::flagged},
                                  {900, L::flagged}});
  Ec57Comparison c = compare_beats(ref, d.samples, d.labels, options(15, 0));
  Ec57Counts expected;
  expected.at(C::N, L::n) = 2;
  expected.at(C::N, L::flagged) = 2;
  expected.m[1][kColO] = 1;  // S missed
  expected.at(C::V, L::flagged) = 1;
  expected.m[2][kColO] = 1;  // V missed
  expected.at(C::F, L::flagged) = 1;
  expected.m[kRowO][static_cast<std::size_t>(L::n)] = 1;
  expected.m[kRowO][static_cast<std::size_t>(L::flagged)] = 2;
  EXPECT_EQ(c.counts, expected);
  EXPECT_EQ(c.reference_of, (std::vector<long long>{0, 1, 2, 3, -1, -1, 5, 6, -1}));
  EXPECT_EQ(c.counted, (std::vector<std::uint8_t>(9, 1)));

  Ec57Stats s = ec57_stats(c.counts);
  EXPECT_EQ(s.qrs.tp, 6u);
  EXPECT_EQ(s.qrs.fn, 2u);
  EXPECT_EQ(s.qrs.fp, 3u);
  EXPECT_DOUBLE_EQ(s.qrs.se(), 6.0 / 8);
  EXPECT_DOUBLE_EQ(s.qrs.ppv(), 6.0 / 9);
  EXPECT_EQ(s.veb.tp, 1u);
  EXPECT_EQ(s.veb.fn, 1u);
  EXPECT_EQ(s.veb.fp, 4u);
  EXPECT_EQ(s.veb_tn, 3u);
  EXPECT_DOUBLE_EQ(s.veb.ppv(), 0.2);
  EXPECT_DOUBLE_EQ(s.veb_fpr(), 4.0 / 7);
  EXPECT_EQ(s.sveb.tp, 0u);
  EXPECT_EQ(s.sveb.fn, 1u);
  EXPECT_EQ(s.sveb.fp, 4u);
  EXPECT_EQ(s.sveb.se(), 0.0);
  EXPECT_EQ(s.abnormal.tp, 2u);
  EXPECT_EQ(s.abnormal.fn, 2u);
  EXPECT_EQ(s.abnormal.fp, 4u);
  EXPECT_EQ(s.classes[0].beats, 4u);
  EXPECT_EQ(s.classes[0].flagged, 2u);
  EXPECT_EQ(s.classes[1].detected, 0u);
  EXPECT_EQ(s.classes[2].beats, 2u);
  EXPECT_EQ(s.classes[2].detected, 1u);
  EXPECT_EQ(s.classes[2].flagged, 1u);
  EXPECT_EQ(s.classes[4].beats, 0u);
  EXPECT_EQ(s.extra, 3u);
  EXPECT_EQ(s.extra_flagged, 2u);
}

// Learning period of 300 samples (3 s at 100 Hz), window 15.
//   ref 290 N (learning period: left out), ref 305 V, ref 400 N
//   det 290 n (learning period), det 298 flagged (learning period, the last one), det 402 n
// bxb's start: T = 305 (first reference beat >= 300), t = 298 (last detection before 300), t' = 402.
// 305 - 298 = 7 <= 15 and closer than t' (97): paired, V flagged. The detection at 290 and the beat at 290 are not
// counted. Then 400/402: N n. Matrix: V flagged 1, N n 1.
TEST(CompareBeats, LastDetectionOfTheLearningPeriodMayMatchTheFirstBeatAfterIt) {
  Ec57Reference ref = make_reference({{290, 'N'}, {305, 'V'}, {400, 'N'}});
  Detections d = make_detections({{290, L::n}, {298, L::flagged}, {402, L::n}});
  Ec57Comparison c = compare_beats(ref, d.samples, d.labels, options(15, 300));
  Ec57Counts expected;
  expected.at(C::V, L::flagged) = 1;
  expected.at(C::N, L::n) = 1;
  EXPECT_EQ(c.counts, expected);
  EXPECT_EQ(c.counted, (std::vector<std::uint8_t>{0, 1, 1}));
  EXPECT_EQ(c.reference_counted, (std::vector<std::uint8_t>{0, 1, 1}));
}

// Learning period 300, window 15. ref 312 N; det 301 flagged, 310 n.
// bxb: no detection before 300 (t is its zero), so no first pair; t becomes 301, t' 310. 301 lies within the window
// after the start and the next detection is closer to T (|312 - 310| = 2 < |312 - 301| = 11): 301 is skipped, counted
// neither as a match nor as an extra. Then 310 pairs with 312: N n 1, and nothing else.
// Without 310, 301 pairs with 312 (11 <= 15): N flagged 1.
TEST(CompareBeats, FirstDetectionAfterTheStartIsSkippedWhenTheNextMatchesBetter) {
  Ec57Reference ref = make_reference({{312, 'N'}});
  Detections d = make_detections({{301, L::flagged}, {310, L::n}});
  Ec57Comparison c = compare_beats(ref, d.samples, d.labels, options(15, 300));
  Ec57Counts expected;
  expected.at(C::N, L::n) = 1;
  EXPECT_EQ(c.counts, expected);
  EXPECT_EQ(c.counted, (std::vector<std::uint8_t>{0, 1}));

  Detections alone = make_detections({{301, L::flagged}});
  Ec57Counts expected_alone;
  expected_alone.at(C::N, L::flagged) = 1;
  EXPECT_EQ(compare_beats(ref, alone.samples, alone.labels, options(15, 300)).counts, expected_alone);
}

// bxb's 2002 revision, with its own example (James Pardey's): window 37, ref 96 and 160, det 128 and 185.
// 128 - 96 = 32 is not less than 160 - 128 = 32, so the original rule missed 96 and counted 128 as extra; the revision
// sees that 185 matches 160 better (25 < 32) and pairs 96/128 and 160/185: 2 TP, no FN, no FP.
TEST(CompareBeats, RevisedRulePairsCloseNeighbours) {
  Ec57Reference ref = make_reference({{96, 'N'}, {160, 'N'}});
  Detections d = make_detections({{128, L::n}, {185, L::n}});
  Ec57Comparison c = compare_beats(ref, d.samples, d.labels, options(37, 0));
  Ec57Counts expected;
  expected.at(C::N, L::n) = 2;
  EXPECT_EQ(c.counts, expected);
  EXPECT_EQ(c.reference_of, (std::vector<long long>{0, 1}));
}

// A reference VF episode from 150 to 300 (its beat at 200 left out): a detection at 210 matches nothing and is not
// counted; 100 and 400 pair. Matrix: N n 2.
TEST(CompareBeats, ExtraDetectionsInsideReferenceVfAreNotCounted) {
  Ec57Reference ref = ec57_reference(annotations({{100, 1}, {150, 32}, {200, 1}, {300, 33}, {400, 1}}));
  Detections d = make_detections({{100, L::n}, {210, L::flagged}, {400, L::n}});
  Ec57Comparison c = compare_beats(ref, d.samples, d.labels, options(15, 0));
  Ec57Counts expected;
  expected.at(C::N, L::n) = 2;
  EXPECT_EQ(c.counts, expected);
  EXPECT_EQ(c.counted, (std::vector<std::uint8_t>{1, 0, 1}));
}

TEST(CompareBeats, EndOfTheTestPeriodAndEmptyStreams) {
  Ec57Reference ref = make_reference({{100, 'N'}, {200, 'V'}});
  Detections none;
  Ec57Counts missed;
  missed.m[0][kColO] = 1;
  missed.m[2][kColO] = 1;
  EXPECT_EQ(compare_beats(ref, none.samples, none.labels, options(15, 0)).counts, missed);
  Detections d = make_detections({{100, L::n}, {300, L::flagged}});
  Ec57Counts extra;
  extra.m[kRowO][static_cast<std::size_t>(L::n)] = 1;
  extra.m[kRowO][static_cast<std::size_t>(L::flagged)] = 1;
  EXPECT_EQ(compare_beats(Ec57Reference{}, d.samples, d.labels, options(15, 0)).counts, extra);
  // bxb's -t: the comparison stops once both streams are past the end (150): only 100/100 is counted.
  Ec57Options o = options(15, 0);
  o.end = 150;
  Ec57Counts first;
  first.at(C::N, L::n) = 1;
  EXPECT_EQ(compare_beats(ref, d.samples, d.labels, o).counts, first);
}

TEST(CompareBeats, RefusesMismatchedOrUnorderedInput) {
  Ec57Reference ref = make_reference({{100, 'N'}});
  EXPECT_NE(test::error_of([&] {
              compare_beats(ref, {1, 2}, {L::n}, options(15, 0));
            }).find("2 detections but 1 labels"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              compare_beats(ref, {5, 2}, {L::n, L::n}, options(15, 0));
            }).find("time order"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { ec57_options(0, 300); }).find("sampling rate"), std::string::npos);
  Ec57Options o = ec57_options(360, 300);
  EXPECT_EQ(o.window, 54);  // round(0.15 * 360)
  EXPECT_EQ(o.start, 108000);
  EXPECT_EQ(ec57_options(128, 300).window, 19);  // 19.2
}

// A classifier's labels, scored by bxb's rules (counts set directly):
//   N: n 10, s 2, v 1 | S: n 1, s 4, v 1 | V: n 1, s 1, v 3, o 1 | F: s 1, v 1 | Q: s 1, v 1 | O: s 1, v 1
// VEB: TP = Vv 3; FN = Vn + Vs + Vo = 3; FP = Nv + Sv + Ov = 3 (Fv, Qv count neither way)
//      TN = rows N S F Q O x columns n s f q = (10 + 2) + (1 + 4) + 1 + 1 + 1 = 20; FPR 3/23
// SVEB: TP = Ss 4; FN = Sn + Sv = 2; FP = Ns + Vs + Fs + Os = 5 (Qs counts neither way)
TEST(Ec57Stats, ClassifierLabelsFollowBxbRules) {
  Ec57Counts k;
  k.at(C::N, L::n) = 10, k.at(C::N, L::s) = 2, k.at(C::N, L::v) = 1;
  k.at(C::S, L::n) = 1, k.at(C::S, L::s) = 4, k.at(C::S, L::v) = 1;
  k.at(C::V, L::n) = 1, k.at(C::V, L::s) = 1, k.at(C::V, L::v) = 3, k.m[2][kColO] = 1;
  k.at(C::F, L::s) = 1, k.at(C::F, L::v) = 1;
  k.at(C::Q, L::s) = 1, k.at(C::Q, L::v) = 1;
  k.m[kRowO][1] = 1, k.m[kRowO][2] = 1;
  Ec57Stats s = ec57_stats(k);
  EXPECT_EQ(s.veb.tp, 3u);
  EXPECT_EQ(s.veb.fn, 3u);
  EXPECT_EQ(s.veb.fp, 3u);
  EXPECT_EQ(s.veb_tn, 20u);
  EXPECT_DOUBLE_EQ(s.veb_fpr(), 3.0 / 23);
  EXPECT_EQ(s.sveb.tp, 4u);
  EXPECT_EQ(s.sveb.fn, 2u);
  EXPECT_EQ(s.sveb.fp, 5u);
  EXPECT_EQ(s.qrs.tp, 28u);  // N 13 + S 6 + V 5 + F 2 + Q 2
  EXPECT_EQ(s.qrs.fn, 1u);
  EXPECT_EQ(s.qrs.fp, 2u);
  EXPECT_EQ(s.classes[0].flagged, 3u);  // N labelled s or v
}

// Verdicts: flagged S, F and Q beats count neither way for VEB, flagged V, F and Q neither way for SVEB; unscored
// detections count as detected, and as not flagged.
//   N: n 5, flagged 1, unscored 1 | S: flagged 2, n 1 | V: flagged 3, unscored 1 | F: flagged 1 | Q: flagged 1
// VEB:  TP 3, FN 1 (the unscored V), FP 1 (N flagged); TN = N n 5 + N unscored 1 + S n 1 = 7
// SVEB: TP 2, FN 1, FP 1
TEST(Ec57Stats, VerdictsCountOtherAbnormalClassesNeitherWay) {
  Ec57Counts k;
  k.at(C::N, L::n) = 5, k.at(C::N, L::flagged) = 1, k.at(C::N, L::unscored) = 1;
  k.at(C::S, L::flagged) = 2, k.at(C::S, L::n) = 1;
  k.at(C::V, L::flagged) = 3, k.at(C::V, L::unscored) = 1;
  k.at(C::F, L::flagged) = 1;
  k.at(C::Q, L::flagged) = 1;
  Ec57Stats s = ec57_stats(k);
  EXPECT_EQ(s.veb.tp, 3u);
  EXPECT_EQ(s.veb.fn, 1u);
  EXPECT_EQ(s.veb.fp, 1u);
  EXPECT_EQ(s.veb_tn, 7u);
  EXPECT_EQ(s.sveb.tp, 2u);
  EXPECT_EQ(s.sveb.fn, 1u);
  EXPECT_EQ(s.sveb.fp, 1u);
  EXPECT_EQ(s.qrs.tp, 16u);      // N 7 + S 3 + V 4 + F 1 + Q 1
  EXPECT_EQ(s.abnormal.tp, 7u);  // S 2 + V 3 + F 1 + Q 1
  EXPECT_EQ(s.abnormal.fn, 2u);  // S n, V unscored
  EXPECT_EQ(s.abnormal.fp, 1u);
}

// Gross: the summed counts. Average: each record's value, averaged where defined.
//   record a: V flagged 1, V n 1, N n 8        VEB Se 1/2, QRS Se 1
//   record b: V flagged 3, N flagged 1         VEB Se 1, +P 3/4
//   record c: N n 4                            VEB Se undefined (no V), +P undefined
// gross VEB Se = 4/5; average VEB Se = (1/2 + 1) / 2 = 3/4; average VEB +P = (1 + 3/4) / 2 = 7/8.
TEST(Ec57Stats, GrossAndAverage) {
  std::vector<Ec57Record> records(3);
  records[0].record = "a";
  records[0].counts.at(C::V, L::flagged) = 1, records[0].counts.at(C::V, L::n) = 1,
                             records[0].counts.at(C::N, L::n) = 8;
  records[1].record = "b";
  records[1].counts.at(C::V, L::flagged) = 3, records[1].counts.at(C::N, L::flagged) = 1;
  records[2].record = "c";
  records[2].counts.at(C::N, L::n) = 4;
  Ec57Stats gross = ec57_stats(gross_counts(records));
  EXPECT_DOUBLE_EQ(gross.veb.se(), 4.0 / 5);
  EXPECT_DOUBLE_EQ(gross.veb.ppv(), 4.0 / 5);
  Ec57Averages avg = average_stats(records);
  EXPECT_DOUBLE_EQ(avg.veb_se, 0.75);
  EXPECT_DOUBLE_EQ(avg.veb_ppv, 0.875);
  EXPECT_DOUBLE_EQ(avg.qrs_se, 1.0);
  EXPECT_TRUE(std::isnan(avg.sveb_se));
  EXPECT_TRUE(std::isnan(ec57_stats(records[2].counts).veb.se()));
}

// An independent computation on random sequences where matching is unambiguous: reference beats at least 3 windows
// apart, each detected (or not) within +-2 windows, extra detections more than a window from every reference beat and
// every other detection, none near the start of the test period. Then a pair is simply a reference beat of the test
// period and the one detection within the window of it, wherever the detection lies; every other detection of the
// test period is extra; every other reference beat of it is missed.
TEST(CompareBeats, AgreesWithBruteForceOnUnambiguousRandomSequences) {
  std::mt19937_64 rng(57);
  const long long w = 54, start = 3000;
  const TestLabel kLabels[] = {L::n, L::flagged, L::unscored, L::v, L::s};
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<long long> ref_times;
    for (long long t = 100 + static_cast<long long>(rng() % 200); t < 20000;
         t += 3 * w + 1 + static_cast<long long>(rng() % 300)) {
      ref_times.push_back(t);
    }
    Ec57Reference ref;
    std::vector<std::pair<long long, TestLabel>> det;
    for (long long t : ref_times) {
      ref.samples.push_back(t);
      ref.classes.push_back(static_cast<AamiClass>(rng() % kAamiClasses));
      if (rng() % 5 == 0) continue;  // missed, or detected outside the window
      const long long d = t + static_cast<long long>(rng() % (4 * w + 1)) - 2 * w;
      det.emplace_back(d, kLabels[rng() % 5]);
    }
    for (int e = 0; e < 20; ++e) {
      const long long d = static_cast<long long>(rng() % 20000);
      bool clear = std::llabs(d - start) > 2 * w;
      for (long long t : ref_times) clear = clear && std::llabs(d - t) > 2 * w;
      for (const auto& [x, label] : det) clear = clear && std::llabs(d - x) > w;
      if (clear) det.emplace_back(d, kLabels[rng() % 5]);
    }
    // Keep detections that are no closer than a window to a neighbour, and none just around the start.
    std::sort(det.begin(), det.end());
    std::vector<std::pair<long long, TestLabel>> kept;
    for (const auto& x : det) {
      if ((kept.empty() || x.first - kept.back().first > 2 * w) && std::llabs(x.first - start) > 2 * w)
        kept.push_back(x);
    }
    Detections d;
    for (const auto& [x, label] : kept) d.samples.push_back(x), d.labels.push_back(label);

    Ec57Counts brute;
    std::vector<char> used(kept.size(), 0);
    for (std::size_t r = 0; r < ref.size(); ++r) {
      std::size_t match = kept.size();
      for (std::size_t i = 0; i < kept.size(); ++i) {
        if (std::llabs(kept[i].first - ref.samples[r]) <= w) match = i;
      }
      if (match < kept.size()) used[match] = 1;
      if (ref.samples[r] < start) continue;
      if (match < kept.size()) {
        ++brute.at(ref.classes[r], kept[match].second);
      } else {
        ++brute.m[static_cast<std::size_t>(ref.classes[r])][kColO];
      }
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (!used[i] && kept[i].first >= start) ++brute.m[kRowO][static_cast<std::size_t>(kept[i].second)];
    }
    ASSERT_EQ(compare_beats(ref, d.samples, d.labels, options(w, start)).counts, brute) << "trial " << trial;
  }
}

}  // namespace
}  // namespace ecgad

namespace ecgad {
namespace {

// The hand-worked example of CompareBeats.HandWorkedVerdicts as one record, and a second record without V or S beats.
std::vector<Ec57Record> two_records() {
  std::vector<Ec57Record> records(2);
  records[0].record = "hand";
  Ec57Counts& k = records[0].counts;
  k.at(AamiClass::N, TestLabel::n) = 2;
  k.at(AamiClass::N, TestLabel::flagged) = 2;
  k.m[1][kColO] = 1;
  k.at(AamiClass::V, TestLabel::flagged) = 1;
  k.m[2][kColO] = 1;
  k.at(AamiClass::F, TestLabel::flagged) = 1;
  k.m[kRowO][0] = 1;
  k.m[kRowO][5] = 2;
  records[1].record = "quiet";
  records[1].counts.at(AamiClass::N, TestLabel::n) = 10;
  return records;
}

TEST(Ec57Report, JsonHasTheInterfaceKeys) {
  const std::vector<Ec57Record> records = two_records();
  nlohmann::json j = ec57_json(records, Ec57Setting{});
  // gross: N n 12, N flagged 2 -> VEB TP 1, FN 1, FP 4 as in the hand-worked example; QRS TP 16, FN 2, FP 3.
  EXPECT_DOUBLE_EQ(j["gross"]["veb"]["se"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["gross"]["veb"]["ppv"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(j["gross"]["qrs"]["se"].get<double>(), 16.0 / 18);
  EXPECT_DOUBLE_EQ(j["gross"]["sveb"]["ppv"].get<double>(), 0.0);
  EXPECT_EQ(j["gross"]["veb"]["tn"].get<std::size_t>(), 13u);  // N n 12 + O n 1
  EXPECT_EQ(j["gross"]["classes"]["N"]["flagged"].get<std::size_t>(), 2u);
  EXPECT_EQ(j["gross"]["classes"]["extra"]["detections"].get<std::size_t>(), 3u);
  EXPECT_EQ(j["gross"]["matrix"]["S"]["missed"].get<std::size_t>(), 1u);
  EXPECT_FALSE(j["gross"]["matrix"]["O"].contains("missed"));
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][1]["record"], "quiet");
  EXPECT_TRUE(j["records"][1]["veb"]["se"].is_null());  // no V beats: undefined, not 0
  EXPECT_TRUE(j["records"][1]["veb"]["ppv"].is_null());
  EXPECT_DOUBLE_EQ(j["average"]["qrs"]["se"].get<double>(), (6.0 / 8 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(j["average"]["veb"]["se"].get<double>(), 0.5);  // only "hand" defines it
  EXPECT_EQ(j["learn_seconds"], 300.0);
}

TEST(Ec57Report, TextTableAndGates) {
  const std::vector<Ec57Record> records = two_records();
  std::vector<Gate> gates = check_ec57_gates(gross_counts(records), {{"veb-se", 0.5}, {"qrs-ppv", 0.9}});
  ASSERT_EQ(gates.size(), 2u);
  EXPECT_TRUE(gates[0].passed);                                                    // 0.5 >= 0.5
  EXPECT_FALSE(gates[1].passed);                                                   // 16/19
  EXPECT_FALSE(check_ec57_gates(records[1].counts, {{"veb-se", 0.1}})[0].passed);  // undefined fails
  EXPECT_NE(test::error_of([&] {
              check_ec57_gates(records[1].counts, {{"veb-recall", 0.1}});
            }).find("veb-se"),
            std::string::npos);
  const std::string text = ec57_text(records, Ec57Setting{}, gates);
  EXPECT_NE(text.find("150 ms match window, the first 300 s"), std::string::npos) << text;
  // record "hand": 8 beats, QRS Se 75.00, +P 66.67, VEB Se 50.00 +P 20.00 FPR 57.143, SVEB Se 0.00 +P 0.00
  EXPECT_NE(text.find("hand            8   75.00   66.67   50.00   20.00  57.143    0.00    0.00"), std::string::npos)
      << text;
  EXPECT_NE(text.find("quiet          10  100.00  100.00       -       -   0.000       -       -"), std::string::npos)
      << text;
  EXPECT_NE(text.find("gate qrs-ppv >= 0.9000: 0.8421 (FAILED)"), std::string::npos) << text;
  std::vector<Ec57Record> odd = records;  // a record named by its file: escapes shown, not obeyed (text.h)
  odd[0].record = "h\x1b[2Jand";
  const std::string odd_text = ec57_text(odd, Ec57Setting{}, gates);
  EXPECT_NE(odd_text.find("h\\x1b[2Jand"), std::string::npos) << odd_text;
  EXPECT_EQ(odd_text.find('\x1b'), std::string::npos);
  const std::string xml = ec57_junit_xml(records, gates, "ecgad evaluate <recordings>");
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"record hand\""), std::string::npos);
  ECGAD_EXPECT_WELL_FORMED(xml, "ec57_junit");
}

}  // namespace
}  // namespace ecgad
