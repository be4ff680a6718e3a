// EC57's classes, bxb's matching and the statistics (see the header). The comparison follows WFDB 10.7's app/bxb.c
// step by step: its T, T' (reference) and t, t' (test) become the current and next beat of two streams.
#include "ecgad/ec57.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "ecgad/error.h"

namespace ecgad {

std::optional<AamiClass> aami_class(int code) {
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 11:
    case 34:
    case 25: return AamiClass::N;  // N L R j e B
    case 4:
    case 7:
    case 8:
    case 9:
    case 35: return AamiClass::S;  // a J A S n
    case 5:
    case 10:
    case 41: return AamiClass::V;  // V E r
    case 6: return AamiClass::F;   // F
    case 12:
    case 13:
    case 38:
    case 30: return AamiClass::Q;  // / Q f ?
    default: return std::nullopt;
  }
}

char aami_letter(AamiClass c) { return "NSVFQ"[static_cast<std::size_t>(c)]; }

std::optional<AamiClass> aami_from_letter(char c) {
  switch (std::toupper(static_cast<unsigned char>(c))) {
    case 'N': return AamiClass::N;
    case 'S': return AamiClass::S;
    case 'V': return AamiClass::V;
    case 'F': return AamiClass::F;
    case 'Q': return AamiClass::Q;
    default: return std::nullopt;
  }
}

double aami_label_value(AamiClass c) { return static_cast<double>(static_cast<int>(c) + 1); }

std::optional<AamiClass> aami_from_label_value(double value) {
  for (std::size_t k = 0; k < kAamiClasses; ++k) {
    if (value == static_cast<double>(k + 1)) return static_cast<AamiClass>(k);
  }
  return std::nullopt;
}

LabelSpec aami_label_spec() {
  LabelSpec spec;
  spec.normal = aami_label_value(AamiClass::N);
  spec.abnormal = aami_label_value(AamiClass::S);
  spec.others_abnormal = true;
  return spec;
}

Ec57Reference ec57_reference(const std::vector<Annotation>& annotations) {
  constexpr int kVfOn = 32, kVfOff = 33;
  std::vector<const Annotation*> in_order;
  in_order.reserve(annotations.size());
  for (const Annotation& a : annotations) in_order.push_back(&a);
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Annotation* x, const Annotation* y) { return x->sample < y->sample; });
  Ec57Reference ref;
  bool in_vf = false;
  for (const Annotation* a : in_order) {
    if (in_vf) {  // bxb reads and ignores everything up to the VFOFF
      if (a->code == kVfOff) ref.vf_episodes.back().second = a->sample, in_vf = false;
      continue;
    }
    if (a->code == kVfOn) {
      ref.vf_episodes.emplace_back(a->sample, std::numeric_limits<long long>::max());
      in_vf = true;
    } else if (std::optional<AamiClass> c = aami_class(a->code)) {
      ref.samples.push_back(a->sample);
      ref.classes.push_back(*c);
    }
  }
  return ref;
}

Ec57Options ec57_options(double fs, double learn_seconds, double window_seconds) {
  if (!(fs > 0) || !std::isfinite(fs)) throw Error("EC57 comparison: the sampling rate must be a positive number");
  if (!(learn_seconds >= 0) || !(window_seconds >= 0) || !std::isfinite(learn_seconds + window_seconds)) {
    throw Error("EC57 comparison: the learning period and the match window must be durations >= 0");
  }
  Ec57Options o;
  o.window = std::llround(window_seconds * fs);
  o.start = std::llround(learn_seconds * fs);
  return o;
}

std::size_t Ec57Counts::row_total(std::size_t row) const {
  std::size_t sum = 0;
  for (std::size_t c : m[row]) sum += c;
  return sum;
}

Ec57Counts& Ec57Counts::operator+=(const Ec57Counts& other) {
  for (std::size_t r = 0; r < m.size(); ++r) {
    for (std::size_t c = 0; c < m[r].size(); ++c) m[r][c] += other.m[r][c];
  }
  return *this;
}

