// `ecgad beats`: a recording in, one beat per row out (the CSV every other subcommand reads).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace ecgad {

struct BeatsArgs {
  std::string record, output = "-", channel, annotations, peaks = "detect", peaks_out, model, window = "rr";
  std::optional<std::size_t> width;
  std::optional<double> fs, before, after;
  std::size_t column = 0;
  bool quiet = false;
  bool all_peaks = false;  // --peaks-out lists every R peak, not only those that became rows
  bool peak_id = false;    // start each row with its R peak's sample index (an id column for score)
};

int run_beats(const BeatsArgs& args);

}  // namespace ecgad
