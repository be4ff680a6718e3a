// One lead of a recording in physical units, as every reader (WFDB, EDF, signal CSV) hands it to the detector: the
// samples that were recorded, and where on the record's time axis each stretch of them lies. A recording with gaps
// (a multi-segment WFDB record's null segments, an EDF+D file's missing data records) has several stretches; no
// beat window is ever cut across the end of one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ecgad {

struct LeadStretch {
  std::size_t begin = 0, end = 0;  // values[begin, end) of the lead
  long long start = 0;             // the record's sample number (at the lead's rate) of values[begin]
};

struct Lead {
  std::string name;            // description or label, "" when the file gives none
  std::string units;           // physical units ("mV", "uV", ...; "" for none)
  double fs = 0;               // samples per second of this lead
  std::vector<double> values;  // the recorded samples, stretch after stretch, in physical units
  std::vector<LeadStretch> stretches;
  std::string skipped;  // what the reader left out and why (other signals it cannot read), for the summary
};

// A lead handed over piece by piece, for recordings too long to hold (a day-long Holter): begin_stretch(start)
// before each stretch's first samples (start on the record's time axis, at the lead's rate), then samples() in time
// order, in pieces of any size.
class LeadSink {
 public:
  virtual ~LeadSink() = default;
  virtual void begin_stretch(long long start) = 0;
  virtual void samples(const double* values, std::size_t n) = 0;
};

// Hands a stored lead to a sink, stretch by stretch.
inline void replay_lead(const std::vector<double>& values, const std::vector<LeadStretch>& stretches, LeadSink& sink) {
  for (const LeadStretch& st : stretches) {
    sink.begin_stretch(st.start);
    if (st.end > st.begin) sink.samples(values.data() + st.begin, st.end - st.begin);
  }
}

}  // namespace ecgad
