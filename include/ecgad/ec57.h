// Beat-by-beat comparison of an algorithm's beats with reference annotations, as ANSI/AAMI EC57 defines it and
// WFDB's bxb computes it: the AAMI classes of MIT annotation codes, bxb's matching (150 ms window, learning period
// left out by time), the confusion matrix of reference classes against the algorithm's labels, and its statistics
// (QRS, VEB and SVEB sensitivity and positive predictivity), per record, gross and average.
//
// What ecgad adds to bxb: a detector that says only "normal" or "anomaly" has no V or S label to give. Its verdict
// is the label `flagged`, and the statistics count it as EC57 counts a V label for VEB and an S label for SVEB, except
// that a flagged beat of another abnormal class counts neither way:
//   VEB:  TP = V flagged; FN = V not flagged (or not detected); FP = N flagged, and flagged detections that match no
//         reference beat (bxb's Ov). Flagged S, F and Q beats are neither TP nor FP.
//   SVEB: the same with S (flagged V, F and Q beats count neither way).
// A model that predicts classes gives n, s, v, f, q labels and is scored by bxb's own rules (its Sv is a VEB FP, its
// Vs and Fs SVEB FPs). Both kinds of label live in one matrix; the formulas below cover both.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecgad/labels.h"
#include "ecgad/wfdb.h"

namespace ecgad {

// ---- AAMI classes ------------------------------------------------------------------------------------------

enum class AamiClass : std::uint8_t { N, S, V, F, Q };
constexpr std::size_t kAamiClasses = 5;

// EC57's classes of MIT annotation codes:
//   N: N L R e j (and B, bundle branch block beat, as bxb maps it)
//   S: A a J S   (and n, supraventricular escape, as bxb)
//   V: V E       (and r, R-on-T premature ventricular contraction, as bxb)
//   F: F
//   Q: / f Q     (and ?, a learning-period beat, as bxb)
// nullopt for every other code (rhythm, noise, comments: not beats).
// (bxb itself puts e and j in S; EC57 and the literature after de Chazal et al. 2004 put them in N, as here.)
std::optional<AamiClass> aami_class(int code);
char aami_letter(AamiClass c);                      // 'N', 'S', 'V', 'F', 'Q'
std::optional<AamiClass> aami_from_letter(char c);  // 'N'.. 'Q' (either case); nullopt otherwise

// The classes as the values of a multi-class label column (`beats --classes aami`): N 1, S 2, V 3, F 4, Q 5, as
// ECG5000 numbers its classes from 1 = normal. aami_label_spec() reads them: 1 normal, every other value abnormal.
double aami_label_value(AamiClass c);
std::optional<AamiClass> aami_from_label_value(double value);
LabelSpec aami_label_spec();

// ---- reference beats ---------------------------------------------------------------------------------------

// The reference beats of an annotation file in time order with their classes, and its episodes of ventricular
// flutter or fibrillation (between a VFON '[' and a VFOFF ']' annotation): as bxb does, the reference beats inside
// an episode are left out, and detections inside one that match no reference beat are not counted.
struct Ec57Reference {
  std::vector<long long> samples;
  std::vector<AamiClass> classes;
  std::vector<std::pair<long long, long long>> vf_episodes;  // [onset, offset]; an open one ends at LLONG_MAX
  std::size_t size() const { return samples.size(); }
};
Ec57Reference ec57_reference(const std::vector<Annotation>& annotations);

// ---- the algorithm's labels and the matrix ------------------------------------------------------------------

// What the algorithm says about each of its beats: a class (a classifier of AAMI classes), or `flagged` (an anomaly
// verdict; `n` is then "not flagged"), or `unscored` (detected but not judged, e.g. a beat without a whole window).
enum class TestLabel : std::uint8_t { n, s, v, f, q, flagged, unscored };

// Rows: the reference class of a pair, or O for a detection matching no reference beat. Columns: the algorithm's
// label, or o for a reference beat no detection matched.
constexpr std::size_t kRowO = 5;  // after N S V F Q
constexpr std::size_t kColO = 7;  // after n s v f q flagged unscored
struct Ec57Counts {
  std::array<std::array<std::size_t, 8>, 6> m{};  // [reference row][test column]

