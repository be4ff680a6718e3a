// ecgad_ec57: the patient-specific protocol of EC57 on recordings, timed end to end, for the README's tables.
//
//   ecgad_ec57 [--preset NAME] [--threshold STRATEGY] [--learn SECONDS] [--seed N] [--normalize none|zscore|minmax]
//              [--window rr|fixed] [--annotations atr] [--json] [--dump DIR] RECORD...
//
// For each record: read the lead, find the R peaks, cut the beats, train the preset (default: "default", the
// autoencoder; "vae" for the VAE) on the annotated beats of the first --learn seconds (300: EC57's learning
// period), score the rest and compare beat by beat with the reference (bxb's rules). Prints the EC57 table (per
// record, gross, average) and, per record, the seconds each step took (wall clock). --dump DIR writes, per record,
// DIR/RECORD.detections.csv (sample,label,score: one line per R peak, label n, flagged or unscored; score -1 for
// unscored) and
// DIR/RECORD.counts.json (the library's matrix), for scripts/ec57_check.py to recompute independently.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ecgad/ec57_report.h"
#include "ecgad/error.h"
#include "ecgad/protocol.h"
#include "ecgad/recordings.h"

namespace {

using namespace ecgad;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Args {
  std::string preset = "default", normalize = "none", window = "rr", annotations = "atr", dump, threshold;
  double learn = 300;
  unsigned long seed = 0;
  bool json = false;
  std::vector<std::string> records;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--preset")
      a.preset = value();
    else if (arg == "--learn")
      a.learn = std::stod(value());
    else if (arg == "--seed")
      a.seed = std::stoul(value());
    else if (arg == "--normalize")
      a.normalize = value();
    else if (arg == "--window")
      a.window = value();
    else if (arg == "--annotations")
      a.annotations = value();
    else if (arg == "--dump")
      a.dump = value();
    else if (arg == "--threshold")
      a.threshold = value();
    else if (arg == "--json")
      a.json = true;
    else if (!arg.empty() && arg[0] == '-')
      throw Error("unknown option " + arg);
    else
      a.records.push_back(arg);
  }
  if (a.records.empty()) throw Error("usage: ecgad_ec57 [--preset NAME] [--learn S] [--seed N] RECORD...");
  return a;
}

void dump(const std::string& dir, const RecordBeats& beats, const PatientSpecific& result) {
  std::ofstream csv(dir + "/" + beats.record + ".detections.csv");
  const char* names[] = {"n", "s", "v", "f", "q", "flagged", "unscored"};
  std::vector<double> score(beats.peaks.size(), -1);
  for (std::size_t r = 0; r < beats.beats.rows(); ++r) score[beats.beats.peak_index[r]] = result.verdicts.scores[r];
  for (std::size_t i = 0; i < beats.peaks.size(); ++i) {
    csv << beats.peaks[i] << ',' << names[static_cast<std::size_t>(result.verdicts.labels[i])] << ',' << score[i]
        << '\n';
  }
  std::ofstream(dir + "/" + beats.record + ".counts.json") << ec57_stats_json(result.ec57.counts).dump(1) << '\n';
}

int run(const Args& a) {
  RecordBeatsOptions options;
  options.annotations = a.annotations;
  options.beats.window = a.window == "fixed" ? BeatWindow::fixed : BeatWindow::rr_midpoints;
  DetectorConfig config = preset_config(a.preset);
  config.seed = a.seed;
  config.normalize = parse_beat_normalization(a.normalize);
  if (!a.threshold.empty()) {
    config.threshold = parse_threshold_strategy(a.threshold);
    config.fallback_threshold.reset();
  }
  const Ec57Protocol protocol{a.learn, 0.150};
  std::vector<Ec57Record> records;
  std::fprintf(stderr, "record      beats  learning rows  trained  threshold  read+cut  learn+score  total\n");
  for (const std::string& path : a.records) {
    const Clock::time_point t0 = Clock::now();
    RecordBeats beats = record_beats(path, options);
    const double cut = seconds_since(t0);
    const Clock::time_point t1 = Clock::now();
    PatientSpecific result = patient_specific(beats, config, protocol);
    const double learn_and_score = seconds_since(t1);
    std::fprintf(stderr, "%-10s %6zu %14zu %8zu %10.5g %8.3fs %11.3fs %5.3fs\n", beats.record.c_str(),
                 beats.beats.rows(), result.learning_rows, result.trained_rows, result.model.threshold.value, cut,
                 learn_and_score, seconds_since(t0));
    if (!a.dump.empty()) dump(a.dump, beats, result);
    records.push_back(result.ec57);
  }
  const Ec57Setting setting{0.150, a.learn, "verdicts"};
  const std::string out = a.json ? ec57_json(records, setting).dump(2) + "\n" : ec57_text(records, setting);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecgad_ec57: error: %s\n", e.what());
    return 2;
  }
}
