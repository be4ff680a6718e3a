// R-peak detection after Pan and Tompkins (1985), "A real-time QRS detection algorithm", IEEE TBME 32(3),
// written out stage by stage and scaled to any sampling rate (the paper's integer filters are for 200 Hz):
//   band-pass      high-pass  x - (moving average over 160 ms)    (the paper's 32-sample all-pass minus low-pass)
//                  low-pass   moving average over 30 ms, twice    (the paper's (1 - z^-6)^2 / (1 - z^-1)^2)
//   derivative     (-x[n-2k] - 2x[n-k] + 2x[n+k] + x[n+2k]) / 8,  k = round(fs / 200)
//   squaring
//   integration    moving average over 150 ms
// Every window is centred (the record is processed offline), so no stage delays the signal and a peak of the
// integrated signal lies over its QRS complex. Decision rules, as in the paper: candidates are peaks of the
// integrated signal at least 200 ms apart (refractory period); a candidate is a QRS when it crosses the signal
// threshold of both the integrated and the band-passed signal, each threshold = noise level + 0.25 (signal level -
// noise level), the levels running averages (1/8 new) of the peaks judged signal and noise; a candidate within
// 360 ms of the last QRS whose slope is under half of that QRS's is a T wave; after 166% of the mean RR interval
// without a QRS, the largest peak above the noise threshold in between is taken (search-back; levels then learn
// 1/4 of it); an irregular rhythm (last RR outside 92-116% of the mean) halves the thresholds. Squaring and
// taking |band-pass| make the polarity of the lead irrelevant; the high-pass removes baseline wander.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace ecgad {

// The intermediate signals, each as long as the input (for tests, plots and the curious).
struct PanTompkinsStages {
  std::vector<double> highpassed;  // x minus its 160 ms moving average: baseline removed, shape kept
  std::vector<double> bandpassed;  // highpassed, low-passed
  std::vector<double> derivative;
  std::vector<double> integrated;  // moving average of the squared derivative
};

PanTompkinsStages pan_tompkins_stages(const double* signal, std::size_t n, double fs);

// R-peak sample indices (0-based, increasing). Each is the extremum of the high-passed signal, on the side of the
// band-passed signal's largest excursion, within 50 ms of the detection: the R wave, or the deepest deflection of a
// QS complex. Beyond the paper, for recordings as they come: the levels are learned from the first second that is
// not flat (not the first 2 s), and learned again after a silence of 3 s (or 2.5 RR intervals) while the signal
// goes on, so that an artefact or a shrinking QRS cannot lock the detector out; a candidate within 60% of the RR
// interval must reach half the signal level, and one that comes before the next beat is due, under 0.7 of the signal
// level and less than 0.6 as steep as the median of the last 8 QRS complexes is noise (broad motion artefacts of a
// noisy stretch; a large ectopic beat is not marginal and is kept); the record is processed in blocks
// of a minute (5 s of overlap), so memory does not grow with its length beyond the input and the peaks.
// Throws ecgad::Error when fs is not a positive number.
std::vector<long long> detect_r_peaks(const double* signal, std::size_t n, double fs);
inline std::vector<long long> detect_r_peaks(const std::vector<double>& signal, double fs) {
  return detect_r_peaks(signal.data(), signal.size(), fs);
}

// The same detector fed a lead piece by piece, so that a day-long recording never sits in memory: push() the
// samples in order (any piece size; the result does not depend on it), then finish(). peaks() holds the R peaks
// found so far, in order; they are final as they appear (a block of a minute is decided once the 5 s after it have
// arrived), and complete after finish(). It holds about 70 s of signal and the latest piece (at most twice that
// before it drops what it no longer needs), and the first 10 minutes while it decides
// where the lead stops being flat (the first second whose range reaches a tenth of the median second's, over the
// first 10 minutes or the whole lead if shorter). detect_r_peaks is push() of the whole lead and finish().
class RPeakDetector {
 public:
  explicit RPeakDetector(double fs);  // throws ecgad::Error when fs is not a positive number
  ~RPeakDetector();
  RPeakDetector(RPeakDetector&&) noexcept;
  RPeakDetector& operator=(RPeakDetector&&) noexcept;
  void push(const double* samples, std::size_t n);
  void finish();
  const std::vector<long long>& peaks() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// How clearly a lead shows its QRS complexes, for choosing the default lead: the median largest |band-passed|
// value within 50 ms of each detected peak over the median of the same at the midpoints between consecutive
// peaks (where the signal should be quiet). A rate outside 20-250 per minute divides it by 10. Over a few minutes
// of signal (it computes the filter stages for all of it).
double lead_quality(const double* signal, std::size_t n, double fs, const std::vector<long long>& peaks);

// Detections scored against reference beats as ANSI/AAMI EC57 does: a detection within `tolerance` samples of a
// reference beat matches it (each used at most once, nearest first in time order).
struct BeatMatch {
  std::size_t true_positives = 0, false_negatives = 0, false_positives = 0;
  std::vector<long long> matched_reference;  // for each detection: the index of its reference beat, or -1
  double sensitivity() const;                // TP / (TP + FN)
  double positive_predictivity() const;      // TP / (TP + FP)
};
BeatMatch match_beats(const std::vector<long long>& detected, const std::vector<long long>& reference,
                      long long tolerance);

}  // namespace ecgad
