#include "ecgad/qrs.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>

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

namespace {

// The decision rules' memory, carried from block to block (detect_r_peaks works through the record in blocks).
struct DetectorState {
  bool learned = false;
  double signal_level = 0, noise_level = 0, threshold = 0, noise_threshold = 0;
  double bp_signal_level = 0, bp_noise_level = 0, bp_threshold = 0;
  std::vector<long long> qrs;      // accepted QRS positions on the integrated signal (record samples)
  std::vector<double> qrs_slope;   // each one's maximal |derivative|
  std::vector<double> qrs_height;  // each one's integrated-signal peak, for the re-learning floor
  std::vector<long long> found;    // R peaks (record samples)
  double mean_rr = 0, selected_rr = 0;
  long long last_learned = -1;  // where the levels were last (re)learned
};

// The paper's learning phase over [lo, hi] of a block: signal level a third of the largest integrated peak, noise
// level half the mean; the same for the band-passed signal.
void learn_levels(DetectorState& st, const std::vector<double>& mwi, const std::vector<double>& abs_bp, std::size_t lo,
                  std::size_t hi) {
  double mwi_max = 0, mwi_sum = 0, bp_max = 0, bp_sum = 0;
  for (std::size_t i = lo; i <= hi; ++i) {
    mwi_max = std::max(mwi_max, mwi[i]);
    mwi_sum += mwi[i];
    bp_max = std::max(bp_max, abs_bp[i]);
    bp_sum += abs_bp[i];
  }
  const auto count = static_cast<double>(hi - lo + 1);
  st.signal_level = mwi_max / 3;
  st.noise_level = mwi_sum / count / 2;
  st.bp_signal_level = bp_max / 3;
  st.bp_noise_level = bp_sum / count / 2;
  st.threshold = st.noise_level + 0.25 * (st.signal_level - st.noise_level);
  st.noise_threshold = 0.5 * st.threshold;
  st.bp_threshold = st.bp_noise_level + 0.25 * (st.bp_signal_level - st.bp_noise_level);
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

namespace {

// The detector's settings, in samples at its rate (see the header for the rules).
struct DetectorParams {
  explicit DetectorParams(double rate) : fs(rate) {
    auto samples = [&](double seconds) { return static_cast<std::size_t>(std::lround(seconds * fs)); };
    refractory = std::max<std::size_t>(1, samples(0.200));
    t_wave_window = samples(0.360);
    slope_reach = std::max<std::size_t>(1, samples(0.075));
    bp_reach = samples(0.100);
    refine_reach = samples(0.050);
    learn_span = std::max<std::size_t>(1, samples(2.0));
    second = std::max<std::size_t>(1, samples(1.0));
    block = std::max<std::size_t>(samples(60.0), 1);
    margin = std::max<std::size_t>(samples(5.0), 8);
  }
  double fs;
  std::size_t refractory, t_wave_window, slope_reach, bp_reach, refine_reach, learn_span, second;
  // The record is worked through in blocks of a minute, each with 5 s of signal either side so that the centred
  // filters and the look-backs see what they would in one piece: memory stays a few blocks' worth, whatever the
  // record's length (a day-long Holter included).
  std::size_t block, margin;
  static constexpr double relearn_after_s = 3.0;  // a silence this long (or 2.5 RR, if longer) re-learns the levels
  // Early candidates (within 60% of the RR interval) must reach half the signal level; chosen on records 100, 105
  // and 800 (docs/beats.md) among {0.6, 0.7} x {0.3, 0.5, 0.8}.
  static constexpr double kEarly = 0.6, kEarlyLevel = 0.5;
  // Marginal and shallow: a candidate before one RR interval has passed, under 0.7 of the signal level and less than
  // 0.6 as steep as the median of the last 8 QRS complexes is noise (docs/beats.md: chosen on 100, 105 and 800 among
  // {0.5, 0.6, 0.7} x {0.8, 1.0, 1.5} RR; the level bound changes nothing there and keeps large, slow ectopic beats).
  static constexpr double kShallowSlope = 0.6, kShallowLevel = 0.7, kShallowBefore = 1.0;
  static constexpr std::size_t kSlopeHistory = 8;
  // Where the levels are first learned is decided on the first 10 minutes (or the whole lead, if shorter).
  static constexpr std::size_t kLivelySeconds = 600;
};

// One block's arrays and the questions the decision rules ask of them. Positions: local (into this block's
// arrays) = global - lo.
struct DetectorBlock {
  const DetectorParams& p;
  DetectorState& st;
  const PanTompkinsStages& s;
  const std::vector<double>& abs_bp;
  std::size_t lo = 0, m = 0;

  const std::vector<double>& mwi() const { return s.integrated; }
  std::size_t local(long long global) const { return static_cast<std::size_t>(global - static_cast<long long>(lo)); }
  long long global(std::size_t at) const { return static_cast<long long>(lo) + static_cast<long long>(at); }
  std::size_t bp_peak_near(std::size_t at) const {
    std::size_t a = at > p.bp_reach ? at - p.bp_reach : 0, e = std::min(m - 1, at + p.bp_reach);
    return argmax(abs_bp, a, e);
  }
  double max_slope(std::size_t at) const {  // the steepest |derivative| over the complex the peak integrates
    std::size_t a = at > p.slope_reach ? at - p.slope_reach : 0, e = std::min(m - 1, at + p.slope_reach);
    double best = 0;
    for (std::size_t i = a; i <= e; ++i) best = std::max(best, std::fabs(s.derivative[i]));
    return best;
  }
  void accept(std::size_t at, std::size_t bp_at) const {
    st.qrs.push_back(global(at));
    st.qrs_slope.push_back(max_slope(at));
    st.qrs_height.push_back(mwi()[at]);
    // The R peak: the extremum of the high-passed signal on the band-pass excursion's side.
    std::size_t a = bp_at > p.refine_reach ? bp_at - p.refine_reach : 0, e = std::min(m - 1, bp_at + p.refine_reach);
    st.found.push_back(global(argmax(s.highpassed, a, e, s.bandpassed[bp_at] < 0)));
  }
  // A T wave: within 360 ms of the last QRS and less than half as steep (the paper's test).
  bool is_t_wave(std::size_t at) const {
    return !st.qrs.empty() && global(at) - st.qrs.back() <= static_cast<long long>(p.t_wave_window) &&
           max_slope(at) < 0.5 * st.qrs_slope.back();
  }
};

// Heart rate from the last eight RR intervals; an irregular last interval halves the thresholds. Returns the RR
// interval the rules use (0 while unknown).
double current_rr(DetectorState& st, double& threshold_now, double& bp_threshold_now) {
  bp_threshold_now = st.bp_threshold;
  threshold_now = st.threshold;
  if (st.qrs.size() >= 9) {
    st.mean_rr = static_cast<double>(st.qrs.back() - st.qrs[st.qrs.size() - 9]) / 8.0;
    double last_rr = static_cast<double>(st.qrs.back() - st.qrs[st.qrs.size() - 2]);
    if (last_rr <= 0.92 * st.mean_rr || last_rr >= 1.16 * st.mean_rr) {
      threshold_now *= 0.5;
      bp_threshold_now *= 0.5;
    } else {
      st.selected_rr = st.mean_rr;
    }
  }
  return st.selected_rr > 0 ? st.selected_rr : st.mean_rr;
}

// Re-learning: no QRS for a few seconds (3 s, or 2.5 RR if longer) while the signal goes on means the levels no
// longer fit it (the QRS shrank, or an artefact raised them): learn them again from the last 2 s, as at the start,
// and look at this silence's candidates again. A floor (1/400 of the typical QRS peak, an amplitude 20 times
// smaller) keeps a lead that has gone to noise from being learned as beats. Returns whether it learned again; then
// k is the candidate to start again from.
bool relearn(const DetectorBlock& b, const std::vector<std::size_t>& candidates, std::size_t& k, double rr) {
  DetectorState& st = b.st;
  const std::size_t at = candidates[k], learn_span = b.p.learn_span, refractory = b.p.refractory;
  const long long now = b.global(at);
  const long long since = now - std::max(st.qrs.empty() ? st.last_learned : st.qrs.back(), st.last_learned);
  const double silence = std::max(DetectorParams::relearn_after_s * b.p.fs, 2.5 * rr);
  if (!(static_cast<double>(since) > silence)) return false;
  const std::vector<double>& mwi = b.mwi();
  const std::size_t from = at > learn_span ? at - learn_span : 0;
  const std::size_t window_end = std::min(b.m - 1, at + refractory / 2);
  double window_max = 0;
  for (std::size_t i = from; i <= window_end; ++i) window_max = std::max(window_max, mwi[i]);
  std::vector<double> recent(
      st.qrs_height.end() - std::min<std::ptrdiff_t>(256, static_cast<std::ptrdiff_t>(st.qrs_height.size())),
      st.qrs_height.end());
  const double floor = median_of(recent) / 400;
  st.last_learned = now;
  if (!(window_max > floor && window_max > 0)) return false;
  learn_levels(st, mwi, b.abs_bp, from, window_end);
  // Start again from the first candidate of the learning window that follows the last QRS.
  std::size_t back = k;
  while (back > 0 && candidates[back - 1] >= from &&
         (st.qrs.empty() || b.global(candidates[back - 1]) > st.qrs.back() + static_cast<long long>(refractory))) {
    --back;
  }
  k = back;
  return true;
}

// Search-back: no QRS for 166% of the RR interval; take the largest peak in between if above the noise threshold
// (and not a T wave).
void search_back(const DetectorBlock& b, long long now, double rr) {
  DetectorState& st = b.st;
  if (!(rr > 0 && !st.qrs.empty() && static_cast<double>(now - st.qrs.back()) >= 1.66 * rr)) return;
  const std::vector<double>& mwi = b.mwi();
  const auto refractory = static_cast<long long>(b.p.refractory);
  const long long first = std::max<long long>(st.qrs.back() + refractory, static_cast<long long>(b.lo));
  const long long last = now - refractory;
  if (first >= last) return;
  std::size_t back = argmax(mwi, b.local(first), b.local(last));
  if (mwi[back] > st.noise_threshold && !b.is_t_wave(back)) {
    std::size_t back_bp = b.bp_peak_near(back);
    if (b.abs_bp[back_bp] > 0.5 * st.bp_threshold) {
      b.accept(back, back_bp);
      st.bp_signal_level = 0.25 * b.abs_bp[back_bp] + 0.75 * st.bp_signal_level;
      st.signal_level = 0.25 * mwi[back] + 0.75 * st.signal_level;
    }
  }
}

// Whether the candidate at `at` (its integrated peak and band-pass peak given) is a QRS complex.
bool is_qrs_complex(const DetectorBlock& b, std::size_t at, double rr, double threshold_now, double bp_threshold_now) {
  const DetectorState& st = b.st;
  const double peak = b.mwi()[at], bp_peak = b.abs_bp[b.bp_peak_near(at)];
  const long long now = b.global(at);
  bool is_qrs = peak >= threshold_now && bp_peak >= bp_threshold_now && !b.is_t_wave(at);
  // Early candidates (within 60% of the RR interval) must reach half the signal level: a premature beat does,
  // while the spikes of a noisy stretch, which fall anywhere, mostly do not.
  if (is_qrs && rr > 0 && !st.qrs.empty() && static_cast<double>(now - st.qrs.back()) < DetectorParams::kEarly * rr &&
      peak < DetectorParams::kEarlyLevel * st.signal_level) {
    is_qrs = false;
  }
  // A marginal candidate (under 0.7 of the signal level) before the next beat is due that is much less steep than
  // the recent QRS complexes is the noise of a bad stretch: motion artefacts are broad, a QRS is steep. A large
  // ectopic beat is not marginal, so a wide, slow ventricular beat is not rejected by this.
  const std::size_t history = DetectorParams::kSlopeHistory;
  if (is_qrs && rr > 0 && st.qrs_slope.size() >= history && peak < DetectorParams::kShallowLevel * st.signal_level &&
      static_cast<double>(now - st.qrs.back()) < DetectorParams::kShallowBefore * rr) {
    std::vector<double> recent(st.qrs_slope.end() - static_cast<std::ptrdiff_t>(history), st.qrs_slope.end());
    if (b.max_slope(at) < DetectorParams::kShallowSlope * median_of(std::move(recent))) is_qrs = false;
  }
  if (is_qrs && !st.qrs.empty() && now - st.qrs.back() < static_cast<long long>(b.p.refractory)) is_qrs = false;
  return is_qrs;
}

// The running levels after a candidate, and the thresholds from them.
void update_levels(DetectorState& st, bool is_qrs, double peak, double bp_peak) {
  if (is_qrs) {
    st.signal_level = 0.125 * peak + 0.875 * st.signal_level;
    st.bp_signal_level = 0.125 * bp_peak + 0.875 * st.bp_signal_level;
  } else {
    st.noise_level = 0.125 * peak + 0.875 * st.noise_level;
    st.bp_noise_level = 0.125 * bp_peak + 0.875 * st.bp_noise_level;
  }
  st.threshold = st.noise_level + 0.25 * (st.signal_level - st.noise_level);
  st.noise_threshold = 0.5 * st.threshold;
  st.bp_threshold = st.bp_noise_level + 0.25 * (st.bp_signal_level - st.bp_noise_level);
}

// One block [b0, b1) of the lead, its signal given over [lo, hi) (`signal` points at sample lo), through the
// decision rules; `st` carries from block to block.
void detect_block(const DetectorParams& p, DetectorState& st, std::vector<double>& abs_bp, const double* signal,
                  std::size_t lo, std::size_t hi, std::size_t b0, std::size_t b1, std::size_t learn_from) {
  const std::size_t m = hi - lo;
  PanTompkinsStages s = pan_tompkins_stages(signal, m, p.fs);
  const std::vector<double>& mwi = s.integrated;
  abs_bp.resize(m);
  for (std::size_t i = 0; i < m; ++i) abs_bp[i] = std::fabs(s.bandpassed[i]);
  const DetectorBlock b{p, st, s, abs_bp, lo, m};

  std::vector<std::size_t> candidates;
  for (std::size_t at : separated_peaks(mwi, p.refractory)) {
    if (lo + at >= b0 && lo + at < b1 && lo + at >= learn_from) candidates.push_back(at);
  }
  if (!st.learned) {
    if (learn_from >= hi) return;
    const std::size_t from = learn_from - lo;
    learn_levels(st, mwi, abs_bp, from, std::min(m - 1, from + p.learn_span));
    st.learned = true;
    st.last_learned = b.global(from);
  }
  for (std::size_t k = 0; k < candidates.size();) {
    const std::size_t at = candidates[k];
    double threshold_now = 0, bp_threshold_now = 0;
    const double rr = current_rr(st, threshold_now, bp_threshold_now);
    if (relearn(b, candidates, k, rr)) continue;
    search_back(b, b.global(at), rr);
    const bool is_qrs = is_qrs_complex(b, at, rr, threshold_now, bp_threshold_now);
    const std::size_t bp_at = b.bp_peak_near(at);
    if (is_qrs) b.accept(at, bp_at);
    update_levels(st, is_qrs, mwi[at], abs_bp[bp_at]);
    ++k;
  }
}

}  // namespace

struct RPeakDetector::State {
  explicit State(double rate) : p(rate) {}
  DetectorParams p;
  DetectorState st;
  std::vector<double> abs_bp;
  std::vector<double> buffer;  // the lead from sample `buffer_start` on
  std::size_t buffer_start = 0, total = 0, next_block = 0;
  // Where the levels are first learned: the first second that is not flat (see first_lively_sample), decided on the
  // ranges of the first kLivelySeconds seconds (or of the whole lead, if shorter).
  std::vector<double> ranges;
  double second_low = 0, second_high = 0;
  std::size_t second_count = 0;
  std::optional<std::size_t> learn_from;
  std::vector<long long> peaks;
  bool finished = false;

  void decide_learning(bool at_end) {
    if (learn_from) return;
    std::vector<double> lively;
    for (double r : ranges) {
      if (r > 0) lively.push_back(r);
    }
    if (lively.empty()) {
      if (at_end) learn_from = total;  // a flat line: nothing to detect
      return;
    }
    if (!at_end && ranges.size() < DetectorParams::kLivelySeconds) return;
    const double reference = median_of(lively);
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      if (ranges[k] > 0 && ranges[k] >= 0.1 * reference) {
        learn_from = k * p.second;
        return;
      }
    }
    learn_from = total;
  }

  // Runs every block whose signal (with its margin after) has arrived; at the end, the rest.
  void run_blocks() {
    while (next_block < total) {
      const std::size_t b0 = next_block;
      std::size_t b1 = b0 + p.block;
      if (!finished && b1 + p.margin > total) return;
      b1 = std::min(b1, total);
      const std::size_t lo = b0 > p.margin ? b0 - p.margin : 0, hi = std::min(total, b1 + p.margin);
      // A block before the first lively second has nothing to detect; any other needs to know where that is.
      const bool flat_so_far =
          !learn_from && std::all_of(ranges.begin(), ranges.end(), [](double r) { return r <= 0; });
      if (!learn_from && !(flat_so_far && ranges.size() * p.second >= hi)) return;
      if (learn_from && *learn_from < total) {
        detect_block(p, st, abs_bp, buffer.data() + (lo - buffer_start), lo, hi, b0, b1, *learn_from);
      }
      next_block = b1;
      // Keep only what the next block reads (its margin before it) and the decision rules' recent memory.
      // (Dropped once the part no longer needed is most of the buffer: a lead pushed whole is not moved block by
      // block.)
      const std::size_t keep_from = b1 > p.margin ? b1 - p.margin : 0;
      if (keep_from > buffer_start && 2 * (keep_from - buffer_start) >= buffer.size()) {
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(keep_from - buffer_start));
        buffer_start = keep_from;
      }
      for (long long peak : st.found) {
        // A search-back peak and the refinement can, rarely, land two detections on one R wave: keep the first.
        if (peaks.empty() || peak - peaks.back() >= static_cast<long long>(p.refractory)) peaks.push_back(peak);
      }
      st.found.clear();
      trim(st.qrs);
      trim(st.qrs_slope);
      trim(st.qrs_height);
    }
  }
  template <typename T>
  static void trim(std::vector<T>& v) {  // the rules look back at most 256 QRS complexes
    if (v.size() > 1024) v.erase(v.begin(), v.end() - 256);
  }
};

