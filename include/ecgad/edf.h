// EDF, EDF+ and BDF recordings (the formats of most Holters, sleep labs and wearables), read through EDFlib
// (Debian's libedf-dev, the library behind EDFbrowser), with physical units from the header and each signal at
// its own rate. EDFlib 1.23 refuses discontinuous files (EDF+D, BDF+D: its error -10), so those are read by
// ecgad's own parser of the same layout (header, data records, the time-keeping annotation of each record),
// which tests/edf_test.cc checks against EDFlib on continuous files. Every inconsistency is an ecgad::Error
// naming the file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/lead.h"
#include "ecgad/wfdb.h"

namespace ecgad {

struct EdfSignal {
  std::string label;  // e.g. "ECG II", trailing spaces removed
  std::string units;  // physical dimension, e.g. "uV"
  double fs = 0;      // samples per second
  long long samples = 0;
};

struct EdfInfo {
  std::string path;
  std::string type;  // "EDF", "EDF+C", "EDF+D", "BDF", "BDF+C" or "BDF+D"
  bool discontinuous = false;
  std::vector<EdfSignal> signals;  // ordinary signals only (annotation signals are not listed)
};

// True when the file starts as an EDF or BDF header does (for telling it from a WFDB record or a CSV).
bool looks_like_edf(const std::string& path);

EdfInfo read_edf_info(const std::string& path);

// One signal in physical units. An EDF+D file's data records that do not follow each other in time become
// separate stretches. `max_seconds` stops early.
Lead read_edf_lead(const std::string& path, std::size_t signal, std::optional<double> max_seconds = std::nullopt);

// The file's EDF+ annotations whose text is a WFDB beat mnemonic ("N", "V", "A", ...; see annotation_symbol), as
// annotations at sample numbers of a signal sampled at `fs` (onset x fs, rounded). Others are left out.
std::vector<Annotation> read_edf_beat_annotations(const std::string& path, double fs);

}  // namespace ecgad