namespace {

constexpr long long kHuge = std::numeric_limits<long long>::max();

// One annotation stream of bxb: the current beat (T or t) and the next (T' or t'). Both start as bxb's zeros
// (index -1: no beat), and the end of the stream is kHuge.
struct Stream {
  const std::vector<long long>& times;
  std::size_t next = 0;
  long long cur = 0, prime = 0;
  long long cur_index = -1, prime_index = -1;
  void advance() {
    cur = prime;
    cur_index = prime_index;
    if (next < times.size()) {
      prime = times[next];
      prime_index = static_cast<long long>(next++);
    } else {
      prime = kHuge;
      prime_index = -1;
    }
  }
};

struct Tally {
  const Ec57Reference& reference;
  const std::vector<TestLabel>& labels;
  Ec57Comparison out;

  void pair(long long r, long long t) {  // bxb's pair(A, a); its zero types (no beat yet) count nothing
    if (r < 0 || t < 0) return;
    const auto ri = static_cast<std::size_t>(r), ti = static_cast<std::size_t>(t);
    ++out.counts.at(reference.classes[ri], labels[ti]);
    out.reference_of[ti] = r;
    out.counted[ti] = out.reference_counted[ri] = 1;
  }
  void missed(long long r) {  // pair(A, 'O')
    if (r < 0) return;
    const auto ri = static_cast<std::size_t>(r);
    ++out.counts.m[static_cast<std::size_t>(reference.classes[ri])][kColO];
    out.reference_counted[ri] = 1;
  }
  void extra(long long t, long long time) {  // pair(rpann(t), a): not counted inside a reference VF episode
    if (t < 0) return;
    for (const auto& [on, off] : reference.vf_episodes) {
      if (on <= time && time <= off) return;
    }
    const auto ti = static_cast<std::size_t>(t);
    ++out.counts.m[kRowO][static_cast<std::size_t>(labels[ti])];
    out.counted[ti] = 1;
  }
};

void check_comparison_input(const Ec57Reference& reference, const std::vector<long long>& detected,
                            const std::vector<TestLabel>& labels) {
  if (labels.size() != detected.size()) {
    throw Error("EC57 comparison: " + std::to_string(detected.size()) + " detections but " +
                std::to_string(labels.size()) + " labels");
  }
  if (reference.classes.size() != reference.samples.size()) throw Error("EC57 comparison: reference classes missing");
  if (!std::is_sorted(detected.begin(), detected.end()) ||
      !std::is_sorted(reference.samples.begin(), reference.samples.end())) {
    throw Error("EC57 comparison: beats must be in time order");
  }
  if ((!detected.empty() && detected.front() < 0) || (!reference.samples.empty() && reference.samples.front() < 0)) {
    throw Error("EC57 comparison: a beat before sample 0");
  }
}

}  // namespace

Ec57Comparison compare_beats(const Ec57Reference& reference, const std::vector<long long>& detected,
                             const std::vector<TestLabel>& labels, const Ec57Options& options) {
  check_comparison_input(reference, detected, labels);
  Tally tally{reference, labels, {}};
  tally.out.reference_of.assign(detected.size(), -1);
  tally.out.counted.assign(detected.size(), 0);
  tally.out.reference_counted.assign(reference.size(), 0);
  const long long w = options.window, start = options.start;
  Stream ref{reference.samples}, test{detected};
  // The first reference beat of the test period, and the last detection of the learning period (t) with the next.
  do ref.advance();
  while (ref.cur < start);
  do test.advance();
  while (test.prime < start);
  if (ref.cur - test.cur < std::llabs(ref.cur - test.prime) && ref.cur - test.cur <= w) {
    tally.pair(ref.cur_index, test.cur_index);
    ref.advance();
    test.advance();
  } else {
    test.advance();  // a first detection just after `start` that the next one matches better is not counted
    if (test.cur - start <= w && std::llabs(ref.cur - test.prime) < std::llabs(ref.cur - test.cur)) test.advance();
  }
  const long long end = options.end ? *options.end : kHuge - 1;
  while (ref.cur <= end || test.cur <= end) {
    const long long T = ref.cur, t = test.cur, Tp = ref.prime, tp = test.prime;
    if (t < T) {
      if (T - t <= w && (T - t < std::llabs(T - tp) || std::llabs(Tp - tp) < std::llabs(T - tp))) {
        tally.pair(ref.cur_index, test.cur_index);
        ref.advance();
        test.advance();
      } else {
        tally.extra(test.cur_index, t);
        test.advance();
      }
    } else if (t - T <= w && (t - T < std::llabs(t - Tp) || std::llabs(tp - Tp) < std::llabs(t - Tp))) {
      tally.pair(ref.cur_index, test.cur_index);
      test.advance();
      ref.advance();
    } else {
      tally.missed(ref.cur_index);
      ref.advance();
    }
  }
  return std::move(tally.out);
}

