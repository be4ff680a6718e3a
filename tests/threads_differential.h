// The differential check of reading on several threads (issue 23): one input given to `ecgad score`, `evaluate` and
// `train` with --threads 1 and the default block, then with other thread counts and block sizes; every run must
// give the same standard output, standard error, exit code and output file, byte for byte. The command line runs
// in-process (ecgad_main), its standard output and error caught through files. Shared by
// tests/threads_differential_test.cc (generated and mutated inputs) and fuzz/threads_fuzz.cc (libFuzzer's).
#pragma once

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"

namespace ecgad::differential {

struct Outcome {
  int status = -1;
  std::string out, err, file;  // file: the output file's bytes (train's model), "<none>" when not written
  bool operator==(const Outcome& o) const {
    return status == o.status && out == o.out && err == o.err && file == o.file;
  }
};

inline std::string slurp(const std::string& path, const std::string& missing = "") {
  std::ifstream in(path, std::ios::binary);
  if (!in) return missing;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void spit(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// `text` as one gzip member (zlib's deflate: the reader only inflates).
inline std::string gzip(const std::string& text) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return text;
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// `ecgad ARGS` in-process; `output`: a file the command writes (read after it, then removed), or "".
inline Outcome run(const std::vector<std::string>& args, const std::string& dir, const std::string& output = "") {
  std::fflush(stdout);
  std::fflush(stderr);
  const std::string out_path = dir + "/stdout.txt", err_path = dir + "/stderr.txt";
  const int saved_out = ::dup(1), saved_err = ::dup(2);
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ::dup2(out_fd, 1);
  ::dup2(err_fd, 2);
  ::close(out_fd);
  ::close(err_fd);
  std::vector<std::string> words = {"ecgad"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  Outcome outcome;
  outcome.status = ecgad_main(static_cast<int>(words.size()), argv.data(), false);
  std::fflush(stdout);
  std::fflush(stderr);
  ::dup2(saved_out, 1);
  ::dup2(saved_err, 2);
  ::close(saved_out);
  ::close(saved_err);
  outcome.out = slurp(out_path);
  outcome.err = slurp(err_path);
  if (!output.empty()) {
    outcome.file = slurp(output, "<none>");
    std::remove(output.c_str());
  }
  return outcome;
}

// Beats of the model's width 8, the same rows as tests/threads_test.cc's: row r normal unless r % 5 == 4.
inline std::string beat(int r) {
  std::string text;
  for (int i = 0; i < 8; ++i) text += std::to_string(0.0001 * ((r * 7 + i * 3) % 10)) + ",";
  return text + (r % 5 == 4 ? "0" : "1");
}

// The model the commands score with, trained in `dir` (once per process).
inline const std::string& model_in(const std::string& dir) {
  static const std::string model = [&] {
    std::string data, path = dir + "/differential.ecgad";
    for (int r = 0; r < 60; ++r) data += beat(r) + "\n";
    spit(dir + "/differential_train.csv", data);
    run({"train", dir + "/differential_train.csv", "-o", path, "--epochs", "2", "--seed", "3", "-q", "--threads", "1"},
        dir);
    return path;
  }();
  return model;
}

// The commands one input is given to, chosen by the bits of `options`: score (CSV or JSONL, with its options),
// evaluate, train; with or without --header, an id column, the label first.
inline std::vector<std::string> command_for(std::uint8_t options, const std::string& input, const std::string& model,
                                            const std::string& output) {
  std::vector<std::string> args;
  switch (options & 3) {
    case 0:
    case 1:
      args = {"score", "-m", model, input, "-q"};
      if (options & 1) args.insert(args.end(), {"--format", "jsonl", "--only-anomalies", "--batch-rows", "3"});
      break;
    case 2: args = {"evaluate", "-m", model, input, "-q", "--format", "json"}; break;
    default: args = {"train", input, "-o", output, "--epochs", "1", "--seed", "5", "-q"}; break;
  }
  if (options & 4) args.push_back("--header");
  if (options & 8) args.insert(args.end(), {"--id-column", "1"});
  if (options & 16) args.insert(args.end(), {"--label-column", "first"});
  if (options & 32) args.insert(args.end(), {(options & 3) < 2 ? "--no-input-header" : "--no-header"});
  if ((options & 64) && (options & 3) < 2) args.insert(args.end(), {"--first-row", "5", "--no-header"});
  return args;
}

// The thread counts and block sizes compared with one thread's default block.
inline std::vector<std::pair<int, std::size_t>> every_reading() {
  std::vector<std::pair<int, std::size_t>> readings;
  for (int threads = 1; threads <= 8; ++threads) {
    for (std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1} << 20}) {
      if (threads > 1 || block != std::size_t{1} << 20) readings.emplace_back(threads, block);
    }
  }
  return readings;
}

// An escaped copy of `text` for a message (control bytes as \xNN), cut at `limit` bytes.
inline std::string shown(const std::string& text, std::size_t limit = 600) {
  std::string s;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      s += "\\n";
    } else if (c < 0x20 || c >= 0x7F) {
      static const char* hex = "0123456789abcdef";
      s += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    } else {
      s += static_cast<char>(c);
    }
  }
  return text.size() > limit ? s + "..." : s;
}

// Writes `bytes` (gzip-compressed with option bit 128) as the input, runs the command `options` picks with one
// thread, then with every reading of `readings`; returns "" when all agree, else what differed. `status`: one
// thread's exit code.
inline std::string check(std::uint8_t options, const std::string& bytes, const std::string& dir,
                         const std::vector<std::pair<int, std::size_t>>& readings = every_reading(),
                         int* status = nullptr) {
  const std::string input = dir + ((options & 128) ? "/differential_input.csv.gz" : "/differential_input.csv");
  spit(input, (options & 128) ? gzip(bytes) : bytes);
  const std::string output = dir + "/differential_out.ecgad";
  const std::vector<std::string> args = command_for(options, input, model_in(dir), output);
  std::vector<std::string> one_args = args;
  one_args.insert(one_args.end(), {"--threads", "1"});
  const Outcome one = run(one_args, dir, (options & 3) == 3 ? output : "");
  if (status) *status = one.status;
  for (const auto& [threads, block] : readings) {
    std::vector<std::string> many = args;
    many.insert(many.end(), {"--threads", std::to_string(threads), "--block-bytes", std::to_string(block)});
    const Outcome other = run(many, dir, (options & 3) == 3 ? output : "");
    if (other == one) continue;
    std::string what;
    for (const std::string& a : many) what += a + " ";
    what += "differs from --threads 1:";
    if (other.status != one.status)
      what += " exit " + std::to_string(other.status) + " vs " + std::to_string(one.status);
    if (other.out != one.out) what += "\n  stdout: " + shown(other.out) + "\n  vs one: " + shown(one.out);
    if (other.err != one.err) what += "\n  stderr: " + shown(other.err) + "\n  vs one: " + shown(one.err);
    if (other.file != one.file) what += "\n  the output file differs";
    return what + "\n  input (options " + std::to_string(options) + "): " + shown(bytes);
  }
  return "";
}

}  // namespace ecgad::differential
