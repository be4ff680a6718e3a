#include "ecgad/qrs.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ecgad/error.h"

namespace ecgad {
namespace {

// An odd window length of about `seconds`, at least 3 samples (1 for tiny windows at low rates is useless).
std::size_t odd_window(double seconds, double fs) {
  auto w = static_cast<std::size_t>(std::lround(seconds * fs));
  if (w < 3) w = 3;
  return w | 1u;
}

// Centred moving average: out[i] = mean of in[i-h .. i+h] (h = (w-1)/2), over the samples that exist at the ends.
// A running sum: two additions per sample whatever the window.
void moving_average(const double* in, std::size_t n, std::size_t w, double* out) {
  const std::size_t h = (w - 1) / 2;
  if (n <= 2 * h + 1) {  // shorter than the window (a very high --fs): every output sees an end; prefix sums
    std::vector<double> prefix(n + 1, 0.0);
    for (std::size_t j = 0; j < n; ++j) prefix[j + 1] = prefix[j] + in[j];
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t lo = i > h ? i - h : 0, hi = std::min(n, i + h + 1);
      out[i] = (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
    }
    return;
  }
  double sum = 0;
  for (std::size_t j = 0; j < h; ++j) sum += in[j];
  for (std::size_t i = 0; i <= h; ++i) {  // head: the window grows
    sum += in[i + h];
    out[i] = sum / static_cast<double>(i + h + 1);
  }
  const double scale = 1.0 / static_cast<double>(w);
  for (std::size_t i = h + 1; i + h < n; ++i) {
    sum += in[i + h] - in[i - h - 1];
    out[i] = sum * scale;
  }
  for (std::size_t i = std::max(h + 1, n - h); i < n; ++i) {  // tail: the window shrinks
    sum -= in[i - h - 1];
    out[i] = sum / static_cast<double>(n - i + h);
  }
}

// Index of the largest value of v (or of -v when `negate`) in [lo, hi]; v must hold hi.
std::size_t argmax(const std::vector<double>& v, std::size_t lo, std::size_t hi, bool negate = false) {
  std::size_t best = lo;
  for (std::size_t i = lo + 1; i <= hi; ++i) {
    if (negate ? v[i] < v[best] : v[i] > v[best]) best = i;
  }
  return best;
}

// Peaks of `v` (local maxima) at least `distance` apart, the taller kept first (MATLAB findpeaks' MinPeakDistance).
std::vector<std::size_t> separated_peaks(const std::vector<double>& v, std::size_t distance) {
  std::vector<std::size_t> maxima;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] > v[i - 1] && v[i] >= v[i + 1]) maxima.push_back(i);
  }
  std::vector<std::size_t> by_height(maxima.size());
  std::iota(by_height.begin(), by_height.end(), 0);
  std::stable_sort(by_height.begin(), by_height.end(),
                   [&](std::size_t a, std::size_t b) { return v[maxima[a]] > v[maxima[b]]; });
  std::vector<char> removed(maxima.size(), 0);
  for (std::size_t k : by_height) {
    if (removed[k]) continue;
    for (std::size_t j = k + 1; j < maxima.size() && maxima[j] - maxima[k] < distance; ++j) removed[j] = 1;
    for (std::size_t j = k; j-- > 0 && maxima[k] - maxima[j] < distance;) removed[j] = 1;
  }
  std::vector<std::size_t> kept;
  for (std::size_t k = 0; k < maxima.size(); ++k) {
    if (!removed[k]) kept.push_back(maxima[k]);
  }
  return kept;
}

}  // namespace