namespace {

constexpr std::size_t kN = 0, kS = 1, kV = 2, kF = 3, kQ = 4;
constexpr std::size_t kCn = 0, kCs = 1, kCv = 2, kCf = 3, kCq = 4, kCflagged = 5, kCunscored = 6;

double ratio(std::size_t a, std::size_t b) {
  return b == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(a) / static_cast<double>(b);
}

// Labels that say "abnormal": flagged, or any class but n.
bool abnormal_column(std::size_t c) { return c == kCs || c == kCv || c == kCf || c == kCq || c == kCflagged; }

}  // namespace

double DetectionRates::se() const { return ratio(tp, tp + fn); }
double DetectionRates::ppv() const { return ratio(tp, tp + fp); }
double Ec57Stats::veb_fpr() const { return ratio(veb.fp, veb_tn + veb.fp); }

Ec57Stats ec57_stats(const Ec57Counts& counts) {
  const auto& m = counts.m;
  Ec57Stats s;
  for (std::size_t r = 0; r < kAamiClasses; ++r) {
    s.qrs.fn += m[r][kColO];
    ClassTally& tally = s.classes[r];
    tally.beats = counts.row_total(r);
    tally.detected = tally.beats - m[r][kColO];
    for (std::size_t c = 0; c < kColO; ++c) tally.flagged += abnormal_column(c) ? m[r][c] : 0;
    s.qrs.tp += tally.detected;
  }
  s.extra = counts.row_total(kRowO);
  for (std::size_t c = 0; c < kColO; ++c) s.extra_flagged += abnormal_column(c) ? m[kRowO][c] : 0;
  s.qrs.fp = s.extra;

  s.veb.tp = m[kV][kCv] + m[kV][kCflagged];
  s.veb.fn = counts.row_total(kV) - s.veb.tp;
  s.veb.fp = m[kN][kCv] + m[kS][kCv] + m[kRowO][kCv] + m[kN][kCflagged] + m[kRowO][kCflagged];
  for (std::size_t r : {kN, kS, kF, kQ, kRowO}) {
    for (std::size_t c : {kCn, kCs, kCf, kCq, kCunscored}) s.veb_tn += m[r][c];
  }
  s.sveb.tp = m[kS][kCs] + m[kS][kCflagged];
  s.sveb.fn = counts.row_total(kS) - s.sveb.tp;
  s.sveb.fp = m[kN][kCs] + m[kV][kCs] + m[kF][kCs] + m[kRowO][kCs] + m[kN][kCflagged] + m[kRowO][kCflagged];

  for (std::size_t r : {kS, kV, kF, kQ}) {
    s.abnormal.tp += s.classes[r].flagged;
    s.abnormal.fn += s.classes[r].beats - s.classes[r].flagged;
  }
  s.abnormal.fp = s.classes[kN].flagged + s.extra_flagged;
  return s;
}

Ec57Counts gross_counts(const std::vector<Ec57Record>& records) {
  Ec57Counts sum;
  for (const Ec57Record& r : records) sum += r.counts;
  return sum;
}

Ec57Averages average_stats(const std::vector<Ec57Record>& records) {
  std::array<double, 7> sum{};
  std::array<std::size_t, 7> defined{};
  for (const Ec57Record& r : records) {
    const Ec57Stats s = ec57_stats(r.counts);
    const double values[] = {s.qrs.se(), s.qrs.ppv(), s.veb.se(), s.veb.ppv(), s.veb_fpr(), s.sveb.se(), s.sveb.ppv()};
    for (std::size_t k = 0; k < sum.size(); ++k) {
      if (std::isnan(values[k])) continue;
      sum[k] += values[k];
      ++defined[k];
    }
  }
  std::array<double, 7> mean{};
  for (std::size_t k = 0; k < sum.size(); ++k) {
    mean[k] = defined[k] ? sum[k] / static_cast<double>(defined[k]) : std::numeric_limits<double>::quiet_NaN();
  }
  return {mean[0], mean[1], mean[2], mean[3], mean[4], mean[5], mean[6]};
}

}  // namespace ecgad
