// `ecgad beats`: a recording in, one beat per row out (the CSV every other subcommand reads).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ecgad {

struct BeatsArgs {
  std::vector<std::string> records;  // as given; `record` is the one the streamed path reads
  std::string classes = "binary", normalize = "none";
  std::string record, output = "-", channel, annotations, peaks = "detect", peaks_out, model, window = "rr";
  std::optional<std::size_t> width;
  std::optional<double> fs, before, after;
  std::size_t column = 0;
  bool quiet = false;
  bool all_peaks = false;  // --peaks-out lists every R peak, not only those that became rows
  bool peak_id = false;    // start each row with its R peak's sample index (an id column for score)
};

int run_beats(const BeatsArgs& args);
// Several records (or --classes aami): each cut in memory, rows RECORD,SAMPLE,v1..vW[,LABEL].
int run_beats_records(const BeatsArgs& args);

}  // namespace ecgad
