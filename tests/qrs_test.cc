// Pan–Tompkins R-peak detection, scored as ANSI/AAMI EC57 scores detectors (a detection within 150 ms of a
// reference beat matches it): on MIT-BIH record 100 against its reference annotations (both leads), and on
// synthetic ECGs whose true R peaks are known (250, 360 and 500 Hz, baseline wander, noise, inverted leads).
#include "ecgad/qrs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ecgad/beats.h"
#include "ecgad/random.h"
#include "ecgad/wfdb.h"

namespace ecgad {
namespace {

TEST(MatchBeats, HandWorkedExample) {
  // Reference beats at 100, 300, 500, 700; tolerance 20. Detections: 95 (matches 100), 310 and 305 (305 is
  // nearer to 300 and matches; 310 is left over), 560 (too far from 500), 700.
  BeatMatch m = match_beats({95, 305, 310, 560, 700}, {100, 300, 500, 700}, 20);
  EXPECT_EQ(m.true_positives, 3u);
  EXPECT_EQ(m.false_negatives, 1u);  // 500
  EXPECT_EQ(m.false_positives, 2u);  // 310, 560
  EXPECT_EQ(m.matched_reference, (std::vector<long long>{0, 1, -1, -1, 3}));
  EXPECT_DOUBLE_EQ(m.sensitivity(), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.positive_predictivity(), 3.0 / 5.0);
}

TEST(PanTompkins, StagesKeepTheLengthAndAFlatLineHasNoBeats) {
  std::vector<double> flat(3600, 1.5);
  PanTompkinsStages s = pan_tompkins_stages(flat.data(), flat.size(), 360);
  EXPECT_EQ(s.bandpassed.size(), flat.size());
  EXPECT_EQ(s.integrated.size(), flat.size());
  EXPECT_TRUE(detect_r_peaks(flat, 360).empty());
  EXPECT_TRUE(detect_r_peaks(std::vector<double>{}, 360).empty());
}

// EC57 on record 100: every reference beat annotation against the detections, whole record, 150 ms window.
TEST(PanTompkins, Record100BothLeadsMeetEc57Targets) {
  WfdbRecord record = read_wfdb_record(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea");
  ReferenceBeats reference = reference_beats(read_annotations(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.atr"));
  ASSERT_EQ(reference.samples.size(), 2273u);
  const double fs = record.header.sampling_frequency;
  for (std::size_t lead = 0; lead < 2; ++lead) {
    std::vector<long long> peaks = detect_r_peaks(physical_signal(record, lead), fs);
    BeatMatch m = match_beats(peaks, reference.samples, std::llround(0.150 * fs));
    std::printf("record 100 %s: %zu detections, TP %zu FN %zu FP %zu, Se %.4f%% +P %.4f%%\n",
                record.header.signals[lead].description.c_str(), peaks.size(), m.true_positives, m.false_negatives,
                m.false_positives, 100 * m.sensitivity(), 100 * m.positive_predictivity());
    EXPECT_GE(m.sensitivity(), 0.998) << record.header.signals[lead].description;
    EXPECT_GE(m.positive_predictivity(), 0.998) << record.header.signals[lead].description;
  }
}

// Fed piece by piece (as `ecgad beats` reads a long record), the detector finds exactly the same peaks, whatever
// the size of the pieces; a flat start longer than the 10 minutes it decides learning on is skipped as it arrives.
TEST(PanTompkins, StreamedInPiecesFindsTheSamePeaks) {
  WfdbRecord record = read_wfdb_record(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea");
  std::vector<double> x = physical_signal(record, 0);
  const std::vector<long long> whole = detect_r_peaks(x, 360);
  ASSERT_EQ(whole.size(), 2273u);
  for (std::size_t piece : {1ul, 7ul, 4096ul, 21601ul, 1000000ul}) {
    RPeakDetector detector(360);
    for (std::size_t i = 0; i < x.size(); i += piece) detector.push(x.data() + i, std::min(piece, x.size() - i));
    detector.finish();
    EXPECT_EQ(detector.peaks(), whole) << "pieces of " << piece;
  }
  // Twelve flat minutes, then the record: the same beats, shifted.
  const std::size_t flat = std::size_t{12} * 60 * 360;
  std::vector<double> late(flat, x.front());
  late.insert(late.end(), x.begin(), x.end());
  RPeakDetector detector(360);
  for (std::size_t i = 0; i < late.size(); i += 50000)
    detector.push(late.data() + i, std::min<std::size_t>(50000, late.size() - i));
  detector.finish();
  std::vector<long long> shifted;
  for (long long p : detector.peaks()) shifted.push_back(p - static_cast<long long>(flat));
  BeatMatch m = match_beats(shifted, whole, 0);
  EXPECT_EQ(m.false_negatives, 0u);
  EXPECT_EQ(m.false_positives, 0u);
}

// The same record at other rates (linear interpolation) and upside down: the detector has no 360 Hz in it.
TEST(PanTompkins, Record100ResampledAndInvertedStillMeetsEc57Targets) {
  WfdbRecord record = read_wfdb_record(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.hea");
  ReferenceBeats reference = reference_beats(read_annotations(std::string(ECGAD_SOURCE_DIR) + "/data/mitdb/100.atr"));
  for (std::size_t lead = 0; lead < 2; ++lead) {
    std::vector<double> x = physical_signal(record, lead);
    for (double fs : {128.0, 250.0, 500.0}) {
      auto n = static_cast<std::size_t>(static_cast<double>(x.size() - 1) * fs / 360.0);
      std::vector<double> y(n);
      resample_linear(x.data(), x.size(), 0, static_cast<double>(n - 1) * 360.0 / fs, n, y.data());
      for (double& v : y) v = -v;
      std::vector<long long> truth;
      for (long long s : reference.samples) truth.push_back(std::llround(static_cast<double>(s) * fs / 360.0));
      BeatMatch m = match_beats(detect_r_peaks(y, fs), truth, std::llround(0.150 * fs));
      EXPECT_GE(m.sensitivity(), 0.998) << "lead " << lead << ", " << fs << " Hz, inverted";
      EXPECT_GE(m.positive_predictivity(), 0.998) << "lead " << lead << ", " << fs << " Hz, inverted";
    }
  }
}

struct Synthetic {
  std::vector<double> signal;
  std::vector<long long> r_peaks;  // true R-wave centres
};

// A sum of Gaussians per beat (P, Q, R, S, T waves, in mV and seconds relative to the R wave), RR intervals
// drawn between 0.6 and 1.1 s, plus baseline wander (0.2 Hz sine and a ramp), white noise and 50 Hz mains.
Synthetic synthetic_ecg(double fs, double seconds, std::uint64_t seed, double sign) {
  struct Wave {
    double offset, amplitude, width;
  };
  const Wave waves[] = {
      {-0.20, 0.15, 0.025}, {-0.035, -0.12, 0.010}, {0.0, 1.2, 0.011}, {0.035, -0.30, 0.011}, {0.30, 0.35, 0.045}};
  Rng rng(seed);
  Synthetic s;
  const auto n = static_cast<std::size_t>(seconds * fs);
  s.signal.assign(n, 0.0);
  for (double t = 0.5; t < seconds - 0.5; t += 0.6 + 0.5 * rng.uniform01()) {
    s.r_peaks.push_back(std::llround(t * fs));
    for (const Wave& w : waves) {
      double centre = t + w.offset;
      auto lo = static_cast<long long>((centre - 5 * w.width) * fs),
           hi = static_cast<long long>((centre + 5 * w.width) * fs);
      for (long long i = std::max(0LL, lo); i <= hi && i < static_cast<long long>(n); ++i) {
        double d = (static_cast<double>(i) / fs - centre) / w.width;
        s.signal[static_cast<std::size_t>(i)] += w.amplitude * std::exp(-0.5 * d * d);
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double t = static_cast<double>(i) / fs;
    double wander = 0.6 * std::sin(2 * M_PI * 0.2 * t) + 0.5 * t / seconds;
    double noise = 0.04 * rng.gaussian() + 0.05 * std::sin(2 * M_PI * 50 * t);
    s.signal[i] = sign * s.signal[i] + wander + noise;
  }
  return s;
}

TEST(PanTompkins, SyntheticBeatsAtAnyRateWithWanderNoiseAndInversion) {
  for (double fs : {250.0, 360.0, 500.0}) {
    for (double sign : {1.0, -1.0}) {
      Synthetic s = synthetic_ecg(fs, 120, static_cast<std::uint64_t>(fs), sign);
      std::vector<long long> peaks = detect_r_peaks(s.signal, fs);
      BeatMatch m = match_beats(peaks, s.r_peaks, std::llround(0.150 * fs));
      EXPECT_EQ(m.false_negatives, 0u) << fs << " Hz, sign " << sign;
      EXPECT_EQ(m.false_positives, 0u) << fs << " Hz, sign " << sign;
      // Located on the R wave itself: within 10 ms of the true centre.
      double worst = 0;
      for (std::size_t d = 0; d < peaks.size(); ++d) {
        if (m.matched_reference[d] < 0) continue;
        long long truth = s.r_peaks[static_cast<std::size_t>(m.matched_reference[d])];
        worst = std::max(worst, std::fabs(static_cast<double>(peaks[d] - truth)) / fs);
      }
      EXPECT_LE(worst, 0.010) << fs << " Hz, sign " << sign;
    }
  }
}

// Beats of two shapes and broad artefacts, for the rules that judge early and marginal candidates. Normal beats as
// in synthetic_ecg but with a T wave as tall as `t_wave` (a tall T wave is as tall as the R wave); every fifth beat a
// premature ventricular one (at 60% of the RR interval, wide and slow, inverted, with a compensatory pause); and,
// when `artefact_mv` > 0, a broad bump of that height (40 ms wide) halfway through every third normal interval, the
// kind of motion artefact a noisy stretch is full of. True peaks: the normal and the ventricular beats.
Synthetic synthetic_ectopy(double fs, double seconds, std::uint64_t seed, double t_wave, double artefact_mv) {
  struct Wave {
    double offset, amplitude, width;
  };
  const Wave normal[] = {
      {-0.20, 0.15, 0.025}, {-0.035, -0.12, 0.010}, {0.0, 1.2, 0.011}, {0.035, -0.30, 0.011}, {0.30, t_wave, 0.045}};
  const Wave ventricular[] = {{0.0, -1.6, 0.035}, {0.30, 0.6, 0.070}};
  const Wave artefact[] = {{0.0, artefact_mv, 0.040}};
  Rng rng(seed);
  Synthetic s;
  const auto n = static_cast<std::size_t>(seconds * fs);
  s.signal.assign(n, 0.0);
  auto add = [&](const Wave* waves, std::size_t count, double t) {
    for (std::size_t k = 0; k < count; ++k) {
      const Wave& w = waves[k];
      double centre = t + w.offset;
      auto lo = static_cast<long long>((centre - 5 * w.width) * fs),
           hi = static_cast<long long>((centre + 5 * w.width) * fs);
      for (long long i = std::max(0LL, lo); i <= hi && i < static_cast<long long>(n); ++i) {
        double d = (static_cast<double>(i) / fs - centre) / w.width;
        s.signal[static_cast<std::size_t>(i)] += w.amplitude * std::exp(-0.5 * d * d);
      }
    }
  };
  std::size_t beat = 0;
  for (double t = 0.5; t < seconds - 2.5; ++beat) {
    const double rr = 0.75 + 0.15 * rng.uniform01();
    s.r_peaks.push_back(std::llround(t * fs));
    add(normal, 5, t);
    if (beat % 5 == 4) {  // a ventricular beat at 60% of the interval, then the compensatory pause
      s.r_peaks.push_back(std::llround((t + 0.6 * rr) * fs));
      add(ventricular, 2, t + 0.6 * rr);
      t += 2 * rr;
    } else {
      if (artefact_mv > 0 && beat % 3 == 0) add(artefact, 1, t + 0.5 * rr);
      t += rr;
    }
  }
  for (std::size_t i = 0; i < n; ++i) s.signal[i] += 0.02 * rng.gaussian();
  return s;
}

// Ventricular beats (early, wide, another shape) and tall T waves at every rate: each beat found, nothing else.
TEST(PanTompkins, EarlyWideBeatsAndTallTWavesAreKept) {
  for (double fs : {128.0, 250.0, 360.0, 500.0}) {
    for (double t_wave : {0.35, 1.0}) {
      Synthetic s = synthetic_ectopy(fs, 120, 7, t_wave, 0);
      BeatMatch m = match_beats(detect_r_peaks(s.signal, fs), s.r_peaks, std::llround(0.150 * fs));
      EXPECT_EQ(m.false_negatives, 0u) << fs << " Hz, T wave " << t_wave << " mV";
      EXPECT_EQ(m.false_positives, 0u) << fs << " Hz, T wave " << t_wave << " mV";
    }
  }
}

// Broad bumps between beats, taller than the R wave (1.5 mV) but far less steep, in 32 of the 141 intervals. The
// detector before the rule for marginal, shallow candidates took 26, 7 and 7 of them for beats at 250, 360 and 500
// Hz; now at most 3, and no beat is lost. (At 128 Hz the 30-ms filters leave a 40-ms bump as steep as a QRS: 32 and 31
// before and after, so that rate is not asserted.)
TEST(PanTompkins, BroadArtefactsBetweenBeatsAreMostlyNotBeats) {
  for (double fs : {128.0, 250.0, 360.0, 500.0}) {
    Synthetic s = synthetic_ectopy(fs, 120, 11, 0.35, 1.5);
    BeatMatch m = match_beats(detect_r_peaks(s.signal, fs), s.r_peaks, std::llround(0.150 * fs));
    EXPECT_EQ(m.false_negatives, 0u) << fs << " Hz";
    if (fs > 128) {
      EXPECT_LE(m.false_positives, 3u) << fs << " Hz";
    }
  }
}

TEST(PanTompkins, RefusesANonsenseRate) {
  std::vector<double> x(100, 0.0);
  EXPECT_ANY_THROW(detect_r_peaks(x, 0));
  EXPECT_ANY_THROW(detect_r_peaks(x, std::nan("")));
  // Rates whose windows are far longer, or shorter, than the signal's samples: an answer, not a hang or a crash.
  std::vector<double> wave(20000);
  for (std::size_t i = 0; i < wave.size(); ++i) wave[i] = std::sin(0.01 * static_cast<double>(i));
  EXPECT_LE(detect_r_peaks(wave, 1e9).size(), 1u);
  EXPECT_NO_THROW(detect_r_peaks(wave, 0.5));
}

}  // namespace
}  // namespace ecgad