PanTompkinsStages pan_tompkins_stages(const double* signal, std::size_t n, double fs) {
  if (!(fs > 0) || !std::isfinite(fs)) throw Error("the sampling frequency must be a positive number");
  PanTompkinsStages s;
  s.highpassed.resize(n);
  s.bandpassed.resize(n);
  s.derivative.assign(n, 0.0);
  s.integrated.resize(n);
  std::vector<double> tmp(n);
  // High-pass: the signal minus its 160 ms moving average (baseline wander and the P/T-wave pedestal go).
  moving_average(signal, n, odd_window(0.160, fs), tmp.data());
  for (std::size_t i = 0; i < n; ++i) s.highpassed[i] = signal[i] - tmp[i];
  // Low-pass: two 30 ms moving averages (a triangle; first zero near 33 Hz, mains and EMG noise damped).
  const std::size_t low = odd_window(0.030, fs);
  moving_average(s.highpassed.data(), n, low, tmp.data());
  moving_average(tmp.data(), n, low, s.bandpassed.data());
  // Five-point derivative with taps k samples apart, k ~ the paper's one sample at 200 Hz; then squared.
  const auto k = static_cast<std::size_t>(std::max(1L, std::lround(fs / 200.0)));
  const double* b = s.bandpassed.data();
  std::fill(tmp.begin(), tmp.end(), 0.0);
  for (std::size_t i = 2 * k; i + 2 * k < n; ++i) {
    double d = (-b[i - 2 * k] - 2 * b[i - k] + 2 * b[i + k] + b[i + 2 * k]) / 8.0;
    s.derivative[i] = d;
    tmp[i] = d * d;
  }
  // The 150 ms moving-window integration of the squared derivative.
  moving_average(tmp.data(), n, odd_window(0.150, fs), s.integrated.data());
  return s;
}

std::vector<long long> detect_r_peaks(const double* signal, std::size_t n, double fs) {
  PanTompkinsStages s = pan_tompkins_stages(signal, n, fs);
  std::vector<long long> found;
  if (n < 3) return found;
  const std::vector<double>& mwi = s.integrated;
  std::vector<double> abs_bp(n);
  for (std::size_t i = 0; i < n; ++i) abs_bp[i] = std::fabs(s.bandpassed[i]);

  auto samples = [&](double seconds) { return static_cast<std::size_t>(std::lround(seconds * fs)); };
  const std::size_t refractory = std::max<std::size_t>(1, samples(0.200));
  const std::size_t t_wave_window = samples(0.360), slope_span = std::max<std::size_t>(1, samples(0.075));
  const std::size_t bp_reach = samples(0.100), refine_reach = samples(0.050);

  // Learning phase (the paper's first 2 s): signal threshold at a third of the largest peak, noise at half the mean.
  const std::size_t learn = std::min(n, std::max<std::size_t>(samples(2.0), 1));
  double mwi_max = *std::max_element(mwi.begin(), mwi.begin() + static_cast<std::ptrdiff_t>(learn));
  double mwi_mean =
      std::accumulate(mwi.begin(), mwi.begin() + static_cast<std::ptrdiff_t>(learn), 0.0) / static_cast<double>(learn);
  double bp_max = *std::max_element(abs_bp.begin(), abs_bp.begin() + static_cast<std::ptrdiff_t>(learn));
  double bp_mean = std::accumulate(abs_bp.begin(), abs_bp.begin() + static_cast<std::ptrdiff_t>(learn), 0.0) /
                   static_cast<double>(learn);
  double signal_level = mwi_max / 3, noise_level = mwi_mean / 2;
  double threshold = signal_level, noise_threshold = noise_level;
  double bp_signal_level = bp_max / 3, bp_noise_level = bp_mean / 2;
  double bp_threshold = bp_signal_level;
  if (!(mwi_max > 0)) return found;  // a flat line: nothing to detect

  std::vector<std::size_t> qrs;  // accepted QRS positions on the integrated signal
  std::vector<double> qrs_slope;
  double mean_rr = 0, selected_rr = 0;

  auto bp_peak_near = [&](std::size_t at) {
    std::size_t lo = at > bp_reach ? at - bp_reach : 0, hi = std::min(n - 1, at + bp_reach);
    return argmax(abs_bp, lo, hi);
  };
  auto slope_at = [&](std::size_t at) {
    std::size_t from = at > slope_span ? at - slope_span : 0;
    return (mwi[at] - mwi[from]) / static_cast<double>(std::max<std::size_t>(1, at - from));
  };
  auto accept = [&](std::size_t mwi_at, std::size_t bp_at) {
    qrs.push_back(mwi_at);
    qrs_slope.push_back(slope_at(mwi_at));
    // The R peak: the extremum of the high-passed signal on the band-pass excursion's side.
    std::size_t lo = bp_at > refine_reach ? bp_at - refine_reach : 0, hi = std::min(n - 1, bp_at + refine_reach);
    found.push_back(static_cast<long long>(argmax(s.highpassed, lo, hi, s.bandpassed[bp_at] < 0)));
  };

  for (std::size_t at : separated_peaks(mwi, refractory)) {
    const double peak = mwi[at];
    const std::size_t bp_at = bp_peak_near(at);
    const double bp_peak = abs_bp[bp_at];

    // Heart rate from the last eight RR intervals; an irregular last interval halves the thresholds.
    double bp_threshold_now = bp_threshold, threshold_now = threshold;
    if (qrs.size() >= 9) {
      mean_rr = static_cast<double>(qrs.back() - qrs[qrs.size() - 9]) / 8.0;
      double last_rr = static_cast<double>(qrs.back() - qrs[qrs.size() - 2]);
      if (last_rr <= 0.92 * mean_rr || last_rr >= 1.16 * mean_rr) {
        threshold_now *= 0.5;
        bp_threshold_now *= 0.5;
      } else {
        selected_rr = mean_rr;
      }
    }
    // Search-back: no QRS for 166% of the RR interval; take the largest peak in between if above the noise threshold.
    const double rr = selected_rr > 0 ? selected_rr : mean_rr;
    if (rr > 0 && !qrs.empty() && static_cast<double>(at - qrs.back()) >= 1.66 * rr) {
      std::size_t lo = qrs.back() + refractory, hi = at > refractory ? at - refractory : 0;
      if (lo < hi) {
        std::size_t back = argmax(mwi, lo, hi);
        if (mwi[back] > noise_threshold) {
          std::size_t back_bp = bp_peak_near(back);
          if (abs_bp[back_bp] > 0.5 * bp_threshold) {
            accept(back, back_bp);
            bp_signal_level = 0.25 * abs_bp[back_bp] + 0.75 * bp_signal_level;
            signal_level = 0.25 * mwi[back] + 0.75 * signal_level;
          }
        }
      }
    }

    bool is_qrs = false;
    if (peak >= threshold_now) {
      is_qrs = true;
      // T-wave discrimination: close to the last QRS and less than half as steep.
      if (!qrs.empty() && at - qrs.back() <= t_wave_window && slope_at(at) < 0.5 * qrs_slope.back()) is_qrs = false;
      if (is_qrs && bp_peak < bp_threshold_now) is_qrs = false;
    }
    if (is_qrs) {
      accept(at, bp_at);
      signal_level = 0.125 * peak + 0.875 * signal_level;
      bp_signal_level = 0.125 * bp_peak + 0.875 * bp_signal_level;
    } else {
      noise_level = 0.125 * peak + 0.875 * noise_level;
      bp_noise_level = 0.125 * bp_peak + 0.875 * bp_noise_level;
    }
    threshold = noise_level + 0.25 * (signal_level - noise_level);
    noise_threshold = 0.5 * threshold;
    bp_threshold = bp_noise_level + 0.25 * (bp_signal_level - bp_noise_level);
  }
  // A search-back peak and the refinement can, rarely, land two detections on one R wave: keep the first.
  std::vector<long long> unique;
  for (long long p : found) {
    if (unique.empty() || p - unique.back() >= static_cast<long long>(refractory)) unique.push_back(p);
  }
  return unique;
}