  std::size_t& at(AamiClass r, TestLabel c) { return m[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]; }
  std::size_t at(AamiClass r, TestLabel c) const { return m[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)]; }
  std::size_t row_total(std::size_t row) const;
  Ec57Counts& operator+=(const Ec57Counts& other);
  bool operator==(const Ec57Counts& other) const { return m == other.m; }
};

struct Ec57Options {
  long long window = 54;         // match window in samples: round(0.150 * fs) (54 at 360 Hz)
  long long start = 0;           // the first sample of the test period: the learning period [0, start) is left out
  std::optional<long long> end;  // the last sample of the test period (bxb: the record's end); none = every beat
};
// bxb's window: 150 ms in samples at `fs`, and a learning period of `learn_seconds`.
Ec57Options ec57_options(double fs, double learn_seconds, double window_seconds = 0.150);

struct Ec57Comparison {
  Ec57Counts counts;
  std::vector<long long> reference_of;          // per detection: the reference beat it was paired with, or -1
  std::vector<std::uint8_t> counted;            // per detection: 1 when it entered the matrix (paired or O)
  std::vector<std::uint8_t> reference_counted;  // per reference beat: 1 when it entered the matrix
};

// bxb's comparison (WFDB 10.7 app/bxb.c, as revised in 2002): the two annotation streams merged in time order; a
// detection and a reference beat are paired when they lie within the window and neither has a closer partner next in
// its stream; every other reference beat is missed (column o) and every other detection is extra (row O, not counted
// inside a reference VF episode). The learning period: reference beats before `start` are left out; the last
// detection before `start` may still pair with the first reference beat after it; a first detection after `start`
// within the window of it that is a worse match than the next one is skipped. `detected` is increasing;
// labels[i] is detection i's label. Throws ecgad::Error when the sizes differ or the detections are not in order.
Ec57Comparison compare_beats(const Ec57Reference& reference, const std::vector<long long>& detected,
                             const std::vector<TestLabel>& labels, const Ec57Options& options);

// ---- statistics --------------------------------------------------------------------------------------------

struct DetectionRates {
  std::size_t tp = 0, fn = 0, fp = 0;
  double se() const;   // TP / (TP + FN); NaN when undefined
  double ppv() const;  // TP / (TP + FP); NaN when undefined
};

struct ClassTally {
  std::size_t beats = 0;     // reference beats of the class in the test period
  std::size_t detected = 0;  // of them, matched by a detection
  std::size_t flagged = 0;   // of them, labelled abnormal (flagged, or a class other than n)
};

struct Ec57Stats {
  DetectionRates qrs;      // every beat: TP paired, FN missed, FP extra detections
  DetectionRates veb;      // see the top of this file
  std::size_t veb_tn = 0;  // for the false positive rate
  double veb_fpr() const;  // FP / (TN + FP)
  DetectionRates sveb;
  DetectionRates abnormal;  // S, V, F, Q against N: TP abnormal labelled abnormal, FP N (or extra) so labelled
  std::array<ClassTally, kAamiClasses> classes{};
  std::size_t extra = 0, extra_flagged = 0;  // detections matching no reference beat, and of them labelled abnormal
};
Ec57Stats ec57_stats(const Ec57Counts& counts);

// Gross statistics are those of the summed counts; average statistics (WFDB's sumstats) the mean over the records of
// each record's value, over the records where it is defined.
struct Ec57Record {
  std::string record;
  Ec57Counts counts;
};
Ec57Counts gross_counts(const std::vector<Ec57Record>& records);
struct Ec57Averages {
  double qrs_se, qrs_ppv, veb_se, veb_ppv, veb_fpr, sveb_se, sveb_ppv;  // NaN when no record defines it
};
Ec57Averages average_stats(const std::vector<Ec57Record>& records);

}  // namespace ecgad