RPeakDetector::RPeakDetector(double fs) {
  if (!(fs > 0) || !std::isfinite(fs)) throw Error("the sampling frequency must be a positive number");
  state_ = std::make_unique<State>(fs);
}

RPeakDetector::~RPeakDetector() = default;
RPeakDetector::RPeakDetector(RPeakDetector&&) noexcept = default;
RPeakDetector& RPeakDetector::operator=(RPeakDetector&&) noexcept = default;

void RPeakDetector::push(const double* x, std::size_t n) {
  State& s = *state_;
  if (s.finished) throw Error("RPeakDetector::push after finish");
  s.buffer.insert(s.buffer.end(), x, x + n);
  for (std::size_t i = 0; i < n && !s.learn_from; ++i) {  // seconds' ranges, until learning's start is decided
    if (s.second_count == 0) s.second_low = s.second_high = x[i];
    s.second_low = std::min(s.second_low, x[i]);
    s.second_high = std::max(s.second_high, x[i]);
    if (++s.second_count == s.p.second) {
      s.ranges.push_back(s.second_high - s.second_low);
      s.second_count = 0;
      s.decide_learning(false);
    }
  }
  s.total += n;
  s.run_blocks();
}

void RPeakDetector::finish() {
  State& s = *state_;
  if (s.finished) return;
  s.finished = true;
  if (s.second_count && !s.learn_from) s.ranges.push_back(s.second_high - s.second_low);
  s.second_count = 0;
  if (s.total < 3) {
    s.learn_from = s.total;
  } else {
    s.decide_learning(true);
  }
  s.run_blocks();
}