double BeatMatch::sensitivity() const {
  std::size_t d = true_positives + false_negatives;
  return d == 0 ? 0.0 : static_cast<double>(true_positives) / static_cast<double>(d);
}

double BeatMatch::positive_predictivity() const {
  std::size_t d = true_positives + false_positives;
  return d == 0 ? 0.0 : static_cast<double>(true_positives) / static_cast<double>(d);
}

BeatMatch match_beats(const std::vector<long long>& detected, const std::vector<long long>& reference,
                      long long tolerance) {
  BeatMatch m;
  m.matched_reference.assign(detected.size(), -1);
  std::size_t first = 0;  // first detection that may still match a later reference beat
  for (std::size_t r = 0; r < reference.size(); ++r) {
    while (first < detected.size() && detected[first] < reference[r] - tolerance) ++first;
    long long best = -1;
    for (std::size_t d = first; d < detected.size() && detected[d] <= reference[r] + tolerance; ++d) {
      if (m.matched_reference[d] >= 0) continue;
      if (best < 0 || std::llabs(detected[d] - reference[r]) <
                          std::llabs(detected[static_cast<std::size_t>(best)] - reference[r])) {
        best = static_cast<long long>(d);
      }
    }
    if (best >= 0) {
      m.matched_reference[static_cast<std::size_t>(best)] = static_cast<long long>(r);
      ++m.true_positives;
    } else {
      ++m.false_negatives;
    }
  }
  m.false_positives = detected.size() - m.true_positives;
  return m;
}

}  // namespace ecgad
