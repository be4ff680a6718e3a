// PhysioNet WFDB records, read as the format documents describe them (header(5), signal(5), annot(5);
// data/mitdb/README.md summarises them): the .hea header, signal files in formats 212, 16, 80 and 61, and
// MIT-format annotation files (.atr). Every inconsistency is an ecgad::Error naming the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ecgad {

// One signal line of a header: FILE FORMAT[xSPF][:SKEW][+OFFSET]
//   [GAIN[(BASELINE)][/UNITS] [ADCRES [ADCZERO [INITVAL [CHECKSUM [BLOCKSIZE [DESCRIPTION]]]]]]]
struct WfdbSignalInfo {
  std::string file_name;      // as written; relative to the header's folder
  int format = 0;             // 212, 16, 80, 61 are read
  int samples_per_frame = 1;  // only 1 is read
  int skew = 0;               // only 0 is read
  long byte_offset = 0;       // bytes skipped at the start of the signal file
  double gain = 200;          // ADC units per physical unit (0 in the file: uncalibrated, 200 used)
  bool calibrated = true;     // false when the header's gain is 0
  int baseline = 0;           // ADC value of physical zero (default: the ADC zero)
  std::string units = "mV";
  int adc_resolution = 0;  // bits (default: 12 for 212, 16 for 16/61, 8 for 80)
  int adc_zero = 0;
  std::optional<int> initial_value;  // the first sample, if given
  std::optional<int> checksum;       // low 16 bits of the sum of all samples, signed, if given
  int block_size = 0;
  std::string description;  // e.g. the lead name "MLII"
};

// The record line: NAME[/SEGMENTS] NSIG [FS[/COUNTERFREQ[(BASE)]] [NSAMP [BASETIME [BASEDATE]]]]
struct WfdbHeader {
  std::string path;    // the .hea file, for messages
  std::string folder;  // where its signal files are looked for ("" = current folder)
  std::string record_name;
  double sampling_frequency = 250;  // per signal, Hz (250 when absent, as WFDB says)
  std::optional<long long> samples_per_signal;
  std::vector<WfdbSignalInfo> signals;
};

// Parses header text; `path` names it in messages ("PATH:LINE:COL: ...") and gives the folder.
WfdbHeader parse_wfdb_header(const std::string& text, const std::string& path);
WfdbHeader read_wfdb_header(const std::string& path);

// All signals of a record as ADC units, one vector per signal, each samples_per_signal long.
struct WfdbRecord {
  WfdbHeader header;
  std::vector<std::vector<int>> samples;  // (signals)(frames)
  std::size_t frames() const { return samples.empty() ? 0 : samples[0].size(); }
};

// Reads every signal file of the header, checks its length against NSAMP (a file shorter or longer than the
// header says is refused), and checks each signal's checksum when the header gives one.
WfdbRecord read_wfdb_record(const std::string& header_path);
WfdbRecord read_wfdb_record(const WfdbHeader& header);

// The checksum the header stores: the sum of the samples, kept to its low 16 bits, as a signed 16-bit number.
int wfdb_checksum(const std::vector<int>& samples);

// Encodes samples (frames interleaved: frame 0's signals, then frame 1's, ...) as a signal file's bytes.
// For tests and for writing small records; throws on a value the format cannot hold.
std::string encode_wfdb_samples(const std::vector<int>& interleaved, int format);
// The inverse: every whole sample in the bytes; `name` for messages. Throws when bytes end inside a sample.
std::vector<int> decode_wfdb_samples(const std::string& bytes, int format, std::size_t signals,
                                     const std::string& name);

// The ADC value a format uses for "no sample here" (WFDB_INVALID_SAMPLE in that format's range).
int wfdb_invalid_sample(int format);

// Physical values ((adc - baseline) / gain) of one signal; invalid samples repeat the last valid value.
std::vector<double> physical_signal(const WfdbRecord& record, std::size_t signal);

// One MIT-format annotation. Times are sample numbers (0-based) in the record's sampling rate.
struct Annotation {
  long long sample = 0;
  int code = 0;     // 1..49 (ecgcodes.h): 1 N, 5 V, 8 A, 28 '+', ...
  int subtype = 0;  // SUB word; 0 unless given
  int channel = 0;  // CHN word; carries over to later annotations, as in WFDB's getann
  int number = 0;   // NUM word; carries over too
  std::string aux;  // AUX text (e.g. rhythm "(N"), up to its first NUL; empty unless given
};

// Decodes an annotation file: 16-bit little-endian words, code in the top 6 bits, time step or length in the
// low 10; SKIP (59) adds a 32-bit step, NUM (60), SUB (61), CHN (62) and AUX (63) modify the annotation before
// them; a word of 0 ends the file. A file cut inside a word sequence, or without the end word, is refused.
std::vector<Annotation> parse_annotations(const std::string& bytes, const std::string& name);
std::vector<Annotation> read_annotations(const std::string& path);

// The code's mnemonic as WFDB prints it ("N", "V", "+", ...; "[42]" for unnamed codes).
std::string annotation_symbol(int code);
// True for the codes that mark a beat (N L R a V F J A S E j / Q e n f r B).
bool is_beat_code(int code);
// AAMI EC57 class N: N, L, R, e, j (ecgad's "normal"); every other beat code is abnormal.
bool is_aami_normal_code(int code);

}  // namespace ecgad