const std::vector<long long>& RPeakDetector::peaks() const { return state_->peaks; }

std::vector<long long> detect_r_peaks(const double* signal, std::size_t n, double fs) {
  RPeakDetector detector(fs);
  detector.push(signal, n);
  detector.finish();
  return detector.peaks();
}

double lead_quality(const double* signal, std::size_t n, double fs, const std::vector<long long>& peaks) {
  if (peaks.size() < 4 || n < 3) return 0;
  const double minutes = static_cast<double>(n) / fs / 60;
  const double rate = static_cast<double>(peaks.size()) / minutes;
  PanTompkinsStages s = pan_tompkins_stages(signal, n, fs);
  const auto reach = static_cast<long long>(std::lround(0.050 * fs));
  auto largest_near = [&](long long at) {
    double best = 0;
    for (long long i = std::max(0LL, at - reach); i <= std::min(static_cast<long long>(n) - 1, at + reach); ++i) {
      best = std::max(best, std::fabs(s.bandpassed[static_cast<std::size_t>(i)]));
    }
    return best;
  };
  std::vector<double> qrs, between;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    qrs.push_back(largest_near(peaks[i]));
    if (i + 1 < peaks.size()) between.push_back(largest_near((peaks[i] + peaks[i + 1]) / 2));
  }
  const double noise = median_of(between);
  double q = noise > 0 ? median_of(qrs) / noise : 0;
  if (rate < 20 || rate > 250) q *= 0.1;  // a "heart rate" no heart keeps for minutes: the detector found noise
  return q;
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
