// PhysioNet WFDB records, read as the format documents describe them (header(5), signal(5), annot(5);
// data/mitdb/README.md summarises them) and, where they are vague, as WFDB's own C library does: the .hea header,
// single- and multi-segment records, signal files in formats 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and the FLAC
// formats 508, 516, 524, several samples per frame, skew, and MIT-format annotation files (.atr). Every
// inconsistency is an ecgad::Error naming the file.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ecgad/lead.h"

namespace ecgad {

// One signal line of a header: FILE FORMAT[xSPF][:SKEW][+OFFSET]
//   [GAIN[(BASELINE)][/UNITS] [ADCRES [ADCZERO [INITVAL [CHECKSUM [BLOCKSIZE [DESCRIPTION]]]]]]]
struct WfdbSignalInfo {
  std::string file_name;      // as written; relative to the header's folder ("~" in a layout header: no file)
  int format = 0;             // see is_readable_wfdb_format; 0 is a null signal (no samples)
  int samples_per_frame = 1;  // samples of this signal in each frame (the frame rate is the header's FS)
  int skew = 0;               // frames by which this signal's samples lag in the file (WFDB drops them on reading)
  long byte_offset = 0;       // bytes skipped at the start of the signal file
  double gain = 200;          // ADC units per physical unit (0 in the file: uncalibrated, 200 used)
  bool calibrated = true;     // false when the header's gain is 0
  int baseline = 0;           // ADC value of physical zero (default: the ADC zero)
  std::string units = "mV";   // "" when the header writes "GAIN/" with nothing after the slash (WFDB: no units)
  int adc_resolution = 0;     // bits (default: the format's width, 12 for 212, 10 for 310/311)
  int adc_zero = 0;
  std::optional<int> initial_value;  // the first sample, if given (format 8: the value the differences start from)
  std::optional<int> checksum;       // the sum of all samples, compared modulo 2^16 (writers store it signed or not)
  int block_size = 0;
  std::string description;  // e.g. the lead name "MLII"
  // Why ecgad cannot read this signal, or "" when it can: a signal ecgad cannot read is refused only when chosen.
  std::string unreadable;
};

// A segment of a multi-segment record: the name of its own (single-segment) header and its length in frames.
// The name "~" is a null segment: a gap of that many frames with no samples.
struct WfdbSegment {
  std::string record_name;
  long long frames = 0;
};

// The record line: NAME[/SEGMENTS] NSIG [FS[/COUNTERFREQ[(BASE)]] [NSAMP [BASETIME [BASEDATE]]]]
struct WfdbHeader {
  std::string path;    // the .hea file, for messages
  std::string folder;  // where its signal files are looked for ("" = current folder)
  std::string record_name;
  double sampling_frequency = 250;              // frames per second (250 when absent, as WFDB says)
  std::optional<long long> samples_per_signal;  // frames
  std::vector<WfdbSignalInfo> signals;          // empty in a multi-segment header
  std::vector<WfdbSegment> segments;            // non-empty for a multi-segment record
};

// What is read whole, bounded (as model files are): a header of 16 MB holds ~100,000 segment lines; an annotation
// file of 64 MB ~30 million annotations, a beat every 30 ms for ten days.
constexpr std::size_t kMaxWfdbHeaderBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxAnnotationBytes = std::size_t{64} << 20;

// Parses header text; `path` names it in messages ("PATH:LINE:COL: ...") and gives the folder.
WfdbHeader parse_wfdb_header(const std::string& text, const std::string& path);
WfdbHeader read_wfdb_header(const std::string& path);

// True for the formats ecgad decodes: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524.
bool is_readable_wfdb_format(int format);

// All signals of a single-segment record as ADC units, one vector per signal, each frames x samples_per_frame long.
struct WfdbRecord {
  WfdbHeader header;
  std::vector<std::vector<int>> samples;  // (signals)(frames * samples_per_frame)
  std::size_t frames() const {
    return samples.empty() ? 0 : samples[0].size() / static_cast<std::size_t>(header.signals[0].samples_per_frame);
  }
};

// Reads every signal file of the header, checks its length against NSAMP (a file shorter or longer than the
// header says is refused), and checks each signal's checksum when the header gives one. Skewed signals are
// shifted into line; their last SKEW frames, which the file does not hold, are invalid samples.
WfdbRecord read_wfdb_record(const std::string& header_path);
WfdbRecord read_wfdb_record(const WfdbHeader& header);

// Streams the chosen signals of a single-segment record to `sink(signal, samples, count)` in time order, in
// blocks, reading each signal file once in pieces of about a megabyte (a day-long Holter never sits in memory as
// a whole). Samples are ADC units, deskewed; checks as read_wfdb_record. `max_frames` stops early (no length or
// checksum checks then).
using WfdbSink = std::function<void(std::size_t signal, const int* samples, std::size_t count)>;
void stream_wfdb_signals(const WfdbHeader& header, const std::vector<std::size_t>& signals, const WfdbSink& sink,
                         std::optional<long long> max_frames = std::nullopt);

// The checksum the header stores: the sum of the samples, kept to its low 16 bits, as a signed 16-bit number.
// Compare checksums with wfdb_checksums_agree: writers store the same 16 bits as 0..65535 or as -32768..32767.
int wfdb_checksum(const std::vector<int>& samples);
bool wfdb_checksums_agree(long long stored, long long computed);

// Encodes samples (a file's sample stream: frames interleaved, frame 0's samples, then frame 1's, ...) as a signal
// file's bytes. For tests and for writing small records; throws on a value the format cannot hold. Format 8 takes
// the first differences itself, starting from `initial` (a single signal only). FLAC formats are not encoded here.
std::string encode_wfdb_samples(const std::vector<int>& interleaved, int format, int initial = 0);
// The inverse for the byte-packed formats: every whole sample in the bytes; `name` for messages. Throws when the
// bytes end inside a sample. Format 8 gives the raw differences (the caller sums them per signal).
std::vector<int> decode_wfdb_samples(const std::string& bytes, int format, std::size_t signals,
                                     const std::string& name);

// The ADC value a format uses for "no sample here" (WFDB_INVALID_SAMPLE in that format's range).
int wfdb_invalid_sample(int format);

// The signals a lead can be chosen from: a single-segment record's own; for a multi-segment record, those of its
// layout header (variable layout: the first segment, of length 0) or of its first segment that is not null.
std::vector<WfdbSignalInfo> wfdb_lead_signals(const WfdbHeader& header);

// One signal (an index into wfdb_lead_signals) in physical units, at its own rate (FS x samples per frame). A
// multi-segment record is read segment by segment (fixed layout: the signal at the same index; variable layout:
// the signal of the same description), and null segments and segments without the signal become gaps between
// stretches. Invalid samples repeat the last valid value. `max_frames` stops after that many frames of the signal
// (gaps do not count: a record that starts with an hour of null segments still gives that many frames); 0 reads no
// samples, only what the lead is (name, units, rate), and throws what reading it would throw for the header.
// With a `sink`, the samples are handed to it as they are read (stretch by stretch, in pieces) instead of being
// stored: the Lead returned has no values, only its name, units, rate, stretches and what was skipped.
Lead read_wfdb_lead(const WfdbHeader& header, std::size_t signal, std::optional<long long> max_frames = std::nullopt,
                    LeadSink* sink = nullptr);

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
// AAMI EC57 class N: N, L, R, e, j, and B (bundle branch block, as WFDB's bxb maps it) (ecgad's "normal"); every
// other beat code is abnormal. ec57.h gives every beat code its class.
bool is_aami_normal_code(int code);

}  // namespace ecgad
